#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Distances between two distributions. Numeric ones take `EmpiricalDistribution`s; categorical ones take two
/// aligned vectors of counts or shares (normalised here), category `i` of one matching category `i` of the other.
public enum Distance {
    /// The Wasserstein-1 (earth mover's) distance `∫ |F(x) − G(x)| dx`, as scipy's `wasserstein_distance` with
    /// weights. For sketched inputs the result is within `a.rankError · (a.max − a.min) + b.rankError · (b.max − b.min)`
    /// of the exact one (triangle inequality; `W(F, F̂) = ∫ |F − F̂| ≤ ε · range`).
    public static func wasserstein(_ a: EmpiricalDistribution, _ b: EmpiricalDistribution) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return .nan }
        let totalA = a.totalWeight, totalB = b.totalWeight
        var i = 0, j = 0
        var cumulativeA = 0.0, cumulativeB = 0.0
        var sum = 0.0
        var previous: Double?
        var gap = 0.0
        while i < a.values.count || j < b.values.count {
            let next = min(i < a.values.count ? a.values[i] : .infinity, j < b.values.count ? b.values[j] : .infinity)
            if let previous { sum += gap * (next - previous) }
            if i < a.values.count, a.values[i] == next { cumulativeA += a.weights[i]; i += 1 }
            if j < b.values.count, b.values[j] == next { cumulativeB += b.weights[j]; j += 1 }
            gap = abs(cumulativeA / totalA - cumulativeB / totalB)
            previous = next
        }
        return sum
    }

    /// The bound on the error of `wasserstein(a, b)` that comes from sketching (0 for exact inputs).
    public static func wassersteinErrorBound(_ a: EmpiricalDistribution, _ b: EmpiricalDistribution) -> Double {
        func range(_ d: EmpiricalDistribution) -> Double { (d.values.last ?? 0) - (d.values.first ?? 0) }
        return a.rankError * range(a) + b.rankError * range(b)
    }

    /// The Jensen–Shannon distance with base-2 logarithms, in [0, 1], as scipy's `jensenshannon(p, q, base=2)`:
    /// `√((KL(p‖m) + KL(q‖m)) / 2)` with `m = (p + q)/2`, after normalising `p` and `q` to sum to 1.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        guard p.count == q.count, let (p, q) = normalised(p, q) else { return .nan }
        var sum = 0.0
        for (x, y) in zip(p, q) {
            let m = (x + y) / 2
            if x > 0 { sum += x * log(x / m) }
            if y > 0 { sum += y * log(y / m) }
        }
        return max(0, sum / log(2.0) / 2).squareRoot()
    }

    /// The population stability index `Σᵢ (rᵢ − cᵢ) · ln(rᵢ / cᵢ)` over shares of bins or categories. An empty share
    /// is replaced as Evidently does, per side: by `min / 10⁶` when that side's smallest non-zero share `min` is at
    /// most 10⁻⁴, otherwise by 10⁻⁴.
    public static func populationStability(reference: [Double], current: [Double]) -> Double {
        guard reference.count == current.count, let (r, c) = normalised(reference, current) else { return .nan }
        let rFilled = fillingEmptyShares(r), cFilled = fillingEmptyShares(c)
        var sum = 0.0
        for (x, y) in zip(rFilled, cFilled) { sum += (x - y) * log(x / y) }
        return sum
    }

    /// The L-infinity distance `maxᵢ |pᵢ − qᵢ|` between the two share vectors (TFDV's categorical drift measure).
    public static func lInfinity(_ p: [Double], _ q: [Double]) -> Double {
        guard p.count == q.count, let (p, q) = normalised(p, q) else { return .nan }
        return zip(p, q).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    static func normalised(_ p: [Double], _ q: [Double]) -> ([Double], [Double])? {
        let sumP = p.reduce(0, +), sumQ = q.reduce(0, +)
        guard sumP > 0, sumQ > 0 else { return nil }
        return (p.map { $0 / sumP }, q.map { $0 / sumQ })
    }

    static func fillingEmptyShares(_ shares: [Double]) -> [Double] {
        guard let smallest = shares.filter({ $0 > 0 }).min() else { return shares }
        let fill = smallest <= 1e-4 ? smallest / 1e6 : 1e-4
        return shares.map { $0 == 0 ? fill : $0 }
    }
}
