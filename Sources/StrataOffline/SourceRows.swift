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
    /// The rows stored from one file or push record (`IngestReport.fileID`), in ingest order.
    package func sourceRows(_ source: SourceDefinition, table: String, fileID: Int64) throws -> [StoredSourceRow] {
        try read("read pushed rows of \(source.name)") { db in
            guard try db.tableExists(table),
                  let runID = try Int64.fetchOne(db, sql: "SELECT run_id FROM source_files WHERE file_id = ?", arguments: [fileID]) else { return [] }
            let first = try Self.firstRow(db, table, runAtLeast: runID), last = try Self.firstRow(db, table, runAtLeast: runID + 1) - 1
            let columns = source.columns.map { quoted($0.name) }
            let sql = """
                SELECT strata_row_id, strata_event_ts, strata_created_ts\(columns.isEmpty ? "" : ", " + columns.joined(separator: ", "))
                FROM \(quoted(table)) WHERE strata_row_id BETWEEN ? AND ? AND strata_file_id = ? ORDER BY strata_row_id
                """
            return try Row.fetchAll(db, sql: sql, arguments: [first, last, fileID]).map { row in
                StoredSourceRow(rowID: row[0], eventTs: row[1], createdTs: row[2], values: source.columns.enumerated().map { i, column in
                    Self.value(row[i + 3] as DatabaseValue, column.type)
                })
            }
        }
    }

    /// The first row id whose run is `run` or later. Runs commit one at a time and row ids only grow, so a source
    /// table is sorted by run as well as by row id: a binary search over row ids finds a run's rows without an index.
    static func firstRow(_ db: Database, _ table: String, runAtLeast run: Int64) throws -> Int64 {
        let probe = try db.cachedStatement(sql: "SELECT strata_run_id FROM \(quoted(table)) WHERE strata_row_id >= ? ORDER BY strata_row_id LIMIT 1")
        var low = try Int64.fetchOne(db, sql: "SELECT MIN(strata_row_id) FROM \(quoted(table))") ?? 0
        var high = (try Int64.fetchOne(db, sql: "SELECT MAX(strata_row_id) FROM \(quoted(table))") ?? 0) + 1
        while low < high {
            let middle = low + (high - low) / 2
            if let found = try Int64.fetchOne(probe, arguments: [middle]), found < run { low = middle + 1 } else { high = middle }
        }
        return low
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

extension OfflineStore {
    /// Stored source rows by id (ids that do not exist are absent), with `source`'s columns in schema order.
    package func sourceRows(_ source: SourceDefinition, table: String, rowIDs: [Int64]) throws -> [Int64: StoredSourceRow] {
        try read("read rows of \(source.name)") { db in
            guard !table.isEmpty, try db.tableExists(table) else { return [:] }
            let columns = source.columns.map { quoted($0.name) }
            var result: [Int64: StoredSourceRow] = [:]
            result.reserveCapacity(rowIDs.count)
            for start in stride(from: 0, to: rowIDs.count, by: 500) {
                let chunk = Array(rowIDs[start..<min(start + 500, rowIDs.count)])
                let sql = """
                    SELECT strata_row_id, strata_event_ts, strata_created_ts\(columns.isEmpty ? "" : ", " + columns.joined(separator: ", "))
                    FROM \(quoted(table)) WHERE strata_row_id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ",")))
                    """
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(chunk)) {
                    let id: Int64 = row[0]
                    result[id] = StoredSourceRow(rowID: id, eventTs: row[1], createdTs: row[2], values: source.columns.enumerated().map { i, column in
                        Self.value(row[i + 3] as DatabaseValue, column.type)
                    })
                }
            }
            return result
        }
    }
}
