/// A one-dimensional distribution given by distinct sorted values with positive weights: a column's exact values
/// (weight 1 each) or the items a quantile sketch retained (weight 2^level each).
///
/// Every numeric statistic works from this one shape, so the exact and the sketched paths share their code and
/// differ only in `rankError`.
public struct EmpiricalDistribution: Sendable, Hashable {
    /// Distinct values, ascending.
    public private(set) var values: [Double]
    /// The weight of each value (a count for exact samples).
    public private(set) var weights: [Double]
    /// `cumulativeWeights[i]` is the weight of `values[0...i]`.
    private(set) var cumulativeWeights: [Double]
    /// An upper bound on `supₓ |F̂(x) − F(x)|` between this distribution's CDF and the data's: 0 when exact.
    public var rankError: Double

    /// The distribution of exact samples; non-finite values are ignored.
    ///
    /// ```swift
    /// EmpiricalDistribution(samples: [3, 1, 3]).values   // [1, 3], weights [1, 2]
    /// ```
    public init(samples: [Double]) {
        var sorted = samples.filter(\.isFinite)
        sorted.sort()
        var values: [Double] = []
        var weights: [Double] = []
        for value in sorted {
            if value == values.last {
                weights[weights.count - 1] += 1
            } else {
                values.append(value)
                weights.append(1)
            }
        }
        self.init(sortedDistinct: values, weights: weights, rankError: 0)
    }

    /// A weighted distribution; pairs may come in any order and repeat values.
    init(weighted pairs: [(value: Double, weight: Double)], rankError: Double) {
        var values: [Double] = []
        var weights: [Double] = []
        for pair in pairs.sorted(by: { $0.value < $1.value }) where pair.weight > 0 && pair.value.isFinite {
            if pair.value == values.last {
                weights[weights.count - 1] += pair.weight
            } else {
                values.append(pair.value)
                weights.append(pair.weight)
            }
        }
        self.init(sortedDistinct: values, weights: weights, rankError: rankError)
    }

    private init(sortedDistinct values: [Double], weights: [Double], rankError: Double) {
        self.values = values
        self.weights = weights
        var running = 0.0
        cumulativeWeights = weights.map { running += $0; return running }
        self.rankError = rankError
    }

    /// The total weight: the number of values the distribution stands for.
    public var totalWeight: Double { cumulativeWeights.last ?? 0 }

    public var isEmpty: Bool { values.isEmpty }

    /// The weight of values `≤ x`.
    public func weight(atOrBelow x: Double) -> Double {
        let index = firstIndex { $0 > x }
        return index == 0 ? 0 : cumulativeWeights[index - 1]
    }

    /// The weight of values `< x`.
    public func weight(below x: Double) -> Double {
        let index = firstIndex { $0 >= x }
        return index == 0 ? 0 : cumulativeWeights[index - 1]
    }

    /// `F(x)`: the share of weight at or below `x`.
    public func cdf(_ x: Double) -> Double {
        totalWeight > 0 ? weight(atOrBelow: x) / totalWeight : 0
    }

    /// The smallest value whose cumulative share reaches `q` (the inverse of the right-continuous CDF, numpy's
    /// `inverted_cdf`); nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let target = min(max(q, 0), 1) * totalWeight
        let index = cumulativeWeights.partitionPoint { $0 >= target }
        return values[min(index, values.count - 1)]
    }

    /// The index of the first value satisfying a predicate that is false then true along the sorted values.
    private func firstIndex(where predicate: (Double) -> Bool) -> Int {
        values.partitionPoint(predicate)
    }
}

extension Array where Element == Double {
    /// Binary search: the first index whose element satisfies `predicate`, which must be false then true.
    func partitionPoint(_ predicate: (Double) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
