import GRDB
import GRDBSQLite
public import StrataCore

extension OfflineStore {
    /// Up to this many distinct spine keys, the join seeks each key's rows instead of scanning the whole table.
    static let keyedJoinKeysMax = 256

    /// Joins spine rows against one view's feature table, point in time.
    ///
    /// SQLite streams the table in primary-key order (keys, event_ts, created_ts, ingest_seq) — one sequential scan,
    /// never a query per spine row — and `KeyGroupSweep` resolves each key's spine rows from that key's rows only,
    /// so memory holds the spine and one key's history, not the table.
    ///
    /// - Parameters:
    ///   - keys: per spine row its key tuple, or nil when a key value is missing (→ `not_found`).
    ///   - times: per spine row its time in microseconds.
    ///   - featureIndexes: which of the view's features to return, in order.
    public func join(keys: [KeyTuple?], times: [Int64], table spec: FeatureTableSpec, featureIndexes: [Int], options: JoinOptions) throws -> ViewJoinResult {
        var result = ViewJoinResult(rows: keys.count, features: featureIndexes.count)
        var spineByKey: [KeyTuple: [Int]] = [:]
        for (row, key) in keys.enumerated() {
            if let key { spineByKey[key, default: []].append(row) }
        }
        for key in spineByKey.keys {
            spineByKey[key]?.sort { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
        }
        try read("join \(spec.view.definition.name)") { db in
            guard try db.tableExists(spec.tableName) else { return }
            var scan = try FeatureTableScan(db: db, spec: spec, featureIndexes: featureIndexes, isKeyed: spineByKey.count <= Self.keyedJoinKeysMax)
            try scan.run(spineByKey: spineByKey, times: times, options: options, into: &result)
        }
        return result
    }
}

/// Steps the raw statement over a feature table and feeds key groups to the sweep.
struct FeatureTableScan {
    let statement: Statement
    let isKeyed: Bool
    let keyTypes: [ValueType]
    let featureTypes: [ValueType]
    let ttl: Int64?
    var sweep = KeyGroupSweep()
    var lineage: [Int64] = []
    var groupValues: [Value] = []
    /// Per row of the key group, where its values start in `groupValues`, or -1 when they were not decoded.
    var valueOffsets: [Int] = []
    /// The key's spine times, ascending (spine rows come sorted by time).
    var spineTimes: [Int64] = []

    /// With `isKeyed`, the statement reads one key tuple's rows (bound per key) through the primary key instead of
    /// scanning the table: for a few spine keys (a lineage trace, a sampled snapshot check) a 1M-row scan took ~0.3 s
    /// where the seeks take microseconds.
    init(db: Database, spec: FeatureTableSpec, featureIndexes: [Int], isKeyed: Bool) throws {
        let keys = spec.view.keys.map { quoted($0.name) }
        let features = featureIndexes.map { quoted(spec.view.features[$0].definition.name) }
        let order = (keys + ["event_ts", "created_ts", "ingest_seq"]).joined(separator: ", ")
        let columns = (keys + ["event_ts", "created_ts", "ingest_seq", "lineage_id"] + features).joined(separator: ", ")
        let filter = isKeyed ? " WHERE " + keys.enumerated().map { "\($0.element) = ?\($0.offset + 1)" }.joined(separator: " AND ") : ""
        statement = try db.makeStatement(sql: "SELECT \(columns) FROM \(quoted(spec.tableName))\(filter) ORDER BY \(order)")
        self.isKeyed = isKeyed
        keyTypes = spec.view.keys.map(\.type)
        featureTypes = featureIndexes.map { spec.view.features[$0].definition.type }
        ttl = spec.view.definition.ttlMicros
    }

    mutating func run(spineByKey: [KeyTuple: [Int]], times: [Int64], options: JoinOptions, into result: inout ViewJoinResult) throws {
        try withExtendedLifetime(statement) {
            let handle = statement.sqliteStatement
            guard isKeyed else {
                try stepAll(handle, spineByKey, times, options, &result)
                return
            }
            for key in spineByKey.keys {
                sqlite3_reset(handle)
                for (i, part) in key.parts.enumerated() {
                    switch part {
                    case .int(let v): sqlite3_bind_int64(handle, Int32(i + 1), v)
                    case .string(let text): sqlite3_bind_text(handle, Int32(i + 1), text, -1, RowSink.transient)
                    }
                }
                try stepAll(handle, spineByKey, times, options, &result)
            }
        }
    }

