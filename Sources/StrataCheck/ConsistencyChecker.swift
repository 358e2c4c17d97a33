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
                                 maxMismatch: Double? = nil, pageSize: Int = 200_000, now: Int64 = currentMicros()) throws -> CheckReport {
        let log = try FeatureLogStore(path: store.folder.featureLogPath)
        var accumulator = try ParityAccumulator(store: store)
        var afterID: Int64 = 0
        var replayed = 0
        // Pages of the log keep memory bounded; each page is one join per view, never a query per lookup.
        while true {
            let page = try log.records(since: since, until: until, service: service, afterID: afterID, limit: pageSize)
            if page.records.isEmpty { break }
            afterID = page.lastID
            replayed += page.records.count
            var rows: [ReplayRow] = []
            rows.reserveCapacity(page.records.count * 4)
            for record in page.records {
                for (i, feature) in record.features.enumerated() {
                    rows.append(ReplayRow(feature: feature, keys: record.keys, t: record.requestMicros,
                                          online: ParitySide(status: record.statuses[i], value: record.values[i], eventTs: record.eventTimes[i], lineageID: record.lineageIDs[i])))
                }
            }
            try accumulator.add(rows)
        }
        return try accumulator.report(mode: "logs", replayed: replayed, maxMismatch: maxMismatch, now: now)
    }


    /// Compares, for every (or `sample` evenly spread) stored key of each view, the online answer at `at` with the offline join.
    public static func checkSnapshot(_ store: FeatureStore, at: Int64, sample: Int? = nil, maxMismatch: Double? = nil, now: Int64 = currentMicros()) throws -> CheckReport {
        let applied = try store.appliedProject()
        var rows: [ReplayRow] = []
        for (name, spec) in store.featureTables(applied).sorted(by: { $0.key < $1.key }) {
            let layout = store.onlineLayout(spec)
            var stored = try store.onlineRows(layout)
            if let sample, sample > 0, stored.count > sample {
                let step = Double(stored.count) / Double(sample)
                stored = (0..<sample).map { stored[Int(Double($0) * step)] }
            }
            let reader = try store.onlineReader(.references([FeatureReference(view: name, feature: nil)]))
            for (keyBytes, _) in stored {
                guard let key = OnlineKeyEncoding.decode(keyBytes) else { continue }
                var keys: [String: KeyPart] = [:]
                for (joinKey, part) in zip(spec.view.keys, key.parts) { keys[joinKey.name] = part }
                let served = try reader.get([keys], at: at)[0]
                for (reference, value) in zip(reader.references, served) {
                    rows.append(ReplayRow(feature: reference, keys: keys, t: at,
                                          online: ParitySide(status: value.status, value: value.value, eventTs: value.eventTs, lineageID: value.lineageID)))
                }
            }
        }
        var accumulator = try ParityAccumulator(store: store)
        try accumulator.add(rows)
        return try accumulator.report(mode: "snapshot", replayed: rows.count, maxMismatch: maxMismatch, now: now)
    }

    struct ReplayRow {
        var feature: String
        var keys: [String: KeyPart]
        var t: Int64
        var online: ParitySide
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

    static func describe(_ keys: [String: KeyPart]) -> String {
        keys.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
