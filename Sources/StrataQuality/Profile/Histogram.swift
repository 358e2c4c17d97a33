/// Counts of values in equal-width bins: bin `i` holds `edges[i] ≤ x < edges[i + 1]`, the last bin also its right
/// edge (numpy's `histogram` convention).
public struct Histogram: Sendable, Hashable, Codable {
    /// `counts.count + 1` ascending edges.
    public var edges: [Double]
    /// Counts per bin; estimates when built from a sketch.
    public var counts: [Double]
    /// Every count is within this of the exact count: `2 · rankError · n` for a sketch, 0 for exact values.
    public var errorBound: Double

    public init(edges: [Double], counts: [Double], errorBound: Double) {
        self.edges = edges
        self.counts = counts
        self.errorBound = errorBound
    }

    /// Counts a distribution into bins with the given edges (at least two).
    public init(edges: [Double], distribution: EmpiricalDistribution) {
        self.edges = edges
        errorBound = 2 * distribution.rankError * distribution.totalWeight
        guard edges.count >= 2 else {
            counts = []
            return
        }
        var counts: [Double] = []
        counts.reserveCapacity(edges.count - 1)
        var below = distribution.weight(below: edges[0])
        for index in 1..<edges.count {
            let upTo = index == edges.count - 1 ? distribution.weight(atOrBelow: edges[index]) : distribution.weight(below: edges[index])
            counts.append(upTo - below)
            below = upTo
        }
        self.counts = counts
    }

    /// `binCount + 1` equal-width edges from `low` to `high`, computed as numpy's `linspace` does
    /// (`low + i · (high − low) / binCount`, the last edge exactly `high`); a single point `v` gets the range
    /// `[v − 0.5, v + 0.5]`, as `numpy.histogram_bin_edges`.
    public static func edges(from low: Double, to high: Double, binCount: Int) -> [Double] {
        let bins = max(1, binCount)
        let (start, stop) = low == high ? (low - 0.5, high + 0.5) : (low, high)
        let step = (stop - start) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + start }
        edges[bins] = stop
        return edges
    }
}
