import StrataCore
import StrataOffline
import StrataRegistry

/// Everything a training set depends on besides the spine: which feature tables, which features, which mode, which watermark.
struct TrainingSetPlan: Sendable {
    /// The row features or the aggregations of one view (a view with both requested has two parts).
    struct ViewPart: Sendable {
        var spec: FeatureTableSpec
        var features: [ResolvedFeature]
        var maxIngestSeq: Int64?
        var isAggregation = false
    }

    var views: [ViewPart]
    var corrections: CorrectionsMode
    var isStrict: Bool
    var includesStatus: Bool
    var usesBareNames: Bool

    /// Output columns: `view__feature`, or bare names when asked for and unambiguous.
    func columns() throws -> [TrainingSetColumn] {
        let all = views.enumerated().flatMap { viewIndex, part in
            part.features.enumerated().map { featureIndex, feature in
                TrainingSetColumn(name: usesBareNames ? feature.feature : feature.qualifiedName, type: feature.type, viewIndex: viewIndex, featureIndex: featureIndex)
            }
        }
        if usesBareNames {
            var seen = Set<String>(), doubled: [String] = []
            for column in all where !seen.insert(column.name).inserted { doubled.append(column.name) }
            if !doubled.isEmpty { throw FeatureStoreError.ambiguousBareNames(doubled) }
        }
        return all
    }

    /// Per part, the prefix of its `__status` and `__event_ts` columns: the view's name, or `view__aggregations` for the
    /// aggregations of a view whose row features are requested too.
    var statusPrefixes: [String] {
        views.map { part in
            let name = part.spec.view.definition.name
            let hasRowPart = views.contains { !$0.isAggregation && $0.spec.view.definition.name == name }
            return part.isAggregation && hasRowPart ? "\(name)__aggregations" : name
        }
    }

    /// Rebuilds the plan a manifest recorded, from the registry's stored versions and the storage they were bound to.
    init(manifest: TrainingSetManifest, registry: Registry, resolver: StorageResolver) throws {
        views = try manifest.views.map { info in
            let spec = try FeatureTableSpec.recorded(view: info.name, version: info.version, source: info.source, sourceVersion: info.sourceVersion,
                                                     entities: info.entities, registry: registry, resolver: resolver)
            let isAggregation = info.aggregations ?? false
            let features = try CompiledProject.resolveFeatures(info.features, of: spec.view, aggregations: isAggregation)
            return ViewPart(spec: spec, features: features, maxIngestSeq: info.maxIngestSeq, isAggregation: isAggregation)
        }
        corrections = manifest.correctionsMode
        isStrict = manifest.isStrict
        includesStatus = manifest.includesStatus
        usesBareNames = manifest.usesBareNames
    }

    init(views: [ViewPart], corrections: CorrectionsMode, isStrict: Bool, includesStatus: Bool, usesBareNames: Bool) {
        self.views = views
        self.corrections = corrections
        self.isStrict = isStrict
        self.includesStatus = includesStatus
        self.usesBareNames = usesBareNames
    }
}

extension FeatureTableSpec {
    /// The feature table of a view as recorded at given versions, rebuilt from the registry's stored definitions, with the
    /// storage its source version is bound to (or would read, if it never was).
    static func recorded(view name: String, version: Int, source: String, sourceVersion: Int, entities: [String: Int], registry: Registry,
                         resolver: StorageResolver) throws -> FeatureTableSpec {
        var definitions = ProjectDefinitions()
        guard case .view(let view) = try CanonicalJSON.decode(kind: .view, try spec(registry, .view, name, version)),
              case .source(let sourceDefinition) = try CanonicalJSON.decode(kind: .source, try spec(registry, .source, source, sourceVersion))
        else { throw RegistryError.unknownVersion(name: name, version: version, latest: version) }
        definitions.views = [view]
        definitions.sources = [sourceDefinition]
        for (entity, entityVersion) in entities.sorted(by: { $0.key < $1.key }) {
            if case .entity(let e) = try CanonicalJSON.decode(kind: .entity, try spec(registry, .entity, entity, entityVersion)) { definitions.entities.append(e) }
        }
        let compiled = try CompiledProject.compile(definitions: definitions).get()
        guard let compiledView = compiled.views[name] else { throw RegistryError.unknownVersion(name: name, version: version, latest: version) }
        return resolver.table(compiledView, version: version, source: resolver.resolveSource(sourceDefinition, version: sourceVersion))
    }
}

extension CompiledProject {
    /// Resolves feature names of one view, in order: its row features, or its aggregations.
    static func resolveFeatures(_ names: [String], of view: CompiledView, aggregations: Bool) throws -> [ResolvedFeature] {
        try names.map { name in
            guard let resolved = view.resolve(name), resolved.isAggregation == aggregations else {
                throw Diagnostic("feature view `\(view.definition.name)` has no \(aggregations ? "aggregation" : "feature") `\(name)`", at: nil)
            }
            return resolved
        }
    }
}

private func spec(_ registry: Registry, _ kind: DefinitionKind, _ name: String, _ version: Int) throws -> String {
    guard let spec = try registry.object(name: name, kind: kind, version: version).spec else {
        throw RegistryError.unknownVersion(name: name, version: version, latest: version)
    }
    return spec
}
