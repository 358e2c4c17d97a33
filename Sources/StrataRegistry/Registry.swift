public import StrataCore
import Foundation

/// The registry: every version of every definition, with optimistic concurrency on a revision number, in a store that
/// is a SQLite file (the default) or a PostgreSQL database a team shares.
///
/// ```swift
/// let registry = try Registry(path: ".strata/registry.db")
/// let plan = try registry.plan(for: project.definitions, author: "ana")
/// try registry.apply(plan, author: "ana", message: "add driver_stats", allowsBreakingChanges: false)
/// ```
public final class Registry: Sendable {
    public let store: any RegistryStore

    /// Opens (and creates or migrates) the SQLite registry at `path`.
    /// - Throws: `RegistryError.sqlite` when the file cannot be opened or migrated.
    public convenience init(path: String) throws(RegistryError) {
        self.init(store: try SQLiteRegistryStore(path: path))
    }

    public init(store: any RegistryStore) {
        self.store = store
    }

    /// Where the records live: a path, or a URL without its password.
    public var path: String { store.location }

    /// The current registry revision (0 for an empty registry).
    public func revision() throws(RegistryError) -> Int { try store.revision() }

    /// The latest version of every live object and the revision they belong to, read in one transaction.
    public func latestObjectsWithRevision() throws(RegistryError) -> (revision: Int, objects: [RegistryObject]) {
        let (revision, objects) = try store.latestObjects()
        return (revision, Self.sorted(objects).filter { !$0.isRemoved })
    }

    /// The latest version of every object, removed ones included, sorted by kind and name.
    public func latestObjects(includingRemoved: Bool = false) throws(RegistryError) -> [RegistryObject] {
        Self.sorted(try store.latestObjects().objects).filter { includingRemoved || !$0.isRemoved }
    }

    static func sorted(_ objects: [RegistryObject]) -> [RegistryObject] {
        objects.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    /// Every version of every object of one kind, removals included, by name and then version.
    public func allVersions(of kind: DefinitionKind) throws(RegistryError) -> [RegistryObject] {
        try store.objects(kind: kind, name: nil)
    }

    /// Every version of the objects called `name`, oldest first.
    public func history(name: String, kind: DefinitionKind? = nil) throws(RegistryError) -> [RegistryObject] {
        let matching = try store.objects(kind: kind, name: name)
        guard !matching.isEmpty else { throw try unknown(name) }
        let kinds = Set(matching.map(\.kind))
        if kinds.count > 1 { throw .ambiguousName(name: name, kinds: kinds.sorted()) }
        return matching
    }

    /// One version of an object, or the latest when `version` is nil.
    public func object(name: String, kind: DefinitionKind? = nil, version: Int? = nil) throws(RegistryError) -> RegistryObject {
        let versions = try history(name: name, kind: kind)
        guard let version else { return versions[versions.count - 1] }
        guard let found = versions.first(where: { $0.version == version }) else {
            throw .unknownVersion(name: name, version: version, latest: versions[versions.count - 1].version)
        }
        return found
    }

    /// The field-level differences between two versions of an object.
    public func diff(name: String, kind: DefinitionKind? = nil, from: Int, to: Int) throws(RegistryError) -> [FieldChange] {
        let a = try object(name: name, kind: kind, version: from)
        let b = try object(name: name, kind: kind, version: to)
        func definition(_ object: RegistryObject) throws(RegistryError) -> AnyDefinition? {
            guard let spec = object.spec else { return nil }
            return try CanonicalJSON.decode(kind: object.kind, spec, name: object.name, version: object.version)
        }
        return FieldChange.between(try definition(a), try definition(b))
    }

    /// Live objects whose name, description, tags or owner contain `text` (case-insensitive).
    public func search(_ text: String) throws(RegistryError) -> [RegistryObject] {
        let needle = text.lowercased()
        var found: [RegistryObject] = []
        for object in try latestObjects() {
            let summary = try object.summary()
            let haystack = [object.name, summary.description ?? "", summary.owner ?? ""] + summary.tags
            if haystack.contains(where: { $0.lowercased().contains(needle) }) { found.append(object) }
        }
        return found
    }

    /// Every applied revision, newest first.
    public func revisions() throws(RegistryError) -> [RegistryRevision] { try store.revisions() }

    func unknown(_ name: String) throws(RegistryError) -> RegistryError {
        let names = try latestObjects(includingRemoved: true).map(\.name)
        return .unknownObject(name: name, suggestion: nearMiss(name, in: names))
    }
}
