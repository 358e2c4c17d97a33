/// Pearson's chi-squared goodness-of-fit test, as scipy's `chisquare(f_obs, f_exp)`.
///
/// `χ² = Σᵢ (oᵢ − eᵢ)² / eᵢ` with `k − 1` degrees of freedom, `p = Q((k − 1)/2, χ²/2)`.
///
/// ```swift
/// ChiSquared.test(reference: [50, 30, 20], current: [40, 40, 20]).pValue
/// ```
public enum ChiSquared {
    /// The test on given observed and expected counts (same length, equal sums). A category expected 0 but
    /// observed makes `χ² = ∞` and `p = 0`; one category alone gives `p = 1` (scipy answers NaN there).
    public static func test(observed: [Double], expected: [Double]) -> TestResult {
        guard observed.count == expected.count, observed.count > 1 else { return TestResult(statistic: 0, pValue: 1) }
        var statistic = 0.0
        for (o, e) in zip(observed, expected) {
            let difference = o - e
            statistic += difference * difference / e
        }
        let freedom = Double(observed.count - 1)
        return TestResult(statistic: statistic, pValue: SpecialFunctions.regularizedUpperGamma(freedom / 2, statistic / 2))
    }

    /// Compares current category counts with reference counts as Evidently does: the expected count of a category
    /// is its reference count scaled to the current total, `eᵢ = rᵢ · Σc / Σr`; categories absent from both are
    /// dropped. Returns `p = 1` when either side is empty.
    public static func test(reference: [Double], current: [Double]) -> TestResult {
        let referenceTotal = reference.reduce(0, +), currentTotal = current.reduce(0, +)
        guard reference.count == current.count, referenceTotal > 0, currentTotal > 0 else { return TestResult(statistic: 0, pValue: 1) }
        let scale = currentTotal / referenceTotal
        var observed: [Double] = [], expected: [Double] = []
        for (r, c) in zip(reference, current) where r > 0 || c > 0 {
            observed.append(c)
            expected.append(r * scale)
        }
        return test(observed: observed, expected: expected)
    }
}

/// The two-proportion Z-test with a pooled proportion, two-sided, as Evidently's `z` drift test.
///
/// `z = (p₁ − p₂) / √(P(1 − P)(1/n₁ + 1/n₂))` with `P = (x₁ + x₂)/(n₁ + n₂)`; `p = 2·(1 − Φ(|z|))`.
public enum TwoProportionZTest {
    /// `referenceHits` of `referenceCount` against `currentHits` of `currentCount`. When both samples hold only
    /// the same one category (`P` is 0 or 1) there is nothing to test and `p = 1`.
    public static func test(referenceHits: Double, referenceCount: Double, currentHits: Double, currentCount: Double) -> TestResult {
        guard referenceCount > 0, currentCount > 0 else { return TestResult(statistic: 0, pValue: 1) }
        let p1 = referenceHits / referenceCount, p2 = currentHits / currentCount
        let pooled = (p1 * referenceCount + p2 * currentCount) / (referenceCount + currentCount)
        let variance = pooled * (1 - pooled) * (1 / referenceCount + 1 / currentCount)
        guard variance > 0 else { return TestResult(statistic: 0, pValue: 1) }
        let z = (p1 - p2) / variance.squareRoot()
        return TestResult(statistic: z, pValue: min(1, 2 * SpecialFunctions.normalSurvival(abs(z))))
    }
}
