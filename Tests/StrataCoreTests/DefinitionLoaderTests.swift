// Definition files: the example loads; each class of mistake is reported with file:line:column, all at once.
// Uses small inline YAML so each case is readable in the test.
import Testing
@testable import StrataCore

@Suite struct DefinitionLoaderTests {
    static let valid = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: stats
        path: data/stats.csv
        timestamp: ts
        schema: {driver_id: int64, trips: int64, rate: float64}
    feature_views:
      - name: driver_stats
        entities: [driver]
        source: stats
        ttl: 2h
        features:
          trips: int64
          rate_pct: {type: float64, expr: "rate * 100"}
    feature_services:
      - name: ranking
        features: [driver_stats:trips, "driver_stats:*"]
    """

    func errors(_ yaml: String) -> [Diagnostic] {
        switch CompiledProject.compile([(path: "featuresets/f.yaml", text: yaml)]) {
        case .success: return []
        case .failure(let errors): return errors.diagnostics
        }
    }

    @Test("a valid project compiles with typed features and resolves a service")
    func validProject() throws {
        let project = try CompiledProject.compile([(path: "featuresets/f.yaml", text: Self.valid)]).get()
        let view = try #require(project.views["driver_stats"])
        #expect(view.keys == [JoinKey(name: "driver_id", type: .int64)])
        #expect(view.definition.ttlMicros == 7_200_000_000)
        #expect(view.features.map(\.typed.type) == [.int64, .float64])
        let service = try #require(project.definitions.service("ranking"))
        let resolved = try project.resolve(service.features).get()
        #expect(resolved.map(\.qualifiedName) == ["driver_stats__trips", "driver_stats__rate_pct"])
    }

    @Test("each mistake is reported at its file, line and column", arguments: [
        ("ttl: 2h", "ttl: 0", "ttl must be positive", "featuresets/f.yaml:13:10"),
        ("ttl: 2h", "ttl: 2 hours", "not a duration", "featuresets/f.yaml:13:10"),
        ("ttl: 2h", "tll: 2h", "unknown field `tll`", "featuresets/f.yaml:13:5"),
        ("entities: [driver]", "entities: [drivr]", "unknown entity `drivr`", "featuresets/f.yaml:11:15"),
        ("\"rate * 100\"", "\"rate * 1o0\"", "unexpected `o0`", "featuresets/f.yaml:16:48"),
        ("\"rate * 100\"", "\"rat * 100\"", "unknown column `rat`", "featuresets/f.yaml:16:40"),
        ("trips: int64\n", "trips: integer64\n", "unknown type", "featuresets/f.yaml:15:14"),
        ("driver_stats:trips,", "driver_stats:tripz,", "has no feature `tripz`", "featuresets/f.yaml:19:15"),
        ("source: stats", "source: stat", "unknown source `stat`", "featuresets/f.yaml:12:13"),
        ("join_keys: {driver_id: int64}", "join_keys: {driver_id: float64}", "join keys must be int64 or string", "featuresets/f.yaml:3:16"),
        ("rate: float64}", "rate: float64, rate: int64}", "duplicate key `rate`", "featuresets/f.yaml:8:"),
    ])
    func reportsMistakes(original: String, replacement: String, message: String, location: String) {
        let found = errors(Self.valid.replacingOccurrences(of: original, with: replacement))
        #expect(found.contains { $0.what.contains(message) && "\($0.location.map(\.description) ?? "")".hasPrefix(location) },
                "\(found.map(\.description))")
    }

    @Test("YAML syntax errors carry the position")
    func yamlSyntax() {
        let found = errors("entities:\n  - name: [unclosed\n")
        #expect(found.count == 1)
        #expect(found.first?.what.contains("YAML syntax error") == true)
        #expect((found.first?.location?.line ?? 0) > 0)
    }

    @Test("all errors in a project are reported at once, sorted by file and line")
    func allErrorsAtOnce() {
        let broken = Self.valid
            .replacingOccurrences(of: "ttl: 2h", with: "ttl: -5m")
            .replacingOccurrences(of: "source: stats", with: "source: nope")
            .replacingOccurrences(of: "driver_stats:trips,", with: "other:trips,")
        let found = errors(broken)
        #expect(found.count == 3)
        let lines = found.compactMap { $0.location?.line }
        #expect(lines == lines.sorted())
    }

    @Test("duplicate names are errors")
    func duplicates() {
        let doubled = Self.valid.replacingOccurrences(of: "sources:", with: "  - name: driver\n    join_keys: {driver_id: int64}\nsources:")
        #expect(errors(doubled).contains { $0.what.contains("defined more than once") })
    }

    @Test("error text follows the what / where / fix format")
    func rendering() {
        let found = errors(Self.valid.replacingOccurrences(of: "ttl: 2h", with: "ttl: 0"))
        let text = found.first?.description ?? ""
        #expect(text == """
        error: ttl must be positive, got `0`
          --> featuresets/f.yaml:13:10 (feature view `driver_stats`, field `ttl`)
          fix: write a positive duration such as `6h` or `30d`, or remove `ttl` for no limit
        """)
    }
}
