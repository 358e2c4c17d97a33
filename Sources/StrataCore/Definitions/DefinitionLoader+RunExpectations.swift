import Yams

extension DefinitionLoader {
    /// `run: {row_count: …, freshness: …, null_rate: …, mean: …, unique: …}`, each with an optional `on_fail`.
    static func readRunRules(_ node: Node, schema: [ColumnDefinition], _ reader: inout YAMLReader, context: String) -> [RunExpectation] {
        guard let fields = reader.fields(node, allowed: runRuleNames, context: context) else { return [] }
        var result: [RunExpectation] = []
        for name in runRuleNames {
            guard let ruleNode = fields[name] else { continue }
            let ruleContext = "\(context), rule `\(name)`"
            switch name {
            case "row_count": result += readRowCount(ruleNode, &reader, context: ruleContext)
            case "freshness": result += readFreshness(ruleNode, &reader, context: ruleContext)
            case "null_rate", "mean": result += readColumnRunRules(name, ruleNode, schema: schema, &reader, context: ruleContext)
            default: result += readUnique(ruleNode, &reader, context: ruleContext)
            }
        }
        return result
    }

    static func readOnFail(_ node: Node?, _ reader: inout YAMLReader, context: String) -> RunFailureAction {
        guard let node else { return .reject }
        guard let text = node.scalar?.string, let action = RunFailureAction(rawValue: text) else {
            reader.error("unknown `on_fail` \(reader.describe(node))", node, context, fix: "use `reject` (the default) or `warn`")
            return .reject
        }
        return action
    }

    /// `{min: n, max: n, max_change: share, on_fail: …}`.
    static func readRowCount(_ node: Node, _ reader: inout YAMLReader, context: String) -> [RunExpectation] {
        guard let fields = reader.fields(node, allowed: ["min", "max", "max_change", "on_fail"], context: context) else { return [] }
        let onFail = readOnFail(fields["on_fail"], &reader, context: context)
        func count(_ key: String) -> Int64? {
            guard let valueNode = fields[key] else { return nil }
            guard let text = valueNode.scalar?.string, let value = Int64(text), value >= 0 else {
                reader.error("`\(key)` must be a whole number of rows, found \(reader.describe(valueNode))", valueNode, context, fix: "write e.g. `\(key): 1000`")
                return nil
            }
            return value
        }
        var rules: [RunRule] = []
        let low = count("min"), high = count("max")
        if let low { rules.append(.rowCountMin(low)) }
        if let high { rules.append(.rowCountMax(high)) }
        if let low, let high, low > high {
            reader.error("`row_count` min \(low) is above max \(high)", node, context, fix: "write the smaller number as `min`")
        }
        if let changeNode = fields["max_change"] {
            if let text = changeNode.scalar?.string, let change = Double(text), change > 0, change.isFinite {
                rules.append(.rowCountChange(change))
            } else {
                reader.error("`max_change` must be a positive share, found \(reader.describe(changeNode))", changeNode, context,
                             fix: "write e.g. `max_change: 0.5` (at most 50% more or fewer rows than the previous run)")
            }
        }
        if fields["min"] == nil, fields["max"] == nil, fields["max_change"] == nil {
            reader.error("`row_count` needs `min`, `max` or `max_change`", node, context, fix: "write e.g. `row_count: {min: 1000}`")
        }
        return rules.map { RunExpectation(rule: $0, onFail: onFail) }
    }

    /// `freshness: 2h` or `{max_age: 2h, on_fail: …}`.
    static func readFreshness(_ node: Node, _ reader: inout YAMLReader, context: String) -> [RunExpectation] {
        var ageNode: Node? = node
        var onFail = RunFailureAction.reject
        if node.mapping != nil {
            guard let fields = reader.fields(node, allowed: ["max_age", "on_fail"], context: context) else { return [] }
            onFail = readOnFail(fields["on_fail"], &reader, context: context)
            ageNode = fields["max_age"]
            if ageNode == nil { reader.error("missing `max_age`", node, context, fix: "write `freshness: {max_age: 2h}` or `freshness: 2h`") }
        }
        guard let ageNode, let text = reader.string(ageNode, field: "freshness", context: context) else { return [] }
        switch FeatureDuration.parse(text) {
        case .success(let micros) where micros > 0:
            return [RunExpectation(rule: .freshness(maxAgeMicros: micros), onFail: onFail)]
        case .success:
            reader.error("freshness must be positive, got `\(text)`", ageNode, context, fix: "write a duration such as `2h` or `1d`")
        case .failure(let failure):
            reader.error(failure.description, ageNode, context, fix: "write a duration such as `90s`, `15m`, `2h` or `1d`")
        }
        return []
    }

