/// Compares reference and current profiles feature by feature with Evidently's default choice of method.
///
/// Defaults, by the reference's number of non-null values `n`:
/// - `n ≤ 1000`: numbers with more than 5 distinct values (reference and current together) → Kolmogorov–Smirnov;
///   anything else → chi-squared, or the Z-test when there are at most two categories. Drift when `p < 0.05`.
/// - `n > 1000`: numbers with more than 5 distinct values → Wasserstein distance / reference sample standard
///   deviation; anything else → Jensen–Shannon distance (base 2). Drift when the score is `≥ 0.1`.
///
/// ```swift
/// let report = DriftDetector.compare(reference: training.columns, current: serving.columns)
/// report.isDrifting
/// ```
public enum DriftDetector {
    /// Compares every reference column with the current column of the same name.
    public static func compare(reference: [ColumnProfile], current: [ColumnProfile], options: DriftOptions = DriftOptions()) -> DriftReport {
        let currentByName = Dictionary(current.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let features = reference.map { column in
            guard let other = currentByName[column.name] else {
                return notTested(column, nil, "the current data has no column `\(column.name)`")
            }
            return compare(reference: column, current: other, options: options)
        }
        return DriftReport(features: features, driftShareThreshold: options.driftShare)
    }

    /// Compares one feature, with its override from `options` if any.
    public static func compare(reference: ColumnProfile, current: ColumnProfile, options: DriftOptions = DriftOptions()) -> FeatureDrift {
        guard reference.type == current.type else {
            return notTested(reference, current, "the feature is \(reference.type) in the reference but \(current.type) now")
        }
        guard reference.valueCount > 0, current.valueCount > 0 else {
            return notTested(reference, current, "no non-null values in the \(reference.valueCount == 0 ? "reference" : "current data")")
        }
        let override = options.overrides[reference.name]
        let method = override?.method ?? defaultMethod(reference, current, options)
        let threshold = override?.threshold ?? method.defaultThreshold
        var result = FeatureDrift(feature: reference.name, method: method, score: nil, threshold: threshold, verdict: .notTested,
                                  reason: nil, isExact: false, scoreErrorBound: nil, psiBand: nil,
                                  referenceCount: reference.valueCount, currentCount: current.valueCount, chart: nil)
        switch score(method, reference, current, options) {
        case .failure(let reason):
            result.reason = reason.text
        case .success(let scored):
            result.score = scored.score
            result.isExact = scored.isExact
            result.scoreErrorBound = scored.isExact ? nil : scored.errorBound
            result.chart = scored.chart ?? chart(reference, current, options)
            let drifts = method.scoreIsPValue ? scored.score < threshold : scored.score >= threshold
            result.verdict = drifts ? .drift : .stable
            if method == .psi { result.psiBand = PSIBand(scored.score) }
        }
        return result
    }

    /// Evidently's choice of method for a feature (see the type's documentation).
    public static func defaultMethod(_ reference: ColumnProfile, _ current: ColumnProfile, _ options: DriftOptions = DriftOptions()) -> DriftMethod {
        let isSmall = reference.valueCount <= options.smallReferenceMax
        if reference.type.isSketched {
            let distinct = unionDistinctNumbers(reference, current)
            let isContinuous = distinct.map { $0 > 5 } ?? true
            if isSmall { return isContinuous ? .kolmogorovSmirnov : ((distinct ?? 0) > 2 ? .chiSquared : .zTest) }
            return isContinuous ? .wasserstein : .jensenShannon
        }
        guard isSmall else { return .jensenShannon }
        let categories = categoryCounts(reference, current)?.labels.count ?? 3
        return categories > 2 ? .chiSquared : .zTest
    }

    /// Distinct values of both numeric sides together, while both know them exactly (at most 32 each).
    static func unionDistinctNumbers(_ reference: ColumnProfile, _ current: ColumnProfile) -> Int? {
        guard !reference.domain.isOverflowed, !current.domain.isOverflowed else { return nil }
        return Set(reference.domain.values).union(current.domain.values).count
    }

    static func notTested(_ reference: ColumnProfile, _ current: ColumnProfile?, _ reason: String) -> FeatureDrift {
        FeatureDrift(feature: reference.name, method: nil, score: nil, threshold: nil, verdict: .notTested, reason: reason,
                     isExact: false, scoreErrorBound: nil, psiBand: nil, referenceCount: reference.valueCount,
                     currentCount: current?.valueCount ?? 0, chart: nil)
    }

    /// Aligned category counts when both sides have them (and a numeric reference has at most 20 distinct values,
    /// Evidently's cut-off for binning); nil otherwise.
    static func categoryCounts(_ reference: ColumnProfile, _ current: ColumnProfile) -> AlignedCounts? {
        guard let referenceCategories = reference.categories, let currentCategories = current.categories else { return nil }
        if reference.type.isSketched, referenceCategories.labels.count > 20 { return nil }
        return AlignedCounts.categories(referenceCategories, currentCategories)
    }

    /// Categories when available, otherwise equal-width bins for numbers.
    static func binnedCounts(_ reference: ColumnProfile, _ current: ColumnProfile, _ options: DriftOptions) -> AlignedCounts? {
        if let categories = categoryCounts(reference, current) { return categories }
        guard let a = reference.distribution, let b = current.distribution,
              let low = [reference.minimum, current.minimum].compactMap({ $0 }).min(),
              let high = [reference.maximum, current.maximum].compactMap({ $0 }).max() else { return nil }
        return AlignedCounts.bins(a, b, range: (low, high), binCount: options.binCount)
    }

    static func chart(_ reference: ColumnProfile, _ current: ColumnProfile, _ options: DriftOptions) -> AlignedCounts? {
        binnedCounts(reference, current, options)
    }
}
