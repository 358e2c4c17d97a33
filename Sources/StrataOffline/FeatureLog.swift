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
            for record in records { try statement.execute(arguments: Self.arguments(record)) }
        }
    }

    /// Logged records with `since <= request_ts <= until`, optionally for one service, in log order.
    public func records(since: Int64?, until: Int64?, service: String?) throws -> [FeatureLogRecord] {
        try dbQueue.read { db in
            var sql = "SELECT * FROM feature_log WHERE 1"
            var arguments: StatementArguments = []
            if let since { sql += " AND request_ts >= ?"; arguments += [since] }
            if let until { sql += " AND request_ts <= ?"; arguments += [until] }
            if let service { sql += " AND service = ?"; arguments += [service] }
            return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).compactMap(Self.record)
        }
    }

    static func encode(_ object: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func json(_ value: Value) -> Any {
        switch value {
        case .null: return NSNull()
        case .int(let v): return NSNumber(value: v)
        case .float(let v): return v.isFinite ? NSNumber(value: v) : NSNull()
        case .string(let s): return s
        case .bool(let b): return b
        }
    }

    static func arguments(_ r: FeatureLogRecord) -> StatementArguments {
        let keys = r.keys.mapValues { part -> Any in
            switch part {
            case .int(let v): return NSNumber(value: v)
            case .string(let s): return s
            }
        }
        return [r.requestID, r.requestMicros, r.service, encode(keys), encode(r.features), encode(r.values.map(json)), encode(r.statuses.map(\.rawValue)),
                encode(r.eventTimes.map { $0.map { NSNumber(value: $0) } ?? NSNull() as Any }),
                encode(r.lineageIDs.map { $0.map { NSNumber(value: $0) } ?? NSNull() as Any }), encode(r.viewVersions)]
    }

    static func record(_ row: Row) -> FeatureLogRecord? {
        func parse(_ column: String) -> Any? {
            (row[column] as String?).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) }
        }
        guard let keyObject = parse("keys") as? [String: Any], let features = parse("features") as? [String],
              let values = parse("feature_values") as? [Any], let statuses = parse("statuses") as? [String],
              let times = parse("event_timestamps") as? [Any], let lineage = parse("lineage_ids") as? [Any] else { return nil }
        var keys: [String: KeyPart] = [:]
        for (name, value) in keyObject {
            if let s = value as? String { keys[name] = .string(s) } else if let n = value as? NSNumber { keys[name] = .int(n.int64Value) }
        }
        return FeatureLogRecord(requestID: row["request_id"], requestMicros: row["request_ts"], service: row["service"], keys: keys, features: features,
                                values: values.map(loggedValue), statuses: statuses.map { FeatureStatus(rawValue: $0) ?? .notFound },
                                eventTimes: times.map { ($0 as? NSNumber)?.int64Value }, lineageIDs: lineage.map { ($0 as? NSNumber)?.int64Value },
                                viewVersions: (parse("view_versions") as? [String: Int]) ?? [:])
    }

    /// A logged JSON value; numbers stay untyped here and are compared numerically by the checker.
    static func loggedValue(_ value: Any) -> Value {
        if value is NSNull { return .null }
        if let s = value as? String { return .string(s) }
        if let n = value as? NSNumber {
            if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
            if let i = Int64(exactly: n.doubleValue), !"\(n)".contains(".") { return .int(i) }
            return .float(n.doubleValue)
        }
        if let b = value as? Bool { return .bool(b) }
        return .null
    }
}
