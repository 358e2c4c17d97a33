import Yams

extension DefinitionLoader {
    static func readView(_ node: Node, _ reader: inout YAMLReader, _ locations: inout DefinitionLocations) -> FeatureViewDefinition? {
        let allowed = ["name", "entities", "source", "ttl", "features", "aggregations", "description", "owner", "tags"]
        guard let fields = reader.fields(node, allowed: allowed, context: "feature view"),
              let name = reader.requiredString(fields, "name", in: node, context: "feature view"),
              reader.checkName(name, fields["name"], context: "feature view")
        else { return nil }
        let ctx = "feature view `\(name)`"
        let entities = reader.stringList(fields, "entities", context: ctx)
        if entities.isEmpty { reader.error("a feature view needs at least one entity", fields["entities"] ?? node, ctx, fix: "add `entities: [driver]`") }
        let source = reader.requiredString(fields, "source", in: node, context: ctx) ?? ""
        var ttl: Int64?
        if let ttlNode = fields["ttl"], let text = reader.string(ttlNode, field: "ttl", context: ctx) {
            ttl = readTTL(text, ttlNode, &reader, context: "\(ctx), field `ttl`")
        }
        var features: [FeatureDefinition] = []
        if let featuresNode = fields["features"] {
            features = readFeatures(featuresNode, view: name, &reader, &locations)
        } else if fields["aggregations"] == nil {
            reader.error("missing required field `features`", node, ctx, fix: "add `features: {conv_rate: float64}` or `aggregations:`")
        }
        let aggregations = fields["aggregations"].map { readAggregations($0, view: name, &reader, &locations) } ?? []
        return FeatureViewDefinition(name: name, entities: entities, source: source, ttlMicros: ttl, features: features,
                                     aggregations: aggregations, description: reader.optionalString(fields, "description", context: ctx),
                                     owner: reader.optionalString(fields, "owner", context: ctx), tags: reader.stringList(fields, "tags", context: ctx))
    }

    static func readTTL(_ text: String, _ node: Node, _ reader: inout YAMLReader, context: String) -> Int64? {
        switch FeatureDuration.parse(text) {
        case .success(let micros) where micros > 0:
            return micros
        case .success:
            reader.error("ttl must be positive, got `\(text)`", node, context, fix: "write a positive duration such as `6h` or `30d`, or remove `ttl` for no limit")
        case .failure(let failure):
            reader.error(failure.description, node, context, fix: "write a duration such as `90s`, `15m`, `2h`, `7d` or `1d12h`")
        }
        return nil
    }

    /// `features: {name: type}` (the column of that name) or `{name: {type: …, expr: …, description: …}}`.
    static func readFeatures(_ node: Node, view: String, _ reader: inout YAMLReader, _ locations: inout DefinitionLocations) -> [FeatureDefinition] {
        let ctx = "feature view `\(view)`"
        guard let mapping = node.mapping else {
            reader.error("`features` must be a mapping of feature names to types or {type, expr}", node, ctx, fix: "write `features: {conv_rate: float64}`")
            return []
        }
        var result: [FeatureDefinition] = []
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string, reader.checkName(name, keyNode, context: ctx) else { continue }
            let fctx = "\(ctx), feature `\(name)`"
            var typeNode = valueNode
            var expression = name
            var description: String?
            if valueNode.mapping != nil {
                guard let fields = reader.fields(valueNode, allowed: ["type", "expr", "description"], context: fctx) else { continue }
                guard let declared = fields["type"] else {
                    reader.error("missing required field `type`", valueNode, fctx, fix: "add `type: float64`")
                    continue
                }
                typeNode = declared
                if let exprNode = fields["expr"], let text = reader.string(exprNode, field: "expr", context: fctx) {
                    expression = text
                    locations.byPath["feature_view/\(view)/features.\(name).expr"] = expressionStart(exprNode, reader)
                }
                description = reader.optionalString(fields, "description", context: fctx)
            }
            guard let typeName = typeNode.scalar?.string, let type = ValueType.named(typeName) else {
                reader.error("feature `\(name)` has unknown type \(reader.describe(typeNode))", typeNode, fctx, fix: "use one of \(ValueType.spellings)")
                continue
            }
            if locations.byPath["feature_view/\(view)/features.\(name).expr"] == nil {
                locations.byPath["feature_view/\(view)/features.\(name).expr"] = reader.location(keyNode)
            }
            result.append(FeatureDefinition(name: name, type: type, expression: expression, description: description))
        }
        return result
    }

    /// Where the first character of an expression is: one column further in when the scalar is quoted.
    static func expressionStart(_ node: Node, _ reader: YAMLReader) -> SourceLocation {
        var location = reader.location(node)
        if let style = node.scalar?.style, style == .singleQuoted || style == .doubleQuoted { location.column += 1 }
        return location
    }
}
