import StrataCore

/// Profiles are stored as JSON: counts as numbers, sketch items and exact values as Base64 doubles, and only the
/// parts the column's type uses. A 1M-value float column takes about 8 KB.
extension ColumnProfile: Codable {
    enum CodingKeys: String, CodingKey {
        case name, type, rows, nulls, moments, sketch, exact, domain, items, trues, distinct
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name), type: try container.decode(ValueType.self, forKey: .type))
        rowCount = try container.decode(Int64.self, forKey: .rows)
        nullCount = try container.decode(Int64.self, forKey: .nulls)
        moments = try container.decodeIfPresent(Moments.self, forKey: .moments) ?? Moments()
        if type.isSketched {
            sketch = try container.decode(QuantileSketch.self, forKey: .sketch)
            exactValues = try container.decodeIfPresent(PackedDoubles.self, forKey: .exact)?.values
            domain = try container.decode(SmallDomain.self, forKey: .domain)
        }
        if type == .string { items = try container.decode(FrequentItems.self, forKey: .items) }
        if type == .bool { trueCount = try container.decode(Int64.self, forKey: .trues) }
        if let text = try container.decodeIfPresent(String.self, forKey: .distinct) {
            guard let bytes = Base64.decode(text) else {
                throw DecodingError.dataCorruptedError(forKey: .distinct, in: container, debugDescription: "the distinct-count sketch is not base64")
            }
            do {
                distinct = try DistinctSketch(serializedBytes: bytes)
            } catch {
                throw DecodingError.dataCorruptedError(forKey: .distinct, in: container, debugDescription: "unreadable distinct-count sketch: \(error)")
            }
        }
        guard rowCount >= 0, nullCount >= 0, nullCount <= rowCount else {
            throw DecodingError.dataCorruptedError(forKey: .nulls, in: container, debugDescription: "counts must satisfy 0 ≤ nulls ≤ rows")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        try container.encode(rowCount, forKey: .rows)
        try container.encode(nullCount, forKey: .nulls)
        if type != .string { try container.encode(moments, forKey: .moments) }
        if type.isSketched {
            try container.encode(sketch, forKey: .sketch)
            try container.encodeIfPresent(exactValues.map(PackedDoubles.init), forKey: .exact)
            try container.encode(domain, forKey: .domain)
        }
        if type == .string { try container.encode(items, forKey: .items) }
        if type == .bool { try container.encode(trueCount, forKey: .trues) }
        let bytes = distinct.serializedBytes
        if !bytes.isEmpty { try container.encode(Base64.encode(bytes), forKey: .distinct) }
    }
}

extension Moments {
    enum CodingKeys: String, CodingKey { case count, mean, squaredDeviations = "m2", minimum = "min", maximum = "max" }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        let count = try container.decode(Int64.self, forKey: .count)
        guard count > 0 else { return }
        try restore(count: count, mean: container.decode(Double.self, forKey: .mean),
                    squaredDeviations: container.decode(Double.self, forKey: .squaredDeviations),
                    minimum: container.decode(Double.self, forKey: .minimum), maximum: container.decode(Double.self, forKey: .maximum))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        guard count > 0 else { return }
        try container.encode(mean, forKey: .mean)
        try container.encode(squaredDeviations, forKey: .squaredDeviations)
        try container.encode(minimum, forKey: .minimum)
        try container.encode(maximum, forKey: .maximum)
    }
}
