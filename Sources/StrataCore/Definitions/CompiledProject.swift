/// A validated project with every feature expression type-checked: what the stores and the registry work from.
/// Immutable and `Sendable`, so a server can share one and swap it whole on reload.
public struct CompiledProject: Sendable {
    public var definitions: ProjectDefinitions
    public var locations: DefinitionLocations
    public var views: [String: CompiledView]

    /// Loads and compiles the YAML texts of a project, reporting every problem at once.
    public static func compile(_ files: [(path: String, text: String)]) -> Result<CompiledProject, DefinitionErrors> {
        DefinitionLoader.load(files).flatMap(compile)
    }

    /// Compiles definitions read back from the registry (no source positions).
    public static func compile(definitions: ProjectDefinitions) -> Result<CompiledProject, DefinitionErrors> {
        let loaded = DefinitionLoader.Loaded(definitions: definitions, locations: DefinitionLocations())
        let diagnostics = ProjectValidator.validate(loaded)
        return diagnostics.isEmpty ? compile(loaded) : .failure(DefinitionErrors(diagnostics))
    }

    static func compile(_ loaded: DefinitionLoader.Loaded) -> Result<CompiledProject, DefinitionErrors> {
        var views: [String: CompiledView] = [:]
        var diagnostics: [Diagnostic] = []
        for view in loaded.definitions.views {
            guard let source = loaded.definitions.source(view.source) else { continue }
            var features: [CompiledFeature] = []
            for feature in view.features {
                switch ProjectValidator.compileFeature(feature, source) {
                case .success(let typed): features.append(CompiledFeature(definition: feature, typed: typed))
                case .failure(let error): diagnostics.append(Diagnostic(error.what, at: loaded.locations.location(.view, view.name), fix: error.fix))
                }
            }
            var aggregations: [CompiledAggregation] = []
            for aggregation in view.aggregations {
                switch CompiledAggregation.compile(aggregation, source: source) {
                case .success(let compiled): aggregations.append(compiled)
                case .failure(let problem): diagnostics.append(Diagnostic(problem.what, at: loaded.locations.location(.view, view.name), fix: problem.fix))
                }
            }
            views[view.name] = CompiledView(definition: view, keys: loaded.definitions.joinKeys(of: view), source: source, features: features,
                                            aggregations: aggregations)
        }
        guard diagnostics.isEmpty else { return .failure(DefinitionErrors(diagnostics)) }
        return .success(CompiledProject(definitions: loaded.definitions, locations: loaded.locations, views: views))
    }

    /// Resolves a service or a list of references to concrete `(view, feature)` pairs, in order, without duplicates.
    public func resolve(_ references: [FeatureReference]) -> Result<[ResolvedFeature], Diagnostic> {
        var result: [ResolvedFeature] = []
        for reference in references {
            guard let view = views[reference.view] else {
                return .failure(Diagnostic("unknown feature view `\(reference.view)`", at: nil,
                                           fix: didYouMean(reference.view, in: views.keys) ?? "views: \(views.keys.sorted().joined(separator: ", "))"))
            }
            let names = reference.feature.map { [$0] } ?? view.featureNames
            for name in names {
                guard let resolved = view.resolve(name) else {
                    return .failure(Diagnostic("feature view `\(view.definition.name)` has no feature `\(name)`", at: nil,
                                               fix: didYouMean(name, in: view.featureNames) ?? "features: \(view.featureNames.joined(separator: ", "))"))
                }
                if !result.contains(resolved) { result.append(resolved) }
            }
        }
        return .success(result)
    }
}

/// One feature view ready to compute: its keys, its source and its typed features.
public struct CompiledView: Sendable {
    public var definition: FeatureViewDefinition
    public var keys: [JoinKey]
    public var source: SourceDefinition
    public var features: [CompiledFeature]
    public var aggregations: [CompiledAggregation] = []

    /// Row features, then aggregations: what `view:*` selects, in order.
    public var featureNames: [String] { features.map(\.definition.name) + aggregations.map(\.definition.name) }

    /// A row feature or an aggregation of this view by name.
    public func resolve(_ name: String) -> ResolvedFeature? {
        let view = definition.name
        if let index = features.firstIndex(where: { $0.definition.name == name }) {
            return ResolvedFeature(view: view, feature: name, featureIndex: index, type: features[index].definition.type)
        }
        if let index = aggregations.firstIndex(where: { $0.definition.name == name }) {
            return ResolvedFeature(view: view, feature: name, featureIndex: index, type: aggregations[index].resultType, isAggregation: true)
        }
        return nil
    }
}

/// One feature with its checked expression.
public struct CompiledFeature: Sendable {
    public var definition: FeatureDefinition
    public var typed: TypedExpr
}

/// A requested feature, resolved to its view and position.
public struct ResolvedFeature: Sendable, Hashable {
    public var view: String
    public var feature: String
    /// Index into the view's `features`, or into its `aggregations` when `isAggregation`.
    public var featureIndex: Int
    public var type: ValueType
    /// True for a windowed aggregation, false for a row feature.
    public var isAggregation: Bool

    public init(view: String, feature: String, featureIndex: Int, type: ValueType, isAggregation: Bool = false) {
        self.view = view
        self.feature = feature
        self.featureIndex = featureIndex
        self.type = type
        self.isAggregation = isAggregation
    }

    /// `view__feature`, the output column name.
    public var qualifiedName: String { "\(view)__\(feature)" }
}
