import StrataCore
import StrataOffline
import StrataRegistry

/// Everything a training set depends on besides the spine: which feature tables, which features, which mode, which watermark.
struct TrainingSetPlan {
    struct ViewPart {
        var spec: FeatureTableSpec
        var features: [ResolvedFeature]
        var maxIngestSeq: Int64?
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

    /// Rebuilds the plan a manifest recorded, from the registry's stored versions.
    init(manifest: TrainingSetManifest, registry: Registry) throws {
        var parts: [ViewPart] = []
        for info in manifest.views {
            var definitions = ProjectDefinitions()
            guard case .view(let view) = try CanonicalJSON.decode(kind: .view, try spec(registry, .view, info.name, info.version)),
                  case .source(let source) = try CanonicalJSON.decode(kind: .source, try spec(registry, .source, info.source, info.sourceVersion))
            else { throw OfflineStoreError.unknownTrainingSet(id: manifest.id) }
            definitions.views = [view]
            definitions.sources = [source]
            for (entity, version) in info.entities.sorted(by: { $0.key < $1.key }) {
                if case .entity(let e) = try CanonicalJSON.decode(kind: .entity, try spec(registry, .entity, entity, version)) { definitions.entities.append(e) }
            }
            let compiled = try CompiledProject.compile(definitions: definitions).get()
            guard let compiledView = compiled.views[info.name] else { throw OfflineStoreError.unknownTrainingSet(id: manifest.id) }
            let references = info.features.map { FeatureReference(view: info.name, feature: $0) }
            let features = try compiled.resolve(references).get()
            parts.append(ViewPart(spec: FeatureTableSpec(view: compiledView, viewVersion: info.version, sourceVersion: info.sourceVersion),
                                  features: features, maxIngestSeq: info.maxIngestSeq))
        }
        views = parts
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

private func spec(_ registry: Registry, _ kind: DefinitionKind, _ name: String, _ version: Int) throws -> String {
    guard let spec = try registry.object(name: name, kind: kind, version: version).spec else {
        throw RegistryError.unknownVersion(name: name, version: version, latest: version)
    }
    return spec
}
