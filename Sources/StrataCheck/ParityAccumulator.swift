import Foundation
import Strata
import StrataCore
import StrataOffline

/// Running parity figures over batches of replayed lookups.
///
/// Per batch and view: one offline join with one spine row per lookup (not per feature) and only the features the
/// lookups served; comparisons index features by number instead of hashing their names; and lineage, which only
/// explains a mismatch, is read for mismatching values only. Before this layout a 1M-lookup check spent most of its
/// 17.5 s on per-feature join rows, string keys and lineage reads for every value (issue 12).
struct ParityAccumulator {
    let store: FeatureStore
    let tables: [String: FeatureTableSpec]
    let definitionVersions: [String: Int]
    var parity: [FeatureParity] = []
    var parityIndex: [String: Int] = [:]
    var smapeSums: [(Double, Int)] = []
    var examples: [ParityMismatch] = []

    init(store: FeatureStore) throws {
        self.store = store
        let applied = try store.appliedProject()
        tables = try store.featureTables()
        definitionVersions = applied.versionsByName
        // A new view version's table is built from the source rows first, as historical retrieval does.
        try store.refreshFeatureTables(Array(tables.values))
    }

    /// One served feature of a feature list: its position in the list, its view's feature index and reference.
    struct Served {
        var position: Int
        var featureIndex: Int
        var reference: String
    }

    /// A value that disagreed, waiting for the lineage that explains it.
    struct Pending {
        var record: Int
        var parity: Int
        var joinRow: Int
        var column: Int
        var online: ParitySide
    }

    /// Compares one batch of replayed lookups, one offline join per view.
    mutating func add(_ batch: FeatureLogPage) throws {
        // Per feature list: the view of each served feature (a reference that names no applied view is skipped).
        var byView: [String: [[Served]]] = [:]
        var aggregationsByView: [String: [[Served]]] = [:]
        for (listID, list) in batch.featureLists.enumerated() {
            for (position, reference) in list.enumerated() {
                let parts = reference.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let spec = tables[parts[0]] else { continue }
                if let index = spec.view.aggregations.firstIndex(where: { $0.definition.name == parts[1] }) {
                    var lists = aggregationsByView[parts[0], default: Array(repeating: [], count: batch.featureLists.count)]
                    lists[listID].append(Served(position: position, featureIndex: index, reference: reference))
                    aggregationsByView[parts[0]] = lists
                    continue
                }
                guard let featureIndex = spec.view.features.firstIndex(where: { $0.definition.name == parts[1] }) else { continue }
                var lists = byView[parts[0], default: Array(repeating: [], count: batch.featureLists.count)]
                lists[listID].append(Served(position: position, featureIndex: featureIndex, reference: reference))
                byView[parts[0]] = lists
            }
        }
        for (viewName, lists) in byView.sorted(by: { $0.key < $1.key }) {
            guard let spec = tables[viewName] else { continue }
            try compare(batch, spec: spec, lists: lists)
        }
        for (viewName, lists) in aggregationsByView.sorted(by: { $0.key < $1.key }) {
            guard let spec = tables[viewName] else { continue }
            try compareAggregations(batch, spec: spec, lists: lists)
        }
    }

    mutating func parityEntry(_ reference: String) -> Int {
        if let index = parityIndex[reference] { return index }
        parityIndex[reference] = parity.count
        parity.append(FeatureParity(feature: reference))
        smapeSums.append((0, 0))
        return parity.count - 1
    }

    mutating func compare(_ batch: FeatureLogPage, spec: FeatureTableSpec, lists: [[Served]]) throws {
        let featureIndexes = Array(Set(lists.joined().map(\.featureIndex))).sorted()
        let columnOf = Dictionary(uniqueKeysWithValues: featureIndexes.enumerated().map { ($0.element, $0.offset) })
        let (records, keys, times) = Self.spine(batch, spec: spec, lists: lists)
        let offline = try store.offlineJoin(keys: keys, times: times, table: spec, featureIndexes: featureIndexes, options: JoinOptions(corrections: .known))
        var pending: [Pending] = []
        // Parity entries are made in order of first comparison (the report lists features in that order).
        var entries: [[Int]?] = Array(repeating: nil, count: lists.count)
        for (joinRow, record) in records.enumerated() {
            let base = batch.offsets[record]
            let listID = batch.featureListIDs[record]
            if entries[listID] == nil { entries[listID] = lists[listID].map { parityEntry($0.reference) } }
            let listEntries = entries[listID] ?? []
            for (servedIndex, served) in lists[listID].enumerated() {
                let entry = listEntries[servedIndex]
                let i = base + served.position
                let type = spec.view.features[served.featureIndex].definition.type
                let column = columnOf[served.featureIndex] ?? 0
                let online = ParitySide(status: batch.statuses[i], value: ConsistencyChecker.normalise(batch.values[i], type),
                                        eventTs: batch.eventTimes[i], lineageID: batch.lineageIDs[i])
                let offlineStatus = offline.statuses[joinRow]
                let offlineValue = offline.values[column][joinRow].finiteOrNull
                parity[entry].compared += 1
                if online.status == .present, offlineStatus == .present, type.isNumeric, let a = online.value.doubleValue, let b = offlineValue.doubleValue {
                    let denominator = (abs(a) + abs(b)) / 2
                    smapeSums[entry].0 += denominator == 0 ? 0 : abs(a - b) / denominator
                    smapeSums[entry].1 += 1
                    parity[entry].maxAbsDiff = max(parity[entry].maxAbsDiff ?? 0, abs(a - b))
                }
                if online.status != .present, offlineStatus == .present { parity[entry].missingOnline += 1 }
                if online.status == .present, offlineStatus != .present { parity[entry].missingOffline += 1 }
                let agrees = online.status == offlineStatus && (online.status != .present || ParityReason.valuesEqual(online.value, offlineValue))
                if !agrees { pending.append(Pending(record: record, parity: entry, joinRow: joinRow, column: column, online: online)) }
            }
        }
        guard !pending.isEmpty else { return }
        try explain(pending, batch: batch, spec: spec, offline: offline)
    }

