public import StrataCore

/// Where a registry keeps its records. SQLite (`SQLiteRegistryStore`, the embedded default) and PostgreSQL (the
/// `StrataRegistryPostgres` target, shared by a team) implement it; `Registry` holds the logic both share (plans,
/// histories, search), and one conformance suite runs against both (`RegistryConformanceTests`).
///
/// Every method is synchronous and may block on I/O: call it off Swift concurrency's cooperative pool.
public protocol RegistryStore: Sendable {
    /// Where the records live, for messages: a file path, or a URL without its password.
    var location: String { get }

    /// The current revision (0 before the first apply).
    func revision() throws(RegistryError) -> Int
    /// Every version of the objects of `kind` (all kinds when nil) named `name` (all when nil), removals included,
    /// ordered by kind, name and version.
    func objects(kind: DefinitionKind?, name: String?) throws(RegistryError) -> [RegistryObject]
    /// The latest version of every object, removals included, and the revision they make up, read together.
    func latestObjects() throws(RegistryError) -> (revision: Int, objects: [RegistryObject])
    /// Every revision, newest first.
    func revisions() throws(RegistryError) -> [RegistryRevision]
    /// Writes the plan's changes as revision `plan.baseRevision + 1`, atomically, if the registry is still at
    /// `plan.baseRevision`; an empty plan writes nothing. Returns the revision the registry is at afterwards.
    /// - Throws: `RegistryError.changedSincePlan` when another apply landed first.
    func commit(_ plan: RegistryPlan, author: String, message: String?, now: Int64) throws(RegistryError) -> Int

    func recordTrainingSet(id: String, createdAtMicros: Int64, manifest: String) throws(RegistryError)
    func trainingSetManifest(id: String) throws(RegistryError) -> String?
    /// Newest first.
    func trainingSetManifests() throws(RegistryError) -> [(id: String, manifest: String)]
    func recordCheckReport(id: String, createdAtMicros: Int64, report: String) throws(RegistryError)
    /// Newest first.
    func checkReports() throws(RegistryError) -> [(id: String, report: String)]
    func recordCounts() throws(RegistryError) -> (trainingSets: Int, checkReports: Int)

    func startJobRun(kind: String, startedAtMicros: Int64, detail: String) throws(RegistryError) -> Int64
    func finishJobRun(id: Int64, finishedAtMicros: Int64, outcome: JobRunRecord.Outcome, error: String?, detail: String) throws(RegistryError)
    /// Oldest first.
    func jobRuns() throws(RegistryError) -> [JobRunRecord]

    func recordTrainingSetProfile(id: String, profile: String) throws(RegistryError)
    func trainingSetProfile(id: String) throws(RegistryError) -> String?
    func recordDriftReport(_ report: DriftReportRow) throws(RegistryError) -> Int64
    /// Newest first, of one service when given, at most `limit`.
    func driftReports(service: String?, limit: Int) throws(RegistryError) -> [DriftReportRow]
    func driftReport(id: Int64) throws(RegistryError) -> DriftReportRow?

    /// Adds a token (its hash only); fails when the name is taken by a token that is not revoked.
    func createToken(_ token: StoredToken) throws(RegistryError)
    /// Every token, revoked ones included, by name.
    func tokens() throws(RegistryError) -> [StoredToken]
    /// Marks a token revoked; false when there is no live token with that name.
    func revokeToken(name: String, at micros: Int64) throws(RegistryError) -> Bool
    /// Grows with every token change: a server reloads its tokens when it moves.
    func tokenGeneration() throws(RegistryError) -> Int64

    /// Calls `handler` with changes made anywhere, until the task is cancelled; returns at once when the store has no
    /// such announcements (a requirement, so a store's own implementation is called through `any RegistryStore`).
    func watch(_ handler: @escaping @Sendable (RegistryEvent) -> Void) async
}

/// What a registry store announces to a process that watches it.
public enum RegistryEvent: Sendable, Hashable {
    /// Connected (again): the registry is at `revision` now.
    case reachable(revision: Int)
    /// A revision was applied, here or anywhere else.
    case revision(Int)
    /// A token was created or revoked.
    case tokens
    /// The registry cannot be reached (the watcher keeps trying, with backoff).
    case unreachable(String)
}

extension RegistryStore {
    /// Calls `handler` with changes made anywhere, until the task is cancelled. The SQLite store has no such
    /// announcements (a server watches its files instead) and returns at once.
    public func watch(_ handler: @escaping @Sendable (RegistryEvent) -> Void) async {}
}
