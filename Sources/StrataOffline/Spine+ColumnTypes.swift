import StrataColumnar
import StrataCore

/// The types a CSV spine's columns get in Parquet and Arrow training sets (docs/semantics.md, "Columnar training sets"):
/// join keys their declared type, the time column `timestamp[us, UTC]`, every other column int64, float64, bool or
/// timestamp when every non-empty value parses as one (tried in that order), else string. Empty cells are null in
/// typed columns; a string column keeps them as empty text, as the CSV does.
enum SpineColumnTypes {
    /// The typed columns of a CSV spine; a Parquet or Arrow spine keeps the types it came with.
    static func typedColumns(_ spine: Spine, keyTypes: [String: ValueType]) throws -> TypedSpineColumns {
        if let typed = spine.typedColumns { return typed }
        var fields: [ColumnarField] = []
        var columns: [ColumnarColumn] = []
        for (index, name) in spine.header.enumerated() {
            let texts = spine.rows.map { $0[index] }
            let type: ValueType
            if name == spine.timestampColumn {
                type = .timestamp
            } else if let declared = keyTypes[name] {
                type = declared
            } else {
                type = inferredType(texts)
            }
            var builder = ColumnarColumnBuilder(type: type, capacity: texts.count)
            for (row, text) in texts.enumerated() {
                if name == spine.timestampColumn {
                    try builder.append(.int(spine.times[row]))
                } else if type == .string, keyTypes[name] == nil {
                    try builder.append(.string(text))
                } else if let value = value(text, type) {
                    try builder.append(value)
                } else {
                    builder.appendNull()
                }
            }
            fields.append(ColumnarField(name: name, type: type))
            columns.append(builder.finish())
        }
        return TypedSpineColumns(schema: ColumnarSchema(fields), columns: columns)
    }

    /// The first of int64, float64, bool and timestamp that every non-empty text parses as; string otherwise (also when
    /// every text is empty).
    static func inferredType(_ texts: [String]) -> ValueType {
        let values = texts.filter { !$0.isEmpty }
        guard !values.isEmpty else { return .string }
        for type in [ValueType.int64, .float64, .bool, .timestamp] where values.allSatisfy({ value($0, type) != nil }) { return type }
        return .string
    }

    /// `text` as a value of `type`; nil when empty or when it does not parse. Numbers use the decimal grammar only
    /// (`nan` and `inf` are text), booleans are `true`/`false` in any case, timestamps RFC 3339 with a zone.
    static func value(_ text: String, _ type: ValueType) -> Value? {
        guard !text.isEmpty else { return nil }
        switch type {
        case .int64:
            guard isDecimal(text), !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
            return Int64(text).map(Value.int)
        case .float64:
            guard isDecimal(text), let number = Double(text), number.isFinite else { return nil }
            return .float(number)
        case .bool:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return nil
            }
        case .timestamp:
            guard case .success(let micros) = Timestamp.parse(text) else { return nil }
            return .int(micros)
        case .string:
            return .string(text)
        }
    }

    /// `-?digits(.digits)?([eE][+-]?digits)?`: what `ExactInteger` reads, so `+1`, ` 1` and `0x1` stay text.
    static func isDecimal(_ text: String) -> Bool {
        ExactInteger.read(text) != .notANumber
    }
}

extension TrainingSet {
    /// The set with its spine's columns typed for Parquet and Arrow output (a CSV spine's are text until then).
    func typingSpineColumns() throws -> TrainingSet {
        guard spine.typedColumns == nil else { return self }
        var copy = self
        copy.spine.typedColumns = try SpineColumnTypes.typedColumns(spine, keyTypes: spineKeyTypes)
        return copy
    }
}
