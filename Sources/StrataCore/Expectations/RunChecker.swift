/// What an ingest run measured, for the run rules: counts over the rows it would write.
public struct RunMetrics: Sendable, Hashable, Codable {
    /// Rows the run would write (read minus quarantined).
    public var rowCount: Int64
    /// The newest event time among them; nil when there are none.
    public var newestEventMicros: Int64?
    /// Per column: counts and mean.
    public var columns: [String: ColumnMetrics]
    /// Rows sharing join keys and event time with an earlier row of the run; nil when not measured.
    public var duplicateKeyRows: Int64?

    public init(rowCount: Int64, newestEventMicros: Int64?, columns: [String: ColumnMetrics], duplicateKeyRows: Int64? = nil) {
        self.rowCount = rowCount
        self.newestEventMicros = newestEventMicros
        self.columns = columns
        self.duplicateKeyRows = duplicateKeyRows
    }
}

/// Counts and mean of one column in a run.
public struct ColumnMetrics: Sendable, Hashable, Codable {
    public var rowCount: Int64
    public var nullCount: Int64
    /// The mean of the non-null values (booleans: the share of `true`); nil when there are none.
    public var mean: Double?

    public init(rowCount: Int64, nullCount: Int64, mean: Double?) {
        self.rowCount = rowCount
        self.nullCount = nullCount
        self.mean = mean
    }
}

/// Judges a run's metrics against a source's run rules.
public enum RunChecker {
    /// One result per run rule, in the order written. `previous` is the source's previous run, for
    /// `row_count.max_change`; `now` is when the run started, for `freshness`.
    ///
    /// ```swift
    /// let results = RunChecker.check(expectations, run: metrics, previous: last, now: startMicros)
    /// if (rowResults + results).rejectsRun { rollback() }
    /// ```
    public static func check(_ expectations: SourceExpectations, run: RunMetrics, previous: RunMetrics?, now: Int64) -> [ExpectationResult] {
        expectations.run.map { check($0, run: run, previous: previous, now: now) }
    }

    static func check(_ expectation: RunExpectation, run: RunMetrics, previous: RunMetrics?, now: Int64) -> ExpectationResult {
        let failed: ExpectationResult.Verdict = expectation.onFail == .reject ? .reject : .warn
        func result(_ observed: String, _ threshold: String, passes: Bool, _ value: Double? = nil) -> ExpectationResult {
            ExpectationResult(expectation: expectation.description, observed: observed, threshold: threshold, verdict: passes ? .pass : failed, observedValue: value)
        }
        func skipped(_ observed: String, _ threshold: String) -> ExpectationResult {
            ExpectationResult(expectation: expectation.description, observed: observed, threshold: threshold, verdict: .skipped)
        }
        let rows = run.rowCount
        switch expectation.rule {
        case .rowCountMin(let low):
            return result("\(rows) rows", ">= \(low)", passes: rows >= low, Double(rows))
        case .rowCountMax(let high):
            return result("\(rows) rows", "<= \(high)", passes: rows <= high, Double(rows))
        case .rowCountChange(let limit):
            guard let previous else { return skipped("no previous run", "<= \(formatShare(limit))") }
            guard previous.rowCount > 0 else { return skipped("the previous run wrote no rows", "<= \(formatShare(limit))") }
            let change = Double(rows - previous.rowCount) / Double(previous.rowCount)
            return result("\(change >= 0 ? "+" : "")\(formatShare(change)) (\(rows) vs \(previous.rowCount) rows)", "<= \(formatShare(limit))",
                          passes: abs(change) <= limit, change)
        case .freshness(let maxAge):
            guard let newest = run.newestEventMicros else { return result("no rows", "<= \(FeatureDuration.format(maxAge))", passes: false) }
            let age = now - newest
            let observed = age >= 0 ? "newest event \(FeatureDuration.format(age)) old" : "newest event in the future"
            return result(observed, "<= \(FeatureDuration.format(maxAge))", passes: age <= maxAge, Double(age))
        case .nullRate(let column, let limit):
            guard let metrics = run.columns[column], metrics.rowCount > 0 else { return skipped("no rows", "<= \(formatShare(limit))") }
            let rate = Double(metrics.nullCount) / Double(metrics.rowCount)
            return result("\(formatShare(rate)) (\(metrics.nullCount) of \(metrics.rowCount))", "<= \(formatShare(limit))", passes: rate <= limit, rate)
        case .mean(let column, let lower, let upper):
            let threshold = "in [\(formatShare(lower)), \(formatShare(upper))]"
            guard let mean = run.columns[column]?.mean else { return result("no values", threshold, passes: false) }
            return result(formatObserved(mean), threshold, passes: lower <= mean && mean <= upper, mean)
        case .unique:
            guard let duplicates = run.duplicateKeyRows else { return skipped("not measured", "0 duplicate rows") }
            return result("\(duplicates) duplicate rows", "0 duplicate rows", passes: duplicates == 0, Double(duplicates))
        }
    }
}
