import GRDB
import GRDBSQLite
public import StrataCore

extension OfflineStore {
    /// Hands every key's aggregation events (every stored version, in event order, with all of the view's inputs and
    /// conditions) to `body`, one key after another: what `materialize` and `push` build online tile records from.
    ///
    /// - Parameters:
    ///   - keys: only these keys (each read with its own bound query: a push touches few keys); nil for every key,
    ///     in one sequential scan of the clustered table.
    ///   - body: gets each key with events; keys without events are not visited.
    /// - Throws: `OfflineStoreError` for SQLite failures; what `body` throws.
    public func forEachAggregationKey(_ spec: FeatureTableSpec, keys: [KeyTuple]?, _ body: (KeyTuple, AggregationEvents) throws -> Void) throws {
        guard !spec.view.aggregations.isEmpty else { return }
        let table = AggregationEventTable(spec)
        try read("read the aggregation events of \(spec.view.definition.name)") { db in
            guard try db.tableExists(table.name) else { return }
            let keyColumns = spec.view.keys.map { quoted($0.name) }
            var columns = keyColumns + ["event_ts", "created_ts", "ingest_seq"]
            if table.hasEventID { columns.append("event_id") }
            columns += table.inputs.indices.map { "in_\($0)" } + table.filters.indices.map { "where_\($0)" }
            let order = (keyColumns + ["event_ts", "created_ts", "ingest_seq"]).joined(separator: ", ")
            let filter = keys == nil ? "" : " WHERE " + keyColumns.map { "\($0) = ?" }.joined(separator: " AND ")
            let statement = try db.makeStatement(sql: "SELECT \(columns.joined(separator: ", ")) FROM \(quoted(table.name))\(filter) ORDER BY \(order)")
            let reader = AggregationEventRows(table: table)
            if let keys {
                for key in keys {
                    statement.setUncheckedArguments(StatementArguments(key.parts.map { part -> DatabaseValue in
                        switch part {
                        case .int(let v): return v.databaseValue
                        case .string(let s): return s.databaseValue
                        }
                    }))
                    try reader.scan(statement, body)
                }
            } else {
                try reader.scan(statement, body)
            }
        }
    }
}

/// Steps a statement over an aggregation event table (columns: keys, event order, id, every input, every condition)
/// and gathers each key's rows.
private struct AggregationEventRows {
    let keyTypes: [ValueType]
    let idType: ValueType?
    let inputTypes: [ValueType]
    let filterCount: Int

    init(table: AggregationEventTable) {
        keyTypes = table.spec.view.keys.map(\.type)
        idType = table.spec.view.source.idColumn.flatMap { id in table.spec.view.source.columns.first { $0.name == id }?.type }
        inputTypes = table.inputs.map(\.type)
        filterCount = table.filters.count
    }

    func scan(_ statement: Statement, _ body: (KeyTuple, AggregationEvents) throws -> Void) throws {
        try withExtendedLifetime(statement) {
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            let keyCount = Int32(keyTypes.count)
            let firstInput = keyCount + 3 + (idType == nil ? 0 : 1)
            let firstFilter = firstInput + Int32(inputTypes.count)
            var events = AggregationEvents(inputColumns: inputTypes.count, filterColumns: filterCount)
            var currentKey: KeyTuple?
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else {
                    throw OfflineStoreError.database(operation: "scan an aggregation table", path: "", code: code, message: String(cString: sqlite3_errstr(code)))
                }
                if let key = currentKey, !FeatureTableScan.rowKeyEquals(handle, key, keyTypes) {
                    try body(key, events)
                    events.removeAll()
                    currentKey = nil
                }
                if currentKey == nil { currentKey = FeatureTableScan.readKey(handle, keyTypes) }
                events.orders.append(EventOrder(eventTs: sqlite3_column_int64(handle, keyCount), createdTs: sqlite3_column_int64(handle, keyCount + 1),
                                                ingestSeq: sqlite3_column_int64(handle, keyCount + 2)))
                if let idType { events.ids.append(FeatureTableScan.readValue(handle, keyCount + 3, idType)) }
                for (i, type) in inputTypes.enumerated() { events.inputs[i].append(FeatureTableScan.readValue(handle, firstInput + Int32(i), type)) }
                for i in 0..<filterCount { events.filters[i].append(sqlite3_column_int64(handle, firstFilter + Int32(i)) == 1) }
            }
            if let key = currentKey { try body(key, events) }
        }
    }
}
