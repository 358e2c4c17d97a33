/// A test's statistic and its p-value.
public struct TestResult: Sendable, Hashable, Codable {
    public var statistic: Double
    public var pValue: Double

    public init(statistic: Double, pValue: Double) {
        self.statistic = statistic
        self.pValue = pValue
    }
}

/// The two-sample Kolmogorov–Smirnov test, two-sided, as scipy's `ks_2samp(a, b)` with its default `method='auto'`.
///
/// `D = supₓ |F₁(x) − F₂(x)|` over the right-continuous empirical CDFs. The p-value is exact when both samples
/// have at most 10,000 values (Hodges 1958; for equal sizes the reflection formula, otherwise the "inside" lattice
/// recursion in the numerically stable form of Viehmann 2021), and otherwise `P(D_m ≥ D)` of the one-sample
/// distribution with `m = round(n₁n₂ / (n₁ + n₂))`, which is what scipy's asymptotic branch computes.
///
/// ```swift
/// let result = KolmogorovSmirnov.test([1, 2, 3, 4], [3, 4, 5, 6, 7])
/// ```
public enum KolmogorovSmirnov {
    /// scipy's `MAX_AUTO_N`: above this many values in either sample, the asymptotic branch is used.
    static let exactSizeMax = 10_000

    /// Tests two exact samples; nil when either is empty (non-finite values are dropped first).
    public static func test(_ a: [Double], _ b: [Double]) -> TestResult? {
        test(EmpiricalDistribution(samples: a), EmpiricalDistribution(samples: b))
    }

    /// Tests two distributions, exact or sketched. With sketches the statistic is within
    /// `a.rankError + b.rankError` of the exact one, and the p-value is computed from it at the true sizes.
    public static func test(_ a: EmpiricalDistribution, _ b: EmpiricalDistribution) -> TestResult? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let n1 = Int(a.totalWeight.rounded()), n2 = Int(b.totalWeight.rounded())
        return pValue(statistic: statistic(a, b), n1: n1, n2: n2)
    }

    /// `supₓ |F_a(x) − F_b(x)|`, evaluated at every value of either distribution.
    public static func statistic(_ a: EmpiricalDistribution, _ b: EmpiricalDistribution) -> Double {
        let totalA = a.totalWeight, totalB = b.totalWeight
        var i = 0, j = 0
        var cumulativeA = 0.0, cumulativeB = 0.0
        var largest = 0.0
        while i < a.values.count || j < b.values.count {
            let next = min(i < a.values.count ? a.values[i] : .infinity, j < b.values.count ? b.values[j] : .infinity)
            if i < a.values.count, a.values[i] == next { cumulativeA += a.weights[i]; i += 1 }
            if j < b.values.count, b.values[j] == next { cumulativeB += b.weights[j]; j += 1 }
            largest = max(largest, abs(cumulativeA / totalA - cumulativeB / totalB))
        }
        return largest
    }

    /// The p-value of an observed `D` for sample sizes `n1`, `n2`. In the exact branch the statistic is snapped to
    /// the lattice `h / lcm(n1, n2)`, as scipy reports it.
    public static func pValue(statistic d: Double, n1: Int, n2: Int) -> TestResult {
        guard n1 > 0, n2 > 0 else { return TestResult(statistic: d, pValue: .nan) }
        if max(n1, n2) <= exactSizeMax, let exact = exactPValue(statistic: d, n1: n1, n2: n2) {
            return exact
        }
        let larger = Double(max(n1, n2)), smaller = Double(min(n1, n2))
        let effective = (larger * smaller / (larger + smaller)).rounded(.toNearestOrEven)
        return TestResult(statistic: d, pValue: KolmogorovDistribution.survival(n: max(1, Int(effective)), x: d))
    }

    static func exactPValue(statistic d: Double, n1: Int, n2: Int) -> TestResult? {
        let g = gcd(n1, n2)
        let lcm = (n1 / g) * n2
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        let snapped = Double(h) / Double(lcm)
        if h == 0 { return TestResult(statistic: snapped, pValue: 1) }
        let p = n1 == n2 ? outsideSquare(n: n1, h: h) : outsideBand(n1, n2, g: g, h: h)
        guard let p, p.isFinite, p >= 0, p <= 1 else { return nil }
        return TestResult(statistic: snapped, pValue: p)
    }

    /// `P(D_{n,n} ≥ h/n) = 2 Σ_k (−1)^(k+1) C(2n, n − kh) / C(2n, n)`, nested Horner-style so no term cancels.
    static func outsideSquare(n: Int, h: Int) -> Double? {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var term = 1.0
            for j in 0..<h { term = Double(n - k * h - j) * term / Double(n + k * h + j + 1) }
            p = term * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// The share of monotone lattice paths from (0, 0) to (m, n) that leave the band `|x/m − y/n| < h / lcm`,
    /// computed column by column as a proportion (each step averages its two predecessors), so nothing overflows.
    static func outsideBand(_ first: Int, _ second: Int, g: Int, h: Int) -> Double? {
        let m = max(first, second), n = min(first, second)
        let mg = Double(m / g), ng = n / g
        var lower = 0
        var upper = min(Int((Double(h) / mg).rounded(.up)), n + 1)
        var currentLength = upper - lower
        let length = min(2 * upper + 2, n + 1)
        var column = [Double](repeating: 1, count: length)
        for index in lower..<min(upper, length) { column[index] = 0 }
        for i in 1...m {
            let lastLower = lower, lastLength = currentLength
            lower = min(max(Int((Double(ng * i - h) / mg).rounded(.down)) + 1, 0), n)
            upper = min(Int((Double(ng * i + h) / mg).rounded(.up)), n + 1)
            if upper <= lower { return 1 }
            var value = lower == 0 ? 0.0 : 1.0
            for offset in 0..<(upper - lower) {
                let j = offset + lower
                let source = offset + lower - lastLower
                guard column.indices.contains(source), column.indices.contains(offset) else { return nil }
                value = (column[source] * Double(i) + value * Double(j)) / Double(i + j)
                column[offset] = value
            }
            currentLength = upper - lower
            if lastLength > currentLength {
                for index in (upper - lower)..<min(upper - lower + lastLength - currentLength, length) { column[index] = 1 }
            }
        }
        let last = upper - lower - 1
        return column.indices.contains(last) ? column[last] : nil
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
