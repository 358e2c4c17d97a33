/// The definition model: what the YAML files under `featuresets/` declare, without source positions.
/// Values are `Codable` so the registry can store and compare them; positions live in `DefinitionLocations`.

/// An entity: something features describe, identified by one or more typed join keys.
public struct EntityDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var joinKeys: [JoinKey]
    public var description: String?
    public var owner: String?
    public var tags: [String]
}

/// One typed join key column of an entity.
public struct JoinKey: Codable, Sendable, Hashable {
    public var name: String
    public var type: ValueType
}

/// The file format of a source.
public enum SourceFormat: String, Codable, Sendable, CaseIterable {
    case csv, jsonl
}

/// How a timestamp column is written in a source: RFC 3339 text, or integer epoch values in a unit.
public struct TimestampColumn: Codable, Sendable, Hashable {
    public var column: String
    /// Set for integer epoch values; nil for RFC 3339 text.
    public var epochUnit: EpochUnit?
    /// True when the source declared `timezone: UTC` for text without a zone.
    public var assumesUTC: Bool
}

/// A typed column of a source.
public struct ColumnDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var type: ValueType

    public init(name: String, type: ValueType) {
        self.name = name
        self.type = type
    }
}

/// A source: a CSV or JSON Lines file with a typed schema and an event-time column.
public struct SourceDefinition: Codable, Sendable, Hashable {
    public var name: String
    /// Path relative to the project folder.
    public var path: String
    public var format: SourceFormat
    public var columns: [ColumnDefinition]
    public var timestamp: TimestampColumn
    public var created: TimestampColumn?
    /// Data-quality rules checked on every ingest and push; nil when none are declared. Changing them is not a
    /// breaking change: they judge new data, not the meaning of stored data.
    public var expectations: SourceExpectations? = nil
    public var description: String?
    public var owner: String?
    public var tags: [String]
    /// The schema column (`id:`) naming an event: rows sharing (key, id) are versions of one event, and aggregations
    /// count only the best visible version. nil: every row is its own event.
    public var idColumn: String? = nil

    /// Every column a feature expression may read: the schema plus the time columns (typed `timestamp`).
    public var expressionColumns: [(name: String, type: ValueType)] {
        var result = columns.map { (name: $0.name, type: $0.type) }
        result.append((timestamp.column, .timestamp))
        if let created { result.append((created.column, .timestamp)) }
        return result
    }
}

/// A feature: a name, a declared type and an expression over source columns.
public struct FeatureDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var type: ValueType
    public var expression: String
    public var description: String?
}

/// A windowed aggregation: a function of the source rows of one key whose event time lies in a window before an instant.
///
/// ```yaml
/// fare_avg_7d: {function: avg, column: fare, window: 7d, where: "status = 'completed'"}
/// ```
public struct AggregationDefinition: Codable, Sendable, Hashable {
    /// The aggregate functions; `count` and `approx_count_distinct` are count-like (0 over an empty window).
    public enum Function: String, Codable, Sendable, CaseIterable {
        case count, sum, avg, min, max, first, last, stddev, variance
        case approxCountDistinct = "approx_count_distinct"

        /// True for functions whose empty-window value is 0 rather than null.
        public var isCountLike: Bool { self == .count || self == .approxCountDistinct }
    }

    public var name: String
    public var function: Function
    /// The source column aggregated (`column: fare`); nil with `expression` or for a count of rows.
    public var column: String?
    /// An expression aggregated instead of a column (`column: {expr: "fare * 1.1"}`).
    public var expression: String?
    public var windowMicros: Int64
    /// Tile width, epoch-aligned; 0 means exact sliding windows. The default is resolved at load time.
    public var hopMicros: Int64
    /// The `where:` condition: rows for which it is not true are left out.
    public var filter: String?
    public var description: String?

    public init(name: String, function: Function, column: String? = nil, expression: String? = nil, windowMicros: Int64, hopMicros: Int64,
                filter: String? = nil, description: String? = nil) {
        self.name = name
        self.function = function
        self.column = column
        self.expression = expression
        self.windowMicros = windowMicros
        self.hopMicros = hopMicros
        self.filter = filter
        self.description = description
    }

