public import StrataCore

/// Decides whether a change alters the meaning of existing data (SPEC "Definitions and the registry"), and says why.
/// Pure: it compares two definitions and the services that will exist after the change.
public enum BreakingChangeRules {
    public static func reasons(old: AnyDefinition?, new: AnyDefinition?, services: [FeatureServiceDefinition]) -> [String] {
        switch (old, new) {
        case (nil, _): return []
        case (.some(let old), nil): return removalReasons(old, services)
        case (.entity(let a), .entity(let b)): return entity(a, b)
        case (.source(let a), .source(let b)): return source(a, b)
        case (.view(let a), .view(let b)): return view(a, b, services)
        case (.service(let a), .service(let b)): return service(a, b)
        default: return ["the object changed kind"]
        }
    }

    static func removalReasons(_ old: AnyDefinition, _ services: [FeatureServiceDefinition]) -> [String] {
        switch old {
        case .entity: return ["removing an entity removes the meaning of its keys"]
        case .source: return ["removing a source orphans the data ingested from it"]
        case .view(let v):
            let users = services.filter { $0.features.contains { $0.view == v.name } }.map(\.name)
            return ["removing a feature view drops its offline and online data"] + (users.isEmpty ? [] : ["services \(users.joined(separator: ", ")) use it"])
        case .service: return ["removing a service breaks the models and clients that request it"]
        }
    }

    static func entity(_ a: EntityDefinition, _ b: EntityDefinition) -> [String] {
        a.joinKeys == b.joinKeys ? [] : ["join keys change from \(keys(a.joinKeys)) to \(keys(b.joinKeys))"]
    }

    static func source(_ a: SourceDefinition, _ b: SourceDefinition) -> [String] {
        var reasons: [String] = []
        for column in a.columns {
            guard let other = b.columns.first(where: { $0.name == column.name }) else {
                reasons.append("column `\(column.name)` is removed")
                continue
            }
            if other.type != column.type { reasons.append("column `\(column.name)` changes type from \(column.type) to \(other.type)") }
        }
        if a.timestamp != b.timestamp { reasons.append("the event-time column or its format changes") }
        if a.created != b.created { reasons.append("the created-time column or its format changes") }
        if a.path != b.path || a.format != b.format { reasons.append("the data file or format changes") }
        if a.idColumn != b.idColumn { reasons.append("the event id column changes from \(a.idColumn.map { "`\($0)`" } ?? "none") to \(b.idColumn.map { "`\($0)`" } ?? "none")") }
        return reasons
    }

    static func view(_ a: FeatureViewDefinition, _ b: FeatureViewDefinition, _ services: [FeatureServiceDefinition]) -> [String] {
        var reasons: [String] = []
        if a.entities != b.entities { reasons.append("entities change from [\(a.entities.joined(separator: ", "))] to [\(b.entities.joined(separator: ", "))]") }
        if a.source != b.source { reasons.append("source changes from `\(a.source)` to `\(b.source)`") }
        if a.ttlMicros != b.ttlMicros {
            reasons.append("ttl changes from \(a.ttlMicros.map(FeatureDuration.format) ?? "none") to \(b.ttlMicros.map(FeatureDuration.format) ?? "none")")
        }
        for feature in a.features {
            guard let other = b.features.first(where: { $0.name == feature.name }) else {
                let users = serviceNames(requesting: feature.name, of: a.name, services)
                if !users.isEmpty { reasons.append("feature `\(feature.name)` is removed but services \(users.joined(separator: ", ")) use it") }
                continue
            }
            if other.type != feature.type { reasons.append("feature `\(feature.name)` changes type from \(feature.type) to \(other.type)") }
            if other.expression != feature.expression {
                reasons.append("feature `\(feature.name)` changes expression from `\(feature.expression)` to `\(other.expression)`")
            }
        }
        reasons += aggregations(a, b, services)
        return reasons
    }

    /// Changing an aggregation's function, input, window, hop or condition changes its values; adding one does not,
    /// and removing one is breaking only when a service uses it.
    static func aggregations(_ a: FeatureViewDefinition, _ b: FeatureViewDefinition, _ services: [FeatureServiceDefinition]) -> [String] {
        var reasons: [String] = []
        for old in a.aggregations {
            guard let new = b.aggregations.first(where: { $0.name == old.name }) else {
                let users = serviceNames(requesting: old.name, of: a.name, services)
                if !users.isEmpty { reasons.append("aggregation `\(old.name)` is removed but services \(users.joined(separator: ", ")) use it") }
                continue
            }
            var changes: [String] = []
            if old.function != new.function { changes.append("function \(old.function.rawValue) → \(new.function.rawValue)") }
            if old.column != new.column || old.expression != new.expression { changes.append("column \(input(old)) → \(input(new))") }
            if old.windowMicros != new.windowMicros { changes.append("window \(FeatureDuration.format(old.windowMicros)) → \(FeatureDuration.format(new.windowMicros))") }
            if old.hopMicros != new.hopMicros { changes.append("hop \(FeatureDuration.format(old.hopMicros)) → \(FeatureDuration.format(new.hopMicros))") }
            if old.filter != new.filter { changes.append("where \(old.filter.map { "`\($0)`" } ?? "none") → \(new.filter.map { "`\($0)`" } ?? "none")") }
            if !changes.isEmpty { reasons.append("aggregation `\(old.name)` changes \(changes.joined(separator: ", "))") }
        }
        return reasons
    }

    /// The services that request a feature of a view, by name or by `view:*`.
    private static func serviceNames(requesting feature: String, of view: String, _ services: [FeatureServiceDefinition]) -> [String] {
        services.filter { service in service.features.contains { $0.view == view && ($0.feature == nil || $0.feature == feature) } }.map(\.name)
    }

    private static func input(_ aggregation: AggregationDefinition) -> String {
        if let column = aggregation.column { return "`\(column)`" }
        return aggregation.expression.map { "`\($0)`" } ?? "none"
    }

    static func service(_ a: FeatureServiceDefinition, _ b: FeatureServiceDefinition) -> [String] {
        let removed = a.features.filter { !b.features.contains($0) }
        return removed.isEmpty ? [] : ["features \(removed.map(\.description).joined(separator: ", ")) are removed from the service"]
    }

    private static func keys(_ keys: [JoinKey]) -> String {
        "(" + keys.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + ")"
    }
}
