public import StrataCore
import GRDB
import Foundation

/// The registry in a SQLite file (`.strata/registry.db`): the embedded default. Optimistic concurrency on a revision
/// number, checked inside an immediate transaction, so concurrent applies from several processes serialise.
public final class SQLiteRegistryStore: RegistryStore {
    let dbQueue: DatabaseQueue
    public let path: String
    public var location: String { path }

    /// Opens (and creates or migrates) the registry database at `path`.
    /// - Throws: `RegistryError.sqlite` when the file cannot be opened or migrated.
    public init(path: String) throws(RegistryError) {
        self.path = path
        var configuration = Configuration()
        // A second process applying at the same moment waits for the lock, then sees the new revision and fails cleanly.
        configuration.busyMode = .timeout(10)
        // WAL and synchronous = NORMAL, as GRDB's `journalMode = .wal` sets them, but without its open-time write (it
        // creates and drops a table whenever the WAL file is absent, i.e. on every process start): that write, its
        // syncs and the checkpoint at close cost every short command ~8 fdatasyncs (strace of `strata get`, issue 12).
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            dbQueue = try openRacingOtherProcesses(path: path, configuration: configuration, migrator: Self.migrator)
        } catch {
            throw Self.wrapping(error, operation: "open", path: path)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 registry") { db in
            try db.execute(sql: """
                CREATE TABLE registry_state (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);
                INSERT INTO registry_state (id, revision) VALUES (1, 0);
                CREATE TABLE revisions (
                    revision INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL, author TEXT NOT NULL, message TEXT, change_count INTEGER NOT NULL);
                CREATE TABLE objects (
                    kind TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, revision INTEGER NOT NULL REFERENCES revisions(revision),
                    spec TEXT, is_removed INTEGER NOT NULL, is_breaking INTEGER NOT NULL,
                    applied_at INTEGER NOT NULL, author TEXT NOT NULL, message TEXT,
                    PRIMARY KEY (kind, name, version));
                """)
        }
        migrator.registerMigration("v2 training sets") { db in
            try db.execute(sql: "CREATE TABLE training_sets (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, manifest TEXT NOT NULL)")
        }
        migrator.registerMigration("v3 check reports") { db in
            try db.execute(sql: "CREATE TABLE check_reports (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, report TEXT NOT NULL)")
        }
        migrator.registerMigration("v4 job runs") { db in
            try db.execute(sql: """
                CREATE TABLE job_runs (
                    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER,
                    outcome TEXT NOT NULL, error TEXT, detail TEXT NOT NULL)
                """)
        }
        migrator.registerMigration("v5 data quality") { db in
            try db.execute(sql: """
                CREATE TABLE training_set_profiles (id TEXT PRIMARY KEY, profile TEXT NOT NULL);
                CREATE TABLE drift_reports (
                    id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, service TEXT NOT NULL, reference TEXT NOT NULL,
                    current TEXT NOT NULL, origin TEXT NOT NULL, is_drifting INTEGER NOT NULL, report TEXT NOT NULL);
                CREATE INDEX drift_reports_by_service ON drift_reports (service, id);
                """)
        }
        migrator.registerMigration("v6 storage fingerprints") { db in
            // What decides each version's stored bytes (`StorageIdentity`); null for versions applied before it was recorded.
            try db.execute(sql: "ALTER TABLE objects ADD COLUMN storage_fingerprint TEXT")
        }
        migrator.registerMigration("v7 tokens") { db in
            try db.execute(sql: """
                CREATE TABLE tokens (
                    id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, only_patterns TEXT NOT NULL,
                    expires_at INTEGER, created_at INTEGER NOT NULL, created_by TEXT NOT NULL, revoked_at INTEGER);
                CREATE UNIQUE INDEX tokens_live_name ON tokens (name) WHERE revoked_at IS NULL;
                ALTER TABLE registry_state ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
                """)
        }
        return migrator
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(RegistryError) -> T {
        do {
            return try dbQueue.read(body)
        } catch {
            throw Self.wrapping(error, operation: operation, path: path)
        }
    }

    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(RegistryError) -> T {
        do {
            return try dbQueue.write(body)
        } catch {
            throw Self.wrapping(error, operation: operation, path: path)
        }
    }

    /// Keeps a registry error as it is, and SQLite's result code for a database error.
    static func wrapping(_ error: any Error, operation: String, path: String) -> RegistryError {
        if let error = error as? RegistryError { return error }
        if let error = error as? DatabaseError {
            return .database(operation: operation, path: path, code: error.extendedResultCode.rawValue, message: error.message ?? "\(error.resultCode)")
        }
        return .sqlite(operation: operation, path: path, underlying: "\(error)")
    }

