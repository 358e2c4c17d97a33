// Expectations on sources: the issue's YAML loads into the model; each mistake is a definition error with
// file:line:column and a fix, all reported at once. Small inline YAML keeps each case readable.
import Testing
@testable import StrataCore

@Suite struct ExpectationDefinitionTests {
    static func project(_ expectations: String) -> String {
        """
        sources:
          - name: stats
            path: data/stats.csv
            timestamp: event_ts
            schema: {driver_id: int64, conv_rate: float64, rating: float64, city: string, code: string, active: bool, seen: timestamp}
            expectations:
        \(expectations.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n"))
        """
    }

    static let example = """
    columns:
      conv_rate: {not_null: {mostly: 0.99}, between: [0, 1]}
      city:      {in: [lagos, lisbon, porto], action: warn}
      driver_id: {not_null: true}
    run:
      row_count: {min: 1000, max_change: 0.5}   # vs the previous run of this source
      freshness: 2h                               # newest event_ts no older than this at ingest time
      null_rate: {rating: 0.05}
      mean: {conv_rate: [0.2, 0.8]}
    """

    func load(_ expectations: String) -> Result<SourceExpectations?, DefinitionErrors> {
        DefinitionLoader.load([(path: "featuresets/f.yaml", text: Self.project(expectations))]).map { $0.definitions.sources.first?.expectations }
    }

    func errors(_ expectations: String) -> [Diagnostic] {
        if case .failure(let errors) = load(expectations) { return errors.diagnostics }
        return []
    }

