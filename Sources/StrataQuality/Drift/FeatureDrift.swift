/// The comparison of one feature's reference and current profiles.
public struct FeatureDrift: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable {
        case drift
        case stable
        /// No method could be applied; `reason` says why.
        case notTested = "not_tested"
    }

    public var feature: String
    public var method: DriftMethod?
    /// A p-value for the tests, a distance otherwise.
    public var score: Double?
    public var threshold: Double?
    public var verdict: Verdict
    public var reason: String?
    /// True when both sides were exact (no sketch entered the score).
    public var isExact: Bool
    /// For inexact scores, how far the score can be from the exact-data score, when that is known.
    public var scoreErrorBound: Double?
    /// For PSI: its conventional band.
    public var psiBand: PSIBand?
    public var referenceCount: Int64
    public var currentCount: Int64
    /// Reference-vs-current counts per category or bin, for charts.
    public var chart: AlignedCounts?

    public var isDrifting: Bool { verdict == .drift }
}

/// Drift of every feature of a service, and the service's verdict.
public struct DriftReport: Sendable, Hashable, Codable {
    public var features: [FeatureDrift]
    /// The configured share of drifting features at which the service drifts.
    public var driftShareThreshold: Double
    public var driftingCount: Int
    /// `driftingCount` over the number of features compared (features that could not be tested count as stable).
    public var driftingShare: Double
    public var isDrifting: Bool

    init(features: [FeatureDrift], driftShareThreshold: Double) {
        self.features = features
        self.driftShareThreshold = driftShareThreshold
        driftingCount = features.filter(\.isDrifting).count
        driftingShare = features.isEmpty ? 0 : Double(driftingCount) / Double(features.count)
        isDrifting = !features.isEmpty && driftingShare >= driftShareThreshold
    }
}
