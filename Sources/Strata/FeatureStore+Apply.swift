import Foundation
public import StrataCore
import StrataOffline
public import StrataRegistry

/// What an `apply` did.
public struct ApplyReport: Sendable, Codable {
    /// The registry revision now applied (unchanged when the plan was empty).
    public var revision: Int
    public var storage: StoragePlan
    /// Views whose online databases were derived from the rows served before.
    public var derived: [OnlineDerivation]
    public var elapsedMicros: Int64
}

/// Where a crash test makes `apply` kill itself (`STRATA_FAULT_APPLY`).
package enum ApplyFault: String, Sendable {
    /// Inside the transaction that computes a view's new tables.
    case duringBuild = "build"
    /// Inside the commit transaction, before the registry revision is written.
    case beforeRevision = "commit"
    /// Inside the commit transaction, after the registry revision is written and before the storage commits.
    case afterRevision = "revision"
    /// After the commit, before the online databases are derived.
    case beforeOnline = "online"
}

/// The definitions and source history as they will be once a plan is applied.
struct Prospect: Sendable {
    var applied: AppliedProject
    var history: [String: [(version: Int, definition: SourceDefinition?)]]
}

extension FeatureStore {
    /// What applying `plan` would do to stored data (no writes): the cost side of `strata plan`.
    /// - Throws: registry and store errors; a definition that does not compile.
    public func storagePlan(for plan: RegistryPlan) throws -> StoragePlan {
        try storagePlan(plan, prospect: try prospect(plan), previous: try currentSnapshot())
    }

    /// Applies `plan` as one new registry revision, with the storage it needs built first from what is already stored
    /// (never from source files), so that training sets and lookups answer at once and serving never goes dark:
    ///
    /// 1. build: add columns, copy converted sources, compute new and changed feature tables (in their own transactions;
    ///    the previous revision keeps serving, and a killed build is picked up by the next `apply`);
    /// 2. commit: in one offline transaction, catch up what a concurrent ingest or push added, bind the new source
    ///    versions, and write the registry revision (which refuses a plan another `apply` overtook);
    /// 3. online: derive the new online databases from the rows served before (`deriveOnline`).
    ///
    /// An empty plan still finishes steps 2 and 3 for the current revision, so running `apply` again after a kill completes it.
    /// - Throws: `RegistryError.breakingChangesRefused` and `FeatureStoreError.storageChangeRefused` without
    ///   `allowsBreakingChanges`; `RegistryError.changedSincePlan` when another apply landed first (nothing is applied).
    @discardableResult
    public func apply(_ plan: RegistryPlan, author: String, message: String?, allowsBreakingChanges: Bool = false, allowsReverts: Bool = true,
                      now: Int64 = currentMicros(), progress: ((String) -> Void)? = nil) throws -> ApplyReport {
        try apply(plan, author: author, message: message, allowsBreakingChanges: allowsBreakingChanges, allowsReverts: allowsReverts, now: now,
                  fault: nil, progress: progress)
    }

    /// `apply` with fault injection for crash tests: the process kills itself at `fault`.
    @discardableResult
    package func apply(_ plan: RegistryPlan, author: String, message: String?, allowsBreakingChanges: Bool = false, allowsReverts: Bool = true,
                       now: Int64 = currentMicros(), fault: ApplyFault?, progress: ((String) -> Void)? = nil) throws -> ApplyReport {
        let started = DispatchTime.now().uptimeNanoseconds
        let previous = try currentSnapshot()
        let prospect = try prospect(plan)
        let storage = try storagePlan(plan, prospect: prospect, previous: previous)
        if !allowsBreakingChanges, !storage.refusals.isEmpty {
            // What the stored rows cannot take is named first (with the row); the breaking reasons follow.
            let breaking = plan.breakingChanges.flatMap { change in change.reasons.map { "\(change.kind.displayName) `\(change.name)`: \($0)" } }
            throw FeatureStoreError.storageChangeRefused(reasons: storage.refusals + breaking, drops: storage.drops)
        }
        if !allowsBreakingChanges, !plan.breakingChanges.isEmpty { throw RegistryError.breakingChangesRefused(plan.breakingChanges) }
        let reverts = plan.changes.compactMap(\.reverts)
        if !allowsReverts, !reverts.isEmpty { throw RegistryError.revertsRefused(reverts) }
        if let previous { try recordServing(previous) }
        try build(prospect, now: now, fault: fault, progress: progress)
        var revision = plan.baseRevision
        try offline.storageWrite("apply revision \(plan.baseRevision + 1)") { writer in
            let resolver = StorageResolver(history: prospect.history, catalog: try writer.catalog())
            try prepare(AppliedSnapshot(revision: 0, applied: prospect.applied, resolver: resolver, store: self), writer, now: now)
            try refreshTables(prospect.applied, history: prospect.history, writer)
            if fault == .beforeRevision { kill(getpid(), SIGKILL) }
            // Also for an empty plan: the registry checks it was made against the current revision.
            revision = try registry.apply(plan, author: author, message: message, allowsBreakingChanges: allowsBreakingChanges, allowsReverts: allowsReverts,
                                          now: now)
            if fault == .afterRevision { kill(getpid(), SIGKILL) }
        }
        forgetSnapshot()
        if fault == .beforeOnline { kill(getpid(), SIGKILL) }
        let derived = prospect.applied.compiled.views.isEmpty ? [] : try deriveOnline(try snapshot(), progress: progress)
        return ApplyReport(revision: revision, storage: storage, derived: derived, elapsedMicros: Int64((DispatchTime.now().uptimeNanoseconds - started) / 1000))
    }

