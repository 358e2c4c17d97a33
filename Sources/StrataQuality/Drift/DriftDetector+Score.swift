extension DriftDetector {
    struct Scored {
        var score: Double
        var isExact: Bool
        var errorBound: Double?
        var chart: AlignedCounts?
    }

    struct NotApplicable: Error {
        var text: String
    }

    /// The score of one method, or why the method does not apply to this feature.
    static func score(_ method: DriftMethod, _ reference: ColumnProfile, _ current: ColumnProfile,
                      _ options: DriftOptions) -> Result<Scored, NotApplicable> {
        switch method {
        case .kolmogorovSmirnov:
            guard let a = reference.distribution, let b = current.distribution, let result = KolmogorovSmirnov.test(a, b) else {
                return .failure(NotApplicable(text: "\(method) needs a numeric feature"))
            }
            let slack = a.rankError + b.rankError
            guard slack > 0 else { return .success(Scored(score: result.pValue, isExact: true)) }
            let n1 = reference.valueCount, n2 = current.valueCount
            let high = KolmogorovSmirnov.pValue(statistic: max(0, result.statistic - slack), n1: Int(n1), n2: Int(n2)).pValue
            let low = KolmogorovSmirnov.pValue(statistic: min(1, result.statistic + slack), n1: Int(n1), n2: Int(n2)).pValue
            return .success(Scored(score: result.pValue, isExact: false, errorBound: max(high - result.pValue, result.pValue - low)))
        case .wasserstein:
            guard let a = reference.distribution, let b = current.distribution else {
                return .failure(NotApplicable(text: "\(method) needs a numeric feature"))
            }
            let norm = max(reference.standardDeviation ?? 0, 0.001)
            let bound = Distance.wassersteinErrorBound(a, b) / norm
            return .success(Scored(score: Distance.wasserstein(a, b) / norm, isExact: bound == 0, errorBound: bound))
        case .chiSquared, .zTest:
            guard let counts = categoryCounts(reference, current) else {
                return .failure(NotApplicable(text: "\(method) needs categories; this feature has too many distinct values"))
            }
            let exact = counts.shareErrorBound == 0
            if method == .chiSquared {
                return .success(Scored(score: ChiSquared.test(reference: counts.reference, current: counts.current).pValue, isExact: exact, chart: counts))
            }
            guard counts.labels.count <= 2 else {
                return .failure(NotApplicable(text: "\(method) needs at most two categories, found \(counts.labels.count)"))
            }
            let result = TwoProportionZTest.test(referenceHits: counts.reference[0], referenceCount: counts.reference.reduce(0, +),
                                                 currentHits: counts.current[0], currentCount: counts.current.reduce(0, +))
            return .success(Scored(score: result.pValue, isExact: exact, chart: counts))
        case .jensenShannon, .psi, .lInfinity:
            guard let counts = binnedCounts(reference, current, options) else {
                return .failure(NotApplicable(text: "\(method) needs categories or numbers"))
            }
            let exact = counts.shareErrorBound == 0
            switch method {
            case .jensenShannon:
                return .success(Scored(score: Distance.jensenShannon(counts.reference, counts.current), isExact: exact, chart: counts))
            case .psi:
                return .success(Scored(score: Distance.populationStability(reference: counts.reference, current: counts.current),
                                       isExact: exact, chart: counts))
            default:
                return .success(Scored(score: Distance.lInfinity(counts.reference, counts.current), isExact: exact,
                                       errorBound: counts.shareErrorBound, chart: counts))
            }
        }
    }
}
