import Foundation
import GRDB
import GRDBSQLite
public import StrataCore

extension OfflineStore {
    /// Computes a view's windowed aggregations for spine rows, point in time.
    ///
    /// One sequential scan of the view's aggregation event table in (keys, event order) — never a query per spine row —
    /// and per key one `AggregationKeySweep` over that key's events only, so memory holds the spine and one key's history.
    ///
    /// - Parameters:
    ///   - keys: per spine row its key tuple, or nil when a key value is missing (→ `not_found`).
    ///   - times: per spine row its time in microseconds.
    ///   - aggregationIndexes: which of the view's aggregations to return, in order.
    /// - Returns: per spine row the status (`present` when the key has a counted event at or before `t`), the latest such
    ///   event time, and per aggregation its value (null when `not_found`).
    public func aggregate(keys: [KeyTuple?], times: [Int64], table spec: FeatureTableSpec, aggregationIndexes: [Int], options: JoinOptions) throws -> ViewJoinResult {
        try aggregate(keys: keys, times: times, table: spec, aggregationIndexes: aggregationIndexes, options: options, batchEventsMax: AggregationBatch.eventsMaxDefault)
    }

    /// `aggregate` with the batch size chosen, so tests can cut batches (and thread shares) anywhere.
    func aggregate(keys: [KeyTuple?], times: [Int64], table spec: FeatureTableSpec, aggregationIndexes: [Int], options: JoinOptions,
                   batchEventsMax: Int) throws -> ViewJoinResult {
        var result = ViewJoinResult(rows: keys.count, features: aggregationIndexes.count)
        guard !aggregationIndexes.isEmpty else { return result }
        var spineByKey: [KeyTuple: [Int]] = [:]
        for (row, key) in keys.enumerated() {
            if let key { spineByKey[key, default: []].append(row) }
        }
        for key in spineByKey.keys {
            spineByKey[key]?.sort { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
        }
        let table = AggregationEventTable(spec)
        try read("aggregate \(spec.view.definition.name)") { db in
            guard try db.tableExists(table.name) else { return }
            var scan = try AggregationTableScan(db: db, table: table, aggregationIndexes: aggregationIndexes, batchEventsMax: batchEventsMax)
            try scan.run(spineByKey: spineByKey, times: times, options: options, into: &result)
        }
        return result
    }
}

/// Steps the raw statement over an aggregation event table and hands each key's events to the sweep.
struct AggregationTableScan {
    let statement: Statement
    let keyTypes: [ValueType]
    /// The type of the `event_id` column; nil when the source has no `id`.
    let idType: ValueType?
    let inputTypes: [ValueType]
    let filterCount: Int
    let groups: [FoldGroup]
    let aggregationCount: Int
    var batch: AggregationBatch

    /// Reads only the input and condition columns the requested aggregations use, renumbered from 0.
    init(db: Database, table: AggregationEventTable, aggregationIndexes: [Int], batchEventsMax: Int) throws {
        var inputColumns: [Int] = [], filterColumns: [Int] = []
        var aggregations: [SweepAggregation] = []
        for index in aggregationIndexes {
            let slot = table.slots[index]
            let input = slot.input.map { column in inputColumns.firstIndex(of: column) ?? { inputColumns.append(column); return inputColumns.count - 1 }() }
            let filter = slot.filter.map { column in filterColumns.firstIndex(of: column) ?? { filterColumns.append(column); return filterColumns.count - 1 }() }
            aggregations.append(SweepAggregation(fold: table.spec.view.aggregations[index].fold, input: input, filter: filter))
        }
        let keys = table.spec.view.keys.map { quoted($0.name) }
        let order = (keys + ["event_ts", "created_ts", "ingest_seq"]).joined(separator: ", ")
        var columns = keys + ["event_ts", "created_ts", "ingest_seq"]
        if table.hasEventID { columns.append("event_id") }
        columns += inputColumns.map { "in_\($0)" } + filterColumns.map { "where_\($0)" }
        statement = try db.makeStatement(sql: "SELECT \(columns.joined(separator: ", ")) FROM \(quoted(table.name)) ORDER BY \(order)")
        keyTypes = table.spec.view.keys.map(\.type)
        idType = table.spec.view.source.idColumn.flatMap { id in table.spec.view.source.columns.first { $0.name == id }?.type }
        inputTypes = inputColumns.map { table.inputs[$0].type }
        filterCount = filterColumns.count
        groups = FoldGroup.grouping(aggregations)
        aggregationCount = aggregations.count
        batch = AggregationBatch(inputs: inputColumns.count, filters: filterColumns.count, eventsMax: batchEventsMax)
    }

    /// Gathers whole keys into batches and sweeps each batch on every core (keys are independent) while reading the next.
    mutating func run(spineByKey: [KeyTuple: [Int]], times: [Int64], options: JoinOptions, into result: inout ViewJoinResult) throws {
        let width = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))
        try withExtendedLifetime(statement) {
            let handle = statement.sqliteStatement
            let keyCount = Int32(keyTypes.count)
            let firstInput = keyCount + 3 + (idType == nil ? 0 : 1)
            let firstFilter = firstInput + Int32(inputTypes.count)
            var currentKey: KeyTuple?
            var currentSpine: [Int]?
            // The batch being swept while this thread reads the next; a throw below first waits for it.
            var pending: PendingSweep?
            defer { pending?.done.wait() }
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else {
                    throw OfflineStoreError.database(operation: "scan an aggregation table", path: "", code: code, message: String(cString: sqlite3_errstr(code)))
                }
                let isSameKey = currentKey.map { FeatureTableScan.rowKeyEquals(handle, $0, keyTypes) } ?? false
                if !isSameKey {
                    if let spineRows = currentSpine {
                        batch.closeKey(spineRows: spineRows)
                        if batch.isFull {
                            pending?.finish(into: &result)
                            pending = batch.startSweep(times: times, groups: groups, aggregationCount: aggregationCount, options: options, width: width)
                            batch.clear()
                        }
                    }
                    let key = FeatureTableScan.readKey(handle, keyTypes)
                    currentKey = key
                    currentSpine = spineByKey[key]
                }
                guard currentSpine != nil else { continue }
                batch.orders.append(EventOrder(eventTs: sqlite3_column_int64(handle, keyCount), createdTs: sqlite3_column_int64(handle, keyCount + 1),
                                               ingestSeq: sqlite3_column_int64(handle, keyCount + 2)))
                if let idType { batch.ids.append(FeatureTableScan.readValue(handle, keyCount + 3, idType)) }
                for (i, type) in inputTypes.enumerated() { batch.inputs[i].append(FeatureTableScan.readValue(handle, firstInput + Int32(i), type)) }
                for i in 0..<filterCount { batch.filters[i].append(sqlite3_column_int64(handle, firstFilter + Int32(i)) == 1) }
            }
            if let spineRows = currentSpine { batch.closeKey(spineRows: spineRows) }
            pending?.finish(into: &result)
            pending = nil
            batch.startSweep(times: times, groups: groups, aggregationCount: aggregationCount, options: options, width: width).finish(into: &result)
            batch.clear()
        }
    }
}
