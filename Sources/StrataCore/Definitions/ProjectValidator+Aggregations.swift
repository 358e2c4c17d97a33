/// Checks of windowed aggregations and of a source's event `id` column.
extension ProjectValidator {
    /// Every aggregation compiles against the source; names are unique among keys, features and aggregations.
    static func validateAggregations(_ view: FeatureViewDefinition, _ source: SourceDefinition, _ names: inout Set<String>,
                                     _ locations: DefinitionLocations) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for aggregation in view.aggregations {
            let context = "feature view `\(view.name)`, aggregation `\(aggregation.name)`"
            if reservedFeatureNames.contains(aggregation.name) || !names.insert(aggregation.name).inserted {
                diagnostics.append(Diagnostic("aggregation name `\(aggregation.name)` is reserved or already used by a key, feature or aggregation",
                                              at: locations.location(.view, view.name, field: "aggregations.\(aggregation.name)")?.with(context: context),
                                              fix: "rename the aggregation"))
                continue
            }
            if case .failure(let problem) = CompiledAggregation.compile(aggregation, source: source) {
                var at = (locations.location(.view, view.name, field: "aggregations.\(aggregation.name).\(problem.field)")
                    ?? locations.location(.view, view.name, field: "aggregations.\(aggregation.name)"))?.with(context: "\(context), field `\(problem.field)`")
                if problem.field == "column" || problem.field == "where" { at?.column += problem.offset }
                diagnostics.append(Diagnostic(problem.what, at: at, fix: problem.fix))
            }
        }
        return diagnostics
    }

    /// `id:` names an int64 or string schema column.
    static func validateEventID(_ source: SourceDefinition, _ locations: DefinitionLocations) -> [Diagnostic] {
        guard let id = source.idColumn else { return [] }
        let at = locations.location(.source, source.name, field: "id")
        guard let column = source.columns.first(where: { $0.name == id }) else {
            return [Diagnostic("the `id` column `\(id)` is not in the schema", at: at,
                               fix: didYouMean(id, in: source.columns.map(\.name)) ?? "add it to `schema`, e.g. `\(id): string`")]
        }
        guard column.type.isKeyType else {
            return [Diagnostic("the `id` column `\(id)` is \(column.type); event ids must be int64 or string", at: at, fix: "use an int64 or string column")]
        }
        return []
    }
}