    /// One cached single-row read, no transaction: cheap enough to check before every request.
    public func revision() throws(RegistryError) -> Int {
        do {
            return try dbQueue.unsafeReentrantRead { db in
                try Int.fetchOne(db.cachedStatement(sql: "SELECT revision FROM registry_state")) ?? 0
            }
        } catch {
            throw Self.wrapping(error, operation: "read the revision", path: path)
        }
    }

    public func objects(kind: DefinitionKind?, name: String?) throws(RegistryError) -> [RegistryObject] {
        try read("read versions") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM objects WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR name = ?2) ORDER BY kind, name, version
                """, arguments: [kind?.rawValue, name]).map(Self.object)
        }
    }

    public func latestObjects() throws(RegistryError) -> (revision: Int, objects: [RegistryObject]) {
        try read("list objects") { db in
            let revision = try Int.fetchOne(db, sql: "SELECT revision FROM registry_state") ?? 0
            let objects = try Row.fetchAll(db, sql: """
                SELECT o.* FROM objects o
                JOIN (SELECT kind, name, MAX(version) AS version FROM objects GROUP BY kind, name) latest USING (kind, name, version)
                """).map(Self.object)
            return (revision, objects)
        }
    }

    public func revisions() throws(RegistryError) -> [RegistryRevision] {
        try read("list revisions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM revisions ORDER BY revision DESC").map { row in
                RegistryRevision(revision: row["revision"], appliedAtMicros: row["applied_at"], author: row["author"],
                                 message: row["message"], changeCount: row["change_count"])
            }
        }
    }

    public func commit(_ plan: RegistryPlan, author: String, message: String?, now: Int64) throws(RegistryError) -> Int {
        do {
            return try dbQueue.writeWithoutTransaction { db in
                var result = plan.baseRevision
                try db.inTransaction(.immediate) {
                    let current = try Int.fetchOne(db, sql: "SELECT revision FROM registry_state") ?? 0
                    guard current == plan.baseRevision else { throw RegistryError.changedSincePlan(planned: plan.baseRevision, current: current) }
                    guard !plan.isEmpty else { return .commit }
                    result = current + 1
                    try db.execute(sql: "INSERT INTO revisions (revision, applied_at, author, message, change_count) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [result, now, author, message, plan.changes.count])
                    for change in plan.changes {
                        try db.execute(sql: """
                            INSERT INTO objects (kind, name, version, revision, spec, is_removed, is_breaking, applied_at, author, message,
                                                 storage_fingerprint)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [change.kind.rawValue, change.name, change.toVersion, result, change.spec,
                                             change.action == .removed, change.isBreaking, now, author, message, change.storageFingerprint])
                    }
                    try db.execute(sql: "UPDATE registry_state SET revision = ?", arguments: [result])
                    return .commit
                }
                return result
            }
        } catch {
            throw Self.wrapping(error, operation: "apply", path: path)
        }
    }

    /// One stored object. An unknown kind is an error naming the record, never a guess.
    static func object(_ row: Row) throws -> RegistryObject {
        let kindText: String = row["kind"], name: String = row["name"], version: Int = row["version"]
        guard let kind = DefinitionKind(rawValue: kindText) else {
            throw RegistryError.corruptRecord(record: "object `\(name)` version \(version)", reason: "unknown kind `\(kindText)`")
        }
        return RegistryObject(kind: kind, name: name, version: version, revision: row["revision"],
                              spec: row["spec"], isRemoved: row["is_removed"], isBreaking: row["is_breaking"], appliedAtMicros: row["applied_at"],
                              author: row["author"], message: row["message"], storageFingerprint: row["storage_fingerprint"])
    }
}

/// Opens and migrates a database file, tolerating another process doing the same to a new file at the same moment:
/// switching to WAL and the migrator's "already applied?" check can both fail with "locked" or "table already
/// exists" for the loser. Each migration is transactional, so trying again after a pause sees the winner's work.
func openRacingOtherProcesses(path: String, configuration: Configuration, migrator: DatabaseMigrator) throws -> DatabaseQueue {
    var attempt = 1
    while true {
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            // An up-to-date file is only read: `migrate` always runs a write transaction, whose WAL frames and syncs
            // (plus the checkpoint at close) made every short command pay several fdatasyncs (strace of `strata get`).
            if try !queue.read(migrator.hasCompletedMigrations) { try migrator.migrate(queue) }
            return queue
        } catch where attempt < 8 {
            usleep(UInt32(15_000 * attempt))
            attempt += 1
        }
    }
}
