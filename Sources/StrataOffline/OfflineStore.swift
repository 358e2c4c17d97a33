import GRDB
import Foundation
import StrataCore

/// The SQLite offline store: source tables with lineage, quarantine, feature tables and point-in-time joins.
///
/// ```swift
/// let offline = try OfflineStore(path: ".strata/offline.db")
/// let report = try offline.ingest(IngestRequest(...))
/// ```
///
/// Connections: one writer (`dbQueue`: ingests, pushes, catalog changes, one transaction at a time) beside a
/// `DatabasePool` of read-only WAL readers (`readers`: historical builds, lookups of records, the UI), so reads never
/// wait for a write and run side by side. The pool is opened read-only on purpose: a writable `DatabasePool` writes to
/// the file when it opens whenever the WAL file is absent (GRDB's `setUpWALMode`), that is in every process after a
/// clean close, and an up-to-date store is opened without writing (see `openRacingOtherProcesses`). The writer sets WAL
/// and migrates before the readers open.
public final class OfflineStore: Sendable {
    public let path: String
    let dbQueue: DatabaseQueue
    let readers: DatabasePool

    /// Opens or creates the store. WAL journal and `synchronous = NORMAL`: a killed process loses no committed run
    /// and leaves no partial one (SQLite rolls back an unfinished transaction on the next open).
    public init(path: String) throws(OfflineStoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        // WAL set here rather than with GRDB's `journalMode = .wal`, whose open-time write made every process pay
        // WAL syncs and a checkpoint at close (see Registry.init).
        configuration.prepareDatabase { db in
            SQLiteFunctions.register(on: db)
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        var readerConfiguration = Configuration()
        readerConfiguration.readonly = true
        readerConfiguration.busyMode = .timeout(30)
        readerConfiguration.prepareDatabase { db in SQLiteFunctions.register(on: db) }
        do {
            dbQueue = try openRacingOtherProcesses(path: path, configuration: configuration, migrator: Self.migrator)
            readers = try DatabasePool(path: path, configuration: readerConfiguration)
        } catch let error as DatabaseError {
            throw .wrapping(error, operation: "open the offline store", path: path)
        } catch {
            throw .failed(operation: "open the offline store", path: path, cause: error)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 offline") { db in
            try db.execute(sql: """
                CREATE TABLE ingest_runs (
                    run_id INTEGER PRIMARY KEY, source TEXT NOT NULL, source_version INTEGER NOT NULL,
                    started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL,
                    rows_read INTEGER NOT NULL, rows_accepted INTEGER NOT NULL, rows_quarantined INTEGER NOT NULL,
                    outcome TEXT NOT NULL, definition_versions TEXT NOT NULL);
                CREATE TABLE source_files (
                    file_id INTEGER PRIMARY KEY, source TEXT NOT NULL, source_version INTEGER NOT NULL, path TEXT NOT NULL,
                    content_sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL, records INTEGER NOT NULL, lines INTEGER NOT NULL,
                    file_version INTEGER NOT NULL, run_id INTEGER NOT NULL REFERENCES ingest_runs(run_id));
                CREATE INDEX source_files_by_path ON source_files (source, source_version, path);
                CREATE TABLE quarantine (
                    id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES ingest_runs(run_id), source TEXT NOT NULL,
                    file TEXT NOT NULL, line INTEGER NOT NULL, column_number INTEGER, raw TEXT NOT NULL, reason TEXT NOT NULL);
                CREATE TABLE view_tables (
                    table_name TEXT PRIMARY KEY, view TEXT NOT NULL, view_version INTEGER NOT NULL,
                    source TEXT NOT NULL, source_version INTEGER NOT NULL, last_source_row INTEGER NOT NULL);
                """)
        }
        QualityRecords.registerMigrations(&migrator)
        registerCatalogMigrations(&migrator)
        return migrator
    }

    /// Runs `body` in one immediate transaction. SQLite errors are wrapped with the operation; any other error
    /// (a Strata error, or a signal from a caller's closure such as the online store's "map full") passes through
    /// unchanged so that whoever understands it can act on it.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try dbQueue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { preconditionFailure("a committed transaction ran its body") }
                return result
            }
        } catch let error as DatabaseError {
            throw OfflineStoreError.wrapping(error, operation: operation, path: path)
        }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try readers.read(body)
        } catch let error as DatabaseError {
            throw OfflineStoreError.wrapping(error, operation: operation, path: path)
        }
    }

    /// Quarantined rows, newest run first, optionally for one source or run.
    public func quarantinedRows(source: String? = nil, runID: Int64? = nil, limit: Int = 1000) throws -> [QuarantinedRow] {
        try read("list quarantine") { db in
            var sql = "SELECT * FROM quarantine WHERE 1"
            var arguments: StatementArguments = []
            if let source { sql += " AND source = ?"; arguments += [source] }
            if let runID { sql += " AND run_id = ?"; arguments += [runID] }
            sql += " ORDER BY run_id DESC, id LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                QuarantinedRow(runID: try row.column("run_id"), source: try row.column("source"), file: try row.column("file"), line: try row.column("line"),
                               column: try row.column("column_number"), raw: try row.column("raw"), reason: try row.column("reason"))
            }
        }
    }

    /// Every ingest run, newest first.
    public func ingestRuns() throws -> [IngestRunRecord] {
        try read("list ingest runs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ingest_runs ORDER BY run_id DESC").map { try IngestRunRecord(row: $0) }
        }
    }
}

