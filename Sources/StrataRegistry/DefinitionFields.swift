import StrataCore

/// A definition as the fields a user writes in YAML, path → value in YAML's flow style, so a diff reads like the file:
/// `expectations.columns.acc_rate.between: [0, 1] → [0, 1.5]`, never the stored JSON's internal shape (issue 21).
package enum DefinitionFields {
    /// Every field of `definition` that has a value, by its YAML path.
    package static func fields(_ definition: AnyDefinition) -> [String: String] {
        var out = Fields()
        switch definition {
        case .entity(let entity):
            for key in entity.joinKeys { out["join_keys.\(key.name)"] = key.type.rawValue }
            out.common(entity.description, entity.owner, entity.tags)
        case .source(let source): self.source(source, &out)
        case .view(let view): self.view(view, &out)
        case .service(let service):
            out["features"] = list(service.features.map(\.description))
            out["logging.sample_rate"] = service.loggingSampleRate.map(number)
            if let monitoring = service.monitoring { self.monitoring(monitoring, &out) }
            out.common(service.description, service.owner, service.tags)
        }
        return out.values
    }

    private static func source(_ source: SourceDefinition, _ out: inout Fields) {
        out["path"] = source.path
        out["format"] = source.format.rawValue
        time("timestamp", source.timestamp, &out)
        if let created = source.created { time("created", created, &out) }
        out["id"] = source.idColumn
        for column in source.columns { out["schema.\(column.name)"] = column.type.rawValue }
        if let expectations = source.expectations {
            for expectation in expectations.columns {
                let (name, value) = rule(expectation.rule)
                var options: [String] = []
                if let mostly = expectation.mostly { options.append("mostly: \(number(mostly))") }
                if expectation.action != .quarantine { options.append("action: \(expectation.action.rawValue)") }
                let path = "expectations.columns.\(expectation.column).\(name)"
                out[path] = options.isEmpty ? value : "{" + ((value == "true" ? [] : ["value: \(value)"]) + options).joined(separator: ", ") + "}"
            }
            for expectation in expectations.run { run(expectation, &out) }
        }
        out.common(source.description, source.owner, source.tags)
    }

    private static func view(_ view: FeatureViewDefinition, _ out: inout Fields) {
        out["entities"] = list(view.entities)
        out["source"] = view.source
        out["ttl"] = view.ttlMicros.map(FeatureDuration.format)
        for feature in view.features {
            out["features.\(feature.name).type"] = feature.type.rawValue
            out["features.\(feature.name).expr"] = feature.expression
            out["features.\(feature.name).description"] = feature.description
        }
        for aggregation in view.aggregations {
            let path = "aggregations.\(aggregation.name)"
            out["\(path).function"] = aggregation.function.rawValue
            out["\(path).column"] = aggregation.column ?? aggregation.expression.map { "{expr: \($0)}" }
            out["\(path).window"] = FeatureDuration.format(aggregation.windowMicros)
            out["\(path).hop"] = aggregation.hopMicros == 0 ? "0" : FeatureDuration.format(aggregation.hopMicros)
            out["\(path).where"] = aggregation.filter
            out["\(path).description"] = aggregation.description
        }
        out.common(view.description, view.owner, view.tags)
    }

    private static func time(_ field: String, _ column: TimestampColumn, _ out: inout Fields) {
        out["\(field).column"] = column.column
        out["\(field).unit"] = column.epochUnit?.rawValue
        out["\(field).timezone"] = column.assumesUTC ? "UTC" : nil
    }

    private static func rule(_ rule: ColumnRule) -> (name: String, value: String) {
        switch rule {
        case .notNull: return ("not_null", "true")
        case .between(let lower, let upper): return ("between", "[\(lower?.description ?? "null"), \(upper?.description ?? "null")]")
        case .oneOf(let values): return ("in", list(values.map(\.description)))
        case .matches(let pattern): return ("matches", pattern)
        case .maxLength(let length): return ("max_length", String(length))
        }
    }

    private static func run(_ expectation: RunExpectation, _ out: inout Fields) {
        let suffix = expectation.onFail == .reject ? "" : " (on_fail: \(expectation.onFail.rawValue))"
        switch expectation.rule {
        case .rowCountMin(let count): out["expectations.run.row_count.min"] = String(count) + suffix
        case .rowCountMax(let count): out["expectations.run.row_count.max"] = String(count) + suffix
        case .rowCountChange(let change): out["expectations.run.row_count.max_change"] = number(change) + suffix
        case .freshness(let age): out["expectations.run.freshness"] = FeatureDuration.format(age) + suffix
        case .nullRate(let column, let max): out["expectations.run.null_rate.\(column)"] = number(max) + suffix
        case .mean(let column, let lower, let upper): out["expectations.run.mean.\(column)"] = "[\(number(lower)), \(number(upper))]" + suffix
        case .unique: out["expectations.run.unique"] = "true" + suffix
        }
    }

    private static func monitoring(_ monitoring: ServiceMonitoring, _ out: inout Fields) {
        out["monitoring.every"] = FeatureDuration.format(monitoring.everyMicros)
        out["monitoring.window"] = monitoring.windowMicros == monitoring.everyMicros ? nil : FeatureDuration.format(monitoring.windowMicros)
        out["monitoring.reference"] = monitoring.reference.description
        out["monitoring.drift_share"] = number(monitoring.driftShare)
        for (feature, settings) in monitoring.features {
            out["monitoring.features.\(feature).method"] = settings.method
            out["monitoring.features.\(feature).threshold"] = settings.threshold.map(number)
        }
        out["monitoring.alert.webhook"] = monitoring.webhook
    }

    private static func number(_ value: Double) -> String { ExpectationLiteral.float(value).description }
    private static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    /// Paths to rendered values; a nil value leaves the path out.
    private struct Fields {
        var values: [String: String] = [:]

        subscript(path: String) -> String? {
            get { values[path] }
            set { values[path] = newValue }
        }

        mutating func common(_ description: String?, _ owner: String?, _ tags: [String]) {
            self["description"] = description
            self["owner"] = owner
            if !tags.isEmpty { self["tags"] = list(tags) }
        }
    }
}