    /// Steps the statement to its end, feeding each key group of rows to the sweep.
    private mutating func stepAll(_ handle: OpaquePointer, _ spineByKey: [KeyTuple: [Int]], _ times: [Int64], _ options: JoinOptions,
                                  _ result: inout ViewJoinResult) throws {
        let keyCount = Int32(keyTypes.count)
        var currentKey: KeyTuple?
        var currentSpine: [Int]?
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw OfflineStoreError.database(operation: "scan a feature table", path: "", code: code, message: String(cString: sqlite3_errstr(code)))
            }
            let isSameKey = currentKey.map { Self.rowKeyEquals(handle, $0, keyTypes) } ?? false
            if !isSameKey {
                if let spineRows = currentSpine { flush(spineRows, times, options, &result) }
                let key = Self.readKey(handle, keyTypes)
                currentKey = key
                currentSpine = spineByKey[key]
                sweep.clear()
                lineage.removeAll(keepingCapacity: true)
                groupValues.removeAll(keepingCapacity: true)
                valueOffsets.removeAll(keepingCapacity: true)
                spineTimes.removeAll(keepingCapacity: true)
                if let spineRows = currentSpine { for row in spineRows { spineTimes.append(times[row]) } }
            }
            guard currentSpine != nil else { continue }
            let event = sqlite3_column_int64(handle, keyCount)
            let created = sqlite3_column_int64(handle, keyCount + 1)
            let seq = sqlite3_column_int64(handle, keyCount + 2)
            sweep.events.append(event)
            sweep.created.append(created)
            sweep.seqs.append(seq)
            lineage.append(sqlite3_column_int64(handle, keyCount + 3))
            // Values are decoded only for rows that can be some spine row's present winner: on hourly data with a
            // TTL most rows have no spine time inside their window, and decoding every row's nine columns was the
            // largest part of a 1M-row join after SQLite's own stepping (perf, issue 12).
            guard Self.canWin(event: event, created: created, seq: seq, spineTimes: spineTimes, ttl: ttl, options: options) else {
                valueOffsets.append(-1)
                continue
            }
            valueOffsets.append(groupValues.count)
            for (i, type) in featureTypes.enumerated() {
                groupValues.append(Self.readValue(handle, keyCount + 4 + Int32(i), type))
            }
        }
        if let spineRows = currentSpine { flush(spineRows, times, options, &result) }
    }

    /// True when some spine time `t` of the key (sorted ascending) could pick this row with status `present`: the row is
    /// visible at `t` (the sweep's own eligibility rule) and not older than the TTL at `t`. Rows failing this are never a
    /// present winner, so their values are never read; they still take part in the sweep (they decide `expired`).
    static func canWin(event: Int64, created: Int64, seq: Int64, spineTimes: [Int64], ttl: Int64?, options: JoinOptions) -> Bool {
        if let maxSeq = options.maxIngestSeq, seq > maxSeq { return false }
        var visibleFrom = event &+ (options.isStrict ? 1 : 0)
        switch options.corrections {
        case .known: visibleFrom = max(visibleFrom, created)
        case .latest: break
        case .asOf(let limit): if created > limit { return false }
        }
        var newestT = Int64.max
        if let ttl {
            let (sum, overflow) = event.addingReportingOverflow(ttl)
            if !overflow { newestT = sum }
        }
        // The first spine time at or after `visibleFrom`, by binary search (a key has a handful of spine rows).
        var low = 0, high = spineTimes.count
        while low < high {
            let mid = (low + high) / 2
            if spineTimes[mid] < visibleFrom { low = mid + 1 } else { high = mid }
        }
        return low < spineTimes.count && spineTimes[low] <= newestT
    }

    mutating func flush(_ spineRows: [Int], _ times: [Int64], _ options: JoinOptions, _ result: inout ViewJoinResult) {
        let stride = featureTypes.count
        let values = groupValues, offsets = valueOffsets, lineage = lineage, events = sweep.events, created = sweep.created
        sweep.resolve(spineRows: spineRows, times: times, ttl: ttl, options: options) { spineRow, winner, status in
            result.statuses[spineRow] = status
            guard let winner else { return }
            result.eventTimes[spineRow] = events[winner]
            result.createdTimes[spineRow] = created[winner]
            result.lineageIDs[spineRow] = lineage[winner]
            let offset = offsets[winner]
            precondition(offset >= 0, "a present winner always passes canWin: the two share the visibility and TTL rules")
            for f in 0..<stride { result.values[f][spineRow] = values[offset + f] }
        }
    }

    static func rowKeyEquals(_ handle: OpaquePointer, _ key: KeyTuple, _ types: [ValueType]) -> Bool {
        for (i, part) in key.parts.enumerated() {
            switch part {
            case .int(let v):
                if sqlite3_column_int64(handle, Int32(i)) != v { return false }
            case .string(let s):
                let count = Int(sqlite3_column_bytes(handle, Int32(i)))
                guard let text = sqlite3_column_text(handle, Int32(i)) else { return false }
                if !s.utf8.elementsEqual(UnsafeBufferPointer(start: text, count: count)) { return false }
            }
        }
        return true
    }

    static func readKey(_ handle: OpaquePointer, _ types: [ValueType]) -> KeyTuple {
        KeyTuple(types.enumerated().map { i, type in
            if type == .string { return .string(readText(handle, Int32(i))) }
            return .int(sqlite3_column_int64(handle, Int32(i)))
        })
    }

    static func readText(_ handle: OpaquePointer, _ column: Int32) -> String {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    static func readValue(_ handle: OpaquePointer, _ column: Int32, _ type: ValueType) -> Value {
        if sqlite3_column_type(handle, column) == SQLITE_NULL { return .null }
        switch type {
        case .int64, .timestamp: return .int(sqlite3_column_int64(handle, column))
        case .float64: return .float(sqlite3_column_double(handle, column))
        case .bool: return .bool(sqlite3_column_int64(handle, column) != 0)
        case .string: return .string(readText(handle, column))
        }
    }
}
