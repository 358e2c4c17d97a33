import StrataCore
import StrataOffline
import StrataRegistry

/// Where one source version's rows live, and what writing to it first needs.
struct SourceResolution: Sendable {
    var definition: SourceDefinition
    var version: Int
    /// The version's identity fingerprint (`StorageIdentity.source`).
    var fingerprint: String
    /// The storage readers use: the bound one, or the nearest bound predecessor's (nil when nothing is stored).
    var storage: StoredTable?
    /// What a writer must do before the version's rows can be stored: `.none` once bound.
    var change: SourceStorageChange
    /// True when the version is bound to `storage` in the catalog.
    var isBound: Bool
    /// The nearest earlier version bound to a storage, with its definition.
    var predecessor: (version: Int, definition: SourceDefinition)?

    /// True when readers can use `storage` as it is for this version (same time columns and column types; columns the
    /// storage lacks read as null).
    var isReadable: Bool {
        switch change {
        case .none, .addColumns: return storage != nil
        case .convert, .newFamily, .create: return false
        }
    }
}

/// Resolves applied definitions to stored tables from the catalog and the registry's source history, without writing:
/// a pure function, tested without a database (`StorageResolverTests`).
struct StorageResolver {
    /// Every version of every source, by name, oldest first (nil definition for a removal).
    var history: [String: [(version: Int, definition: SourceDefinition?)]]
    var catalog: StorageCatalog

    /// The storage of each source version in `versions`.
    func resolveSource(_ source: SourceDefinition, version: Int) -> SourceResolution {
        let fingerprint = StorageIdentity.source(source)
        if let bound = catalog.binding(source: source.name, version: version, fingerprint: fingerprint) {
            return SourceResolution(definition: source, version: version, fingerprint: fingerprint, storage: bound, change: .none, isBound: true,
                                    predecessor: nil)
        }
        // Walk back to the nearest version that is bound under the fingerprint the registry holds for it: a binding an
        // apply wrote before losing its race names another fingerprint and is passed over.
        for (earlier, definition) in (history[source.name] ?? []).reversed() where earlier < version {
            guard let definition else { continue }
            guard let storage = catalog.binding(source: source.name, version: earlier, fingerprint: StorageIdentity.source(definition)) else { continue }
            let change = SourceStorageChange.between(storage: storage, previous: definition, next: source)
            return SourceResolution(definition: source, version: version, fingerprint: fingerprint, storage: storage, change: change, isBound: false,
                                    predecessor: (earlier, definition))
        }
        return SourceResolution(definition: source, version: version, fingerprint: fingerprint, storage: nil, change: .create, isBound: false,
                                predecessor: nil)
    }

    /// The feature table spec of a view, reading its source as `source` resolves it.
    func table(_ view: CompiledView, version: Int, source: SourceResolution) -> FeatureTableSpec {
        let readable = source.isReadable ? source.storage : nil
        var storage = ViewStorage.resolve(view, source: readable, catalog: catalog)
        if readable == nil, let existing = source.storage, case .convert = source.change {
            // A type change keeps the family: until the converted copy exists, derived tables are named in it already.
            storage = ViewStorage.resolve(view, source: existing, catalog: catalog)
            storage.source = ""
        }
        return FeatureTableSpec(view: view, viewVersion: version, sourceVersion: source.version, storage: storage)
    }

    /// The feature table spec of a view computed from a given source storage (one prepared but not bound yet).
    func table(_ view: CompiledView, version: Int, sourceVersion: Int, storage: StoredTable?) -> FeatureTableSpec {
        FeatureTableSpec(view: view, viewVersion: version, sourceVersion: sourceVersion, storage: ViewStorage.resolve(view, source: storage, catalog: catalog))
    }

    /// Reads the history a resolver needs from the registry.
    static func history(_ registry: Registry) throws -> [String: [(version: Int, definition: SourceDefinition?)]] {
        var result: [String: [(version: Int, definition: SourceDefinition?)]] = [:]
        for object in try registry.allVersions(of: .source) {
            var definition: SourceDefinition?
            if let spec = object.spec, case .source(let source) = try CanonicalJSON.decode(kind: .source, spec, name: object.name, version: object.version) {
                definition = source
            }
            result[object.name, default: []].append((object.version, definition))
        }
        return result
    }
}
