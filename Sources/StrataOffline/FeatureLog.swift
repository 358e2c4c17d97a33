import Foundation
import GRDB
import GRDBSQLite
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
        configuration.busyMode = .timeout(10)
        // The log is an observation stream: losing the last batch on power loss is acceptable, an fsync per batch is not.
        // WAL set here, not with GRDB's `journalMode = .wal` (an open-time write per process; see OfflineStore.init).
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
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
    ///
    /// Columns are encoded into one reused byte buffer and bound through the raw statement handle: GRDB's boxed
    /// `StatementArguments` and a `String` per JSON column cost ~30% of server throughput at sample rate 1.0 (issue 12).
    public func append(_ records: [FeatureLogRecord]) throws {
        guard !records.isEmpty else { return }
        try dbQueue.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO feature_log (request_id, request_ts, service, keys, features, feature_values, statuses, event_timestamps, lineage_ids, view_versions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var encoder = LogRowEncoder()
            try withExtendedLifetime(statement) {
                let handle = statement.sqliteStatement
                for record in records {
                    sqlite3_reset(handle)
                    encoder.bind(record, to: handle)
                    let code = sqlite3_step(handle)
                    guard code == SQLITE_DONE else {
                        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                    }
                }
            }
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

    /// Decodes one stored record, checking every field: a corrupt record is an error naming it, never a crash or a
    /// silently dropped row (the checker would under-report).
    /// - Throws: `OfflineStoreError.corruptRecord`.
    static func record(_ row: Row) throws -> FeatureLogRecord {
        let id: Int64 = try row.column("id")
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
        return FeatureLogRecord(requestID: try row.column("request_id"), requestMicros: try row.column("request_ts"), service: try row.column("service"), keys: keys,
                                features: try features.map { try text($0, "features") }, values: values, statuses: decodedStatuses,
                                eventTimes: try times.map { try int($0, "event_timestamps") }, lineageIDs: try lineage.map { try int($0, "lineage_ids") },
                                viewVersions: viewVersions)
    }
}

/// Encodes log columns as flat JSON into one reused buffer and binds them (SQLite copies each value at bind time).
/// Records of one batch mostly share their feature list and versions: those are encoded once per change.
struct LogRowEncoder {
    var buffer: [UInt8] = []
    var features: [String] = []
    var featuresJSON: [UInt8] = Array("[]".utf8)
    var versions: [String: Int] = [:]
    var versionsJSON: [UInt8] = Array("{}".utf8)

    mutating func bind(_ r: FeatureLogRecord, to handle: OpaquePointer) {
        if r.features != features {
            features = r.features
            featuresJSON = Array(FlatJSON.encode(r.features.map(Value.string)).utf8)
        }
        if r.viewVersions != versions {
            versions = r.viewVersions
            versionsJSON = Array(FlatJSON.encode(r.viewVersions.sorted { $0.key < $1.key }.map { ($0.key, Value.int(Int64($0.value))) }).utf8)
        }
        Self.bindText(handle, 1, r.requestID.utf8)
        sqlite3_bind_int64(handle, 2, r.requestMicros)
        Self.bindText(handle, 3, r.service.utf8)
        encode { out in
            out.append(123)
            for (i, (name, part)) in r.keys.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { out.append(44) }
                FlatJSON.append(.string(name), to: &out)
                out.append(58)
                switch part {
                case .int(let v): FlatJSON.append(.int(v), to: &out)
                case .string(let s): FlatJSON.append(.string(s), to: &out)
                }
            }
            out.append(125)
        }
        bindBuffer(handle, 4)
        Self.bindText(handle, 5, featuresJSON)
        encode { out in Self.array(r.values, &out) { FlatJSON.append($0, to: &$1) } }
        bindBuffer(handle, 6)
        encode { out in Self.array(r.statuses, &out) { FlatJSON.append(.string($0.rawValue), to: &$1) } }
        bindBuffer(handle, 7)
        encode { out in Self.array(r.eventTimes, &out) { FlatJSON.append($0.map(Value.int) ?? .null, to: &$1) } }
        bindBuffer(handle, 8)
        encode { out in Self.array(r.lineageIDs, &out) { FlatJSON.append($0.map(Value.int) ?? .null, to: &$1) } }
        bindBuffer(handle, 9)
        Self.bindText(handle, 10, versionsJSON)
    }

    private mutating func encode(_ body: (inout [UInt8]) -> Void) {
        buffer.removeAll(keepingCapacity: true)
        body(&buffer)
    }

    private func bindBuffer(_ handle: OpaquePointer, _ index: Int32) { Self.bindText(handle, index, buffer) }

    private static func array<T>(_ items: [T], _ out: inout [UInt8], _ element: (T, inout [UInt8]) -> Void) {
        out.append(91)
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(44) }
            element(item, &out)
        }
        out.append(93)
    }

    private static func bindText(_ handle: OpaquePointer, _ index: Int32, _ bytes: String.UTF8View) {
        var text = String(bytes)
        text.withUTF8 { bindText(handle, index, UnsafeRawBufferPointer($0)) }
    }

    private static func bindText(_ handle: OpaquePointer, _ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { bindText(handle, index, $0) }
    }

    /// Binds UTF-8 bytes as text; SQLite copies them (`SQLITE_TRANSIENT`), so the buffer may be reused at once.
    private static func bindText(_ handle: OpaquePointer, _ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            sqlite3_bind_text(handle, index, "", 0, RowSink.transient)
            return
        }
        sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), RowSink.transient)
    }
}
