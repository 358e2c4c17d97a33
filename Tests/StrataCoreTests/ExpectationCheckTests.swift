// Row and run checks: which rows are quarantined and why, what warn and mostly rules count, and the results
// table for a run. Rows are five-value arrays in the schema order of `source`.
import Testing
@testable import StrataCore

@Suite struct ExpectationCheckTests {
    static let source = SourceDefinition(
        name: "stats", path: "stats.csv", format: .csv,
        columns: [ColumnDefinition(name: "driver_id", type: .int64), ColumnDefinition(name: "conv_rate", type: .float64),
                  ColumnDefinition(name: "city", type: .string), ColumnDefinition(name: "code", type: .string),
                  ColumnDefinition(name: "trips", type: .int64)],
        timestamp: TimestampColumn(column: "event_ts", epochUnit: nil, assumesUTC: false), created: nil,
        expectations: SourceExpectations(columns: [
            ColumnExpectation(column: "driver_id", rule: .notNull),
            ColumnExpectation(column: "conv_rate", rule: .between(lower: .float(0), upper: .float(1))),
            ColumnExpectation(column: "conv_rate", rule: .notNull, mostly: 0.75),
            ColumnExpectation(column: "city", rule: .oneOf([.string("lagos"), .string("porto")]), action: .warn),
            ColumnExpectation(column: "code", rule: .matches("[A-Z]{2}\\d*"), mostly: 0.5, action: .warn),
            ColumnExpectation(column: "trips", rule: .between(lower: .float(0.5), upper: nil)),
        ]),
        description: nil, owner: nil, tags: [])

    static func row(_ id: Int64?, _ rate: Double?, _ city: String?, _ code: String?, _ trips: Int64?) -> [Value] {
        [id.map(Value.int) ?? .null, rate.map(Value.float) ?? .null, city.map(Value.string) ?? .null, code.map(Value.string) ?? .null,
         trips.map(Value.int) ?? .null]
    }

    @Test("a row goes to quarantine with the first failed quarantining rule as its reason")
    func quarantine() throws {
        var checker = try RowChecker(Self.source)
        #expect(checker.check(Self.row(1, 0.5, "lagos", "PT1", 3)) == nil)
        #expect(checker.check(Self.row(nil, 2, "lagos", "PT", 3))?.reason == "column `driver_id`: null fails expectation `not_null`")
        #expect(checker.check(Self.row(2, 1.5, "oslo", "x", 3))?.reason == "column `conv_rate`: `1.5` fails expectation `between [0, 1]`")
        #expect(checker.check(Self.row(3, 0.2, "lagos", "PT", 0))?.reason == "column `trips`: `0` fails expectation `between [0.5, inf]`",
                "a fractional lower bound rounds up for an integer column")
        #expect(checker.check(Self.row(4, nil, nil, nil, nil)) == nil, "nulls pass every rule but not_null")
        #expect(checker.rowsChecked == 5 && checker.rowsQuarantined == 3)
    }

    @Test("warn and mostly rules count accepted rows only, and the results table says what happened")
    func results() throws {
        var checker = try RowChecker(Self.source)
        let rows = [
            Self.row(1, 0.5, "lagos", "PT1", 3), Self.row(2, nil, "oslo", "pt", 3), Self.row(3, 0.1, "porto", "LX42", 3),
            Self.row(4, nil, "lima", nil, 3), Self.row(5, 9, "oslo", "bad", 3),
        ]
        for row in rows { _ = checker.check(row) }
        #expect(checker.results().map { "\($0.expectation) | \($0.observed) | \($0.threshold) | \($0.verdict.rawValue)" } == [
            "driver_id: not_null | 0 of 5 rows fail | every row | pass",
            "conv_rate: between [0, 1] | 1 of 5 rows fail | every row | quarantine",
            "conv_rate: not_null (mostly 0.75) | 0.5 (2 of 4 rows fail) | >= 0.75 | reject",
            "city: in [lagos, porto] | 2 of 4 rows fail | every row | warn",
            "code: matches `[A-Z]{2}\\d*` (mostly 0.5) | 0.6667 (1 of 3 rows fail) | >= 0.5 | pass",
            "trips: between [0.5, inf] | 0 of 4 rows fail | every row | pass",
        ])
        #expect(checker.results().rejectsRun)
    }

    @Test("the run rules judge counts, freshness, null rates, means and duplicates; warn keeps the run")
    func runRules() {
        let expectations = SourceExpectations(run: [
            RunExpectation(rule: .rowCountMin(100)), RunExpectation(rule: .rowCountMax(120)), RunExpectation(rule: .rowCountChange(0.5)),
            RunExpectation(rule: .freshness(maxAgeMicros: 7_200_000_000)), RunExpectation(rule: .nullRate(column: "conv_rate", max: 0.05), onFail: .warn),
            RunExpectation(rule: .mean(column: "conv_rate", lower: 0.2, upper: 0.8)), RunExpectation(rule: .unique),
        ])
        let now: Int64 = 1_700_000_000_000_000
        let run = RunMetrics(rowCount: 110, newestEventMicros: now - 3_600_000_000,
                             columns: ["conv_rate": ColumnMetrics(rowCount: 110, nullCount: 11, mean: 0.9)], duplicateKeyRows: 2)
        let results = RunChecker.check(expectations, run: run, previous: RunMetrics(rowCount: 50, newestEventMicros: nil, columns: [:]), now: now)
        #expect(results.map { "\($0.expectation) | \($0.observed) | \($0.threshold) | \($0.verdict.rawValue)" } == [
            "row_count >= 100 | 110 rows | >= 100 | pass",
            "row_count <= 120 | 110 rows | <= 120 | pass",
            "row_count change <= 0.5 | +1.2 (110 vs 50 rows) | <= 0.5 | reject",
            "freshness <= 2h | newest event 1h old | <= 2h | pass",
            "null_rate(conv_rate) <= 0.05 | 0.1 (11 of 110) | <= 0.05 | warn",
            "mean(conv_rate) in [0.2, 0.8] | 0.9 | in [0.2, 0.8] | reject",
            "unique (join keys, event time) | 2 duplicate rows | 0 duplicate rows | reject",
        ])
        let first = RunChecker.check(expectations, run: RunMetrics(rowCount: 0, newestEventMicros: nil, columns: [:]), previous: nil, now: now)
        #expect(first.map(\.verdict) == [.reject, .pass, .skipped, .reject, .skipped, .reject, .skipped])
        #expect(first[3].observed == "no rows")
    }

    @Test("a rule that does not fit the schema is refused when compiling the checker")
    func compileErrors() {
        var broken = Self.source
        broken.expectations = SourceExpectations(columns: [ColumnExpectation(column: "nope", rule: .notNull),
                                                           ColumnExpectation(column: "code", rule: .matches("("))])
        #expect(throws: DefinitionErrors.self) { try RowChecker(broken) }
    }
}
