public import StrataCore

/// One column whose stored values must change type for a new source version.
public struct ColumnConversion: Sendable, Hashable, Codable {
    public var column: String
    /// The type the previous version declared; nil when the previous version did not declare the column, whose stored
    /// values then belong to no version and are not kept.
    public var from: ValueType?
    /// The physical type the values are stored with now.
    public var stored: ValueType
    public var to: ValueType
}

/// What a source version needs from the storage its previous version used (pure; `OfflineStore` carries it out).
public enum SourceStorageChange: Sendable, Hashable {
    /// The storage serves the version as it is: same time columns, every column stored with its type. Adding
    /// descriptions, expectations, a path or a format, or dropping a column, lands here.
    case none
    /// New columns are added to the storage; the rows stored before read them as null.
    case addColumns([StrataCore.ColumnDefinition])
    /// Some columns change type: the rows are copied into a new storage of the same family, converted.
    case convert([ColumnConversion])
    /// The stored rows cannot serve the version (the event-time or created-time column changed): it starts a new, empty
    /// storage, filled by the next ingest.
    case newFamily(reason: String)
    /// Nothing is stored for the source yet.
    case create

    /// Compares a source version with the storage its nearest bound predecessor uses.
    /// - Parameters:
    ///   - storage: the predecessor's storage, nil when nothing is stored.
    ///   - previous: the predecessor's definition (to tell a type change from a column that comes back with a new type).
    public static func between(storage: StoredTable?, previous: SourceDefinition?, next source: SourceDefinition) -> SourceStorageChange {
        guard let storage else { return .create }
        guard storage.fingerprint == StorageIdentity.sourceRowShape(source) else {
            return .newFamily(reason: timeChange(previous, source))
        }
        var added: [StrataCore.ColumnDefinition] = [], conversions: [ColumnConversion] = []
        for column in source.columns {
            guard let physical = storage.columns.first(where: { $0.name == column.name }) else {
                added.append(column)
                continue
            }
            guard physical.type != column.type else { continue }
            let declared = previous?.columns.first { $0.name == column.name }?.type
            conversions.append(ColumnConversion(column: column.name, from: declared == physical.type ? declared : nil, stored: physical.type, to: column.type))
        }
        if !conversions.isEmpty { return .convert(conversions) }
        return added.isEmpty ? .none : .addColumns(added)
    }

    private static func timeChange(_ previous: SourceDefinition?, _ next: SourceDefinition) -> String {
        func describe(_ column: TimestampColumn?) -> String {
            guard let column else { return "none (the ingest time)" }
            return "`\(column.column)`" + (column.epochUnit.map { " in \($0.rawValue)" } ?? "")
        }
        guard let previous else { return "the stored rows were read with other time columns" }
        if previous.timestamp.column != next.timestamp.column || previous.timestamp.epochUnit != next.timestamp.epochUnit {
            return "the event-time column changes from \(describe(previous.timestamp)) to \(describe(next.timestamp))"
        }
        return "the created-time column changes from \(describe(previous.created)) to \(describe(next.created))"
    }

    /// Converts one stored value to a new type; nil when it cannot be converted exactly. Text is parsed as ingest parses
    /// it, so a value converts exactly when the same text in a source file would have been accepted.
    public static func convert(_ value: Value, from: ValueType, to: ValueType) -> Value? {
        if case .null = value { return .null }
        if from == to { return value }
        switch (value, to) {
        case (.int(let v), .float64): return Double(exactly: v).map(Value.float)
        case (.float(let v), .int64): return Int64(exactly: v).map(Value.int)
        case (.bool(let v), .int64): return .int(v ? 1 : 0)
        case (.int(let v), .bool): return v == 0 || v == 1 ? .bool(v == 1) : nil
        case (.int(let v), .string): return .string(from == .timestamp ? Timestamp.format(v) : String(v))
        case (.float(let v), .string): return .string("\(v)")
        case (.bool(let v), .string): return .string(v ? "true" : "false")
        case (.string(let s), _):
            var text = s
            return text.withUTF8 { SourceRowDecoder.value(UnsafeRawBufferPointer($0), to) }
        default: return nil
        }
    }
}
