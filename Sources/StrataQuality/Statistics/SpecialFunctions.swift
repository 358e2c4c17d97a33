#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The special functions behind the p-values: the regularized incomplete gamma function (chi-squared) and the
/// normal survival function (Z-test). Accurate to about 1e-13 relative in the ranges the tests use.
enum SpecialFunctions {
    /// `Q(a, x) = Γ(a, x) / Γ(a)`, the regularized upper incomplete gamma function, for `a > 0`, `x ≥ 0`.
    /// `chi2.sf(s, k) = Q(k / 2, s / 2)`.
    ///
    /// Below `x < a + 1` the lower function's power series converges fast and `Q = 1 - P` loses nothing
    /// (there `Q` is not small); above it, Legendre's continued fraction for `Q` is evaluated with the modified
    /// Lentz method (Numerical Recipes §6.2; the same split as Cephes `igamc`).
    static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        guard a > 0, !x.isNaN else { return .nan }
        if x <= 0 { return 1 }
        if x == .infinity { return 0 }
        let logPrefix = a * log(x) - x - logGamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var denominator = a
            for _ in 0..<100_000 {
                denominator += 1
                term *= x / denominator
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var fraction = d
        for i in 1..<100_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return min(1, exp(logPrefix) * fraction)
    }

    /// `log Γ(x)` for `x > 0`, through the reentrant libm call (plain `lgamma` writes the global `signgam`).
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// `P(Z > z)` for a standard normal `Z`, as `erfc(z / √2) / 2`, which keeps relative accuracy in the upper tail.
    static func normalSurvival(_ z: Double) -> Double {
        0.5 * erfc(z / 2.0.squareRoot())
    }

    /// `log(n! / nⁿ)` by Stirling's series, for large `n`.
    static func logFactorialOverPower(_ n: Int) -> Double {
        let coefficients = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                            -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2]
        let reciprocal = 1 / Double(n)
        let squared = reciprocal / Double(n)
        let series = coefficients.reduce(0) { $0 * squared + $1 }
        return log(Double(n)) / 2 - Double(n) + log(2 * Double.pi) / 2 + reciprocal * series
    }
}
