import Yams

/// Reads a source's `expectations:` block, checking every rule against the source's schema as it goes, so that a
/// wrong type for `between`, an unknown column, `mostly` outside (0, 1] or a bad pattern is reported with its
/// position and a fix, together with every other definition error.
extension DefinitionLoader {
    static let columnRuleNames = ["not_null", "between", "in", "matches", "max_length"]
    static let runRuleNames = ["row_count", "freshness", "null_rate", "mean", "unique"]

    static func readExpectations(_ node: Node, schema: [ColumnDefinition], timeColumns: [String], _ reader: inout YAMLReader,
                                 context: String) -> SourceExpectations {
        var result = SourceExpectations()
        guard let fields = reader.fields(node, allowed: ["columns", "run"], context: context) else { return result }
        if let columns = fields["columns"] {
            if let mapping = columns.mapping {
                for (keyNode, rulesNode) in mapping {
                    guard let name = keyNode.scalar?.string else { continue }
                    guard let column = schema.first(where: { $0.name == name }) else {
                        unknownColumn(name, keyNode, schema: schema, timeColumns: timeColumns, &reader, context: "\(context), field `columns`")
                        continue
                    }
                    result.columns += readColumnRules(rulesNode, column: column, &reader, context: "\(context), column `\(name)`")
                }
            } else {
                reader.error("`columns` must map column names to their rules", columns, context, fix: "write e.g. `columns: {conv_rate: {between: [0, 1]}}`")
            }
        }
        if let run = fields["run"] {
            result.run = readRunRules(run, schema: schema, &reader, context: "\(context), field `run`")
        }
        return result
    }

    static func unknownColumn(_ name: String, _ node: Node, schema: [ColumnDefinition], timeColumns: [String], _ reader: inout YAMLReader, context: String) {
        if timeColumns.contains(name) {
            reader.error("`\(name)` is a time column; expectations apply to schema columns", node, context,
                         fix: "check recency with `run: {freshness: 2h}`; malformed times are already quarantined")
        } else {
            reader.error("unknown column `\(name)`", node, context,
                         fix: didYouMean(name, in: schema.map(\.name)) ?? "the schema has \(schema.map { "`\($0.name)`" }.joined(separator: ", "))")
        }
    }

    /// `{not_null: …, between: …, in: …, matches: …, max_length: …, mostly: x, action: a}` for one column.
    static func readColumnRules(_ node: Node, column: ColumnDefinition, _ reader: inout YAMLReader, context: String) -> [ColumnExpectation] {
        guard let fields = reader.fields(node, allowed: columnRuleNames + ["mostly", "action"], context: context) else { return [] }
        let defaultMostly = fields["mostly"].flatMap { readMostly($0, &reader, context: context) }
        let defaultAction = fields["action"].flatMap { readAction($0, &reader, context: context) } ?? .quarantine
        if fields.keys.allSatisfy({ !columnRuleNames.contains($0) }) {
            reader.error("no rule for column `\(column.name)`", node, context, fix: "add one of \(columnRuleNames.map { "`\($0)`" }.joined(separator: ", "))")
        }
        var result: [ColumnExpectation] = []
        for name in columnRuleNames {
            guard let ruleNode = fields[name] else { continue }
            let ruleContext = "\(context), rule `\(name)`"
            var expectation = ColumnExpectation(column: column.name, rule: .notNull, mostly: defaultMostly, action: defaultAction)
            var valueNode: Node? = ruleNode
            if ruleNode.mapping != nil {
                let valueKey = ruleValueKey(name)
                let allowed = (name == "between" ? ["min", "max"] : valueKey.map { [$0] } ?? []) + ["mostly", "action"]
                guard let options = reader.fields(ruleNode, allowed: allowed, context: ruleContext) else { continue }
                if let mostly = options["mostly"] { expectation.mostly = readMostly(mostly, &reader, context: ruleContext) }
                if let action = options["action"], let parsed = readAction(action, &reader, context: ruleContext) { expectation.action = parsed }
                valueNode = valueKey.map { options[$0] } ?? ruleNode
                if let valueKey, valueNode == nil {
                    reader.error("missing `\(valueKey)`", ruleNode, ruleContext, fix: "write `\(name): {\(valueKey): …}` or the short form")
                    continue
                }
            }
            guard let valueNode, let rule = readColumnRule(name, valueNode, column: column, &reader, context: ruleContext) else { continue }
            expectation.rule = rule
            result.append(expectation)
        }
        return result
    }

    /// In a rule's mapping form, the key holding its value (`between` and `not_null` have none).
    static func ruleValueKey(_ rule: String) -> String? {
        switch rule {
        case "in": return "values"
        case "matches": return "pattern"
        case "max_length": return "max"
        default: return nil
        }
    }

