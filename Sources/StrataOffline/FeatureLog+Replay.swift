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
    /// given), in log order, straight from the SQLite columns. A record whose JSON does not parse is skipped, as
    /// `records(…)` does.
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
                    _ = decoder.append(handle, to: &page)
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

    mutating func append(_ handle: OpaquePointer, to page: inout FeatureLogPage) -> Bool {
        guard let keyPairs = FlatJSON.object(bytes: Self.column(handle, 2)) else { return false }
        let featuresText = Self.column(handle, 3)
        if lastFeaturesID < 0 || !featuresText.elementsEqual(lastFeaturesText) {
            guard let list = FlatJSON.array(bytes: featuresText) else { return false }
            lastFeaturesText = Array(featuresText)
            lastFeaturesID = page.featureLists.firstIndex(of: list.map(Self.text)) ?? page.featureLists.count
            if lastFeaturesID == page.featureLists.count { page.featureLists.append(list.map(Self.text)) }
        }
        let width = page.featureLists[lastFeaturesID].count
        let start = page.values.count
        scratch.removeAll(keepingCapacity: true)
        guard FlatJSON.array(bytes: Self.column(handle, 4), appendingTo: &page.values), page.values.count == start + width,
              FlatJSON.array(bytes: Self.column(handle, 5), appendingTo: &scratch), scratch.count == width else {
            page.values.removeSubrange(start...)
            return false
        }
        let statusStart = page.statuses.count
        for status in scratch { page.statuses.append(FeatureStatus(rawValue: Self.text(status)) ?? .notFound) }
        scratch.removeAll(keepingCapacity: true)
        guard FlatJSON.array(bytes: Self.column(handle, 6), appendingTo: &scratch), scratch.count == width else {
            page.values.removeSubrange(start...)
            page.statuses.removeSubrange(statusStart...)
            return false
        }
        let timeStart = page.eventTimes.count
        for time in scratch { page.eventTimes.append(Self.int(time)) }
        scratch.removeAll(keepingCapacity: true)
        guard FlatJSON.array(bytes: Self.column(handle, 7), appendingTo: &scratch), scratch.count == width else {
            page.values.removeSubrange(start...)
            page.statuses.removeSubrange(statusStart...)
            page.eventTimes.removeSubrange(timeStart...)
            return false
        }
        for id in scratch { page.lineageIDs.append(Self.int(id)) }
        var keys: [(String, KeyPart)] = []
        for (name, value) in keyPairs {
            switch value {
            case .string(let s): keys.append((name, .string(s)))
            case .int(let v): keys.append((name, .int(v)))
            default: break
            }
        }
        page.appendKeys(keys)
        page.requestMicros.append(sqlite3_column_int64(handle, 1))
        page.featureListIDs.append(lastFeaturesID)
        page.offsets.append(start)
        page.count += 1
        return true
    }

    static func column(_ handle: OpaquePointer, _ index: Int32) -> UnsafeRawBufferPointer {
        guard let text = sqlite3_column_text(handle, index) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, index)))
    }

    static func int(_ value: Value) -> Int64? { if case .int(let v) = value { return v } else { return nil } }
    static func text(_ value: Value) -> String { if case .string(let s) = value { return s } else { return "" } }
}
