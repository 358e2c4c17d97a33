public import StrataCore
import Foundation

extension Registry {
    /// Compares `definitions` with the registry's latest versions. With `author`, a change that sets an object back to an
    /// earlier version's content, or removes it, while its current version was applied by someone else, is marked as a
    /// revert (`PlannedChange.reverts`): a stale checkout must not silently undo a teammate's work.
    public func plan(for definitions: ProjectDefinitions, author: String? = nil) throws(RegistryError) -> RegistryPlan {
        let (revision, latest) = try store.latestObjects()
        var plan: RegistryPlan
        do {
            plan = try RegistryPlan.compute(current: latest, desired: definitions, baseRevision: revision)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .corruptRecord(record: "the plan", reason: "\(error)")
        }
        guard let author else { return plan }
        for index in plan.changes.indices {
            let change = plan.changes[index]
            guard let current = latest.first(where: { $0.kind == change.kind && $0.name == change.name }), current.author != author else { continue }
            if change.action == .removed {
                plan.changes[index].reverts = "removes \(current.author)'s \(change.kind.displayName) `\(change.name)` (revision \(current.revision))"
                continue
            }
            let earlier = try store.objects(kind: change.kind, name: change.name).filter { $0.version < current.version && $0.spec != nil }
            if let spec = change.spec, earlier.contains(where: { $0.spec == spec }) {
                plan.changes[index].reverts = "reverts \(current.author)'s change of revision \(current.revision) to \(change.kind.displayName) `\(change.name)`"
            }
        }
        return plan
    }

    /// Writes a plan as one new revision, atomically.
    ///
    /// - Throws: `RegistryError.changedSincePlan` when another apply landed after the plan was made;
    ///   `.breakingChangesRefused` when the plan has breaking changes and `allowsBreakingChanges` is false;
    ///   `.revertsRefused` when it undoes someone else's change and `allowsReverts` is false.
    @discardableResult
    public func apply(_ plan: RegistryPlan, author: String, message: String?, allowsBreakingChanges: Bool, allowsReverts: Bool = true,
                      now: Int64 = currentMicros()) throws(RegistryError) -> Int {
        if !allowsBreakingChanges, !plan.breakingChanges.isEmpty { throw .breakingChangesRefused(plan.breakingChanges) }
        let reverts = plan.changes.compactMap(\.reverts)
        if !allowsReverts, !reverts.isEmpty { throw .revertsRefused(reverts) }
        return try store.commit(plan, author: author, message: message, now: now)
    }
}

extension Registry {
    public func recordTrainingSet(id: String, createdAtMicros: Int64, manifest: String) throws(RegistryError) {
        try store.recordTrainingSet(id: id, createdAtMicros: createdAtMicros, manifest: manifest)
    }

    /// The manifest JSON of a training set, or nil when there is none with that id.
    public func trainingSetManifest(id: String) throws(RegistryError) -> String? { try store.trainingSetManifest(id: id) }

    /// Every training set's id and manifest JSON, newest first.
    public func trainingSetManifestRecords() throws(RegistryError) -> [(id: String, manifest: String)] { try store.trainingSetManifests() }

    public func recordCheckReport(id: String, createdAtMicros: Int64, report: String) throws(RegistryError) {
        try store.recordCheckReport(id: id, createdAtMicros: createdAtMicros, report: report)
    }

    /// Every check report's id and JSON, newest first.
    public func checkReportRecords() throws(RegistryError) -> [(id: String, report: String)] { try store.checkReports() }

    /// How many training sets and check reports are recorded: a cheap stamp that tells a cache of decoded manifests
    /// or reports whether it is stale (records are only ever added, never changed or removed).
    package func recordCounts() throws(RegistryError) -> (trainingSets: Int, checkReports: Int) { try store.recordCounts() }

    /// Records the start of a run; returns its id.
    public func startJobRun(kind: String, startedAtMicros: Int64, detail: String) throws(RegistryError) -> Int64 {
        try store.startJobRun(kind: kind, startedAtMicros: startedAtMicros, detail: detail)
    }

    /// Records how a run ended, with its final detail (what it wrote) and, for a failure, what went wrong.
    public func finishJobRun(id: Int64, finishedAtMicros: Int64, outcome: JobRunRecord.Outcome, error: String?, detail: String) throws(RegistryError) {
        try store.finishJobRun(id: id, finishedAtMicros: finishedAtMicros, outcome: outcome, error: error, detail: detail)
    }

    /// Every recorded job run, oldest first.
    public func jobRuns() throws(RegistryError) -> [JobRunRecord] { try store.jobRuns() }

    /// Records the profile (JSON) of training set `id`.
    public func recordTrainingSetProfile(id: String, profile: String) throws(RegistryError) { try store.recordTrainingSetProfile(id: id, profile: profile) }

    /// The profile JSON of a training set; nil when none was recorded.
    public func trainingSetProfile(id: String) throws(RegistryError) -> String? { try store.trainingSetProfile(id: id) }

    /// Records a drift report; returns its id.
    @discardableResult
    public func recordDriftReport(createdAtMicros: Int64, service: String, reference: String, current: String, origin: String,
                                  isDrifting: Bool, report: String) throws(RegistryError) -> Int64 {
        try store.recordDriftReport(DriftReportRow(id: 0, createdAtMicros: createdAtMicros, service: service, reference: reference, current: current,
                                                   origin: origin, isDrifting: isDrifting, report: report))
    }

    /// Drift reports, newest first, optionally of one service, at most `limit`.
    public func driftReports(service: String? = nil, limit: Int = 100) throws(RegistryError) -> [DriftReportRow] {
        try store.driftReports(service: service, limit: limit)
    }

    /// One drift report; nil when there is none with that id.
    public func driftReport(id: Int64) throws(RegistryError) -> DriftReportRow? { try store.driftReport(id: id) }
}
