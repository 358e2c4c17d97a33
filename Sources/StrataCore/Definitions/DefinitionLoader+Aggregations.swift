import Yams

extension DefinitionLoader {
    /// `aggregations: {name: {function, column, window, hop, where, description}}`. `column` is a source column or
    /// `{expr: …}`; `hop` defaults by window (`AggregationDefinition.defaultHop`). Type and range checks happen in
    /// `ProjectValidator`, which also sees definitions read back from the registry.
    static func readAggregations(_ node: Node, view: String, _ reader: inout YAMLReader, _ locations: inout DefinitionLocations) -> [AggregationDefinition] {
        let context = "feature view `\(view)`, field `aggregations`"
        guard let mapping = node.mapping else {
            reader.error("`aggregations` must map names to {function, column, window}", node, context,
                         fix: "write `aggregations: {trips_1h: {function: count, window: 1h}}`")
            return []
        }
        var result: [AggregationDefinition] = []
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string, reader.checkName(name, keyNode, context: context) else { continue }
            let path = "feature_view/\(view)/aggregations.\(name)"
            locations.byPath[path] = reader.location(keyNode)
            if let aggregation = readAggregation(name, valueNode, path: path, view: view, &reader, &locations) { result.append(aggregation) }
        }
        return result
    }

    static func readAggregation(_ name: String, _ node: Node, path: String, view: String, _ reader: inout YAMLReader,
                                _ locations: inout DefinitionLocations) -> AggregationDefinition? {
        let ctx = "feature view `\(view)`, aggregation `\(name)`"
        let allowed = ["function", "column", "window", "hop", "where", "description"]
        guard let fields = reader.fields(node, allowed: allowed, context: ctx) else { return nil }
        for (field, value) in fields { locations.byPath["\(path).\(field)"] = reader.location(value) }
        guard let functionText = reader.requiredString(fields, "function", in: node, context: ctx),
              let windowText = reader.requiredString(fields, "window", in: node, context: ctx)
        else { return nil }
        let names = AggregationDefinition.Function.allCases.map(\.rawValue)
        guard let function = AggregationDefinition.Function(rawValue: functionText) else {
            reader.error("unknown aggregation function `\(functionText)`", fields["function"], "\(ctx), field `function`",
                         fix: didYouMean(functionText, in: names) ?? "use one of \(names.joined(separator: ", "))")
            return nil
        }
        guard let window = readAggregationDuration(windowText, fields["window"], "window", ctx, &reader) else { return nil }
        var hop = AggregationDefinition.defaultHop(windowMicros: window)
        if let hopNode = fields["hop"], let text = reader.string(hopNode, field: "hop", context: ctx) {
            guard let parsed = readAggregationDuration(text, hopNode, "hop", ctx, &reader) else { return nil }
            hop = parsed
        }
        var column: String?
        var expression: String?
        if let columnNode = fields["column"] {
            if columnNode.mapping != nil {
                guard let exprFields = reader.fields(columnNode, allowed: ["expr"], context: "\(ctx), field `column`"),
                      let text = reader.requiredString(exprFields, "expr", in: columnNode, context: "\(ctx), field `column`")
                else { return nil }
                expression = text
                if let exprNode = exprFields["expr"] { locations.byPath["\(path).column"] = expressionStart(exprNode, reader) }
            } else {
                guard let text = reader.string(columnNode, field: "column", context: ctx) else { return nil }
                column = text
            }
        }
        var filter: String?
        if let whereNode = fields["where"], let text = reader.string(whereNode, field: "where", context: ctx) {
            filter = text
            locations.byPath["\(path).where"] = expressionStart(whereNode, reader)
        }
        return AggregationDefinition(name: name, function: function, column: column, expression: expression, windowMicros: window, hopMicros: hop,
                                     filter: filter, description: reader.optionalString(fields, "description", context: ctx))
    }

    static func readAggregationDuration(_ text: String, _ node: Node?, _ field: String, _ context: String, _ reader: inout YAMLReader) -> Int64? {
        switch FeatureDuration.parse(text) {
        case .success(let micros):
            return micros
        case .failure(let failure):
            reader.error(failure.description, node, "\(context), field `\(field)`", fix: "write a duration such as `5m`, `1h`, `24h` or `7d`")
            return nil
        }
    }
}
