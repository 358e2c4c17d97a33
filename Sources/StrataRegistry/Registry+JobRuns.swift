import GRDB

/// A run of a job whose own store keeps no run record: a materialization (LMDB keeps only watermarks), or a run that
/// failed and so left nothing behind in its store (a failed ingest rolls back). Recorded when the run starts, then
/// finished with its outcome, so a killed run stays `running`.
public struct JobRunRecord: Sendable, Hashable {
    public enum Outcome: String, Sendable { case running, completed, failed }

    public var id: Int64
    /// `materialize`, `ingest`, …
    public var kind: String
    public var startedAtMicros: Int64
    public var finishedAtMicros: Int64?
    public var outcome: Outcome
    /// What failed, for a failed run.
    public var error: String?
    /// The job's own JSON: what it read and wrote.
    public var detail: String

    static let createSQL = """
        CREATE TABLE job_runs (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER,
            outcome TEXT NOT NULL, error TEXT, detail TEXT NOT NULL)
        """
}

extension Registry {
    /// Records the start of a run; returns its id.
    public func startJobRun(kind: String, startedAtMicros: Int64, detail: String) throws(RegistryError) -> Int64 {
        do {
            return try dbQueue.write { db in
                try db.execute(sql: "INSERT INTO job_runs (kind, started_at, outcome, detail) VALUES (?, ?, 'running', ?)",
                               arguments: [kind, startedAtMicros, detail])
                return db.lastInsertedRowID
            }
        } catch {
            throw .sqlite(operation: "record the start of a \(kind) run", path: path, underlying: "\(error)")
        }
    }

    /// Records how a run ended, with its final detail (what it wrote) and, for a failure, what went wrong.
    public func finishJobRun(id: Int64, finishedAtMicros: Int64, outcome: JobRunRecord.Outcome, error: String?, detail: String) throws(RegistryError) {
        do {
            try dbQueue.write { db in
                try db.execute(sql: "UPDATE job_runs SET finished_at = ?, outcome = ?, error = ?, detail = ? WHERE id = ?",
                               arguments: [finishedAtMicros, outcome.rawValue, error, detail, id])
            }
        } catch {
            throw .sqlite(operation: "record the end of run \(id)", path: path, underlying: "\(error)")
        }
    }

    /// Every recorded job run, oldest first.
    public func jobRuns() throws(RegistryError) -> [JobRunRecord] {
        try read("list job runs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM job_runs ORDER BY id").map { row in
                JobRunRecord(id: row["id"], kind: row["kind"], startedAtMicros: row["started_at"], finishedAtMicros: row["finished_at"],
                             outcome: JobRunRecord.Outcome(rawValue: row["outcome"]) ?? .running, error: row["error"], detail: row["detail"])
            }
        }
    }
}
