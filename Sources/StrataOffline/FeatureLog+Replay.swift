import GRDB
import GRDBSQLite
package import StrataCore

/// A page of the feature log laid out for replay: one flat array per column instead of a `FeatureLogRecord` (with
/// seven arrays and two dictionaries) per lookup. Parsing 1M records into records took 440 MiB and most of a 17 s
/// `check --logs`; this layout keeps a 250k-record page near 80 MiB (issue 12).
package struct FeatureLogPage {
    package var count = 0
    package var lastID: Int64 = 0
    /// Per record: index into `keyNameLists`, and where its key values start in `keyParts` (one per name, null keys left
    /// out of the name list). A dictionary per record was a third of a page's memory.
    package var keyListIDs: [Int] = []
    package var keyStarts: [Int] = []
    package var keyNameLists: [[String]] = []
    package var keyParts: [KeyPart] = []
    package var requestMicros: [Int64] = []
    /// Per record: index into `featureLists` (records of one service share one list).
    package var featureListIDs: [Int] = []
    package var featureLists: [[String]] = []
    /// Per record: where its values start in the flat arrays below (one entry per feature of its list).
    package var offsets: [Int] = []
    package var values: [Value] = []
    package var statuses: [FeatureStatus] = []
    package var eventTimes: [Int64?] = []
    package var lineageIDs: [Int64?] = []

    package init() {}
}

extension FeatureLogPage {
    /// A record's key values by name (for examples and tests; the checker looks keys up by position).
    package func keys(_ record: Int) -> [String: KeyPart] {
        let names = keyNameLists[keyListIDs[record]]
        var keys: [String: KeyPart] = [:]
        for (i, name) in names.enumerated() { keys[name] = keyParts[keyStarts[record] + i] }
        return keys
    }

    /// Records a key list (names sorted), reusing the last one when equal; returns its id.
    mutating func appendKeys(_ pairs: [(String, KeyPart)]) {
        let names = pairs.map(\.0)
        let id: Int
        if let last = keyNameLists.indices.last, keyNameLists[last] == names {
            id = last
        } else if let existing = keyNameLists.firstIndex(of: names) {
            id = existing
        } else {
            id = keyNameLists.count
            keyNameLists.append(names)
        }
        keyListIDs.append(id)
        keyStarts.append(keyParts.count)
        keyParts += pairs.map(\.1)
    }

    /// Adds one lookup whose feature list is `featureLists[listID]`, with one served value per feature.
    package mutating func append(keys: [String: KeyPart], at t: Int64, listID: Int, values: [Value], statuses: [FeatureStatus],
                                 eventTimes: [Int64?], lineageIDs: [Int64?]) {
        appendKeys(keys.sorted { $0.key < $1.key })
        requestMicros.append(t)
        featureListIDs.append(listID)
        offsets.append(self.values.count)
        self.values += values
        self.statuses += statuses
        self.eventTimes += eventTimes
        self.lineageIDs += lineageIDs
        count += 1
    }
}

extension FeatureLogStore {
    /// Reads up to `limit` records after log position `afterID` with `since <= request_ts <= until` (and one service if
    /// given), in log order, straight from the SQLite columns.
    /// - Throws: `OfflineStoreError.corruptRecord` naming a record that does not decode, as `records(…)` does.
    package func replayPage(since: Int64?, until: Int64?, service: String?, afterID: Int64, limit: Int) throws -> FeatureLogPage {
        try dbQueue.read { db in
            var sql = "SELECT id, request_ts, keys, features, feature_values, statuses, event_timestamps, lineage_ids FROM feature_log WHERE id > ?"
            var arguments: StatementArguments = [afterID]
            if let since { sql += " AND request_ts >= ?"; arguments += [since] }
            if let until { sql += " AND request_ts <= ?"; arguments += [until] }
            if let service { sql += " AND service = ?"; arguments += [service] }
            arguments += [limit]
            let statement = try db.makeStatement(sql: sql + " ORDER BY id LIMIT ?")
            statement.setUncheckedArguments(arguments)
            var page = FeatureLogPage()
            page.lastID = afterID
            var decoder = ReplayDecoder()
            try withExtendedLifetime(statement) {
                let handle = statement.sqliteStatement
                while true {
                    let code = sqlite3_step(handle)
                    if code == SQLITE_DONE { break }
                    guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "read the feature log") }
                    page.lastID = sqlite3_column_int64(handle, 0)
                    try decoder.append(handle, to: &page)
                }
            }
            return page
        }
    }
}

