import GRDB
import GRDBSQLite
public import StrataCore

extension OfflineStore {
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
            var scan = try FeatureTableScan(db: db, spec: spec, featureIndexes: featureIndexes)
            try scan.run(spineByKey: spineByKey, times: times, options: options, into: &result)
        }
        return result
    }
}

/// Steps the raw statement over a feature table and feeds key groups to the sweep.
struct FeatureTableScan {
    let statement: Statement
    let keyTypes: [ValueType]
    let featureTypes: [ValueType]
    let ttl: Int64?
    var sweep = KeyGroupSweep()
    var lineage: [Int64] = []
    var groupValues: [Value] = []

    init(db: Database, spec: FeatureTableSpec, featureIndexes: [Int]) throws {
        let keys = spec.view.keys.map { quoted($0.name) }
        let features = featureIndexes.map { quoted(spec.view.features[$0].definition.name) }
        let order = (keys + ["event_ts", "created_ts", "ingest_seq"]).joined(separator: ", ")
        let columns = (keys + ["event_ts", "created_ts", "ingest_seq", "lineage_id"] + features).joined(separator: ", ")
        statement = try db.makeStatement(sql: "SELECT \(columns) FROM \(quoted(spec.tableName)) ORDER BY \(order)")
        keyTypes = spec.view.keys.map(\.type)
        featureTypes = featureIndexes.map { spec.view.features[$0].definition.type }
        ttl = spec.view.definition.ttlMicros
    }

    mutating func run(spineByKey: [KeyTuple: [Int]], times: [Int64], options: JoinOptions, into result: inout ViewJoinResult) throws {
        try withExtendedLifetime(statement) {
            let handle = statement.sqliteStatement
            let keyCount = Int32(keyTypes.count)
            var currentKey: KeyTuple?
            var currentSpine: [Int]?
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else {
                    throw OfflineStoreError.sqlite(operation: "scan a feature table", path: "", underlying: String(cString: sqlite3_errstr(code)))
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
                }
                guard currentSpine != nil else { continue }
                sweep.events.append(sqlite3_column_int64(handle, keyCount))
                sweep.created.append(sqlite3_column_int64(handle, keyCount + 1))
                sweep.seqs.append(sqlite3_column_int64(handle, keyCount + 2))
                lineage.append(sqlite3_column_int64(handle, keyCount + 3))
                for (i, type) in featureTypes.enumerated() {
                    groupValues.append(Self.readValue(handle, keyCount + 4 + Int32(i), type))
                }
            }
            if let spineRows = currentSpine { flush(spineRows, times, options, &result) }
        }
    }

    mutating func flush(_ spineRows: [Int], _ times: [Int64], _ options: JoinOptions, _ result: inout ViewJoinResult) {
        let stride = featureTypes.count
        let values = groupValues, lineage = lineage, events = sweep.events, created = sweep.created
        sweep.resolve(spineRows: spineRows, times: times, ttl: ttl, options: options) { spineRow, winner, status in
            result.statuses[spineRow] = status
            guard let winner else { return }
            result.eventTimes[spineRow] = events[winner]
            result.createdTimes[spineRow] = created[winner]
            result.lineageIDs[spineRow] = lineage[winner]
            for f in 0..<stride { result.values[f][spineRow] = values[winner * stride + f] }
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
