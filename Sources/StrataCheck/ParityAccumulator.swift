import Foundation
import Strata
import StrataCore
import StrataOffline

/// Running parity figures over batches of replayed rows.
struct ParityAccumulator {
    let store: FeatureStore
    let tables: [String: FeatureTableSpec]
    var parity: [String: FeatureParity] = [:]
    var order: [String] = []
    var examples: [ParityMismatch] = []
    var smapeSums: [String: (Double, Int)] = [:]

    init(store: FeatureStore) throws {
        self.store = store
        tables = store.featureTables(try store.appliedProject())
        // A new view version's table is built from the source rows first, as historical retrieval does.
        try store.refreshFeatureTables(Array(tables.values))
    }

    /// Compares one batch of replayed rows, one offline join per view.
    mutating func add(_ rows: [ConsistencyChecker.ReplayRow]) throws {
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
            let offline = try store.offlineJoin(keys: keys, times: indices.map { rows[$0].t }, table: spec,
                                                 featureIndexes: Array(featureNames.indices), options: JoinOptions(corrections: .known))
            let lineageIDs = indices.compactMap { rows[$0].online.lineageID } + offline.lineageIDs.compactMap { $0 }
            let lineage = try store.sourceLineage(source: spec.view.source.name, version: spec.sourceVersion, rowIDs: lineageIDs)
            for (position, index) in indices.enumerated() {
                let row = rows[index]
                let featureName = String(row.feature.split(separator: ":").last ?? "")
                guard let featureIndex = featureNames.firstIndex(of: featureName) else { continue }
                if parity[row.feature] == nil { parity[row.feature] = FeatureParity(feature: row.feature); order.append(row.feature) }
                let type = spec.view.features[featureIndex].definition.type
                var online = row.online
                online.value = ConsistencyChecker.normalise(online.value, type)
                let offlineLineage = offline.lineageIDs[position].flatMap { lineage[$0] }
                let offlineSide = ParitySide(status: offline.statuses[position], value: offline.values[featureIndex][position].finiteOrNull, eventTs: offline.eventTimes[position],
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
                    examples.append(ParityMismatch(feature: row.feature, keys: ConsistencyChecker.describe(row.keys), requestTime: Timestamp.format(row.t),
                                                   online: online.value.description, onlineStatus: online.status.rawValue, onlineLineageID: online.lineageID,
                                                   offline: offlineSide.value.description, offlineStatus: offlineSide.status.rawValue,
                                                   offlineLineageID: offlineSide.lineageID, reason: reason.rawValue))
                }
            }
        }
    }

    /// The report over everything added, saved in the registry.
    func report(mode: String, replayed: Int, maxMismatch: Double?, now: Int64) throws -> CheckReport {
        var parity = self.parity
        for (feature, sums) in smapeSums where sums.1 > 0 { parity[feature]?.smape = sums.0 / Double(sums.1) }
        var hasher = SHA256()
        hasher.update(Array("\(now)|\(mode)|\(replayed)".utf8))
        let report = CheckReport(id: "chk-" + hasher.finalizeHex().prefix(12), createdAt: Timestamp.format(now), mode: mode, rowsReplayed: replayed,
                                 viewVersions: Dictionary(uniqueKeysWithValues: tables.map { ($0.key, $0.value.viewVersion) }), maxMismatch: maxMismatch,
                                 features: order.compactMap { parity[$0] }, examples: examples)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try store.recordCheckReport(id: report.id, createdAtMicros: now, report: String(decoding: try encoder.encode(report), as: UTF8.self))
        return report
    }
}
