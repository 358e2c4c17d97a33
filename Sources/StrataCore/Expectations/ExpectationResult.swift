/// The outcome of one expectation for one run: a row of the validation table `ingest` prints and stores.
public struct ExpectationResult: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable {
        case pass
        /// Failed, and declared `warn`: the rows or the run are kept.
        case warn
        /// A row rule failed on some rows, which went to quarantine.
        case quarantine
        /// The run writes nothing.
        case reject
        /// Could not be judged (no previous run, nothing measured).
        case skipped
    }

    /// The expectation as written, e.g. `conv_rate: between [0, 1]` or `row_count >= 1000`.
    public var expectation: String
    /// What the run showed, e.g. `3 of 1000 rows fail` or `0.985`.
    public var observed: String
    /// What was required, e.g. `every row` or `>= 0.99`.
    public var threshold: String
    public var verdict: Verdict
    /// The measured number behind `observed` (a count, share, age in microseconds or mean), when there is one.
    public var observedValue: Double?
    /// For column rules: rows that failed the rule.
    public var failingRows: Int64?

    public init(expectation: String, observed: String, threshold: String, verdict: Verdict, observedValue: Double? = nil, failingRows: Int64? = nil) {
        self.expectation = expectation
        self.observed = observed
        self.threshold = threshold
        self.verdict = verdict
        self.observedValue = observedValue
        self.failingRows = failingRows
    }
}

extension Array where Element == ExpectationResult {
    /// True when any result rejects the run: it must write nothing.
    public var rejectsRun: Bool { contains { $0.verdict == .reject } }
}

/// A share written with at most four decimals, for results.
func formatShare(_ share: Double) -> String {
    ExpectationLiteral.float((share * 10_000).rounded() / 10_000).description
}

/// An observed statistic for the validation table: four decimals, unless that would round a small value to zero
/// (the exact value is kept in `observedValue`).
func formatObserved(_ value: Double) -> String {
    value == 0 || abs(value) >= 0.001 ? formatShare(value) : ExpectationLiteral.float(value).description
}
