public import StrataCore

/// UTF-8 strings stored back to back: value `i` is `bytes[offsets[i]..<offsets[i + 1]]`.
public struct ColumnarStrings: Sendable, Equatable {
    /// The values' UTF-8 bytes, back to back.
    public var bytes: [UInt8]
    /// `count + 1` offsets, starting at 0, never decreasing.
    public var offsets: [Int]

    /// No strings.
    public init() {
        bytes = []
        offsets = [0]
    }

    /// `strings`, in order.
    public init(_ strings: [String]) {
        self.init()
        for string in strings { append(string) }
    }

    /// The number of strings.
    public var count: Int { offsets.count - 1 }

    /// Appends `string`'s UTF-8 bytes.
    public mutating func append(_ string: String) {
        bytes.append(contentsOf: string.utf8)
        offsets.append(bytes.count)
    }

    /// Appends UTF-8 bytes as one value.
    public mutating func append(bytes slice: ArraySlice<UInt8>) {
        bytes.append(contentsOf: slice)
        offsets.append(bytes.count)
    }

    /// An empty string, as the placeholder under a null.
    public mutating func appendEmpty() { offsets.append(bytes.count) }

    /// The bytes of value `index`.
    public func utf8(_ index: Int) -> ArraySlice<UInt8> { bytes[offsets[index]..<offsets[index + 1]] }

    /// Value `index` as a `String`.
    public subscript(index: Int) -> String { String(decoding: utf8(index), as: UTF8.self) }

    /// Reserves room for `count` values of `byteCount` bytes in all.
    public mutating func reserveCapacity(count: Int, bytes byteCount: Int) {
        offsets.reserveCapacity(count + 1)
        bytes.reserveCapacity(byteCount)
    }
}

/// The values of one column of a batch, plus which rows are null.
///
/// Timestamps use `.int64` storage (microseconds, UTC); the schema's field says which type the column is.
/// The value stored under a null is a placeholder (0, false or the empty string) and is never read.
public struct ColumnarColumn: Sendable, Equatable {
    /// The storage, one case per storage type (timestamps are `.int64`).
    public enum Values: Sendable, Equatable {
        case int64([Int64])
        case float64([Double])
        case bool([Bool])
        case string(ColumnarStrings)
    }

    public var values: Values
    /// `validity[i]` is false where row `i` is null; nil when no row is null.
    public var validity: [Bool]?

    /// A column of `values`; `validity` false marks a null row (nil: none is null).
    public init(_ values: Values, validity: [Bool]? = nil) {
        self.values = values
        self.validity = validity
    }

    /// The number of rows.
    public var count: Int {
        switch values {
        case .int64(let v): return v.count
        case .float64(let v): return v.count
        case .bool(let v): return v.count
        case .string(let v): return v.count
        }
    }

    /// Whether row `row` is null.
    public func isNull(_ row: Int) -> Bool { validity.map { !$0[row] } ?? false }

    /// How many rows are null.
    public var nullCount: Int { validity.map { $0.count { !$0 } } ?? 0 }

    /// Row `row` as a `Value` (timestamps as `.int` microseconds).
    public func value(_ row: Int) -> Value {
        if isNull(row) { return .null }
        switch values {
        case .int64(let v): return .int(v[row])
        case .float64(let v): return .float(v[row])
        case .bool(let v): return .bool(v[row])
        case .string(let v): return .string(v[row])
        }
    }

    /// Rows `range` as a column of their own.
    public func slice(_ range: Range<Int>) -> ColumnarColumn {
        let validity = self.validity.map { Array($0[range]) }
        switch values {
        case .int64(let v): return ColumnarColumn(.int64(Array(v[range])), validity: validity)
        case .float64(let v): return ColumnarColumn(.float64(Array(v[range])), validity: validity)
        case .bool(let v): return ColumnarColumn(.bool(Array(v[range])), validity: validity)
        case .string(let v):
            var strings = ColumnarStrings()
            let base = v.offsets[range.lowerBound]
            strings.bytes = Array(v.bytes[base..<v.offsets[range.upperBound]])
            strings.offsets = v.offsets[range.lowerBound...range.upperBound].map { $0 - base }
            return ColumnarColumn(.string(strings), validity: validity)
        }
    }