/// One recorded ingest run.
public struct IngestRunRecord: Sendable, Codable, Hashable {
    public var runID: Int64
    public var source: String
    public var sourceVersion: Int
    public var startedAtMicros: Int64
    public var finishedAtMicros: Int64
    public var rowsRead: Int
    public var rowsAccepted: Int
    public var rowsQuarantined: Int
    public var outcome: String

    init(row: Row) throws {
        runID = try row.column("run_id")
        source = try row.column("source")
        sourceVersion = try row.column("source_version")
        startedAtMicros = try row.column("started_at")
        finishedAtMicros = try row.column("finished_at")
        rowsRead = try row.column("rows_read")
        rowsAccepted = try row.column("rows_accepted")
        rowsQuarantined = try row.column("rows_quarantined")
        outcome = try row.column("outcome")
    }
}

/// Opens and migrates a database file, tolerating another process doing the same to a new file at the same moment:
/// switching to WAL and the migrator's "already applied?" check can fail with "busy"/"locked", or with "already
/// exists" for the loser of a migration race. Each migration is transactional, so trying again after a pause sees the
/// winner's work. Any other failure (not a database, no permission, a full disk) is thrown at once.
func openRacingOtherProcesses(path: String, configuration: Configuration, migrator: DatabaseMigrator) throws -> DatabaseQueue {
    var attempt = 1
    while true {
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            // An up-to-date file is only read: `migrate` always runs a write transaction, whose WAL frames and syncs
            // (plus the checkpoint at close) made every short command pay several fdatasyncs (strace of `strata get`).
            if try !queue.read(migrator.hasCompletedMigrations) { try migrator.migrate(queue) }
            return queue
        } catch let error as DatabaseError where attempt < 8 && isOpeningRace(error) {
            usleep(UInt32(15_000 * attempt))
            attempt += 1
        }
    }
}

/// Whether an open failed only because another process was opening or migrating the same file.
func isOpeningRace(_ error: DatabaseError) -> Bool {
    if SQLiteFailure.isBusy(error.extendedResultCode.rawValue) { return true }
    // The loser of a migration race finds the winner's tables or columns (SQLITE_ERROR, told apart by its message).
    // Or it asks for the migrations table just before the winner commits it, and GRDB, finding the table there when
    // it looks again, rethrows "no such table" (`DatabaseMigrator.appliedIdentifiers`).
    guard error.resultCode == .SQLITE_ERROR, let message = error.message else { return false }
    return message.contains("already exists") || message.contains("duplicate column name") || message.contains("no such table: grdb_migrations")
}
