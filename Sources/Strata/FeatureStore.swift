public import StrataCore
public import StrataRegistry
public import StrataOffline
public import StrataOnline
import Foundation

/// The library façade: one project, its registry and its stores.
///
/// ```swift
/// let store = try FeatureStore(projectPath: "drivers")
/// try store.apply(try store.plan(), author: "ana", message: "first version")
/// let reports = try store.ingest()
/// let result = try store.historical(HistoricalRequest(spinePath: "spine.csv", features: .service("driver_activity"), outputPath: "train.csv"))
/// ```
public final class FeatureStore: Sendable {
    public let folder: ProjectFolder
    public let registry: Registry
    public let offline: OfflineStore
    public let online: OnlineStore

    /// Opens the project at `projectPath`, creating its `.strata/` state folder, registry, offline and online stores if needed.
    public init(projectPath: String, onlineOptions: OnlineStoreOptions = .init()) throws {
        folder = ProjectFolder(path: projectPath)
        try folder.ensureStateFolder()
        registry = try Registry(path: folder.registryPath)
        offline = try OfflineStore(path: folder.offlinePath)
        online = try OnlineStore(path: folder.onlinePath, options: onlineOptions)
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
        try registry.apply(plan, author: author, message: message, allowsBreakingChanges: allowsBreakingChanges)
    }

    /// The applied definitions, compiled, with their versions.
    /// - Throws: `FeatureStoreError.nothingApplied` for an empty registry.
    public func appliedProject() throws -> AppliedProject {
        let objects = try registry.latestObjects()
        guard !objects.isEmpty else { throw FeatureStoreError.nothingApplied }
        var definitions = ProjectDefinitions()
        var versions: [String: Int] = [:]
        for object in objects {
            guard let spec = object.spec else { continue }
            versions["\(object.kind.rawValue)/\(object.name)"] = object.version
            switch try CanonicalJSON.decode(kind: object.kind, spec) {
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
    public func ingest(sources names: [String] = [], isStrict: Bool = false, now: Int64 = currentMicros(), crashAfterRows: Int? = nil,
                       progress: ((String, Int, Int) -> Void)? = nil) throws -> [IngestReport] {
        let applied = try appliedProject()
        let definitions = applied.compiled.definitions
        for name in names where definitions.source(name) == nil {
            throw FeatureStoreError.unknownSource(name, suggestion: nearMiss(name, in: definitions.sources.map(\.name)))
        }
        let tables = featureTables(applied)
        var reports: [IngestReport] = []
        for source in definitions.sources where names.isEmpty || names.contains(source.name) {
            let views = definitions.views.filter { $0.source == source.name }
            let keyColumns = Set(views.flatMap { definitions.joinKeys(of: $0).map(\.name) })
            let request = IngestRequest(source: source, sourceVersion: applied.version(.source, source.name), keyColumns: keyColumns,
                                        file: folder.url(forRelative: source.path), displayPath: source.path, isStrict: isStrict, now: now,
                                        definitionVersions: applied.versionsByName, views: views.compactMap { tables[$0.name] },
                                        crashAfterRows: crashAfterRows)
            reports.append(try recordingFailure(of: request) { try offline.ingest(request) { done, total in progress?(source.name, done, total) } })
        }
        return reports
    }
}
