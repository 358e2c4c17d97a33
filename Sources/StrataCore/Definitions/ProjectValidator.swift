/// Cross-reference and type checks over loaded definitions, and compilation of every feature expression.
enum ProjectValidator {
    /// Column names Strata adds to feature tables and rows; features may not use them.
    static let reservedFeatureNames: Set<String> = ["event_ts", "created_ts", "ingest_seq", "lineage_id", "status"]

    static func validate(_ loaded: DefinitionLoader.Loaded) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let defs = loaded.definitions
        let locations = loaded.locations
        for source in defs.sources {
            diagnostics += validateSource(source, locations)
        }
        for view in defs.views {
            diagnostics += validateView(view, defs, locations)
        }
        for service in defs.services {
            diagnostics += validateService(service, defs, locations)
        }
        return diagnostics
    }

    static func validateSource(_ source: SourceDefinition, _ locations: DefinitionLocations) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var seen = Set<String>()
        for column in source.columns where !seen.insert(column.name).inserted {
            diagnostics.append(Diagnostic("column `\(column.name)` appears twice in the schema", at: locations.location(.source, source.name, field: "schema")))
        }
        for column in source.columns where column.name.hasPrefix("strata_") {
            diagnostics.append(Diagnostic("column `\(column.name)` starts with `strata_`, which is reserved for Strata's own columns",
                                          at: locations.location(.source, source.name, field: "schema"), fix: "rename the column"))
        }
        for time in [source.timestamp, source.created].compactMap({ $0 }) where seen.contains(time.column) {
            diagnostics.append(Diagnostic("time column `\(time.column)` is also listed in `schema`", at: locations.location(.source, source.name, field: "schema"),
                                          fix: "remove it from `schema`; time columns are typed by `timestamp`/`created`"))
        }
        diagnostics += validateEventID(source, locations)
        if source.path.isEmpty || source.path.hasPrefix("/") || source.path.split(separator: "/").contains("..") {
            diagnostics.append(Diagnostic("source path `\(source.path)` must be relative to the project and stay inside it",
                                          at: locations.location(.source, source.name, field: "path"), fix: "write e.g. `featuresets/data/driver_stats.csv`"))
        }
        return diagnostics
    }

    static func validateView(_ view: FeatureViewDefinition, _ defs: ProjectDefinitions, _ locations: DefinitionLocations) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let entityNames = defs.entities.map(\.name)
        var keys: [JoinKey] = []
        for name in view.entities {
            guard let entity = defs.entity(name) else {
                diagnostics.append(Diagnostic("unknown entity `\(name)`", at: locations.location(.view, view.name, field: "entities"),
                                              fix: didYouMean(name, in: entityNames) ?? "define it under `entities:`"))
                continue
            }
            for key in entity.joinKeys {
                if keys.contains(where: { $0.name == key.name }) {
                    diagnostics.append(Diagnostic("join key `\(key.name)` comes from two entities", at: locations.location(.view, view.name, field: "entities")))
                }
                keys.append(key)
            }
        }
        guard let source = defs.source(view.source) else {
            diagnostics.append(Diagnostic("unknown source `\(view.source)`", at: locations.location(.view, view.name, field: "source"),
                                          fix: didYouMean(view.source, in: defs.sources.map(\.name)) ?? "define it under `sources:`"))
            return diagnostics
        }
        for key in keys {
            guard let column = source.columns.first(where: { $0.name == key.name }) else {
                diagnostics.append(Diagnostic("source `\(source.name)` has no column for join key `\(key.name)`",
                                              at: locations.location(.view, view.name, field: "source"), fix: "add `\(key.name): \(key.type)` to the source's schema"))
                continue
            }
            if column.type != key.type {
                diagnostics.append(Diagnostic("join key `\(key.name)` is \(key.type) in the entity but \(column.type) in source `\(source.name)`",
                                              at: locations.location(.view, view.name, field: "source"), fix: "make the two types equal"))
            }
        }
        var names = Set(keys.map(\.name))
        for feature in view.features {
            let location = locations.location(.view, view.name, field: "features.\(feature.name).expr")?
                .with(context: "feature view `\(view.name)`, feature `\(feature.name)`")
            if reservedFeatureNames.contains(feature.name) || !names.insert(feature.name).inserted {
                diagnostics.append(Diagnostic("feature name `\(feature.name)` is reserved or already used by a key or feature", at: location,
                                              fix: "rename the feature (reserved: \(reservedFeatureNames.sorted().joined(separator: ", ")))"))
                continue
            }
            if case .failure(let error) = compileFeature(feature, source) {
                var at = location
                at?.column += error.offset
                diagnostics.append(Diagnostic("in `\(feature.expression)`: \(error.what)", at: at, fix: error.fix))
            }
        }
        diagnostics += validateAggregations(view, source, &names, locations)
        if view.features.isEmpty, view.aggregations.isEmpty {
            diagnostics.append(Diagnostic("feature view `\(view.name)` has no features", at: locations.location(.view, view.name),
                                          fix: "add at least one feature or aggregation"))
        }
        return diagnostics
    }

    static func compileFeature(_ feature: FeatureDefinition, _ source: SourceDefinition) -> Result<TypedExpr, ExpressionError> {
        ExpressionParser.parse(feature.expression).flatMap {
            TypeChecker(columns: source.expressionColumns).check($0, expected: feature.type)
        }
    }

    static func validateService(_ service: FeatureServiceDefinition, _ defs: ProjectDefinitions, _ locations: DefinitionLocations) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let at = locations.location(.service, service.name, field: "features")
        if service.features.isEmpty {
            diagnostics.append(Diagnostic("feature service `\(service.name)` lists no features", at: at, fix: "add e.g. `features: [driver_stats:*]`"))
        }
        for reference in service.features {
            guard let view = defs.view(reference.view) else {
                diagnostics.append(Diagnostic("unknown feature view `\(reference.view)` in `\(reference)`", at: at,
                                              fix: didYouMean(reference.view, in: defs.views.map(\.name)) ?? "define the view under `feature_views:`"))
                continue
            }
            let names = view.features.map(\.name) + view.aggregations.map(\.name)
            if let feature = reference.feature, !names.contains(feature) {
                diagnostics.append(Diagnostic("feature view `\(view.name)` has no feature `\(feature)`", at: at,
                                              fix: didYouMean(feature, in: names) ?? "features: \(names.joined(separator: ", "))"))
            }
        }
        return diagnostics
    }
}
