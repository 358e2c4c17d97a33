public import StrataCore
public import StrataRegistry
public import StrataOffline
public import StrataOnline
import Foundation
import Synchronization

/// The library façade: one project, its registry and its stores.
///
/// ```swift
/// let store = try FeatureStore(projectPath: "drivers")
/// try store.apply(try store.plan(), author: "ana", message: "first version")
/// let reports = try store.ingest()
/// let result = try store.historical(HistoricalRequest(spinePath: "spine.csv", features: .service("driver_activity"), outputPath: "train.csv"))
/// ```
///
/// The stores themselves stay behind the façade (`package` access): higher layers call its methods.
public final class FeatureStore: Sendable {
    public let folder: ProjectFolder
    package let registry: Registry
    package let offline: OfflineStore
    package let online: OnlineStore
    /// The applied project of the latest registry revision seen, and everything derived from it.
    private let snapshotCache = Mutex<SnapshotCache?>(nil)
    private let registryFiles: RegistryStamp.Paths

    /// Opens the project at `projectPath`, creating its `.strata/` state folder, registry, offline and online stores if needed.
    /// The online store's map size comes from `onlineOptions` when given, else from the project's `strata.yaml`
    /// (`online.map_size`, `online.map_size_max`), else the defaults (1 GiB, growing by doubling up to 1 TiB).
    /// - Throws: `ProjectError` for the state folder or settings, `RegistryError`, `OfflineStoreError` or
    ///   `OnlineStoreError` (`.cannotOpen` names the path and the fix) when a store cannot be opened.
    public init(projectPath: String, onlineOptions: OnlineStoreOptions? = nil) throws {
        folder = ProjectFolder(path: projectPath)
        try folder.ensureStateFolder()
        let options = try onlineOptions ?? folder.settings().onlineOptions
        registryFiles = RegistryStamp.Paths(registryPath: folder.registryPath)
        registry = try Registry(path: folder.registryPath)
        offline = try OfflineStore(path: folder.offlinePath)
        online = try OnlineStore(path: folder.onlinePath, options: options)
    }

    /// Loads and compiles the definitions currently on disk.
    /// - Throws: `DefinitionErrors` with every problem, or `ProjectError`.
    public func compileDefinitions() throws -> CompiledProject {
        try folder.compile()
    }

    /// What `apply` would change, against the registry's current revision.
    public func plan() throws -> RegistryPlan {
        try registry.plan(for: try compileDefinitions().definitions)
    }

    /// Applies `plan` as one new registry revision; returns the revision number.
    @discardableResult
    public func apply(_ plan: RegistryPlan, author: String, message: String?, allowsBreakingChanges: Bool = false) throws -> Int {
        let revision = try registry.apply(plan, author: author, message: message, allowsBreakingChanges: allowsBreakingChanges)
        snapshotCache.withLock { $0 = nil }
        return revision
    }

    /// The applied definitions, compiled, with their versions.
    /// - Throws: `FeatureStoreError.nothingApplied` for an empty registry.
    public func appliedProject() throws -> AppliedProject {
        try snapshot().applied
    }

    /// The applied project of the registry's current revision, compiled once per revision. Each call costs two `stat`
    /// calls (`RegistryStamp`); the revision is read from SQLite only when the registry's files changed (or a second
    /// has passed), so an `apply` by this or any other process is seen by the next call.
    package func snapshot() throws -> AppliedSnapshot {
        let stamp = RegistryStamp(registryFiles)
        let now = DispatchTime.now().uptimeNanoseconds
        if let current = snapshotCache.withLock({ cached -> AppliedSnapshot? in
            guard let cached, cached.stamp == stamp, now &- cached.checkedAtNanos < SnapshotCache.recheckNanos else { return nil }
            return cached.snapshot
        }) {
            return current
        }
        let cached = snapshotCache.withLock { $0 }
        let revision = try registry.revision()
        if let cached, cached.snapshot.revision == revision {
            remember(SnapshotCache(snapshot: cached.snapshot, stamp: stamp, checkedAtNanos: now))
            return cached.snapshot
        }
        let (current, objects) = try registry.latestObjectsWithRevision()
        let snapshot = try AppliedSnapshot(revision: current, applied: Self.compile(objects), store: self)
        remember(SnapshotCache(snapshot: snapshot, stamp: stamp, checkedAtNanos: now))
        return snapshot
    }

    /// Stores a checked snapshot, re-checked under the lock: one built from an older revision never replaces a newer one.
    private func remember(_ entry: SnapshotCache) {
        snapshotCache.withLock { cached in
            if cached.map({ $0.snapshot.revision <= entry.snapshot.revision }) ?? true { cached = entry }
        }
    }

