import Foundation
public import Strata
public import StrataCore
import StrataOffline
import StrataOnline

/// Training/serving parity: replays logged online lookups (or the online store's current state) through the offline
/// point-in-time join in `known` mode and explains every difference from the lineage of the two values.
/// Each view is one join over all replayed rows, never a query per row.
public enum ConsistencyChecker {
    /// Replays the feature log between `since` and `until` (optionally one service).
    public static func checkLogs(_ store: FeatureStore, since: Int64? = nil, until: Int64? = nil, service: String? = nil,
                                 maxMismatch: Double? = nil, pageSize: Int = 350_000, now: Int64 = currentMicros()) throws -> CheckReport {
        try store.recordingFailure(ofCheck: "logs") {
            try replayLogs(store, since: since, until: until, service: service, maxMismatch: maxMismatch, pageSize: pageSize, now: now)
        }
    }

    private static func replayLogs(_ store: FeatureStore, since: Int64?, until: Int64?, service: String?, maxMismatch: Double?, pageSize: Int,
                                   now: Int64) throws -> CheckReport {
        let log = try store.featureLog()
        var accumulator = try ParityAccumulator(store: store)
        var afterID: Int64 = 0
        var replayed = 0
        // Pages of the log keep memory bounded; each page is one join per view, never a query per lookup. Each page scans
        // the feature tables once: 350k lookups per page keep a 1M-lookup check to three scans within ~250 MiB.
        while true {
            let page = try log.replayPage(since: since, until: until, service: service, afterID: afterID, limit: pageSize)
            if page.lastID == afterID { break }
            afterID = page.lastID
            replayed += page.count
            try accumulator.add(page)
        }
        return try accumulator.report(mode: "logs", replayed: replayed, maxMismatch: maxMismatch, now: now)
    }

    /// Compares, for every (or `sample` evenly spread) stored key of each view, the online answer at `at` with the offline join.
    public static func checkSnapshot(_ store: FeatureStore, at: Int64, sample: Int? = nil, maxMismatch: Double? = nil, now: Int64 = currentMicros()) throws -> CheckReport {
        try store.recordingFailure(ofCheck: "snapshot") { try compareSnapshot(store, at: at, sample: sample, maxMismatch: maxMismatch, now: now) }
    }

    private static func compareSnapshot(_ store: FeatureStore, at: Int64, sample: Int?, maxMismatch: Double?, now: Int64) throws -> CheckReport {
        var accumulator = try ParityAccumulator(store: store)
        var replayed = 0
        var undecodable: [String: Int] = [:]
        for (name, spec) in try store.featureTables().sorted(by: { $0.key < $1.key }) {
            // Every key served online: rows of row features and tile records of aggregations.
            var stored = try store.onlineKeys(spec)
            if let sample, sample > 0, stored.count > sample {
                let step = Double(stored.count) / Double(sample)
                stored = (0..<sample).map { stored[Int(Double($0) * step)] }
            }
            // A view never materialized has nothing served to compare.
            let features = spec.view.featureNames.map { FeatureReference(view: name, feature: $0) }
            guard !stored.isEmpty, !features.isEmpty else { continue }
            let reader = try store.onlineReader(.references(features))
            var page = FeatureLogPage()
            page.featureLists = [reader.references]
            for keyBytes in stored {
                // A stored key that does not decode to the view's key types is corruption this check exists to find:
                // it is counted and fails the check, never skipped.
                guard let keys = viewKeys(keyBytes, spec.view.keys) else {
                    undecodable[name, default: 0] += 1
                    continue
                }
                let served = try reader.get([keys], at: at)[0]
                page.append(keys: keys, at: at, listID: 0, values: served.map(\.value), statuses: served.map(\.status),
                            eventTimes: served.map(\.eventTs), lineageIDs: served.map(\.lineageID))
            }
            // Snapshot reports count compared values, as before: one per stored key and feature.
            replayed += page.count * reader.references.count
            try accumulator.add(page)
        }
        return try accumulator.report(mode: "snapshot", replayed: replayed, maxMismatch: maxMismatch, now: now, undecodableOnlineKeys: undecodable)
    }

    /// An online key's bytes as the view's typed keys; nil when they do not decode, or decode to another number or
    /// type of parts.
    static func viewKeys(_ bytes: [UInt8], _ joinKeys: [JoinKey]) -> [String: KeyPart]? {
        guard let key = OnlineKeyEncoding.decode(bytes), key.parts.count == joinKeys.count else { return nil }
        var keys: [String: KeyPart] = [:]
        for (joinKey, part) in zip(joinKeys, key.parts) {
            switch (part, joinKey.type) {
            case (.int, .int64), (.string, .string): keys[joinKey.name] = part
            default: return nil
            }
        }
        return keys
    }

    /// Logged JSON numbers come back untyped: give them the feature's type.
    static func normalise(_ value: Value, _ type: ValueType) -> Value {
        switch (value, type) {
        case (.int(let v), .bool): return .bool(v != 0)
        case (.int(let v), .float64): return .float(Double(v))
        case (.float(let v), .int64): return Int64(exactly: v).map(Value.int) ?? value
        default: return value
        }
    }
}
