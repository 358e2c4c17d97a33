#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension KolmogorovDistribution {
    /// `P(Dₙ⁺ ≥ x)`, the one-sided Smirnov tail (scipy's `smirnov(n, x)`), by the Birnbaum–Tingey sum
    ///
    ///     P(Dₙ⁺ ≥ x) = x · Σ_{v=0}^{⌊n(1−x)⌋} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v)
    ///
    /// whose terms are all positive. Term `v ≥ 1` equals `x/p · b(v; n, p)` with `p = x + v/n` and `b` the binomial
    /// probability, which Loader's saddle-point form ("Fast and Accurate Computation of Binomial Probabilities",
    /// 2000) gives to full relative precision even for large n; the sum stops once the remaining terms cannot
    /// change it. Beyond n = 10⁶ it uses the approximation `exp(−(6nx + 1)² / 18n)`, as scipy does.
    static func smirnovSurvival(n: Int, x: Double) -> Double {
        guard n > 0, !x.isNaN else { return .nan }
        if x <= 0 { return 1 }
        if x >= 1 { return 0 }
        if n == 1 { return 1 - x }
        let nd = Double(n)
        if x <= 1 / nd { return 1 - x * pow(1 + x, nd - 1) }
        if -2 * nd * x * x < -708.39641853226410622 { return 0 }
        if nd * x >= nd - 1 { return pow(1 - x, nd) }
        if n > 1_000_000 { return exp(-pow(6 * nd * x + 1, 2) / 18 / nd) }
        let lastTerm = Int((nd * (1 - x)).rounded(.down))
        let nx = nd * x
        var sum = exp(nd * log1p(-x))
        var previousTerm = sum
        for v in 1...max(1, lastTerm) {
            let vd = Double(v)
            let successes = nx + vd, failures = nd - vd - nx
            guard failures > 0 else { break }
            let logBinomial = stirlingError(nd) - stirlingError(vd) - stirlingError(nd - vd)
                - deviance(vd, successes) - deviance(nd - vd, failures) - 0.5 * log(2 * Double.pi * vd * (nd - vd) / nd)
            let term = nx / successes * exp(logBinomial)
            sum += term
            if term < previousTerm, 4 * Double(lastTerm - v) * term < Double.ulpOfOne * sum { break }
            previousTerm = term
        }
        return sum
    }

    /// `log(n!) − log(√(2πn) (n/e)ⁿ)`: directly for small n, by Stirling's series beyond 15.
    static func stirlingError(_ n: Double) -> Double {
        if n <= 15 {
            return SpecialFunctions.logGamma(n + 1) - (n + 0.5) * log(n) + n - 0.5 * log(2 * Double.pi)
        }
        let s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188
        let nn = n * n
        if n > 500 { return (s0 - s1 / nn) / n }
        if n > 80 { return (s0 - (s1 - s2 / nn) / nn) / n }
        if n > 35 { return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n }
        return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
    }

    /// `x·log(x/m) + m − x`, the binomial deviance term, summed as a series when `x` is close to `m`.
    static func deviance(_ x: Double, _ m: Double) -> Double {
        if abs(x - m) < 0.1 * (x + m) {
            var v = (x - m) / (x + m)
            var s = (x - m) * v
            if abs(s) < Double.leastNormalMagnitude { return s }
            var term = 2 * x * v
            v *= v
            for j in 1..<1000 {
                term *= v
                let next = s + term / Double(2 * j + 1)
                if next == s { return next }
                s = next
            }
            return s
        }
        return x * log(x / m) + m - x
    }
}
