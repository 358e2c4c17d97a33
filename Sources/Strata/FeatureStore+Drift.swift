import Foundation
public import StrataCore
public import StrataQuality
import StrataRegistry
import StrataOffline

/// A drift report as stored: what was compared, when, by whom, and the per-feature results.
public struct StoredDriftReport: Sendable, Codable, Hashable {
    public var id: Int64
    public var createdAtMicros: Int64
    public var service: String
    /// The reference and current profiles as written (`training-set:ID`, `logs:T1..T2`, …).
    public var reference: String
    public var current: String
    /// `cli` for `strata drift`, `monitor` for the server's schedule.
    public var origin: String
    public var report: DriftReport

    /// Features by how far past its threshold each is (distance ÷ threshold, threshold ÷ p-value), most first;
    /// features that could not be tested last.
    public var featuresBySeverity: [FeatureDrift] {
        report.features.enumerated().sorted { a, b in
            let (x, y) = (Self.severity(a.element), Self.severity(b.element))
            return x != y ? x > y : a.offset < b.offset
        }.map(\.element)
    }

    /// The score relative to its threshold: above 1 drifts (at 1 for distances too); -1 when not tested.
    public static func severity(_ drift: FeatureDrift) -> Double {
        guard let score = drift.score, let threshold = drift.threshold, let method = drift.method else { return -1 }
        if method.scoreIsPValue { return score > 0 ? threshold / score : .infinity }
        return threshold > 0 ? score / threshold : (score > 0 ? .infinity : 0)
    }
}

extension FeatureStore {
    /// Compares the reference and current profiles of every feature of `service` (methods and thresholds from its
    /// `monitoring:` block when it has one, else Evidently's defaults) and stores the report.
    ///
    /// ```swift
    /// let stored = try store.drift(service: "driver_activity", reference: .trainingSet("ts-…"), current: .logs(since: nil, until: nil))
    /// stored.report.isDrifting
    /// ```
    /// - Throws: `FeatureStoreError.unknownService`; `QualityError` when a profile does not exist.
    public func drift(service: String, reference: ProfileSpec, current: ProfileSpec, now: Int64 = currentMicros(),
                      origin: String = "cli") throws -> StoredDriftReport {
        let applied = try appliedProject()
        let features = try serviceFeatures(service, applied: applied)
        let referenceProfile = try profile(of: reference, service: service)
        let currentProfile = try profile(of: current, service: service)
        let monitoring = applied.compiled.definitions.service(service)?.monitoring
        let report = Self.compare(features: features, reference: referenceProfile, current: currentProfile, monitoring: monitoring)
        let json = String(decoding: try QualityJSON.encoder().encode(report), as: UTF8.self)
        let id = try registry.recordDriftReport(createdAtMicros: now, service: service, reference: reference.description,
                                                current: current.description, origin: origin, isDrifting: report.isDrifting, report: json)
        return StoredDriftReport(id: id, createdAtMicros: now, service: service, reference: reference.description,
                                 current: current.description, origin: origin, report: report)
    }

    /// Drift of the service's features, in service order; a feature missing from a profile is compared as empty
    /// (reported `not_tested`).
    static func compare(features: [(name: String, type: ValueType)], reference: DatasetProfile, current: DatasetProfile,
                        monitoring: ServiceMonitoring?) -> DriftReport {
        var options = DriftOptions()
        if let monitoring {
            options.driftShare = monitoring.driftShare
            for (name, entry) in monitoring.features {
                options.overrides[name] = FeatureDriftOverride(method: entry.method.flatMap(DriftMethod.init(rawValue:)), threshold: entry.threshold)
            }
        }
        let referenceColumns = features.map { reference[column: $0.name] ?? ColumnProfile(name: $0.name, type: $0.type) }
        let currentColumns = features.map { current[column: $0.name] ?? ColumnProfile(name: $0.name, type: $0.type) }
        return DriftDetector.compare(reference: referenceColumns, current: currentColumns, options: options)
    }

    /// Stored drift reports, newest first (optionally of one service).
    /// - Throws: `OfflineStoreError.corruptRecord` naming a report that does not decode.
    public func driftReports(service: String? = nil, limit: Int = 100) throws -> [StoredDriftReport] {
        try registry.driftReports(service: service, limit: limit).map(Self.decodeDrift)
    }

    /// One stored drift report.
    /// - Throws: `QualityError` when there is none with that id.
    public func driftReport(id: Int64) throws -> StoredDriftReport {
        guard let row = try registry.driftReport(id: id) else {
            throw QualityError("there is no drift report \(id)", fix: "list reports with `strata drift --history`")
        }
        return try Self.decodeDrift(row)
    }

    static func decodeDrift(_ row: DriftReportRow) throws -> StoredDriftReport {
        do {
            let report = try QualityJSON.decoder().decode(DriftReport.self, from: Data(row.report.utf8))
            return StoredDriftReport(id: row.id, createdAtMicros: row.createdAtMicros, service: row.service, reference: row.reference,
                                     current: row.current, origin: row.origin, report: report)
        } catch {
            throw OfflineStoreError.undecodable(what: "drift report", record: "\(row.id)", cause: error)
        }
    }
}