/// Decodes rows into a page; remembers the last feature list's raw text so records of one service parse it once.
struct ReplayDecoder {
    var lastFeaturesText: [UInt8] = []
    var lastFeaturesID = -1
    var scratch: [Value] = []

    /// Appends one stored record, checking every field: a corrupt record is an error naming it, never a crash or a
    /// silently skipped lookup (the checker would under-report).
    /// - Throws: `OfflineStoreError.corruptRecord`.
    mutating func append(_ handle: OpaquePointer, to page: inout FeatureLogPage) throws {
        let id = sqlite3_column_int64(handle, 0)
        func corrupt(_ reason: String) -> OfflineStoreError { .corruptRecord(what: "feature log record", record: "\(id)", reason: reason) }
        guard let keyPairs = FlatJSON.object(bytes: Self.column(handle, 2)) else { throw corrupt("`keys` is not a JSON object") }
        let featuresText = Self.column(handle, 3)
        if lastFeaturesID < 0 || !featuresText.elementsEqual(lastFeaturesText) {
            guard let list = FlatJSON.array(bytes: featuresText) else { throw corrupt("`features` is not a JSON array") }
            var names: [String] = []
            for item in list {
                guard case .string(let name) = item else { throw corrupt("`features` holds \(item), not a string") }
                names.append(name)
            }
            lastFeaturesText = Array(featuresText)
            lastFeaturesID = page.featureLists.firstIndex(of: names) ?? page.featureLists.count
            if lastFeaturesID == page.featureLists.count { page.featureLists.append(names) }
        }
        let width = page.featureLists[lastFeaturesID].count
        let start = page.values.count
        guard FlatJSON.array(bytes: Self.column(handle, 4), appendingTo: &page.values) else { throw corrupt("`feature_values` is not a JSON array") }
        guard page.values.count == start + width else { throw corrupt("`feature_values` has \(page.values.count - start) entries for \(width) features") }
        try scan(handle, 5, "statuses", width, corrupt)
        for status in scratch {
            guard case .string(let name) = status, let decoded = FeatureStatus(rawValue: name) else { throw corrupt("unknown status \(status)") }
            page.statuses.append(decoded)
        }
        try scan(handle, 6, "event_timestamps", width, corrupt)
        for time in scratch { page.eventTimes.append(try Self.optionalInt(time, "event_timestamps", corrupt)) }
        try scan(handle, 7, "lineage_ids", width, corrupt)
        for lineage in scratch { page.lineageIDs.append(try Self.optionalInt(lineage, "lineage_ids", corrupt)) }
        var keys: [(String, KeyPart)] = []
        for (name, value) in keyPairs {
            switch value {
            case .string(let s): keys.append((name, .string(s)))
            case .int(let v): keys.append((name, .int(v)))
            default: throw corrupt("key `\(name)` is \(value), not an integer or a string")
            }
        }
        page.appendKeys(keys)
        page.requestMicros.append(sqlite3_column_int64(handle, 1))
        page.featureListIDs.append(lastFeaturesID)
        page.offsets.append(start)
        page.count += 1
    }

    /// Parses a JSON array column into `scratch`, which must hold one entry per feature.
    private mutating func scan(_ handle: OpaquePointer, _ index: Int32, _ name: String, _ width: Int,
                               _ corrupt: (String) -> OfflineStoreError) throws {
        scratch.removeAll(keepingCapacity: true)
        guard FlatJSON.array(bytes: Self.column(handle, index), appendingTo: &scratch) else { throw corrupt("`\(name)` is not a JSON array") }
        guard scratch.count == width else { throw corrupt("`\(name)` has \(scratch.count) entries for \(width) features") }
    }

    static func optionalInt(_ value: Value, _ field: String, _ corrupt: (String) -> OfflineStoreError) throws -> Int64? {
        switch value {
        case .null: return nil
        case .int(let v): return v
        default: throw corrupt("`\(field)` holds \(value), not an integer")
        }
    }

    static func column(_ handle: OpaquePointer, _ index: Int32) -> UnsafeRawBufferPointer {
        guard let text = sqlite3_column_text(handle, index) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, index)))
    }

}
