public import StrataCore
public import StrataRegistry
public import StrataOffline
public import StrataOnline
public import Logging
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
    /// Where the façade reports what it cannot throw: a failed run the registry could not record, a damaged record
    /// skipped by a background task. The server passes its own.
    public let logger: Logger
    /// The project's `strata.yaml`, read when the store opened.
    public let settings: ProjectSettings
    /// The applied project of the latest registry revision seen, and everything derived from it.
    private let snapshotCache = Mutex<SnapshotCache?>(nil)
    /// What the registry watcher (a server's) has heard: new revisions and token changes made anywhere, reachability.
    let registryNotices = Mutex(RegistryNotices())
    private let registryFiles: RegistryStamp.Paths
    /// The feature log, opened on first use (most commands never touch it) and then shared: `featureLog()`.
    private let featureLogHandle = Mutex<FeatureLogStore?>(nil)

    /// Opens the project at `projectPath`, creating its `.strata/` state folder, registry, offline and online stores if needed.
    /// The online store's map size comes from `onlineOptions` when given, else from the project's `strata.yaml`
    /// (`online.map_size`, `online.map_size_max`), else the defaults (1 GiB, growing by doubling up to 1 TiB).
    /// - Throws: `ProjectError` for the state folder or settings, `RegistryError`, `OfflineStoreError` or
    ///   `OnlineStoreError` (`.cannotOpen` names the path and the fix) when a store cannot be opened.
    public init(projectPath: String, onlineOptions: OnlineStoreOptions? = nil, logger: Logger = Logger(label: "strata")) throws {
        self.logger = logger
        folder = ProjectFolder(path: projectPath)
        try folder.ensureStateFolder()
        settings = try folder.settings()
        let options = onlineOptions ?? settings.onlineOptions
        registryFiles = RegistryStamp.Paths(registryPath: folder.registryPath)
        registry = try Self.openRegistry(folder, settings: settings, environment: ProcessInfo.processInfo.environment, logger: logger)
        offline = try OfflineStore(path: folder.offlinePath)
        online = try OnlineStore(path: folder.onlinePath, options: options)
        if try offline.needsLegacyAdoption() { try adoptLegacyStorage() }
    }

    /// The project's feature log: one handle per store, opened on first use, shared by everything in the process that
    /// writes or reads served rows (the server's logger, in-process lookups, the checker, quality profiles, retention).
    /// - Throws: `DatabaseError` from GRDB when the file cannot be opened or migrated.
    package func featureLog() throws -> FeatureLogStore {
        try featureLogHandle.withLock { handle in
            if let handle { return handle }
            let opened = try FeatureLogStore(path: folder.featureLogPath)
            handle = opened
            return opened
        }
    }

    /// Loads and compiles the definitions currently on disk.
    /// - Throws: `DefinitionErrors` with every problem, or `ProjectError`.
    public func compileDefinitions() throws -> CompiledProject {
        try folder.compile()
    }

    /// What `apply` would change, against the registry's current revision.
    public func plan(author: String? = nil) throws -> RegistryPlan {
        try registry.plan(for: try compileDefinitions().definitions, author: author)
    }

    /// The applied definitions, compiled, with their versions.
    /// - Throws: `FeatureStoreError.nothingApplied` for an empty registry.
    public func appliedProject() throws -> AppliedProject {
        try snapshot().applied
    }

    /// The applied project of the registry's current revision and the stored tables it resolves to, built once per
    /// revision and storage-catalog generation. Each call costs two `stat` calls (`RegistryStamp`); the revision and the
    /// catalog generation are read from SQLite only when the registry's files changed or were written too recently to
    /// tell (`RegistryStamp.isRacy`), or a second has passed, so an `apply` by this or any other process is seen by the
    /// next call, and a first ingest within a second.
    package func snapshot() throws -> AppliedSnapshot {
        let stamp = RegistryStamp(registryFiles, notices: registryNotices.withLock { $0.generation })
        let now = DispatchTime.now().uptimeNanoseconds
        if let current = snapshotCache.withLock({ cached -> AppliedSnapshot? in
            guard let cached, cached.stamp == stamp, !cached.stamp.isRacy, now &- cached.checkedAtNanos < SnapshotCache.recheckNanos else { return nil }
            return cached.snapshot
        }) {
            return current
        }
        let cached = snapshotCache.withLock { $0 }
        // While a watched registry is away, serve the last good revision without trying it on the request path (a
        // connect to a host that went quiet waits seconds); the watcher's reconnect moves the generation.
        if let cached, cached.stamp == stamp, registryNotices.withLock({ $0.isWatched && !$0.isReachable }) { return cached.snapshot }
        do {
            let revision = try registry.revision()
            registryNotices.withLock { $0.isReachable = true }
            let generation = try offline.catalogGeneration()
            if let cached, cached.snapshot.revision == revision, cached.snapshot.catalogGeneration == generation {
                remember(SnapshotCache(snapshot: cached.snapshot, stamp: stamp, checkedAtNanos: now))
                return cached.snapshot
            }
            let (current, objects) = try registry.latestObjectsWithRevision()
            let snapshot = try AppliedSnapshot(revision: current, applied: Self.compile(objects), resolver: try storageResolver(), store: self)
            remember(SnapshotCache(snapshot: snapshot, stamp: stamp, checkedAtNanos: now))
            return snapshot
        } catch RegistryError.unreachable(let location, let message) {
            // A shared registry that went away: keep serving the last good revision, and say so in `/ready`.
            guard let cached else { throw RegistryError.unreachable(location: location, message: message) }
            registryNotices.withLock { $0.isReachable = false }
            logger.warning("the registry at \(location) cannot be reached (\(message)); serving revision \(cached.snapshot.revision)")
            remember(SnapshotCache(snapshot: cached.snapshot, stamp: stamp, checkedAtNanos: now))
            return cached.snapshot
        }
    }

    /// The revision of the snapshot in use, nil before the first.
    func snapshotRevision() -> Int? {
        snapshotCache.withLock { $0?.snapshot.revision }
    }

    /// Stores a checked snapshot, re-checked under the lock: one built from an older revision or catalog never
    /// replaces a newer one.
    private func remember(_ entry: SnapshotCache) {
        snapshotCache.withLock { cached in
            if cached.map({ ($0.snapshot.revision, $0.snapshot.catalogGeneration) <= (entry.snapshot.revision, entry.snapshot.catalogGeneration) }) ?? true {
                cached = entry
            }
        }
    }

    /// Forgets the cached snapshot after this process changed the registry or the catalog.
    func forgetSnapshot() {
        snapshotCache.withLock { $0 = nil }
    }

    /// The resolver of the current catalog and source history.
    func storageResolver() throws -> StorageResolver {
        StorageResolver(history: try StorageResolver.history(registry), catalog: try offline.storageCatalog())
    }

    static func compile(_ objects: [RegistryObject]) throws -> AppliedProject {
        guard !objects.isEmpty else { throw FeatureStoreError.nothingApplied }
        return try compile(objects.map { ($0.kind, $0.name, $0.version, $0.spec) })
    }

    /// Compiles stored definitions: (kind, name, version, canonical JSON; nil for a removal).
    static func compile(_ objects: [(kind: DefinitionKind, name: String, version: Int, spec: String?)]) throws -> AppliedProject {
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

    /// The feature table of each applied view, with its storage (prepared when the revision is new to this store).
    public func featureTables() throws -> [String: FeatureTableSpec] {
        try preparedSnapshot().tables
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
        let definitions = try appliedProject().compiled.definitions
        for name in names where definitions.source(name) == nil {
            throw FeatureStoreError.unknownSource(name, suggestion: nearMiss(name, in: definitions.sources.map(\.name)))
        }
        var reports: [IngestReport] = []
        for source in definitions.sources where names.isEmpty || names.contains(source.name) {
            let report = try writingToCurrentStorage { snapshot in
                guard let current = snapshot.applied.compiled.definitions.source(source.name) else {
                    throw FeatureStoreError.unknownSource(source.name, suggestion: nil)
                }
                var request = try ingestRequest(current, snapshot: snapshot, input: .file(folder.url(forRelative: current.path)), displayPath: current.path,
                                                isStrict: isStrict, now: now)
                request.crashAfterRows = crashAfterRows
                request.pauseAfterHashing = pauseFile
                return try recordingFailure(of: request) { try judgedIngest(request) { done, total in progress?(source.name, done, total) } }
            }
            reports.append(report)
        }
        return reports
    }

    /// The request that stores `input` as `source`: its storage, its join keys and every view reading it, at the
    /// snapshot's versions, checking inside its transaction that the registry has not moved on.
    func ingestRequest(_ source: SourceDefinition, snapshot: AppliedSnapshot, input: IngestInput, displayPath: String, isStrict: Bool,
                       now: Int64) throws -> IngestRequest {
        guard let resolution = snapshot.sources[source.name], resolution.isBound, let storage = resolution.storage else {
            throw FeatureStoreError.storageNotPrepared(source: source.name)
        }
        let definitions = snapshot.applied.compiled.definitions
        let views = definitions.views.filter { $0.source == source.name }
        let keyColumns = Set(views.flatMap { definitions.joinKeys(of: $0).map(\.name) })
        var request = IngestRequest(source: source, sourceVersion: resolution.version, storage: storage, keyColumns: keyColumns, input: input,
                                    displayPath: displayPath, isStrict: isStrict, now: now, definitionVersions: snapshot.applied.versionsByName,
                                    views: views.compactMap { snapshot.tables[$0.name] })
        request.checkBeforeWriting = revisionCheck(snapshot.revision)
        return request
    }
}

