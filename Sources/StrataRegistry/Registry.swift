public import StrataCore
import GRDB
import Foundation

/// The registry: every version of every definition, in a SQLite file, with optimistic concurrency on a revision number.
///
/// ```swift
/// let registry = try Registry(path: ".strata/registry.db")
/// let plan = try registry.plan(for: project.definitions)
/// try registry.apply(plan, author: "ana", message: "add driver_stats", allowsBreakingChanges: false)
/// ```
public final class Registry: Sendable {
    let dbQueue: DatabaseQueue
    public let path: String

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
            try db.execute(sql: """
                CREATE TABLE training_sets (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, manifest TEXT NOT NULL);
                """)
        }
        migrator.registerMigration("v3 check reports") { db in
            try db.execute(sql: "CREATE TABLE check_reports (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, report TEXT NOT NULL)")
        }
        migrator.registerMigration("v4 job runs") { db in try db.execute(sql: JobRunRecord.createSQL) }
        registerQualityMigrations(&migrator)
        migrator.registerMigration("v6 storage fingerprints") { db in
            // What decides each version's stored bytes (`StorageIdentity`); null for versions applied before it was recorded.
            try db.execute(sql: "ALTER TABLE objects ADD COLUMN storage_fingerprint TEXT")
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

    /// Keeps a registry error as it is, and SQLite's result code for a database error.
    static func wrapping(_ error: any Error, operation: String, path: String) -> RegistryError {
        if let error = error as? RegistryError { return error }
        if let error = error as? DatabaseError {
            return .database(operation: operation, path: path, code: error.extendedResultCode.rawValue, message: error.message ?? "\(error.resultCode)")
        }
        return .sqlite(operation: operation, path: path, underlying: "\(error)")
    }

    /// The current registry revision (0 for an empty registry). Cheap: one cached single-row read, no transaction,
    /// so callers may check it before every request.
    public func revision() throws(RegistryError) -> Int {
        do {
            return try dbQueue.unsafeReentrantRead { db in
                try Int.fetchOne(db.cachedStatement(sql: "SELECT revision FROM registry_state")) ?? 0
            }
        } catch {
            throw Self.wrapping(error, operation: "read the revision", path: path)
        }
    }

    /// The latest version of every live object and the revision they belong to, read in one transaction.
    public func latestObjectsWithRevision() throws(RegistryError) -> (revision: Int, objects: [RegistryObject]) {
        try read("list objects") { db in
            let revision = try Int.fetchOne(db, sql: "SELECT revision FROM registry_state") ?? 0
            return (revision, try Self.latestObjects(db).filter { !$0.isRemoved })
        }
    }

    /// The latest version of every object, removed ones included, sorted by kind and name.
    public func latestObjects(includingRemoved: Bool = false) throws(RegistryError) -> [RegistryObject] {
        try read("list objects") { db in try Self.latestObjects(db) }.filter { includingRemoved || !$0.isRemoved }
    }

    static func latestObjects(_ db: Database) throws -> [RegistryObject] {
        try Row.fetchAll(db, sql: """
            SELECT o.* FROM objects o
            JOIN (SELECT kind, name, MAX(version) AS version FROM objects GROUP BY kind, name) latest
              USING (kind, name, version)
            """).map(Self.object).sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    /// Every version of every object of one kind, removals included, by name and then version.
    public func allVersions(of kind: DefinitionKind) throws(RegistryError) -> [RegistryObject] {
        try read("read versions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM objects WHERE kind = ? ORDER BY name, version", arguments: [kind.rawValue]).map(Self.object)
        }
    }

    /// Every version of the objects called `name`, oldest first.
    public func history(name: String, kind: DefinitionKind? = nil) throws(RegistryError) -> [RegistryObject] {
        let rows = try read("read history") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM objects WHERE name = ? ORDER BY kind, version", arguments: [name]).map(Self.object)
        }
        let matching = rows.filter { kind == nil || $0.kind == kind }
        guard !matching.isEmpty else { throw try unknown(name) }
        let kinds = Set(matching.map(\.kind))
        if kinds.count > 1 { throw .ambiguousName(name: name, kinds: kinds.sorted()) }
        return matching
    }

    /// One version of an object, or the latest when `version` is nil.
    public func object(name: String, kind: DefinitionKind? = nil, version: Int? = nil) throws(RegistryError) -> RegistryObject {
        let versions = try history(name: name, kind: kind)
        guard let version else { return versions[versions.count - 1] }
        guard let found = versions.first(where: { $0.version == version }) else {
            throw .unknownVersion(name: name, version: version, latest: versions[versions.count - 1].version)
        }
        return found
    }

    /// The field-level differences between two versions of an object.
    public func diff(name: String, kind: DefinitionKind? = nil, from: Int, to: Int) throws(RegistryError) -> [FieldChange] {
        let a = try object(name: name, kind: kind, version: from)
        let b = try object(name: name, kind: kind, version: to)
        func definition(_ object: RegistryObject) throws(RegistryError) -> AnyDefinition? {
            guard let spec = object.spec else { return nil }
            return try CanonicalJSON.decode(kind: object.kind, spec, name: object.name, version: object.version)
        }
        return FieldChange.between(try definition(a), try definition(b))
    }

    /// Live objects whose name, description, tags or owner contain `text` (case-insensitive).
    public func search(_ text: String) throws(RegistryError) -> [RegistryObject] {
        let needle = text.lowercased()
        var found: [RegistryObject] = []
        for object in try latestObjects() {
            let summary = try object.summary()
            let haystack = [object.name, summary.description ?? "", summary.owner ?? ""] + summary.tags
            if haystack.contains(where: { $0.lowercased().contains(needle) }) { found.append(object) }
        }
        return found
    }

    /// Every applied revision, newest first.
    public func revisions() throws(RegistryError) -> [RegistryRevision] {
        try read("list revisions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM revisions ORDER BY revision DESC").map { row in
                RegistryRevision(revision: row["revision"], appliedAtMicros: row["applied_at"], author: row["author"],
                                 message: row["message"], changeCount: row["change_count"])
            }
        }
    }

    func unknown(_ name: String) throws(RegistryError) -> RegistryError {
        let names = try latestObjects(includingRemoved: true).map(\.name)
        return .unknownObject(name: name, suggestion: nearMiss(name, in: names))
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
