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
            return (rows.compactMap(Self.record), rows.last?["id"] ?? afterID)
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

    static func record(_ row: Row) -> FeatureLogRecord? {
        func column(_ name: String) -> String { row[name] as String? ?? "" }
        guard let keyPairs = FlatJSON.object(column("keys")), let features = FlatJSON.array(column("features")),
              let values = FlatJSON.array(column("feature_values")), let statuses = FlatJSON.array(column("statuses")),
              let times = FlatJSON.array(column("event_timestamps")), let lineage = FlatJSON.array(column("lineage_ids")),
              let versions = FlatJSON.object(column("view_versions")) else { return nil }
        var keys: [String: KeyPart] = [:]
        for (name, value) in keyPairs {
            switch value {
            case .string(let s): keys[name] = .string(s)
            case .int(let v): keys[name] = .int(v)
            default: break
            }
        }
        func int(_ value: Value) -> Int64? { if case .int(let v) = value { return v } else { return nil } }
        func text(_ value: Value) -> String { if case .string(let s) = value { return s } else { return "" } }
        var viewVersions: [String: Int] = [:]
        for (view, version) in versions { viewVersions[view] = int(version).map(Int.init) }
        return FeatureLogRecord(requestID: row["request_id"], requestMicros: row["request_ts"], service: row["service"], keys: keys, features: features.map(text),
                                values: values, statuses: statuses.map { FeatureStatus(rawValue: text($0)) ?? .notFound },
                                eventTimes: times.map(int), lineageIDs: lineage.map(int), viewVersions: viewVersions)
    }
}
