import Foundation
public import StrataCore

/// Parity figures of one feature.
public struct FeatureParity: Sendable, Codable {
    public var feature: String
    public var compared = 0
    public var mismatches = 0
    public var missingOnline = 0
    public var missingOffline = 0
    /// Symmetric mean absolute percentage error over rows where both sides have numbers (0…2), nil for non-numeric features.
    public var smape: Double?
    public var maxAbsDiff: Double?
    public var reasons: [String: Int] = [:]

    public var mismatchRate: Double { compared == 0 ? 0 : Double(mismatches) / Double(compared) }
    public var missingOnlineRate: Double { compared == 0 ? 0 : Double(missingOnline) / Double(compared) }
    public var missingOfflineRate: Double { compared == 0 ? 0 : Double(missingOffline) / Double(compared) }

    enum CodingKeys: String, CodingKey {
        case feature, compared, mismatches, missingOnline, missingOffline, smape, maxAbsDiff, reasons, mismatchRate, missingOnlineRate, missingOfflineRate
    }

    public init(feature: String) {
        self.feature = feature
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(feature, forKey: .feature)
        try c.encode(compared, forKey: .compared)
        try c.encode(mismatches, forKey: .mismatches)
        try c.encode(missingOnline, forKey: .missingOnline)
        try c.encode(missingOffline, forKey: .missingOffline)
        try c.encode(smape, forKey: .smape)
        try c.encode(maxAbsDiff, forKey: .maxAbsDiff)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(mismatchRate, forKey: .mismatchRate)
        try c.encode(missingOnlineRate, forKey: .missingOnlineRate)
        try c.encode(missingOfflineRate, forKey: .missingOfflineRate)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        feature = try c.decode(String.self, forKey: .feature)
        compared = try c.decode(Int.self, forKey: .compared)
        mismatches = try c.decode(Int.self, forKey: .mismatches)
        missingOnline = try c.decode(Int.self, forKey: .missingOnline)
        missingOffline = try c.decode(Int.self, forKey: .missingOffline)
        smape = try c.decodeIfPresent(Double.self, forKey: .smape)
        maxAbsDiff = try c.decodeIfPresent(Double.self, forKey: .maxAbsDiff)
        reasons = try c.decode([String: Int].self, forKey: .reasons)
    }
}

/// One disagreement, with what each side said and why.
public struct ParityMismatch: Sendable, Codable {
    public var feature: String
    /// The entity, typed (JSON: an object of key name → integer or string); `keys.description` renders it for people.
    public var keys: EntityKey
    public var requestTime: String
    public var online: String
    public var onlineStatus: String
    public var onlineLineageID: Int64?
    public var offline: String
    public var offlineStatus: String
    public var offlineLineageID: Int64?
    public var reason: String
}

/// A consistency-check report: per-feature figures, example mismatches, and whether the threshold held.
public struct CheckReport: Sendable, Codable {
    public var id: String
    /// When the check started.
    public var createdAt: String
    /// When the report was complete; nil in reports written before it was recorded.
    public var finishedAt: String?
    public var mode: String
    public var rowsReplayed: Int
    public var viewVersions: [String: Int]
    /// Object name → version of every applied definition (sources and entities of the views checked); nil in older reports.
    public var definitionVersions: [String: Int]?
    public var maxMismatch: Double?
    public var features: [FeatureParity]
    /// Up to 50 mismatches, in log order.
    public var examples: [ParityMismatch]
    /// Snapshot checks: per view, the stored online keys that do not decode to the view's join keys (corruption), which
    /// could not be compared; nil in log checks and older reports.
    public var undecodableOnlineKeys: [String: Int]?

    /// Stored online keys that could not be decoded, over all views.
    public var undecodableOnlineKeyCount: Int { undecodableOnlineKeys?.values.reduce(0, +) ?? 0 }

    /// False when some feature's mismatch rate exceeds `maxMismatch`, or when any stored online key could not be
    /// decoded (a damaged store fails the check whatever the threshold).
    public var passed: Bool {
        guard undecodableOnlineKeyCount == 0 else { return false }
        guard let maxMismatch else { return true }
        return features.allSatisfy { $0.mismatchRate <= maxMismatch }
    }
}