    @Test("the issue's example loads into column and run rules in the order written")
    func example() throws {
        let expectations = try #require(try load(Self.example).get())
        #expect(expectations.columns == [
            ColumnExpectation(column: "conv_rate", rule: .notNull, mostly: 0.99),
            ColumnExpectation(column: "conv_rate", rule: .between(lower: .float(0), upper: .float(1))),
            ColumnExpectation(column: "city", rule: .oneOf([.string("lagos"), .string("lisbon"), .string("porto")]), action: .warn),
            ColumnExpectation(column: "driver_id", rule: .notNull),
        ])
        #expect(expectations.run == [
            RunExpectation(rule: .rowCountMin(1000)), RunExpectation(rule: .rowCountChange(0.5)),
            RunExpectation(rule: .freshness(maxAgeMicros: 7_200_000_000)), RunExpectation(rule: .nullRate(column: "rating", max: 0.05)),
            RunExpectation(rule: .mean(column: "conv_rate", lower: 0.2, upper: 0.8)),
        ])
        #expect(expectations.columns.map(\.description) == [
            "conv_rate: not_null (mostly 0.99)", "conv_rate: between [0, 1]", "city: in [lagos, lisbon, porto]", "driver_id: not_null",
        ])
    }

    @Test("long forms set mostly, action and on_fail per rule; open bounds and timestamps are typed")
    func longForms() throws {
        let expectations = try #require(try load("""
        columns:
          code: {matches: {pattern: "[A-Z]{2}-\\\\d+", action: warn}, max_length: {max: 8, mostly: 0.9}}
          rating: {between: {min: 1}, mostly: 0.95, action: warn}
          seen: {between: [2024-01-01T00:00:00Z, ~]}
          active: {in: {values: [true]}}
        run:
          freshness: {max_age: 1d, on_fail: warn}
          unique: {on_fail: warn}
          null_rate: {rating: 0.1, city: 0, on_fail: warn}
        """).get())
        #expect(expectations.columns == [
            ColumnExpectation(column: "code", rule: .matches("[A-Z]{2}-\\d+"), action: .warn),
            ColumnExpectation(column: "code", rule: .maxLength(8), mostly: 0.9),
            ColumnExpectation(column: "rating", rule: .between(lower: .float(1), upper: nil), mostly: 0.95, action: .warn),
            ColumnExpectation(column: "seen", rule: .between(lower: .timestamp(1_704_067_200_000_000), upper: nil)),
            ColumnExpectation(column: "active", rule: .oneOf([.bool(true)])),
        ])
        #expect(expectations.run.map(\.onFail) == [.warn, .warn, .warn, .warn])
        #expect(expectations.run.map(\.description) == ["freshness <= 1d", "null_rate(rating) <= 0.1", "null_rate(city) <= 0", "unique (join keys, event time)"])
    }

    @Test("each mistake in expectations is reported at its position", arguments: [
        ("columns: {conv_rat: {not_null: true}}", "unknown column `conv_rat`", "featuresets/f.yaml:7:17"),
        ("columns: {city: {between: [0, 1]}}", "`between` needs a numeric or timestamp column; `city` is string", "featuresets/f.yaml:7:33"),
        ("columns: {rating: {between: [low, 5]}}", "`low` is not a valid float64 value", "featuresets/f.yaml:7:36"),
        ("columns: {rating: {between: [5, 1]}}", "`between` lower bound 5 is above upper bound 1", "featuresets/f.yaml:7:35"),
        ("columns: {rating: {between: 3}}", "`between` must be a list of two bounds, found `3`", "featuresets/f.yaml:7:35"),
        ("columns: {rating: {not_null: {mostly: 1.5}}}", "`mostly` must be a share in (0, 1], found `1.5`", "featuresets/f.yaml:7:45"),
        ("columns: {rating: {not_null: true, mostly: 0}}", "`mostly` must be a share in (0, 1], found `0`", "featuresets/f.yaml:7:50"),
        ("columns: {code: {matches: \"[a-z\"}}", "`[a-z` is not a supported pattern: missing `]` at offset 0", "featuresets/f.yaml:7:33"),
        ("columns: {code: {matches: \"(?=x)\"}}", "only `(?:…)` groups are supported", "featuresets/f.yaml:7:33"),
        ("columns: {rating: {matches: x}}", "`matches` needs a string column; `rating` is float64", "featuresets/f.yaml:7:35"),
        ("columns: {code: {max_length: -1}}", "`max_length` must be a whole number of characters", "featuresets/f.yaml:7:36"),
        ("columns: {code: {not_nul: true}}", "unknown field `not_nul`", "featuresets/f.yaml:7:24"),
        ("columns: {code: {in: [a], action: drop}}", "unknown action `drop`", "featuresets/f.yaml:7:41"),
        ("columns: {driver_id: {in: [1, two]}}", "`two` is not a valid int64 value", "featuresets/f.yaml:7:37"),
        ("columns: {event_ts: {not_null: true}}", "`event_ts` is a time column", "featuresets/f.yaml:7:17"),
        ("columns: {code: {action: warn}}", "no rule for column `code`", "featuresets/f.yaml:7:23"),
        ("run: {row_count: {min: 10, max: 5}}", "`row_count` min 10 is above max 5", "featuresets/f.yaml:7:24"),
        ("run: {row_count: {max_change: 0}}", "`max_change` must be a positive share", "featuresets/f.yaml:7:37"),
        ("run: {freshness: 2 hours}", "`2 hours` is not a duration", "featuresets/f.yaml:7:24"),
        ("run: {null_rate: {ratin: 0.1}}", "unknown column `ratin`", "featuresets/f.yaml:7:25"),
        ("run: {null_rate: {rating: 2}}", "a null rate must be a share from 0 to 1", "featuresets/f.yaml:7:33"),
        ("run: {mean: {city: [0, 1]}}", "`mean` needs a numeric or bool column; `city` is string", "featuresets/f.yaml:7:20"),
        ("run: {mean: {rating: [5, 1]}}", "`mean` lower bound 5 is above upper bound 1", "featuresets/f.yaml:7:28"),
        ("run: {unique: yes}", "`unique` must be `true` or `{on_fail: warn}`", "featuresets/f.yaml:7:21"),
        ("run: {unique: {on_fail: ignore}}", "unknown `on_fail` `ignore`", "featuresets/f.yaml:7:31"),
        ("run: {row_cnt: {min: 1}}", "unknown field `row_cnt`", "featuresets/f.yaml:7:13"),
    ])
    func mistakes(yaml: String, message: String, location: String) {
        let found = errors(yaml)
        #expect(found.contains { $0.what.contains(message) && ($0.location?.description ?? "").hasPrefix(location) },
                "\(found.map(\.description))")
    }

    @Test("error texts are complete sentences with a fix")
    func pinnedTexts() {
        #expect(errors("columns: {conv_rat: {not_null: true}}").map(\.description) == ["""
        error: unknown column `conv_rat`
          --> featuresets/f.yaml:7:17 (source `stats`, field `expectations`, field `columns`)
          fix: did you mean `conv_rate`?
        """])
        #expect(errors("columns: {city: {between: [0, 1]}}").map(\.description) == ["""
        error: `between` needs a numeric or timestamp column; `city` is string
          --> featuresets/f.yaml:7:33 (source `stats`, field `expectations`, column `city`, rule `between`)
          fix: use `in: [...]`, `matches` or `max_length` for strings
        """])
        #expect(errors("columns: {rating: {not_null: {mostly: 1.5}}}").map(\.description) == ["""
        error: `mostly` must be a share in (0, 1], found `1.5`
          --> featuresets/f.yaml:7:45 (source `stats`, field `expectations`, column `rating`, rule `not_null`)
          fix: write e.g. `mostly: 0.99` (at least 99% of rows); `1` means every row
        """])
    }

    @Test("every mistake in a block is reported at once, in file order")
    func allAtOnce() {
        let found = errors("""
        columns:
          city: {between: [0, 1]}
          rating: {not_null: {mostly: 2}}
        run:
          freshness: soon
        """)
        #expect(found.count == 3)
        #expect(found.compactMap { $0.location?.line } == [8, 9, 11])
    }

    @Test("sources without expectations store none, so their registry JSON is unchanged")
    func absent() throws {
        let yaml = Self.project("").replacingOccurrences(of: "    expectations:\n      ", with: "")
        let loaded = try DefinitionLoader.load([(path: "featuresets/f.yaml", text: yaml)]).get()
        #expect(loaded.definitions.sources.first?.expectations == nil)
    }
}
