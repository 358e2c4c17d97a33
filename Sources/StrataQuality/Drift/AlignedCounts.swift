/// Reference and current counts over the same categories or bins: the input of the categorical methods and the
/// bars of the reference-vs-current chart.
public struct AlignedCounts: Sendable, Hashable, Codable {
    /// One label per category or bin (`[a, b)` for bins).
    public var labels: [String]
    /// For bins: `labels.count + 1` edges; nil for categories.
    public var edges: [Double]?
    public var reference: [Double]
    public var current: [Double]
    /// Every share (count / total) is within this of the exact share; 0 when both sides are exact.
    public var shareErrorBound: Double

    /// The label of values outside a profile's frequent-items table.
    public static let otherLabel = "(other)"

    /// Categories of either side, most frequent in the reference first; values neither table kept go to `(other)`.
    static func categories(_ reference: CategoryCounts, _ current: CategoryCounts) -> AlignedCounts {
        var referenceByLabel: [String: Double] = [:], currentByLabel: [String: Double] = [:]
        for (label, count) in zip(reference.labels, reference.counts) { referenceByLabel[label, default: 0] += Double(count) }
        for (label, count) in zip(current.labels, current.counts) { currentByLabel[label, default: 0] += Double(count) }
        var labels = reference.labels
        var seen = Set(labels)
        for label in current.labels where seen.insert(label).inserted { labels.append(label) }
        var result = AlignedCounts(labels: labels, edges: nil, reference: labels.map { referenceByLabel[$0] ?? 0 },
                                   current: labels.map { currentByLabel[$0] ?? 0 }, shareErrorBound: 0)
        if reference.otherCount > 0 || current.otherCount > 0 {
            result.labels.append(otherLabel)
            result.reference.append(Double(reference.otherCount))
            result.current.append(Double(current.otherCount))
        }
        func shareError(_ counts: CategoryCounts) -> Double {
            let total = Double(counts.counts.reduce(0, +) + counts.otherCount)
            return total > 0 ? Double(counts.errorBound) / total : 0
        }
        result.shareErrorBound = shareError(reference) + shareError(current)
        return result
    }

    /// Equal-width bins over the range of both sides (numpy's `histogram_bin_edges` of the concatenated data).
    static func bins(_ reference: EmpiricalDistribution, _ current: EmpiricalDistribution,
                     range: (low: Double, high: Double), binCount: Int) -> AlignedCounts {
        let edges = Histogram.edges(from: range.low, to: range.high, binCount: binCount)
        let referenceCounts = Histogram(edges: edges, distribution: reference).counts
        let currentCounts = Histogram(edges: edges, distribution: current).counts
        // Labels are for reading (charts, tables): four significant digits; `edges` keeps the exact bounds.
        let labels = (0..<(edges.count - 1)).map { index in
            "[\(DriftReportPage.format(edges[index])), \(DriftReportPage.format(edges[index + 1]))\(index == edges.count - 2 ? "]" : ")")"
        }
        return AlignedCounts(labels: labels, edges: edges, reference: referenceCounts, current: currentCounts,
                             shareErrorBound: 2 * reference.rankError + 2 * current.rankError)
    }

    /// Shares of each side (counts over the side's total).
    public var referenceShares: [Double] { Self.shares(reference) }
    public var currentShares: [Double] { Self.shares(current) }

    static func shares(_ counts: [Double]) -> [Double] {
        let total = counts.reduce(0, +)
        return total > 0 ? counts.map { $0 / total } : counts
    }
}
