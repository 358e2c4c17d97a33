import Foundation
import GRDB
public import StrataCore
public import StrataQuality

/// The validation results of one ingest or push run, stored in the offline store beside the run (table `quality_runs`;
/// the run's profile is in the same row, read with `OfflineStore.runProfile(id:)`).
///
/// ```swift
/// for record in try store.qualityRuns(source: "driver_stats_source") where record.verdict != .pass {
///     print(record.runID, record.results.filter { $0.verdict != .pass })
/// }
/// ```
public struct QualityRunRecord: Sendable, Codable, Hashable {
    /// The ingest run (`ingest_runs.run_id`), as `strata quarantine show` and lineage name it.
    public var runID: Int64
    public var source: String
    /// The registry version of the source whose expectations judged the run.
    public var sourceVersion: Int
    /// The file as recorded (relative to the project), or `push:REQUEST`.
    public var file: String
    /// When the run started: its ingest time (microseconds since the Unix epoch, UTC).
    public var startedAtMicros: Int64
    /// `pass`, `warn` or `reject` (a rejected run wrote nothing).
    public var verdict: RunVerdict
    /// Records read from the file or batch, malformed ones included.
    public var rowsRead: Int
    /// Rows that passed every quarantining rule (for a rejected run: the rows it would have written).
    public var rowsAccepted: Int
    /// Rows sent to quarantine: malformed, or failing a quarantining expectation.
    public var rowsQuarantined: Int
    /// One result per expectation of the source, column rules first, in the order `ingest` prints them.
    public var results: [ExpectationResult]

    /// Whether the run came from `push` rather than `ingest`.
    public var isPush: Bool { file.hasPrefix("push:") }
}

/// The `quality_runs` table: one row per run, written in the run's own transaction (or, for a rejected run, in the
/// transaction that records the rejection).
enum QualityRecords {
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2 data quality") { db in
            try db.execute(sql: """
                CREATE TABLE quality_runs (
                    run_id INTEGER PRIMARY KEY REFERENCES ingest_runs(run_id), source TEXT NOT NULL, source_version INTEGER NOT NULL,
                    file TEXT NOT NULL, started_at INTEGER NOT NULL, verdict TEXT NOT NULL, rows_read INTEGER NOT NULL,
                    rows_accepted INTEGER NOT NULL, rows_quarantined INTEGER NOT NULL, results TEXT NOT NULL, profile TEXT NOT NULL);
                CREATE INDEX quality_runs_by_source ON quality_runs (source, run_id);
                """)
        }
    }

    static func insert(_ db: Database, runID: Int64, request: IngestRequest, report: IngestReport, profile: DatasetProfile) throws {
        let encoder = QualityJSON.encoder()
        let results = String(decoding: try encoder.encode(report.validation), as: UTF8.self)
        let profileJSON = String(decoding: try encoder.encode(profile), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO quality_runs (run_id, source, source_version, file, started_at, verdict, rows_read, rows_accepted, rows_quarantined, results, profile)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [runID, request.source.name, request.sourceVersion, report.file, request.now, RunVerdict(report.validation).rawValue,
                             report.rowsRead, report.rowsAccepted, report.rowsQuarantined, results, profileJSON])
    }
}

extension OfflineStore {
    /// Stored quality records, newest first, optionally for one source, at most `limit`.
    /// - Throws: `OfflineStoreError.sqlite`; `.corruptRecord` naming a run whose results do not decode.
    public func qualityRuns(source: String? = nil, limit: Int = 100) throws -> [QualityRunRecord] {
        let rows = try read("list quality runs") { db in
            try Row.fetchAll(db, sql: """
                SELECT run_id, source, source_version, file, started_at, verdict, rows_read, rows_accepted, rows_quarantined, results
                FROM quality_runs WHERE ? IS NULL OR source = ? ORDER BY run_id DESC LIMIT ?
                """, arguments: [source, source, limit])
        }
        return try rows.map(Self.qualityRecord)
    }

    /// The quality record of one run; nil when the run has none (an unknown id, or a run from before quality records).
    public func qualityRun(id: Int64) throws -> QualityRunRecord? {
        let row = try read("read quality run \(id)") { db in
            try Row.fetchOne(db, sql: """
                SELECT run_id, source, source_version, file, started_at, verdict, rows_read, rows_accepted, rows_quarantined, results
                FROM quality_runs WHERE run_id = ?
                """, arguments: [id])
        }
        return try row.map(Self.qualityRecord)
    }

    /// The profile of one run's accepted rows (source columns, time columns, `view:feature` row features).
    /// - Throws: `OfflineStoreError.corruptRecord` when the stored profile does not decode.
    public func runProfile(id: Int64) throws -> DatasetProfile? {
        let text = try read("read the profile of run \(id)") { db in
            try String.fetchOne(db, sql: "SELECT profile FROM quality_runs WHERE run_id = ?", arguments: [id])
        }
        guard let text else { return nil }
        do {
            return try QualityJSON.decoder().decode(DatasetProfile.self, from: Data(text.utf8))
        } catch {
            throw OfflineStoreError.undecodable(what: "the profile of ingest run", record: "\(id)", cause: error)
        }
    }

    /// The newest quality record's run id (0 when there is none): where a watcher of new runs starts.
    public func latestQualityRunID() throws -> Int64 {
        try read("read the latest quality run") { db in try Int64.fetchOne(db, sql: "SELECT MAX(run_id) FROM quality_runs") ?? 0 }
    }

    /// Quality records after run `afterID` whose verdict is `warn` or `reject`, oldest first: what alerts report.
    public func failedQualityRuns(after afterID: Int64) throws -> [QualityRunRecord] {
        let rows = try read("list failed quality runs") { db in
            try Row.fetchAll(db, sql: """
                SELECT run_id, source, source_version, file, started_at, verdict, rows_read, rows_accepted, rows_quarantined, results
                FROM quality_runs WHERE run_id > ? AND verdict IN ('warn', 'reject') ORDER BY run_id LIMIT 1000
                """, arguments: [afterID])
        }
        return try rows.map(Self.qualityRecord)
    }

    static func qualityRecord(_ row: Row) throws -> QualityRunRecord {
        let runID: Int64 = try row.column("run_id")
        let resultsText: String = try row.column("results"), verdictText: String = try row.column("verdict")
        let results: [ExpectationResult]
        do {
            results = try QualityJSON.decoder().decode([ExpectationResult].self, from: Data(resultsText.utf8))
        } catch {
            throw OfflineStoreError.undecodable(what: "the validation results of ingest run", record: "\(runID)", cause: error)
        }
        guard let verdict = RunVerdict(rawValue: verdictText) else {
            throw OfflineStoreError.corruptRecord(what: "the verdict of ingest run", record: "\(runID)", reason: "unknown verdict `\(verdictText)`")
        }
        return QualityRunRecord(runID: runID, source: try row.column("source"), sourceVersion: try row.column("source_version"), file: try row.column("file"),
                                startedAtMicros: try row.column("started_at"), verdict: verdict, rowsRead: try row.column("rows_read"), rowsAccepted: try row.column("rows_accepted"),
                                rowsQuarantined: try row.column("rows_quarantined"), results: results)
    }
}
