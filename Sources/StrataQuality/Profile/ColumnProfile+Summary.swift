import StrataCore

extension ColumnProfile {
    /// The share of nulls among all values seen; nil for an empty column.
    public var nullRate: Double? { rowCount > 0 ? Double(nullCount) / Double(rowCount) : nil }

    /// The smallest number (booleans: 0 or 1); nil for strings and empty columns.
    public var minimum: Double? { moments.count > 0 && type != .string ? moments.minimum : nil }
    public var maximum: Double? { moments.count > 0 && type != .string ? moments.maximum : nil }
    /// The mean (booleans: the share of `true`); nil for strings and empty columns.
    public var mean: Double? { moments.count > 0 && type != .string ? moments.mean : nil }
    /// The sample standard deviation (divisor n − 1); nil below two values.
    public var standardDeviation: Double? { type == .string ? nil : moments.sampleVariance?.squareRoot() }

    /// The numeric values as a distribution: exact while the column keeps its values, otherwise the sketch's items
    /// with the sketch's rank error. Nil for strings, booleans and empty columns.
    public var distribution: EmpiricalDistribution? {
        guard type.isSketched, moments.count > 0 else { return nil }
        if let exactValues { return EmpiricalDistribution(samples: exactValues) }
        return sketch.distribution()
    }

    /// The `q`-quantile (the smallest value with at least a share `q` of values at or below it); its rank is off by
    /// at most `quantileRankError · valueCount`.
    public func quantile(_ q: Double) -> Double? { distribution?.quantile(q) }

    /// The rank error of `quantile(_:)` and of histogram counts, as a share of `valueCount`: 0 while exact.
    public var quantileRankError: Double { exactValues != nil ? 0 : sketch.rankError }

    /// The number of distinct non-null values, exact when the profile knows it (numbers with at most 32 distinct
    /// values or at most 1,000 values, strings before the frequent-items table overflowed, booleans), otherwise
    /// the distinct sketch's estimate; nil when neither is available.
    public var distinctCount: DistinctCount? {
        switch type {
        case .bool:
            return DistinctCount(value: (trueCount > 0 ? 1 : 0) + (moments.count - trueCount > 0 ? 1 : 0), isExact: true)
        case .string where items.isExact:
            return DistinctCount(value: Int64(items.counts.count), isExact: true)
        case _ where type.isSketched && !domain.isOverflowed:
            return DistinctCount(value: Int64(domain.values.count), isExact: true)
        case _ where exactValues != nil:
            return DistinctCount(value: Int64(Set(exactValues ?? []).count), isExact: true)
        default:
            return distinct.distinctEstimate.map { DistinctCount(value: $0, isExact: false) }
        }
    }

    /// Category counts for categorical tests and charts: strings from the frequent-items table, booleans, and
    /// numbers while they have at most 32 distinct values; nil otherwise.
    public var categories: CategoryCounts? {
        switch type {
        case .string:
            let sorted = items.sorted()
            let counted = sorted.reduce(Int64(0)) { $0 + $1.count }
            return CategoryCounts(labels: sorted.map(\.key), counts: sorted.map(\.count), otherCount: valueCount - counted, errorBound: items.errorBound)
        case .bool:
            return CategoryCounts(labels: ["false", "true"], counts: [moments.count - trueCount, trueCount], otherCount: 0, errorBound: 0)
        case .int64, .float64, .timestamp:
            guard !domain.isOverflowed else { return nil }
            let pairs = zip(domain.values, domain.counts).sorted { $0.0 < $1.0 }
            return CategoryCounts(labels: pairs.map { label(for: $0.0) }, counts: pairs.map(\.1), otherCount: 0, errorBound: 0)
        }
    }

    /// The `limit` most frequent values with counts (strings and booleans, and low-cardinality numbers).
    public func topValues(limit: Int) -> CategoryCounts? {
        guard let all = categories else { return nil }
        let order = all.counts.indices.sorted { all.counts[$0] != all.counts[$1] ? all.counts[$0] > all.counts[$1] : all.labels[$0] < all.labels[$1] }
        let kept = order.prefix(max(0, limit))
        let keptTotal = kept.reduce(Int64(0)) { $0 + all.counts[$1] }
        return CategoryCounts(labels: kept.map { all.labels[$0] }, counts: kept.map { all.counts[$0] },
                              otherCount: valueCount - keptTotal, errorBound: all.errorBound)
    }

    /// An equal-width histogram over `[minimum, maximum]` with numpy's bin edges; nil for non-numeric columns.
    public func histogram(binCount: Int = 20) -> Histogram? {
        guard let distribution, let minimum, let maximum else { return nil }
        let edges = Histogram.edges(from: minimum, to: maximum, binCount: binCount)
        return Histogram(edges: edges, distribution: distribution)
    }

    /// How a number of this column is written as a category label.
    func label(for value: Double) -> String {
        switch type {
        case .int64, .timestamp, .bool:
            return Double(Int64.min) <= value && value < Double(Int64.max) ? String(Int64(value)) : String(value)
        default:
            return String(value)
        }
    }
}

/// A count of distinct values and whether it is exact or a sketch's estimate.
public struct DistinctCount: Sendable, Hashable, Codable {
    public var value: Int64
    public var isExact: Bool
}

/// Counts per category, most frequent first for strings.
public struct CategoryCounts: Sendable, Hashable, Codable {
    public var labels: [String]
    public var counts: [Int64]
    /// Values in no listed category (strings beyond the frequent-items table, or beyond a `topValues` limit).
    public var otherCount: Int64
    /// Every listed count may be short of the true count by at most this much (0 when exact).
    public var errorBound: Int64

    public var isExact: Bool { errorBound == 0 }
}