    /// The current snapshot, or nil before the first apply.
    func currentSnapshot() throws -> AppliedSnapshot? {
        do {
            return try snapshot()
        } catch FeatureStoreError.nothingApplied {
            return nil
        }
    }

    /// The applied project and source history once `plan` is applied.
    func prospect(_ plan: RegistryPlan) throws -> Prospect {
        var objects: [String: (kind: DefinitionKind, name: String, version: Int, spec: String?)] = [:]
        for object in try registry.latestObjects() { objects["\(object.kind.rawValue)/\(object.name)"] = (object.kind, object.name, object.version, object.spec) }
        var history = try StorageResolver.history(registry)
        for change in plan.changes {
            objects["\(change.kind.rawValue)/\(change.name)"] = change.action == .removed ? nil : (change.kind, change.name, change.toVersion, change.spec)
            guard change.kind == .source else { continue }
            var definition: SourceDefinition?
            if let spec = change.spec, case .source(let source) = try CanonicalJSON.decode(kind: .source, spec, name: change.name, version: change.toVersion) {
                definition = source
            }
            history[change.name, default: []].append((change.toVersion, definition))
        }
        let sorted = objects.values.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
        let applied = sorted.isEmpty ? AppliedProject(compiled: try CompiledProject.compile(definitions: ProjectDefinitions()).get(), versions: [:])
                                     : try Self.compile(sorted)
        return Prospect(applied: applied, history: history)
    }

    /// Step 1 of `apply`: what can be built before the revision exists, each in its own transaction.
    private func build(_ prospect: Prospect, now: Int64, fault: ApplyFault?, progress: ((String) -> Void)?) throws {
        let resolver = StorageResolver(history: prospect.history, catalog: try offline.storageCatalog())
        var prepared: [String: StoredTable] = [:]
        for source in prospect.applied.compiled.definitions.sources {
            let resolution = resolver.resolveSource(source, version: prospect.applied.version(.source, source.name))
            switch resolution.change {
            case .addColumns, .convert:
                progress?("source \(source.name): \(Self.describe(resolution.change))")
                prepared[source.name] = try offline.storageWrite("prepare the storage of \(source.name)") { writer in
                    try self.prepared(resolution, writer, now: now)
                }
            case .none: prepared[source.name] = resolution.storage
            case .create, .newFamily: break
            }
        }
        let catalog = try offline.storageCatalog()
        let built = StorageResolver(history: prospect.history, catalog: catalog)
        for name in prospect.applied.compiled.views.keys.sorted() {
            guard let view = prospect.applied.compiled.views[name], let storage = prepared[view.source.name] else { continue }
            let spec = built.table(view, version: prospect.applied.version(.view, name), sourceVersion: prospect.applied.version(.source, view.source.name),
                                   storage: storage)
            guard catalog.derived(.features, object: name, fingerprint: StorageIdentity.featureTable(view), family: storage.family) == nil
                    || (!view.aggregations.isEmpty
                        && catalog.derived(.aggregationEvents, object: name, fingerprint: StorageIdentity.aggregationEvents(view), family: storage.family) == nil)
            else { continue }
            progress?("view \(name): computing \(view.features.count) feature(s)\(view.aggregations.isEmpty ? "" : " and the events of \(view.aggregations.count) aggregation(s)") from the stored rows of \(view.source.name)")
            let started = DispatchTime.now().uptimeNanoseconds
            let rows = try offline.storageWrite("compute the tables of \(name)") { writer -> Int in
                let rows = try writer.refresh(spec)
                if fault == .duringBuild { kill(getpid(), SIGKILL) }
                return rows
            }
            progress?("view \(name): \(rows) feature rows in \(String(format: "%.2f", Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)) s")
        }
    }

    static func describe(_ change: SourceStorageChange) -> String {
        switch change {
        case .none: return "no change to stored rows"
        case .addColumns(let columns): return "adding column\(columns.count == 1 ? "" : "s") \(columns.map { "`\($0.name)`" }.joined(separator: ", "))"
        case .convert(let conversions): return "converting \(conversions.map { "`\($0.column)` to \($0.to)" }.joined(separator: ", "))"
        case .newFamily(let reason): return reason
        case .create: return "nothing stored yet"
        }
    }
}
