import GRDB
public import StrataCore

/// Where one stored source row came from.
public struct SourceLineage: Sendable, Codable, Hashable {
    public var rowID: Int64
    public var source: String
    public var sourceVersion: Int
    public var runID: Int64
    public var runStartedAtMicros: Int64
    public var file: String
    public var fileSHA256: String
    public var fileVersion: Int
    public var line: Int
    public var eventTs: Int64
    public var createdTs: Int64
}

extension OfflineStore {
    /// The lineage of source rows by id, read from the source storage `table` (ids that do not exist are absent). Each
    /// row's source version is the one its run stored it under.
    public func lineage(source: String, table: String, rowIDs: some Sequence<Int64>) throws -> [Int64: SourceLineage] {
        let ids = Array(Set(rowIDs))
        return try read("read lineage") { db in
            guard !table.isEmpty, try db.tableExists(table), !ids.isEmpty else { return [:] }
            var result: [Int64: SourceLineage] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchAll(db, sql: """
                    SELECT s.strata_row_id, s.strata_run_id, s.strata_line, s.strata_event_ts, s.strata_created_ts,
                           r.started_at, f.path, f.content_sha256, f.file_version, r.source_version
                    FROM \(quoted(table)) s JOIN ingest_runs r ON r.run_id = s.strata_run_id JOIN source_files f ON f.file_id = s.strata_file_id
                    WHERE s.strata_row_id IN (\(marks))
                    """, arguments: StatementArguments(chunk))
                for row in rows {
                    let id: Int64 = row[0]
                    result[id] = SourceLineage(rowID: id, source: source, sourceVersion: row[9], runID: row[1], runStartedAtMicros: row[5], file: row[6],
                                               fileSHA256: row[7], fileVersion: row[8], line: row[2], eventTs: row[3], createdTs: row[4])
                }
            }
            return result
        }
    }

    /// The raw values of one source row, by column name, for lineage reports.
    public func sourceRowValues(_ source: SourceDefinition, table: String, rowID: Int64) throws -> [String: Value] {
        try read("read a source row") { db in
            guard !table.isEmpty, try db.tableExists(table), let row = try Row.fetchOne(db, sql: "SELECT * FROM \(quoted(table)) WHERE strata_row_id = ?", arguments: [rowID]) else { return [:] }
            var values: [String: Value] = [:]
            for column in source.columns { values[column.name] = Self.value(row[column.name] as DatabaseValue, column.type) }
            return values
        }
    }
}