    /// The records of a batch that served any of `lists`' features, with their view key (nil when a key is missing) and time.
    static func spine(_ batch: FeatureLogPage, spec: FeatureTableSpec, lists: [[Served]]) -> (records: [Int], keys: [KeyTuple?], times: [Int64]) {
        var records: [Int] = []
        var keys: [KeyTuple?] = []
        var times: [Int64] = []
        // Per key-name list, where each of the view's keys sits in a record's key values (nil: the record lacks it).
        let positions = batch.keyNameLists.map { names in spec.view.keys.map { names.firstIndex(of: $0.name) } }
        for record in 0..<batch.count where !lists[batch.featureListIDs[record]].isEmpty {
            records.append(record)
            times.append(batch.requestMicros[record])
            var parts: [KeyPart] = []
            for position in positions[batch.keyListIDs[record]] {
                guard let position else { break }
                parts.append(batch.keyParts[batch.keyStarts[record] + position])
            }
            keys.append(parts.count == spec.view.keys.count ? KeyTuple(parts) : nil)
        }
        return (records, keys, times)
    }

    /// Classifies each disagreement from the lineage of both values, read once for all of them.
    mutating func explain(_ pending: [Pending], batch: FeatureLogPage, spec: FeatureTableSpec, offline: ViewJoinResult) throws {
        let ids = pending.compactMap(\.online.lineageID) + pending.compactMap { offline.lineageIDs[$0.joinRow] }
        let lineage = try store.sourceLineage(spec, rowIDs: ids)
        for item in pending {
            let row = item.joinRow
            let offlineLineage = offline.lineageIDs[row].flatMap { lineage[$0] }
            let offlineSide = ParitySide(status: offline.statuses[row], value: offline.values[item.column][row].finiteOrNull, eventTs: offline.eventTimes[row],
                                         lineageID: offline.lineageIDs[row], ingestedAt: offlineLineage?.runStartedAtMicros, createdTs: offline.createdTimes[row])
            let servedRow = item.online.lineageID.flatMap { lineage[$0] }.map {
                ParitySide(status: .present, value: .null, eventTs: $0.eventTs, lineageID: $0.rowID, ingestedAt: $0.runStartedAtMicros, createdTs: $0.createdTs)
            }
            let t = batch.requestMicros[item.record]
            let reason = ParityReason.classify(online: item.online, offline: offlineSide, onlineRowOffline: servedRow, t: t, ttl: spec.view.definition.ttlMicros)
            let feature = parity[item.parity].feature
            parity[item.parity].mismatches += 1
            parity[item.parity].reasons[reason.rawValue, default: 0] += 1
            if examples.count < 50 {
                examples.append(ParityMismatch(feature: feature, keys: EntityKey(batch.keys(item.record)), requestTime: Timestamp.format(t),
                                               online: item.online.value.description, onlineStatus: item.online.status.rawValue, onlineLineageID: item.online.lineageID,
                                               offline: offlineSide.value.description, offlineStatus: offlineSide.status.rawValue,
                                               offlineLineageID: offlineSide.lineageID, reason: reason.rawValue))
            }
        }
    }

    /// The report over everything added, saved in the registry.
    func report(mode: String, replayed: Int, maxMismatch: Double?, now: Int64, undecodableOnlineKeys: [String: Int]? = nil) throws -> CheckReport {
        var parity = self.parity
        for (index, sums) in smapeSums.enumerated() where sums.1 > 0 { parity[index].smape = sums.0 / Double(sums.1) }
        var hasher = SHA256()
        hasher.update(Array("\(now)|\(mode)|\(replayed)".utf8))
        let report = CheckReport(id: "chk-" + hasher.finalizeHex().prefix(12), createdAt: Timestamp.format(now),
                                 finishedAt: Timestamp.format(max(now, currentMicros())), mode: mode, rowsReplayed: replayed,
                                 viewVersions: Dictionary(uniqueKeysWithValues: tables.map { ($0.key, $0.value.viewVersion) }),
                                 definitionVersions: definitionVersions, maxMismatch: maxMismatch,
                                 features: parity, examples: examples, undecodableOnlineKeys: undecodableOnlineKeys)
        try store.record(report, createdAtMicros: now)
        return report
    }
}
