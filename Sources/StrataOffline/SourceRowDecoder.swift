import StrataCore

/// Turns one CSV record into typed values for a source, or says exactly why it cannot.
struct SourceRowDecoder {
    let source: SourceDefinition
    /// For each schema column, its field index in the file.
    let columnFields: [Int]
    let timestampField: Int
    let createdField: Int?
    let isKey: [Bool]
    let headerCount: Int
    /// Reused per row: one value per schema column.
    var values: [Value]

    /// A decoding failure: the reason and the 1-based column to blame.
    struct Failure: Error {
        var reason: String
        var column: Int?
    }

    init(source: SourceDefinition, header: [String], keyColumns: Set<String>, path: String) throws(OfflineStoreError) {
        self.source = source
        var missing: [String] = []
        func index(_ name: String) -> Int {
            if let i = header.firstIndex(of: name) { return i }
            missing.append(name)
            return 0
        }
        columnFields = source.columns.map { index($0.name) }
        timestampField = index(source.timestamp.column)
        createdField = source.created.map { index($0.column) }
        guard missing.isEmpty else { throw .badHeader(source: source.name, path: path, missing: missing, found: header) }
        isKey = source.columns.map { keyColumns.contains($0.name) }
        headerCount = header.count
        values = Array(repeating: .null, count: source.columns.count)
    }

    /// Decodes a record; on success `values` holds the row and the times are returned.
    mutating func decode(_ fields: [CSVReader.Field], _ reader: CSVReader) -> Result<(event: Int64, created: Int64?), Failure> {
        guard fields.count == headerCount else {
            return .failure(Failure(reason: "has \(fields.count) field\(fields.count == 1 ? "" : "s"), the header has \(headerCount)", column: nil))
        }
        let event: Int64
        switch time(fields[timestampField], reader, source.timestamp) {
        case .success(let value?): event = value
        case .success(nil): return .failure(Failure(reason: "column `\(source.timestamp.column)`: the event time is empty", column: timestampField + 1))
        case .failure(let f): return .failure(f)
        }
        var created: Int64?
        if let createdField, let spec = source.created {
            switch time(fields[createdField], reader, spec) {
            case .success(let value?): created = value
            case .success(nil): return .failure(Failure(reason: "column `\(spec.column)`: the created time is empty", column: createdField + 1))
            case .failure(let f): return .failure(f)
            }
        }
        for (i, column) in source.columns.enumerated() {
            let fieldIndex = columnFields[i]
            let decoded = reader.withField(fields[fieldIndex]) { Self.value($0, column.type) }
            guard let value = decoded else {
                let text = reader.string(fields[fieldIndex])
                let reason = Self.hasInvalidUTF8(reader, fields[fieldIndex]) ? "is not valid UTF-8" : "`\(text)` is not \(Self.article(column.type)) \(column.type)"
                return .failure(Failure(reason: "column `\(column.name)`: \(reason)", column: fieldIndex + 1))
            }
            if isKey[i], value.isNull {
                return .failure(Failure(reason: "column `\(column.name)`: the join key is missing", column: fieldIndex + 1))
            }
            values[i] = value
        }
        return .success((event, created))
    }

    private func time(_ field: CSVReader.Field, _ reader: CSVReader, _ spec: TimestampColumn) -> Result<Int64?, Failure> {
        let column = (spec.column == source.timestamp.column ? timestampField : createdField ?? 0) + 1
        return reader.withField(field) { bytes -> Result<Int64?, Failure> in
            if bytes.isEmpty { return .success(nil) }
            if let unit = spec.epochUnit {
                guard let raw = Self.parseInt(bytes), let micros = Timestamp.fromEpoch(raw, unit: unit) else {
                    return .failure(Failure(reason: "column `\(spec.column)`: `\(String(decoding: bytes, as: UTF8.self))` is not an epoch time in \(unit.rawValue)", column: column))
                }
                return .success(micros)
            }
            switch Timestamp.parse(utf8: bytes, assumeUTC: spec.assumesUTC) {
            case .success(let micros): return .success(micros)
            case .failure(let failure): return .failure(Failure(reason: "column `\(spec.column)`: \(failure)", column: column))
            }
        }
    }

    /// Parses one field; nil when it is not a valid value of `type`. An empty field is null.
    static func value(_ bytes: UnsafeRawBufferPointer, _ type: ValueType) -> Value? {
        if bytes.isEmpty { return .null }
        switch type {
        case .int64: return parseInt(bytes).map(Value.int)
        case .float64: return parseFloat(bytes).map(Value.float)
        case .bool: return parseBool(bytes).map(Value.bool)
        case .string: return String(validating: bytes, as: UTF8.self).map(Value.string)
        case .timestamp: return (try? Timestamp.parse(utf8: bytes, assumeUTC: false).get()).map(Value.int)
        }
    }

    static func parseInt(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") { negative = bytes[0] == UInt8(ascii: "-"); index = 1 }
        guard index < bytes.count else { return nil }
        var value: Int64 = 0
        while index < bytes.count {
            let digit = Int64(bytes[index]) - 48
            guard digit >= 0, digit <= 9 else { return nil }
            let (scaled, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? scaled.subtractingReportingOverflow(digit) : scaled.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// Decimal numbers only: `nan`, `inf` and hex floats are refused so every stored float is finite and portable.
    static func parseFloat(_ bytes: UnsafeRawBufferPointer) -> Double? {
        for b in bytes {
            let ok = (b >= 48 && b <= 57) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
            if !ok { return nil }
        }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    static func parseBool(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        switch String(decoding: bytes, as: UTF8.self).lowercased() {
        case "true", "1", "t", "yes": return true
        case "false", "0", "f", "no": return false
        default: return nil
        }
    }

    static func hasInvalidUTF8(_ reader: CSVReader, _ field: CSVReader.Field) -> Bool {
        reader.withField(field) { String(validating: $0, as: UTF8.self) == nil }
    }

    static func article(_ type: ValueType) -> String { type == .int64 ? "an" : "a" }
}