/// The applied project of one registry revision, the stored tables it resolves to, and what is derived from them,
/// built once per revision and catalog generation.
package struct AppliedSnapshot: Sendable {
    package let revision: Int
    package let applied: AppliedProject
    /// The storage catalog generation the tables were resolved with.
    package let catalogGeneration: Int64
    /// Where each source's rows live, by source name.
    let sources: [String: SourceResolution]
    /// Feature tables by view name.
    package let tables: [String: FeatureTableSpec]
    /// Online layouts by view name.
    package let layouts: [String: OnlineViewLayout]

    init(revision: Int, applied: AppliedProject, resolver: StorageResolver, store: FeatureStore) {
        self.revision = revision
        self.applied = applied
        catalogGeneration = resolver.catalog.generation
        var sources: [String: SourceResolution] = [:]
        for source in applied.compiled.definitions.sources {
            sources[source.name] = resolver.resolveSource(source, version: applied.version(.source, source.name))
        }
        self.sources = sources
        var tables: [String: FeatureTableSpec] = [:]
        for (name, view) in applied.compiled.views {
            guard let source = sources[view.source.name] else { continue }
            tables[name] = resolver.table(view, version: applied.version(.view, name), source: source)
        }
        self.tables = tables
        layouts = tables.mapValues(store.onlineLayout)
    }

    /// True when every source version is bound to its storage: writers can store rows without preparing anything.
    var isPrepared: Bool { sources.values.allSatisfy(\.isBound) }
}
