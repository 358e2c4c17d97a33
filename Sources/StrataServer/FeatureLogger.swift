import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Strata
import StrataCore

/// One served entity row, as the consistency checker will replay it.
struct FeatureLogRecord: Sendable {
    var requestID: String
    var requestMicros: Int64
    var service: String
    /// join key name → value, as JSON text.
    var keysJSON: String
    var features: [String]
    var values: [OnlineFeatureValue]
    var viewVersions: [String: Int]
}

/// Feature logging off the request path: requests `offer` records to a bounded buffer and never wait;
/// a background service drains it into SQLite in batches. When the buffer is full the record is dropped and counted.
final class FeatureLogger: Service, @unchecked Sendable {
    // `lock` guards `buffer`, `dropped` and `isClosed`; the database queue serialises its own access.
    private let lock = NSLock()
    private var buffer: [FeatureLogRecord] = []
    private var isClosed = false
    private(set) var droppedCount = 0
    private(set) var writtenCount = 0
    let capacity: Int
    let dbQueue: DatabaseQueue
    let logger: Logger

    init(path: String, capacity: Int, logger: Logger) throws {
        self.capacity = capacity
        self.logger = logger
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        dbQueue = try DatabaseQueue(path: path, configuration: configuration)
        try FeatureLogStore.migrator.migrate(dbQueue)
    }

    /// Adds a record if there is room; never blocks. Returns false when it was dropped.
    @discardableResult
    func offer(_ record: FeatureLogRecord) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed, buffer.count < capacity else {
            droppedCount += 1
            return false
        }
        buffer.append(record)
        return true
    }

    var counts: (written: Int, dropped: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (writtenCount, droppedCount)
    }

    private func take() -> [FeatureLogRecord] {
        lock.lock()
        defer { lock.unlock() }
        let batch = buffer
        buffer.removeAll(keepingCapacity: true)
        return batch
    }

    /// Drains every 50 ms until graceful shutdown, then flushes what is left.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.flush()
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        lock.withLock { isClosed = true }
        flush()
    }

    /// Writes everything buffered now, in one transaction.
    func flush() {
        let batch = take()
        guard !batch.isEmpty else { return }
        do {
            try dbQueue.write { db in
                let statement = try db.makeStatement(sql: """
                    INSERT INTO feature_log (request_id, request_ts, service, keys, features, feature_values, statuses, event_timestamps, view_versions)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for record in batch {
                    try statement.execute(arguments: FeatureLogStore.arguments(record))
                }
            }
            lock.lock()
            writtenCount += batch.count
            lock.unlock()
        } catch {
            lock.lock()
            droppedCount += batch.count
            lock.unlock()
            logger.error("feature log write failed; \(batch.count) records dropped: \(error)")
        }
    }
}

/// The feature log table and how records are serialised into it.
enum FeatureLogStore {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 feature log") { db in
            try db.execute(sql: """
                CREATE TABLE feature_log (
                    id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, request_ts INTEGER NOT NULL, service TEXT NOT NULL,
                    keys TEXT NOT NULL, features TEXT NOT NULL, feature_values TEXT NOT NULL, statuses TEXT NOT NULL,
                    event_timestamps TEXT NOT NULL, view_versions TEXT NOT NULL);
                CREATE INDEX feature_log_by_time ON feature_log (request_ts);
                """)
        }
        return migrator
    }

    static func arguments(_ record: FeatureLogRecord) -> StatementArguments {
        var features = JSONWriter(), values = JSONWriter(), statuses = JSONWriter(), times = JSONWriter(), versions = JSONWriter()
        features.array { a in for f in record.features { a.string(f) } }
        values.array { a in for v in record.values { a.value(v.value) } }
        statuses.array { a in for v in record.values { a.string(v.status.rawValue) } }
        times.array { a in for v in record.values { if let t = v.eventTs { a.int(t) } else { a.null() } } }
        versions.object { o in for (view, version) in record.viewVersions.sorted(by: { $0.key < $1.key }) { o.key(view); o.int(version) } }
        func text(_ w: JSONWriter) -> String { String(decoding: w.bytes, as: UTF8.self) }
        return [record.requestID, record.requestMicros, record.service, record.keysJSON, text(features), text(values), text(statuses), text(times), text(versions)]
    }
}