    static func compile(_ objects: [RegistryObject]) throws -> AppliedProject {
        guard !objects.isEmpty else { throw FeatureStoreError.nothingApplied }
        var definitions = ProjectDefinitions()
        var versions: [String: Int] = [:]
        for object in objects {
            guard let spec = object.spec else { continue }
            versions["\(object.kind.rawValue)/\(object.name)"] = object.version
            switch try CanonicalJSON.decode(kind: object.kind, spec, name: object.name, version: object.version) {
            case .entity(let e): definitions.entities.append(e)
            case .source(let s): definitions.sources.append(s)
            case .view(let v): definitions.views.append(v)
            case .service(let s): definitions.services.append(s)
            }
        }
        return AppliedProject(compiled: try CompiledProject.compile(definitions: definitions).get(), versions: versions)
    }

    /// The feature table of each applied view, at its current view and source versions.
    public func featureTables(_ applied: AppliedProject) -> [String: FeatureTableSpec] {
        var result: [String: FeatureTableSpec] = [:]
        for (name, view) in applied.compiled.views {
            result[name] = FeatureTableSpec(view: view, viewVersion: applied.version(.view, name), sourceVersion: applied.version(.source, view.source.name))
        }
        return result
    }

    /// Ingests the files of the named sources (all sources when empty), one atomic run per source.
    /// - Throws: `FeatureStoreError.unknownSource`; `OfflineStoreError` (a missing, unreadable or changing file, a bad
    ///   header, a strict-mode rejection, a full disk); a failed run writes nothing.
    public func ingest(sources names: [String] = [], isStrict: Bool = false, now: Int64 = currentMicros(),
                       progress: ((String, Int, Int) -> Void)? = nil) throws -> [IngestReport] {
        try ingest(sources: names, isStrict: isStrict, now: now, crashAfterRows: nil, progress: progress)
    }

    /// `ingest` with fault injection for crash tests: the process kills itself after `crashAfterRows` rows, or pauses
    /// after hashing each file until the test removes the marker file `pauseFile`.
    package func ingest(sources names: [String] = [], isStrict: Bool = false, now: Int64 = currentMicros(), crashAfterRows: Int?,
                        pauseFile: String? = nil, progress: ((String, Int, Int) -> Void)? = nil) throws -> [IngestReport] {
        let applied = try appliedProject()
        let definitions = applied.compiled.definitions
        for name in names where definitions.source(name) == nil {
            throw FeatureStoreError.unknownSource(name, suggestion: nearMiss(name, in: definitions.sources.map(\.name)))
        }
        let tables = featureTables(applied)
        var reports: [IngestReport] = []
        for source in definitions.sources where names.isEmpty || names.contains(source.name) {
            var request = ingestRequest(source, applied: applied, tables: tables, file: folder.url(forRelative: source.path), displayPath: source.path,
                                        isStrict: isStrict, now: now)
            request.crashAfterRows = crashAfterRows
            request.pauseAfterHashing = pauseFile
            reports.append(try recordingFailure(of: request) { try judgedIngest(request) { done, total in progress?(source.name, done, total) } })
        }
        return reports
    }

    /// The request that reads `file` as `source`: its join keys and every view reading it, at the applied versions.
    func ingestRequest(_ source: SourceDefinition, applied: AppliedProject, tables: [String: FeatureTableSpec], file: URL, displayPath: String,
                       isStrict: Bool, now: Int64) -> IngestRequest {
        let definitions = applied.compiled.definitions
        let views = definitions.views.filter { $0.source == source.name }
        let keyColumns = Set(views.flatMap { definitions.joinKeys(of: $0).map(\.name) })
        return IngestRequest(source: source, sourceVersion: applied.version(.source, source.name), keyColumns: keyColumns, file: file,
                             displayPath: displayPath, isStrict: isStrict, now: now, definitionVersions: applied.versionsByName,
                             views: views.compactMap { tables[$0.name] })
    }
}

/// The applied project of one registry revision and what is derived from it, built once per revision.
package struct AppliedSnapshot: Sendable {
    package let revision: Int
    package let applied: AppliedProject
    /// Feature tables by view name.
    package let tables: [String: FeatureTableSpec]
    /// Online layouts by view name.
    package let layouts: [String: OnlineViewLayout]

    init(revision: Int, applied: AppliedProject, store: FeatureStore) {
        self.revision = revision
        self.applied = applied
        tables = store.featureTables(applied)
        layouts = tables.mapValues(store.onlineLayout)
    }
}
