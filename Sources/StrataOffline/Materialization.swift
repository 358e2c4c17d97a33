import GRDB
import GRDBSQLite
public import StrataCore

/// Where the previous materialization of a view stopped: rows after `lastSeq`, or not yet known at `end`, are new.
public struct MaterializationWatermark: Sendable, Codable, Hashable {
    public var lastSeq: Int64
    public var end: Int64

    public init(lastSeq: Int64, end: Int64) {
        self.lastSeq = lastSeq
        self.end = end
    }
}

/// The best row of one key as known at a materialization's end.
public struct LatestFeatureRow: Sendable {
    public var key: KeyTuple
    public var eventTs: Int64
    public var createdTs: Int64
    public var ingestSeq: Int64
    public var lineageID: Int64
    public var values: [Value]
}

/// What a materialization scan read.
public struct MaterializationScan: Sendable {
    public var rowsScanned = 0
    public var keysEmitted = 0
    /// The highest ingest sequence in the table at scan time: the next incremental run starts after it.
    public var maxSeq: Int64 = 0
}

extension OfflineStore {
    /// Streams, per key, the best feature row with `event_ts <= end` and `created_ts <= end` (SPEC "Online store").
    /// With a previous watermark only rows that were not eligible then are read; the caller keeps a stored row
    /// unless the new one is better, so consecutive incremental runs end where one full run would.
    public func scanLatest(_ spec: FeatureTableSpec, end: Int64, after previous: MaterializationWatermark?,
                           progress: ((Int, Int) -> Void)? = nil, visit: (LatestFeatureRow) throws -> Void) throws -> MaterializationScan {
        try read("materialize \(spec.view.definition.name)") { db in
            var scan = MaterializationScan()
            guard try db.tableExists(spec.tableName) else { return scan }
            scan.maxSeq = try Int64.fetchOne(db, sql: "SELECT last_source_row FROM view_tables WHERE table_name = ?", arguments: [spec.tableName]) ?? 0
            let keys = spec.view.keys.map { quoted($0.name) }
            let features = spec.view.features.map { quoted($0.definition.name) }
            var sql = "SELECT \((keys + ["event_ts", "created_ts", "ingest_seq", "lineage_id"] + features).joined(separator: ", ")) FROM \(quoted(spec.tableName))"
            sql += " WHERE event_ts <= ?1 AND created_ts <= ?1"
            if previous != nil { sql += " AND (ingest_seq > ?2 OR event_ts > ?3 OR created_ts > ?3)" }
            // Descending primary-key order (SQLite walks the clustered table backwards): each key's first row is its best,
            // so only that row's values are decoded.
            sql += " ORDER BY \((keys + ["event_ts", "created_ts", "ingest_seq"]).map { "\($0) DESC" }.joined(separator: ", "))"
            let statement = try db.makeStatement(sql: sql)
            var arguments: [DatabaseValue] = [end.databaseValue]
            if let previous { arguments += [previous.lastSeq.databaseValue, previous.end.databaseValue] }
            statement.setUncheckedArguments(StatementArguments(arguments))
            let keyTypes = spec.view.keys.map(\.type)
            let featureTypes = spec.view.features.map(\.definition.type)
            try withExtendedLifetime(statement) {
                let handle = statement.sqliteStatement
                let keyCount = Int32(keyTypes.count)
                var current: KeyTuple?
                while true {
                    let code = sqlite3_step(handle)
                    if code == SQLITE_DONE { break }
                    guard code == SQLITE_ROW else {
                        throw OfflineStoreError.database(operation: "scan \(spec.tableName)", path: path, code: code, message: String(cString: sqlite3_errstr(code)))
                    }
                    scan.rowsScanned += 1
                    if scan.rowsScanned & 0xFFFF == 0 { progress?(scan.rowsScanned, Int(scan.maxSeq)) }
                    if let current, FeatureTableScan.rowKeyEquals(handle, current, keyTypes) { continue }
                    let key = FeatureTableScan.readKey(handle, keyTypes)
                    current = key
                    var values: [Value] = []
                    values.reserveCapacity(featureTypes.count)
                    for (i, type) in featureTypes.enumerated() { values.append(FeatureTableScan.readValue(handle, keyCount + 4 + Int32(i), type)) }
                    try visit(LatestFeatureRow(key: key, eventTs: sqlite3_column_int64(handle, keyCount), createdTs: sqlite3_column_int64(handle, keyCount + 1),
                                               ingestSeq: sqlite3_column_int64(handle, keyCount + 2), lineageID: sqlite3_column_int64(handle, keyCount + 3),
                                               values: values))
                    scan.keysEmitted += 1
                }
            }
            return scan
        }
    }
}
