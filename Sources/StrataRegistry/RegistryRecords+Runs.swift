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

    public init(id: Int64, kind: String, startedAtMicros: Int64, finishedAtMicros: Int64?, outcome: Outcome, error: String?, detail: String) {
        self.id = id
        self.kind = kind
        self.startedAtMicros = startedAtMicros
        self.finishedAtMicros = finishedAtMicros
        self.outcome = outcome
        self.error = error
        self.detail = detail
    }
}

/// One stored drift report's summary row; `report` is the whole report as JSON.
public struct DriftReportRow: Sendable, Hashable {
    public var id: Int64
    public var createdAtMicros: Int64
    public var service: String
    public var reference: String
    public var current: String
    /// `cli` for `strata drift`, `monitor` for the server's schedule.
    public var origin: String
    public var isDrifting: Bool
    public var report: String

    public init(id: Int64, createdAtMicros: Int64, service: String, reference: String, current: String, origin: String, isDrifting: Bool, report: String) {
        self.id = id
        self.createdAtMicros = createdAtMicros
        self.service = service
        self.reference = reference
        self.current = current
        self.origin = origin
        self.isDrifting = isDrifting
        self.report = report
    }
}