    /// The rows of `parts` one after another, as one column of `type` (the type every part has).
    public static func concatenate(_ parts: [ColumnarColumn], type: ValueType) -> ColumnarColumn {
        if parts.count == 1 { return parts[0] }
        let validity: [Bool]? = parts.contains { $0.validity != nil }
            ? parts.flatMap { $0.validity ?? [Bool](repeating: true, count: $0.count) } : nil
        func joined<T>(_ extract: (Values) -> [T]?) -> [T] { parts.reduce(into: []) { $0 += extract($1.values) ?? [] } }
        let values: Values
        switch type {
        case .int64, .timestamp: values = .int64(joined { if case .int64(let v) = $0 { v } else { nil } })
        case .float64: values = .float64(joined { if case .float64(let v) = $0 { v } else { nil } })
        case .bool: values = .bool(joined { if case .bool(let v) = $0 { v } else { nil } })
        case .string:
            var all = ColumnarStrings()
            for case .string(let v) in parts.map(\.values) {
                let base = all.bytes.count
                all.bytes += v.bytes
                all.offsets += v.offsets.dropFirst().map { $0 + base }
            }
            values = .string(all)
        }
        return ColumnarColumn(values, validity: validity)
    }

    /// Whether the storage fits a field of `type`.
    func matches(_ type: ValueType) -> Bool {
        switch (values, type) {
        case (.int64, .int64), (.int64, .timestamp), (.float64, .float64), (.bool, .bool), (.string, .string): return true
        default: return false
        }
    }

    /// The column with NaN and ±infinity turned into nulls: Strata's rule for every output format.
    func nullingNonFinite() -> ColumnarColumn {
        guard case .float64(let v) = values, v.contains(where: { !$0.isFinite }) else { return self }
        var validity = self.validity ?? [Bool](repeating: true, count: v.count)
        var values = v
        for i in values.indices where !values[i].isFinite {
            validity[i] = false
            values[i] = 0
        }
        return ColumnarColumn(.float64(values), validity: validity)
    }
}

/// Rows of a columnar file, column by column, in the order of a schema's fields.
public struct ColumnarBatch: Sendable, Equatable {
    public var rowCount: Int
    public var columns: [ColumnarColumn]

    /// A batch of `rowCount` rows; each column must hold that many (checked by the writers).
    public init(rowCount: Int, columns: [ColumnarColumn]) {
        self.rowCount = rowCount
        self.columns = columns
    }

    /// Checks that the batch has one column per field, of the field's type and with `rowCount` rows.
    public func validate(against schema: ColumnarSchema) throws {
        guard columns.count == schema.fields.count else {
            throw ColumnarError(.invalidBatch, "the batch has \(columns.count) columns, the schema has \(schema.fields.count)",
                                fix: "pass one column per schema field, in order")
        }
        for (column, field) in zip(columns, schema.fields) {
            guard column.matches(field.type) else {
                throw ColumnarError(.invalidBatch, "column `\(field.name)` holds values that are not \(field.type)", fix: "build the column with the field's type")
            }
            guard column.count == rowCount, column.validity.map({ $0.count == rowCount }) ?? true else {
                throw ColumnarError(.invalidBatch, "column `\(field.name)` has \(column.count) values, the batch has \(rowCount) rows",
                                    fix: "give every column the batch's row count")
            }
            if !field.isNullable, column.nullCount > 0 {
                throw ColumnarError(.invalidBatch, "column `\(field.name)` is not nullable but holds nulls", fix: "declare the field nullable")
            }
        }
    }
}