    /// `null_rate: {column: share, on_fail: …}` or `mean: {column: [low, high], on_fail: …}`.
    static func readColumnRunRules(_ name: String, _ node: Node, schema: [ColumnDefinition], _ reader: inout YAMLReader, context: String) -> [RunExpectation] {
        guard let mapping = node.mapping else {
            reader.error("`\(name)` must map column names to \(name == "mean" ? "[low, high]" : "shares")", node, context,
                         fix: name == "mean" ? "write e.g. `mean: {conv_rate: [0.2, 0.8]}`" : "write e.g. `null_rate: {rating: 0.05}`")
            return []
        }
        let onFail = readOnFail(mapping["on_fail"], &reader, context: context)
        var result: [RunExpectation] = []
        for (keyNode, valueNode) in mapping {
            guard let column = keyNode.scalar?.string, column != "on_fail" else { continue }
            guard let definition = schema.first(where: { $0.name == column }) else {
                reader.error("unknown column `\(column)`", keyNode, context,
                             fix: didYouMean(column, in: schema.map(\.name)) ?? "the schema has \(schema.map { "`\($0.name)`" }.joined(separator: ", "))")
                continue
            }
            if name == "null_rate" {
                guard let text = valueNode.scalar?.string, let rate = Double(text), rate >= 0, rate <= 1 else {
                    reader.error("a null rate must be a share from 0 to 1, found \(reader.describe(valueNode))", valueNode, context, fix: "write e.g. `\(column): 0.05`")
                    continue
                }
                result.append(RunExpectation(rule: .nullRate(column: column, max: rate), onFail: onFail))
                continue
            }
            guard [.int64, .float64, .bool].contains(definition.type) else {
                reader.error("`mean` needs a numeric or bool column; `\(column)` is \(definition.type)", keyNode, context,
                             fix: "check strings with `in` or `matches` under `columns:`")
                continue
            }
            guard let items = valueNode.sequence, items.count == 2,
                  let low = items[0].scalar.flatMap({ Double($0.string) }), let high = items[1].scalar.flatMap({ Double($0.string) }),
                  low.isFinite, high.isFinite else {
                reader.error("`mean` bounds must be two numbers, found \(reader.describe(valueNode))", valueNode, context, fix: "write e.g. `\(column): [0.2, 0.8]`")
                continue
            }
            guard low <= high else {
                reader.error("`mean` lower bound \(items[0].scalar?.string ?? "") is above upper bound \(items[1].scalar?.string ?? "")", valueNode, context,
                             fix: "write the smaller bound first")
                continue
            }
            result.append(RunExpectation(rule: .mean(column: column, lower: low, upper: high), onFail: onFail))
        }
        return result
    }

    /// `unique: true` or `{on_fail: …}`.
    static func readUnique(_ node: Node, _ reader: inout YAMLReader, context: String) -> [RunExpectation] {
        if node.mapping != nil {
            guard let fields = reader.fields(node, allowed: ["on_fail"], context: context) else { return [] }
            return [RunExpectation(rule: .unique, onFail: readOnFail(fields["on_fail"], &reader, context: context))]
        }
        switch node.scalar?.string.lowercased() {
        case "true": return [RunExpectation(rule: .unique)]
        case "false": return []
        default:
            reader.error("`unique` must be `true` or `{on_fail: warn}`, found \(reader.describe(node))", node, context, fix: "write `unique: true`")
            return []
        }
    }
}
