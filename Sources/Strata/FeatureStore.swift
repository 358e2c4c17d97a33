public import StrataCore
public import StrataRegistry

/// The library façade: one project, its registry and its stores.
///
/// ```swift
/// let store = try FeatureStore(projectPath: "drivers")
/// let plan = try store.plan()
/// try store.apply(plan, author: "ana", message: "first version")
/// ```
public final class FeatureStore: Sendable {
    public let folder: ProjectFolder
    public let registry: Registry

    /// Opens the project at `projectPath`, creating its `.strata/` state folder and registry if needed.
    public init(projectPath: String) throws {
        folder = ProjectFolder(path: projectPath)
        try folder.ensureStateFolder()
        registry = try Registry(path: folder.registryPath)
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
}
