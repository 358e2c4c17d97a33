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
                                 maxMismatch: Double? = nil, now: Int64 = currentMicros()) throws -> CheckReport {
        let records = try FeatureLogStore(path: store.folder.featureLogPath).records(since: since, until: until, service: service)
        var rows: [ReplayRow] = []
        for record in records {
            for (i, feature) in record.features.enumerated() {
                rows.append(ReplayRow(feature: feature, keys: record.keys, t: record.requestMicros,
                                      online: ParitySide(status: record.statuses[i], value: record.values[i], eventTs: record.eventTimes[i], lineageID: record.lineageIDs[i])))
            }
        }
        return try compare(store, rows: rows, mode: "logs", replayed: records.count, maxMismatch: maxMismatch, now: now)
    }

    /// Compares, for every (or `sample` evenly spread) stored key of each view, the online answer at `at` with the offline join.
    public static func checkSnapshot(_ store: FeatureStore, at: Int64, sample: Int? = nil, maxMismatch: Double? = nil, now: Int64 = currentMicros()) throws -> CheckReport {
        let applied = try store.appliedProject()
        var rows: [ReplayRow] = []
        for (name, spec) in store.featureTables(applied).sorted(by: { $0.key < $1.key }) {
            let layout = store.onlineLayout(spec)
            var stored = try store.online.allRows(layout)
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
        return try compare(store, rows: rows, mode: "snapshot", replayed: rows.count, maxMismatch: maxMismatch, now: now)
    }

    struct ReplayRow {
        var feature: String
        var keys: [String: KeyPart]
        var t: Int64
        var online: ParitySide
    }

    static func compare(_ store: FeatureStore, rows: [ReplayRow], mode: String, replayed: Int, maxMismatch: Double?, now: Int64) throws -> CheckReport {
        let applied = try store.appliedProject()
        let tables = store.featureTables(applied)
        // A new view version's table is built from the source rows first, as historical retrieval does.
        try store.offline.refresh(Array(tables.values))
        var parity: [String: FeatureParity] = [:]
        var order: [String] = []
        var examples: [ParityMismatch] = []
        var smapeSums: [String: (Double, Int)] = [:]
        let byView = Dictionary(grouping: rows.indices) { rows[$0].feature.split(separator: ":").first.map(String.init) ?? "" }
        for (viewName, indices) in byView.sorted(by: { $0.key < $1.key }) {
            guard let spec = tables[viewName] else { continue }
            let featureNames = spec.view.features.map(\.definition.name)
            let keys: [KeyTuple?] = indices.map { index in
                var parts: [KeyPart] = []
                for key in spec.view.keys {
                    guard let part = rows[index].keys[key.name] else { return nil }
                    parts.append(part)
                }
                return KeyTuple(parts)
            }
            let offline = try store.offline.join(keys: keys, times: indices.map { rows[$0].t }, table: spec,
                                                 featureIndexes: Array(featureNames.indices), options: JoinOptions(corrections: .known))
            let lineageIDs = indices.compactMap { rows[$0].online.lineageID } + offline.lineageIDs.compactMap { $0 }
            let lineage = try store.offline.lineage(source: spec.view.source.name, version: spec.sourceVersion, rowIDs: lineageIDs)
            for (position, index) in indices.enumerated() {
                let row = rows[index]
                let featureName = String(row.feature.split(separator: ":").last ?? "")
                guard let featureIndex = featureNames.firstIndex(of: featureName) else { continue }
                if parity[row.feature] == nil { parity[row.feature] = FeatureParity(feature: row.feature); order.append(row.feature) }
                let type = spec.view.features[featureIndex].definition.type
                var online = row.online
                online.value = normalise(online.value, type)
                let offlineLineage = offline.lineageIDs[position].flatMap { lineage[$0] }
                let offlineSide = ParitySide(status: offline.statuses[position], value: offline.values[featureIndex][position], eventTs: offline.eventTimes[position],
                                             lineageID: offline.lineageIDs[position], ingestedAt: offlineLineage?.runStartedAtMicros, createdTs: offline.createdTimes[position])
                let servedRow = online.lineageID.flatMap { lineage[$0] }.map {
                    ParitySide(status: .present, value: .null, eventTs: $0.eventTs, lineageID: $0.rowID, ingestedAt: $0.runStartedAtMicros, createdTs: $0.createdTs)
                }
                parity[row.feature]?.compared += 1
                if online.status == .present, offlineSide.status == .present, let a = online.value.doubleValue, let b = offlineSide.value.doubleValue,
                   !online.value.isNull, !offlineSide.value.isNull, type.isNumeric {
                    let denominator = (abs(a) + abs(b)) / 2
                    var sums = smapeSums[row.feature] ?? (0, 0)
                    sums.0 += denominator == 0 ? 0 : abs(a - b) / denominator
                    sums.1 += 1
                    smapeSums[row.feature] = sums
                    let previous = parity[row.feature]?.maxAbsDiff ?? 0
                    parity[row.feature]?.maxAbsDiff = max(previous, abs(a - b))
                }
                if online.status != .present, offlineSide.status == .present { parity[row.feature]?.missingOnline += 1 }
                if online.status == .present, offlineSide.status != .present { parity[row.feature]?.missingOffline += 1 }
                guard !ParityReason.agree(online, offlineSide) else { continue }
                let reason = ParityReason.classify(online: online, offline: offlineSide, onlineRowOffline: servedRow, t: row.t, ttl: spec.view.definition.ttlMicros)
                parity[row.feature]?.mismatches += 1
                parity[row.feature]?.reasons[reason.rawValue, default: 0] += 1
                if examples.count < 50 {
                    examples.append(ParityMismatch(feature: row.feature, keys: describe(row.keys), requestTime: Timestamp.format(row.t),
                                                   online: online.value.description, onlineStatus: online.status.rawValue, onlineLineageID: online.lineageID,
                                                   offline: offlineSide.value.description, offlineStatus: offlineSide.status.rawValue,
                                                   offlineLineageID: offlineSide.lineageID, reason: reason.rawValue))
                }
            }
        }
        for (feature, sums) in smapeSums where sums.1 > 0 { parity[feature]?.smape = sums.0 / Double(sums.1) }
        var hasher = SHA256()
        hasher.update(Array("\(now)|\(mode)|\(rows.count)".utf8))
        let report = CheckReport(id: "chk-" + hasher.finalizeHex().prefix(12), createdAt: Timestamp.format(now), mode: mode, rowsReplayed: replayed,
                                 viewVersions: Dictionary(uniqueKeysWithValues: tables.map { ($0.key, $0.value.viewVersion) }), maxMismatch: maxMismatch,
                                 features: order.compactMap { parity[$0] }, examples: examples)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try store.registry.recordCheckReport(id: report.id, createdAtMicros: now, report: String(decoding: try encoder.encode(report), as: UTF8.self))
        return report
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
