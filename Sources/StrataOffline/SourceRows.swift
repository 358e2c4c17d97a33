import GRDB
public import StrataCore

/// One stored source row with its lineage id (= ingest sequence).
public struct StoredSourceRow: Sendable {
    public var rowID: Int64
    public var eventTs: Int64
    public var createdTs: Int64
    /// One value per schema column, in schema order.
    public var values: [Value]
}

extension OfflineStore {
    /// The rows stored from every version of a file with this exact content (a push batch), in ingest order.
    public func sourceRows(_ source: SourceDefinition, version: Int, path: String, contentSHA256: String) throws -> [StoredSourceRow] {
        try read("read pushed rows of \(source.name)") { db in
            let table = SourceTable.name(source.name, version: version)
            guard try db.tableExists(table) else { return [] }
            let columns = source.columns.map { quoted($0.name) }
            let sql = """
                SELECT strata_row_id, strata_event_ts, strata_created_ts\(columns.isEmpty ? "" : ", " + columns.joined(separator: ", "))
                FROM \(quoted(table)) WHERE strata_file_id IN (
                    SELECT file_id FROM source_files WHERE source = ? AND source_version = ? AND path = ? AND content_sha256 = ?)
                ORDER BY strata_row_id
                """
            return try Row.fetchAll(db, sql: sql, arguments: [source.name, version, path, contentSHA256]).map { row in
                StoredSourceRow(rowID: row[0], eventTs: row[1], createdTs: row[2], values: source.columns.enumerated().map { i, column in
                    Self.value(row[i + 3] as DatabaseValue, column.type)
                })
            }
        }
    }

    static func value(_ stored: DatabaseValue, _ type: ValueType) -> Value {
        switch (stored.storage, type) {
        case (.null, _): return .null
        case (.int64(let v), .bool): return .bool(v != 0)
        case (.int64(let v), .float64): return .float(Double(v))
        case (.int64(let v), _): return .int(v)
        case (.double(let v), _): return .float(v)
        case (.string(let s), _): return .string(s)
        case (.blob, _): return .null
        }
    }
}