    /// The rule's value: `true` for `not_null` (a mapping form means true), bounds, a list, a pattern or a length.
    static func readColumnRule(_ name: String, _ node: Node, column: ColumnDefinition, _ reader: inout YAMLReader, context: String) -> ColumnRule? {
        switch name {
        case "not_null":
            if node.mapping != nil { return .notNull }
            switch node.scalar?.string.lowercased() {
            case "true": return .notNull
            case "false": return nil
            default:
                reader.error("`not_null` must be `true` or `{mostly: x}`, found \(reader.describe(node))", node, context, fix: "write `not_null: true`")
                return nil
            }
        case "between": return readBetween(node, column: column, &reader, context: context)
        case "in":
            guard let items = node.sequence, !items.isEmpty else {
                reader.error("`in` must be a non-empty list of values", node, context, fix: "write e.g. `in: [lagos, lisbon]`")
                return nil
            }
            let values = items.compactMap { readLiteral($0, type: column.type, &reader, context: context) }
            return values.count == items.count ? .oneOf(values) : nil
        case "matches":
            guard column.type == .string else {
                reader.error("`matches` needs a string column; `\(column.name)` is \(column.type)", node, context, fix: "use `between` or `in` for \(column.type) columns")
                return nil
            }
            guard let text = node.scalar?.string else {
                reader.error("`matches` must be a pattern, found \(reader.describe(node))", node, context, fix: "write e.g. `matches: \"[A-Z]{2}-\\\\d+\"`")
                return nil
            }
            do {
                _ = try TextPattern(text)
                return .matches(text)
            } catch {
                reader.error("`\(text)` is not a supported pattern: \(error)", node, context,
                             fix: "see the pattern dialect in docs/semantics.md (Data quality); write `\\` before a literal `.`, `(` or `{`")
                return nil
            }
        default:
            guard column.type == .string else {
                reader.error("`max_length` needs a string column; `\(column.name)` is \(column.type)", node, context, fix: "use `between` for numbers")
                return nil
            }
            guard let text = node.scalar?.string, let length = Int(text), length >= 0 else {
                reader.error("`max_length` must be a whole number of characters, found \(reader.describe(node))", node, context, fix: "write e.g. `max_length: 64`")
                return nil
            }
            return .maxLength(length)
        }
    }

    /// `between: [lo, hi]` (`~` for an open end) or `{min: lo, max: hi}`.
    static func readBetween(_ node: Node, column: ColumnDefinition, _ reader: inout YAMLReader, context: String) -> ColumnRule? {
        guard [.int64, .float64, .timestamp].contains(column.type) else {
            reader.error("`between` needs a numeric or timestamp column; `\(column.name)` is \(column.type)", node, context,
                         fix: column.type == .string ? "use `in: [...]`, `matches` or `max_length` for strings" : "use `in: [true]` for booleans")
            return nil
        }
        var bounds: [Node?]
        if let items = node.sequence, items.count == 2 {
            bounds = items.map { isNull($0) ? nil : $0 }
        } else if let mapping = node.mapping {
            bounds = [mapping["min"], mapping["max"]]
            if bounds.allSatisfy({ $0 == nil }) {
                reader.error("`between` needs `min`, `max` or both", node, context, fix: "write `between: {min: 0}`")
                return nil
            }
        } else {
            reader.error("`between` must be a list of two bounds, found \(reader.describe(node))", node, context,
                         fix: column.type == .timestamp ? "write e.g. `between: [2024-01-01T00:00:00Z, ~]`" : "write e.g. `between: [0, 1]`; `~` leaves a side open")
            return nil
        }
        let literals = bounds.map { $0.flatMap { readLiteral($0, type: column.type, &reader, context: context) } }
        guard zip(bounds, literals).allSatisfy({ ($0.0 == nil) == ($0.1 == nil) }) else { return nil }
        if let low = literals[0]?.number, let high = literals[1]?.number, low > high {
            reader.error("`between` lower bound \(literals[0]?.description ?? "") is above upper bound \(literals[1]?.description ?? "")", node, context,
                         fix: "write the smaller bound first")
            return nil
        }
        return .between(lower: literals[0], upper: literals[1])
    }

    static func isNull(_ node: Node) -> Bool {
        guard let text = node.scalar?.string else { return false }
        return ["~", "null", "Null", "NULL", ""].contains(text) && node.scalar?.style == .plain
    }

    /// A value of the column's type: numbers for numeric columns, RFC 3339 for timestamps, `true`/`false`, or text.
    static func readLiteral(_ node: Node, type: ValueType, _ reader: inout YAMLReader, context: String) -> ExpectationLiteral? {
        guard let text = node.scalar?.string else {
            reader.error("expected a single value, found \(reader.describe(node))", node, context)
            return nil
        }
        let literal: ExpectationLiteral?
        switch type {
        case .int64: literal = Int64(text).map(ExpectationLiteral.int) ?? Double(text).flatMap { $0.isFinite ? .float($0) : nil }
        case .float64: literal = Double(text).flatMap { $0.isFinite ? .float($0) : nil }
        case .string: literal = .string(text)
        case .bool: literal = ["true": true, "false": false][text.lowercased()].map(ExpectationLiteral.bool)
        case .timestamp: literal = try? Timestamp.parse(text).map(ExpectationLiteral.timestamp).get()
        }
        if literal == nil {
            let example = ["int64": "`0` or `100`", "float64": "`0.5`", "bool": "`true` or `false`", "timestamp": "`2024-01-01T00:00:00Z`"][type.rawValue] ?? "a value"
            reader.error("`\(text)` is not a valid \(type) value", node, context, fix: "write \(example)")
        }
        return literal
    }

    static func readMostly(_ node: Node, _ reader: inout YAMLReader, context: String) -> Double? {
        guard let text = node.scalar?.string, let value = Double(text), value > 0, value <= 1 else {
            reader.error("`mostly` must be a share in (0, 1], found \(reader.describe(node))", node, context,
                         fix: "write e.g. `mostly: 0.99` (at least 99% of rows); `1` means every row")
            return nil
        }
        return value
    }

    static func readAction(_ node: Node, _ reader: inout YAMLReader, context: String) -> ExpectationAction? {
        guard let text = node.scalar?.string, let action = ExpectationAction(rawValue: text) else {
            reader.error("unknown action \(reader.describe(node))", node, context, fix: "use `quarantine` (the default) or `warn`")
            return nil
        }
        return action
    }
}
