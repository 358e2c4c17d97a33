/// A way to compare a feature's reference and current distributions.
public enum DriftMethod: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Two-sample Kolmogorov–Smirnov test (numbers); the score is the p-value.
    case kolmogorovSmirnov = "ks"
    /// Pearson's chi-squared test on category counts; the score is the p-value.
    case chiSquared = "chi_squared"
    /// Two-proportion Z-test for exactly two categories; the score is the p-value.
    case zTest = "z_test"
    /// Wasserstein-1 distance divided by the reference's sample standard deviation (numbers).
    case wasserstein
    /// Jensen–Shannon distance, base 2, over categories or 30 equal-width bins.
    case jensenShannon = "jensen_shannon"
    /// Population stability index over categories or 30 equal-width bins.
    case psi
    /// L-infinity distance between category (or bin) shares.
    case lInfinity = "l_infinity"

    public var description: String { rawValue }

    /// True when the score is a p-value (drift when below the threshold); false for distances (drift at or above).
    public var scoreIsPValue: Bool { self == .kolmogorovSmirnov || self == .chiSquared || self == .zTest }

    /// 0.05 for the tests, 0.1 for the distances (PSI: the "moderate" band starts at 0.1, "significant" at 0.25).
    public var defaultThreshold: Double { scoreIsPValue ? 0.05 : 0.1 }
}

/// Settings for a drift comparison: the service-level share and per-feature overrides.
public struct DriftOptions: Sendable, Hashable, Codable {
    /// The service drifts when at least this share of its compared features drift (Evidently's default 0.5).
    public var driftShare: Double
    /// Per feature name: a method and/or threshold replacing the defaults.
    public var overrides: [String: FeatureDriftOverride]
    /// References with at most this many values use the statistical tests; larger ones the distances.
    public var smallReferenceMax: Int64
    /// Equal-width bins for binned numeric methods and for charts (Evidently's 30).
    public var binCount: Int

    public init(driftShare: Double = 0.5, overrides: [String: FeatureDriftOverride] = [:], smallReferenceMax: Int64 = 1000, binCount: Int = 30) {
        self.driftShare = driftShare
        self.overrides = overrides
        self.smallReferenceMax = smallReferenceMax
        self.binCount = binCount
    }
}

/// A feature's own method and threshold.
public struct FeatureDriftOverride: Sendable, Hashable, Codable {
    public var method: DriftMethod?
    public var threshold: Double?

    public init(method: DriftMethod? = nil, threshold: Double? = nil) {
        self.method = method
        self.threshold = threshold
    }
}

/// The conventional reading of a population stability index.
public enum PSIBand: String, Sendable, Hashable, Codable {
    /// Below 0.1.
    case stable
    /// From 0.1 to below 0.25.
    case moderate
    /// 0.25 and above.
    case significant

    public init(_ psi: Double) {
        self = psi < 0.1 ? .stable : psi < 0.25 ? .moderate : .significant
    }
}
