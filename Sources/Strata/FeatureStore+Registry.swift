import Foundation
import Logging
import StrataCore
public import StrataRegistry
import StrataRegistryPostgres
import Synchronization

/// Where a store's registry is, and what a server knows of it.
public struct RegistryStatus: Sendable, Codable, Hashable {
    /// A path, or a URL without its password.
    public var location: String
    /// The revision of the snapshot being served (nil before the first apply).
    public var revision: Int?
    /// False while a PostgreSQL registry cannot be reached (the last good revision keeps serving).
    public var isReachable: Bool
}

extension FeatureStore {
    /// The registry `STRATA_REGISTRY_URL`, else `registry.url` in strata.yaml, names; else `.strata/registry.db`.
    /// - Throws: `ProjectError.badSetting` for a URL that does not parse (or holds a password), `RegistryError.unreachable`.
    static func openRegistry(_ folder: ProjectFolder, settings: ProjectSettings, environment: [String: String], logger: Logger) throws -> Registry {
        guard let text = environment["STRATA_REGISTRY_URL"] ?? settings.registryURL else { return try Registry(path: folder.registryPath) }
        let url: RegistryURL
        switch RegistryURL.parse(text) {
        case .success(let parsed): url = parsed
        case .failure(let problem):
            throw ProjectError.badSetting(field: environment["STRATA_REGISTRY_URL"] != nil ? "STRATA_REGISTRY_URL" : "registry.url", problem: problem.description)
        }
        let passwordFile = settings.registryPasswordFile.map { $0.hasPrefix("/") ? $0 : folder.url(forRelative: $0).path }
        let password: String?
        do {
            password = try url.password(environment: environment, passwordFile: passwordFile)
        } catch {
            throw ProjectError.badSetting(field: "registry.password_file", problem: "cannot read \(passwordFile ?? "it"): \(error)")
        }
        return Registry(store: try PostgresRegistryStore(url: url, password: password, logger: logger))
    }

    /// Watches the registry for changes made anywhere (PostgreSQL `LISTEN`) until cancelled: each new revision or token
    /// change is noted, so the next request uses it at once, and reachability is tracked for `/ready`. Returns at once for
    /// a SQLite registry, whose files are watched instead.
    public func watchRegistry(onChange: @escaping @Sendable (RegistryEvent) -> Void = { _ in }) async {
        registryNotices.withLock { $0.isWatched = true }
        defer { registryNotices.withLock { $0.isWatched = false } }
        await registry.store.watch { [self] event in
            registryNotices.withLock { notices in
                switch event {
                case .reachable(let revision):
                    notices.isReachable = true
                    notices.generation += 1
                    notices.notifiedRevision = revision
                case .revision(let revision):
                    notices.generation += 1
                    notices.notifiedRevision = revision
                case .tokens:
                    notices.tokenGeneration += 1
                case .unreachable:
                    notices.isReachable = false
                }
            }
            onChange(event)
        }
    }

    /// Builds (or confirms) the snapshot of the current revision: a server calls it on its thread pool when the registry
    /// announces a change, so requests find it ready.
    public func snapshotForServing() throws {
        _ = try snapshot()
    }

    /// Where the registry is, which revision is served, and whether the registry can be reached.
    public func registryStatus() -> RegistryStatus {
        let notices = registryNotices.withLock { $0 }
        let revision = snapshotRevision()
        return RegistryStatus(location: registry.path, revision: revision, isReachable: notices.isReachable)
    }

    /// Counts of announced changes (a watched PostgreSQL registry): a snapshot is fresh while they have not moved.
    package var tokenNoticeGeneration: Int64 { registryNotices.withLock { $0.tokenGeneration } }
}

/// What a store's registry watcher has heard.
struct RegistryNotices: Sendable {
    var generation: Int64 = 0
    var tokenGeneration: Int64 = 0
    var notifiedRevision: Int?
    var isReachable = true
    /// True while a watcher listens: it says when the registry is back, so requests need not try it meanwhile.
    var isWatched = false
}