    /// Chronon's default tile width: 5m for windows under 12h, 1h under 12d, 1d above. When that does not divide the
    /// window, the greatest common divisor of the two, so every window is a whole number of tiles.
    public static func defaultHop(windowMicros: Int64) -> Int64 {
        let minute: Int64 = 60_000_000, hour = 60 * minute, day = 24 * hour
        let chronon = windowMicros < 12 * hour ? 5 * minute : windowMicros < 12 * day ? hour : day
        guard windowMicros > 0 else { return chronon }
        var (a, b) = (windowMicros, chronon)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}

/// A feature view: features of some entities computed from one source, with an optional TTL.
public struct FeatureViewDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var entities: [String]
    public var source: String
    /// nil means unbounded.
    public var ttlMicros: Int64?
    /// Row features: one value per source row, the best row wins (may be empty when the view has aggregations).
    public var features: [FeatureDefinition]
    /// Windowed aggregations over the source's rows.
    public var aggregations: [AggregationDefinition]
    public var description: String?
    public var owner: String?
    public var tags: [String]
}

/// A reference to one feature (`view:feature`) or all of a view's features (`view:*`).
public struct FeatureReference: Codable, Sendable, Hashable, CustomStringConvertible {
    public var view: String
    /// nil for `*`.
    public var feature: String?

    public init(view: String, feature: String?) {
        self.view = view
        self.feature = feature
    }

    public var description: String { "\(view):\(feature ?? "*")" }

    /// Parses `view:feature` or `view:*`.
    public static func parse(_ text: String) -> FeatureReference? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return FeatureReference(view: String(parts[0]), feature: parts[1] == "*" ? nil : String(parts[1]))
    }
}

/// A feature service: a named list of features that a model consumes.
public struct FeatureServiceDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var features: [FeatureReference]
    /// Fraction of served rows to log for parity checks; nil when logging is off.
    public var loggingSampleRate: Double?
    public var description: String?
    public var owner: String?
    public var tags: [String]
    /// Drift monitoring by `strata serve` (`monitoring:`); nil when off. Not a breaking change: it judges data.
    public var monitoring: ServiceMonitoring? = nil
}

/// Every definition of a project, each list sorted by name.
public struct ProjectDefinitions: Codable, Sendable, Hashable {
    public var entities: [EntityDefinition] = []
    public var sources: [SourceDefinition] = []
    public var views: [FeatureViewDefinition] = []
    public var services: [FeatureServiceDefinition] = []

    public init() {}

    public func entity(_ name: String) -> EntityDefinition? { entities.first { $0.name == name } }
    public func source(_ name: String) -> SourceDefinition? { sources.first { $0.name == name } }
    public func view(_ name: String) -> FeatureViewDefinition? { views.first { $0.name == name } }
    public func service(_ name: String) -> FeatureServiceDefinition? { services.first { $0.name == name } }

    /// The join keys of a view, in entity order.
    public func joinKeys(of view: FeatureViewDefinition) -> [JoinKey] {
        view.entities.compactMap { entity($0) }.flatMap(\.joinKeys)
    }
}

/// Where each object and field was defined, keyed by `kind/name` or `kind/name/field`.
public struct DefinitionLocations: Sendable {
    public var byPath: [String: SourceLocation] = [:]

    public init() {}

    /// The location of a field of an object, falling back to the object itself.
    public func location(_ kind: DefinitionKind, _ name: String, field: String? = nil) -> SourceLocation? {
        let context = field.map { "\(kind.displayName) `\(name)`, field `\($0)`" } ?? "\(kind.displayName) `\(name)`"
        let exact = field.flatMap { byPath["\(kind.rawValue)/\(name)/\($0)"] }
        return (exact ?? byPath["\(kind.rawValue)/\(name)"])?.with(context: context)
    }
}

/// The kinds of definition object.
public enum DefinitionKind: String, Codable, Sendable, CaseIterable, Comparable {
    case entity, source, view = "feature_view", service = "feature_service"

    public var displayName: String {
        switch self {
        case .entity: return "entity"
        case .source: return "source"
        case .view: return "feature view"
        case .service: return "feature service"
        }
    }

    /// The top-level YAML key that lists objects of this kind.
    public var yamlSection: String {
        switch self {
        case .entity: return "entities"
        case .source: return "sources"
        case .view: return "feature_views"
        case .service: return "feature_services"
        }
    }

    public static func < (lhs: DefinitionKind, rhs: DefinitionKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
