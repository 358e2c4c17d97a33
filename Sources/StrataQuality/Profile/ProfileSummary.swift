public import StrataCore

/// The readable statistics of one column profile: what `strata profile` prints and `--json` writes, and what the
/// web UI shows. Timestamps stay in microseconds here; renderers format them.
public struct ColumnSummary: Sendable, Hashable, Codable {
    public struct TopValue: Sendable, Hashable, Codable {
        public var value: String
        public var count: Int64
    }

    public var name: String
    public var type: ValueType
    public var count: Int64
    public var nulls: Int64
    public var minimum: Double?
    public var maximum: Double?
    public var mean: Double?
    public var standardDeviation: Double?
    public var p50: Double?
    public var p95: Double?
    /// Rank error of the quantiles and histogram counts, as a share of the values (0 when exact).
    public var quantileRankError: Double
    public var distinct: Int64?
    public var distinctIsExact: Bool
    /// The most frequent values (strings, booleans, numbers with few distinct values), most frequent first.
    public var topValues: [TopValue]
    /// Counts in `topValues` may be short by at most this much (0 when exact).
    public var topValuesErrorBound: Int64
    /// Equal-width bins over [minimum, maximum] (numbers only).
    public var histogram: Histogram?

    /// Summarises a column; `topCount` values at most, `bins` histogram bins.
    public init(_ profile: ColumnProfile, topCount: Int = 5, bins: Int = 20) {
        name = profile.name
        type = profile.type
        count = profile.rowCount
        nulls = profile.nullCount
        // A non-finite statistic (a sum of squares past the largest double) is shown as null, as everywhere else.
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        minimum = finite(profile.minimum)
        maximum = finite(profile.maximum)
        mean = finite(profile.mean)
        standardDeviation = finite(profile.standardDeviation)
        p50 = finite(profile.quantile(0.5))
        p95 = finite(profile.quantile(0.95))
        quantileRankError = profile.quantileRankError
        let distinctCount = profile.distinctCount
        distinct = distinctCount?.value
        distinctIsExact = distinctCount?.isExact ?? false
        let top = profile.topValues(limit: topCount)
        topValues = top.map { zip($0.labels, $0.counts).map { TopValue(value: $0.0, count: $0.1) } } ?? []
        topValuesErrorBound = top?.errorBound ?? 0
        histogram = profile.histogram(binCount: bins)
    }
}

/// The summaries of every column of a profile.
public struct ProfileSummary: Sendable, Hashable, Codable {
    public var rows: Int64
    public var columns: [ColumnSummary]

    public init(_ profile: DatasetProfile, topCount: Int = 5, bins: Int = 20) {
        rows = profile.rowCount
        columns = profile.columns.map { ColumnSummary($0, topCount: topCount, bins: bins) }
    }
}
