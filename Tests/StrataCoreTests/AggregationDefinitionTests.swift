// Aggregation definitions: the full `aggregations:` shape loads and compiles (result types, default hops, `id:`),
// and each class of mistake is reported at its file, line and column with a fix.
import Testing
@testable import StrataCore

@Suite struct AggregationDefinitionTests {
    static let valid = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: trips
        path: data/trips.csv
        timestamp: ts
        id: trip_id
        schema: {trip_id: string, driver_id: int64, rider_id: string, fare: float64, tip: int64, status: string}
    feature_views:
      - name: driver_trips
        entities: [driver]
        source: trips
        aggregations:
          trips_1h: {function: count, window: 1h}
          fare_sum_24h: {function: sum, column: fare, window: 24h}
          tip_sum_24h: {function: sum, column: tip, window: 24h, hop: 1h}
          fare_avg_7d: {function: avg, column: fare, window: 7d, where: "status = 'completed'"}
          riders_7d: {function: approx_count_distinct, column: rider_id, window: 7d}
          fare_x2: {function: max, column: {expr: "fare * 2"}, window: 30d, hop: 0}
          last_status: {function: last, column: status, window: 90s}
    feature_services:
      - name: ranking
        features: [driver_trips:trips_1h, "driver_trips:*"]
    """

    func errors(_ yaml: String) -> [Diagnostic] {
        switch CompiledProject.compile([(path: "featuresets/f.yaml", text: yaml)]) {
        case .success: return []
        case .failure(let errors): return errors.diagnostics
        }
    }

    @Test("a view with only aggregations compiles with result types, default hops and a resolvable service")
    func validProject() throws {
        let project = try CompiledProject.compile([(path: "featuresets/f.yaml", text: Self.valid)]).get()
        let view = try #require(project.views["driver_trips"])
        #expect(view.features.isEmpty)
        #expect(view.source.idColumn == "trip_id")
        #expect(view.aggregations.map(\.resultType) == [.int64, .float64, .int64, .float64, .int64, .float64, .string])
        let minute: Int64 = 60_000_000
        // 5m below 12h, 1h below 12d, 1d above; a window the default does not divide gets their gcd (90s, 5m → 30s).
        #expect(view.aggregations.map(\.window.hopMicros) == [5 * minute, 60 * minute, 60 * minute, 60 * minute, 60 * minute, 0, minute / 2])
        let resolved = try project.resolve(project.definitions.service("ranking")?.features ?? []).get()
        #expect(resolved.map(\.feature) == ["trips_1h", "fare_sum_24h", "tip_sum_24h", "fare_avg_7d", "riders_7d", "fare_x2", "last_status"])
        #expect(resolved.allSatisfy { $0.isAggregation })
        #expect(resolved.map(\.featureIndex) == [0, 1, 2, 3, 4, 5, 6])
    }

    @Test("the default hop follows Chronon's rule", arguments: [
        ("1h", "5m"), ("11h", "5m"), ("12h", "1h"), ("24h", "1h"), ("7d", "1h"), ("12d", "1d"), ("30d", "1d"), ("7m", "1m"), ("90s", "30s"),
    ])
    func defaultHop(window: String, hop: String) throws {
        let micros = try FeatureDuration.parse(window).get()
        #expect(AggregationDefinition.defaultHop(windowMicros: micros) == (try FeatureDuration.parse(hop).get()))
    }

    @Test("each aggregation mistake is reported at its file, line and column with a fix", arguments: [
        ("{function: count, window: 1h}", "{function: cuont, window: 1h}", "unknown aggregation function `cuont`", "featuresets/f.yaml:15:28", "did you mean `count`?"),
        ("{function: count, window: 1h}", "{function: count, window: 0}", "window must be positive", "featuresets/f.yaml:15:43", "positive duration"),
        ("{function: count, window: 1h}", "{function: count, window: 1h, hop: 7m}", "hop `7m` does not divide the window `1h`", "featuresets/f.yaml:15:52", "hop: 0"),
        ("column: fare, window: 24h}", "column: status, window: 24h}", "`sum` needs a number, got string", "featuresets/f.yaml:16:45", "count"),
        ("where: \"status = 'completed'\"", "where: \"fare * 2\"", "`where` must be a boolean condition", "featuresets/f.yaml:18:70", "status = 'completed'"),
        ("column: rider_id, window: 7d}", "column: fare, window: 7d}", "`approx_count_distinct` of a float64 is refused", "featuresets/f.yaml:19:60", "cast(round"),
        ("column: rider_id, window: 7d}", "column: rider, window: 7d}", "has no column `rider`", "featuresets/f.yaml:19:60", "rider_id"),
        ("{expr: \"fare * 2\"}", "{expr: \"fare * x\"}", "unknown column `x`", "featuresets/f.yaml:20:55", nil),
        ("{function: count, window: 1h}", "{function: sum, window: 1h}", "`sum` needs a `column`", "featuresets/f.yaml:15:28", "column: fare"),
        ("{function: count, window: 1h}", "{function: count, windw: 1h}", "unknown field `windw`", "featuresets/f.yaml:15:35", "did you mean `window`?"),
        ("id: trip_id", "id: trip", "the `id` column `trip` is not in the schema", "featuresets/f.yaml:8:9", "did you mean"),
        ("id: trip_id", "id: fare", "event ids must be int64 or string", "featuresets/f.yaml:8:9", nil),
        ("trips_1h: {", "fare: {", "aggregation name `fare` is reserved or already used", "featuresets/f.yaml:16:7", nil),
        ("driver_trips:trips_1h,", "driver_trips:trips_2h,", "has no feature `trips_2h`", "featuresets/f.yaml:24:15", "did you mean `trips_1h`?"),
    ])
    func reportsMistakes(original: String, replacement: String, message: String, location: String, fix: String?) {
        var yaml = Self.valid.replacingOccurrences(of: original, with: replacement)
        if replacement.hasPrefix("fare: {") { yaml = yaml.replacingOccurrences(of: "trips_1h", with: "fare").replacingOccurrences(of: "aggregations:", with: "features: {fare: float64}\n    aggregations:") }
        let found = errors(yaml)
        let match = found.first { $0.what.contains(message) }
        #expect(match != nil, "\(found.map(\.description))")
        #expect(match?.location?.description.hasPrefix(location) == true, "\(match?.description ?? "")")
        if let fix { #expect(match?.fix?.contains(fix) == true, "\(match?.description ?? "")") }
    }

    @Test("a view needs features or aggregations; aggregations alone are enough")
    func featuresOrAggregations() {
        let none = Self.valid.replacingOccurrences(of: "    aggregations:", with: "    tags: [x]\n    aggregations_off:")
        #expect(errors(none).contains { $0.what.contains("missing required field `features`") || $0.what.contains("unknown field") })
        #expect(errors(Self.valid).isEmpty)
    }

    @Test("definitions read back from the registry recompile to the same aggregations")
    func roundTrip() throws {
        let project = try CompiledProject.compile([(path: "featuresets/f.yaml", text: Self.valid)]).get()
        let again = try CompiledProject.compile(definitions: project.definitions).get()
        #expect(again.views["driver_trips"]?.aggregations.map(\.definition) == project.views["driver_trips"]?.aggregations.map(\.definition))
        #expect(again.views["driver_trips"]?.aggregations.map(\.kernel) == project.views["driver_trips"]?.aggregations.map(\.kernel))
    }
}
