import StrataCore
import StrataOffline
import StrataRegistry

/// Which registry versions and training sets use each stored table.
struct StorageUses {
    /// `kind/table` → `feature_view driver_stats v2`, `source trips v1`, …
    var versions: [String: Set<String>] = [:]
    /// Table → training set ids.
    var trainingSets: [String: Set<String>] = [:]
}

extension FeatureStore {
    /// Replays every registry revision to find which source and view versions were applied together, resolves each
    /// pair to its tables, and resolves every recorded training set's views the way `--reproduce` does.
    func storageUses(catalog: StorageCatalog) throws -> StorageUses {
        var uses = StorageUses()
        let resolver = StorageResolver(history: try StorageResolver.history(registry), catalog: catalog)
        var objects: [DefinitionKind: [RegistryObject]] = [:]
        for kind in DefinitionKind.allCases { objects[kind] = try registry.allVersions(of: kind) }
        let revisions = Set(objects.values.flatMap { $0.map(\.revision) }).sorted()
        var seen = Set<String>()
        for revision in revisions {
            // The latest version of each object applied at or before this revision.
            var live: [(kind: DefinitionKind, name: String, version: Int, spec: String?)] = []
            for versions in objects.values {
                var latest: [String: RegistryObject] = [:]
                for object in versions where object.revision <= revision { latest[object.name] = object }
                live += latest.values.filter { $0.spec != nil }.map { ($0.kind, $0.name, $0.version, $0.spec) }
            }
            let key = live.map { "\($0.kind.rawValue)/\($0.name)/\($0.version)" }.sorted().joined(separator: ",")
            guard seen.insert(key).inserted, let applied = try? Self.compile(live.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }) else { continue }
            for source in applied.compiled.definitions.sources {
                let version = applied.version(.source, source.name)
                if let storage = resolver.resolveSource(source, version: version).storage {
                    uses.versions["source/\(storage.tableName)", default: []].insert("source \(source.name) v\(version)")
                }
            }
            for (name, view) in applied.compiled.views {
                let version = applied.version(.view, name)
                let spec = resolver.table(view, version: version, source: resolver.resolveSource(view.source, version: applied.version(.source, view.source.name)))
                let label = "feature_view \(name) v\(version)"
                uses.versions["features/\(spec.tableName)", default: []].insert(label)
                if !view.aggregations.isEmpty {
                    uses.versions["aggregation_events/\(spec.aggregationTableName)", default: []].insert(label)
                    uses.versions["aggregation_tiles/\(spec.aggregationTilesName)", default: []].insert(label)
                }
            }
        }
        for manifest in try trainingSetManifests() {
            let id = manifest.id
            for info in manifest.views {
                let spec = try FeatureTableSpec.recorded(view: info.name, version: info.version, source: info.source, sourceVersion: info.sourceVersion,
                                                         entities: info.entities, registry: registry, resolver: resolver)
                for table in [spec.sourceTableName, info.aggregations == true ? spec.aggregationTableName : spec.tableName, info.table] where !table.isEmpty {
                    uses.trainingSets[table, default: []].insert(id)
                }
            }
        }
        return uses
    }
}
