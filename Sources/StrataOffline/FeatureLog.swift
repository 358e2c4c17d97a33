import Foundation
import GRDB
public import StrataCore

/// One served entity row, as the consistency checker replays it.
public struct FeatureLogRecord: Sendable, Hashable {
    public var requestID: String
    public var requestMicros: Int64
    public var service: String
    /// Join key name → value.
    public var keys: [String: KeyPart]
    /// `view:feature`, one per value.
    public var features: [String]
    public var values: [Value]
    public var statuses: [FeatureStatus]
    public var eventTimes: [Int64?]
    /// The offline row (source row id) each served value came from.
    public var lineageIDs: [Int64?]
    public var viewVersions: [String: Int]

    public init(requestID: String, requestMicros: Int64, service: String, keys: [String: KeyPart], features: [String], values: [Value],
                statuses: [FeatureStatus], eventTimes: [Int64?], lineageIDs: [Int64?], viewVersions: [String: Int]) {
        self.requestID = requestID
        self.requestMicros = requestMicros
        self.service = service
        self.keys = keys
        self.features = features
        self.values = values
        self.statuses = statuses
        self.eventTimes = eventTimes
        self.lineageIDs = lineageIDs
        self.viewVersions = viewVersions
    }
}

/// The feature log: a SQLite file (`.strata/feature_log.db`) of served rows, appended in batches.
public final class FeatureLogStore: Sendable {
    let dbQueue: DatabaseQueue
    public let path: String

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        // The log is an observation stream: losing the last batch on power loss is acceptable, an fsync per batch is not.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 feature log") { db in
            try db.execute(sql: """
                CREATE TABLE feature_log (
                    id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, request_ts INTEGER NOT NULL, service TEXT NOT NULL,
                    keys TEXT NOT NULL, features TEXT NOT NULL, feature_values TEXT NOT NULL, statuses TEXT NOT NULL,
                    event_timestamps TEXT NOT NULL, lineage_ids TEXT NOT NULL, view_versions TEXT NOT NULL);
                CREATE INDEX feature_log_by_time ON feature_log (request_ts);
                """)
        }
        dbQueue = try openRacingOtherProcesses(path: path, configuration: configuration, migrator: migrator)
    }

    /// Appends records in one transaction.
    public func append(_ records: [FeatureLogRecord]) throws {
        guard !records.isEmpty else { return }
        try dbQueue.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO feature_log (request_id, request_ts, service, keys, features, feature_values, statuses, event_timestamps, lineage_ids, view_versions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            // Records of one batch mostly share their feature list and versions: encode those once.
            var cache = EncodingCache()
            for record in records { try statement.execute(arguments: Self.arguments(record, &cache)) }
        }
    }

    /// Logged records with `since <= request_ts <= until`, optionally for one service, in log order:
    /// at most `limit` records after log position `afterID` (pass the returned `lastID` to page on).
    public func records(since: Int64?, until: Int64?, service: String?, afterID: Int64 = 0, limit: Int = Int.max) throws -> (records: [FeatureLogRecord], lastID: Int64) {
        try dbQueue.read { db in
            var sql = "SELECT * FROM feature_log WHERE id > ?"
            var arguments: StatementArguments = [afterID]
            if let since { sql += " AND request_ts >= ?"; arguments += [since] }
            if let until { sql += " AND request_ts <= ?"; arguments += [until] }
            if let service { sql += " AND service = ?"; arguments += [service] }
            arguments += [limit]
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY id LIMIT ?", arguments: arguments)
            return (try rows.map(Self.record), rows.last?["id"] ?? afterID)
        }
    }

    struct EncodingCache {
        var features: [String] = []
        var featuresJSON = "[]"
        var versions: [String: Int] = [:]
        var versionsJSON = "{}"
    }

    static func arguments(_ r: FeatureLogRecord, _ cache: inout EncodingCache) -> StatementArguments {
        let keys = r.keys.sorted { $0.key < $1.key }.map { name, part -> (String, Value) in
            switch part {
            case .int(let v): return (name, .int(v))
            case .string(let s): return (name, .string(s))
            }
        }
        let times = r.eventTimes.map { $0.map(Value.int) ?? .null }
        let lineage = r.lineageIDs.map { $0.map(Value.int) ?? .null }
        if r.features != cache.features {
            cache.features = r.features
            cache.featuresJSON = FlatJSON.encode(r.features.map(Value.string))
        }
        if r.viewVersions != cache.versions {
            cache.versions = r.viewVersions
            cache.versionsJSON = FlatJSON.encode(r.viewVersions.sorted { $0.key < $1.key }.map { ($0.key, Value.int(Int64($0.value))) })
        }
        return [r.requestID, r.requestMicros, r.service, FlatJSON.encode(keys), cache.featuresJSON, FlatJSON.encode(r.values),
                FlatJSON.encode(r.statuses.map { .string($0.rawValue) }), FlatJSON.encode(times), FlatJSON.encode(lineage), cache.versionsJSON]
    }

    /// Decodes one stored record, checking every field: a corrupt record is an error naming it, never a crash or a
    /// silently dropped row (the checker would under-report).
    /// - Throws: `OfflineStoreError.corruptRecord`.
    static func record(_ row: Row) throws -> FeatureLogRecord {
        let id: Int64 = row["id"]
        func corrupt(_ reason: String) -> OfflineStoreError { .corruptRecord(what: "feature log record", record: "\(id)", reason: reason) }
        func array(_ name: String) throws -> [Value] {
            guard let text = row[name] as String?, let values = FlatJSON.array(text) else { throw corrupt("`\(name)` is not a JSON array") }
            return values
        }
        func object(_ name: String) throws -> [(String, Value)] {
            guard let text = row[name] as String?, let pairs = FlatJSON.object(text) else { throw corrupt("`\(name)` is not a JSON object") }
            return pairs
        }
        let features = try array("features"), values = try array("feature_values"), statuses = try array("statuses")
        let times = try array("event_timestamps"), lineage = try array("lineage_ids")
        for (name, list) in [("feature_values", values), ("statuses", statuses), ("event_timestamps", times), ("lineage_ids", lineage)]
        where list.count != features.count {
            throw corrupt("`\(name)` has \(list.count) entries for \(features.count) features")
        }
        var keys: [String: KeyPart] = [:]
        for (name, value) in try object("keys") {
            switch value {
            case .string(let s): keys[name] = .string(s)
            case .int(let v): keys[name] = .int(v)
            default: throw corrupt("key `\(name)` is \(value), not an integer or a string")
            }
        }
        func int(_ value: Value, _ field: String) throws -> Int64? {
            switch value {
            case .null: return nil
            case .int(let v): return v
            default: throw corrupt("`\(field)` holds \(value), not an integer")
            }
        }
        func text(_ value: Value, _ field: String) throws -> String {
            guard case .string(let s) = value else { throw corrupt("`\(field)` holds \(value), not a string") }
            return s
        }
        var viewVersions: [String: Int] = [:]
        for (view, version) in try object("view_versions") {
            guard let number = try int(version, "view_versions") else { throw corrupt("view `\(view)` has no version") }
            viewVersions[view] = Int(number)
        }
        let decodedStatuses = try statuses.map { value -> FeatureStatus in
            let name = try text(value, "statuses")
            guard let status = FeatureStatus(rawValue: name) else { throw corrupt("unknown status `\(name)`") }
            return status
        }
        return FeatureLogRecord(requestID: row["request_id"], requestMicros: row["request_ts"], service: row["service"], keys: keys,
                                features: try features.map { try text($0, "features") }, values: values, statuses: decodedStatuses,
                                eventTimes: try times.map { try int($0, "event_timestamps") }, lineageIDs: try lineage.map { try int($0, "lineage_ids") },
                                viewVersions: viewVersions)
    }
}
