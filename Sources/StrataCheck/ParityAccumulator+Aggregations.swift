import Strata
import StrataCore
import StrataOffline

extension ParityAccumulator {
    /// Compares served windowed aggregations with the training-set sweep at the same instants in `known` mode, one
    /// sweep per view and batch. Online and offline share one canonical fold, so values must be equal exactly (floats
    /// by their bits), not within a tolerance.
    mutating func compareAggregations(_ batch: FeatureLogPage, spec: FeatureTableSpec, lists: [[Served]]) throws {
        let indexes = Array(Set(lists.joined().map(\.featureIndex))).sorted()
        let columnOf = Dictionary(uniqueKeysWithValues: indexes.enumerated().map { ($0.element, $0.offset) })
        let (records, keys, times) = Self.spine(batch, spec: spec, lists: lists)
        let offline = try store.offlineAggregate(keys: keys, times: times, table: spec, aggregationIndexes: indexes, options: JoinOptions(corrections: .known))
        var pending: [(record: Int, joinRow: Int, entry: Int, index: Int, online: ParitySide, offline: ParitySide)] = []
        for (joinRow, record) in records.enumerated() {
            let base = batch.offsets[record]
            for served in lists[batch.featureListIDs[record]] {
                let entry = parityEntry(served.reference)
                let i = base + served.position
                let aggregation = spec.view.aggregations[served.featureIndex]
                let online = ParitySide(status: batch.statuses[i], value: ConsistencyChecker.normalise(batch.values[i], aggregation.resultType),
                                        eventTs: batch.eventTimes[i], lineageID: nil)
                let offlineSide = ParitySide(status: offline.statuses[joinRow], value: offline.values[columnOf[served.featureIndex] ?? 0][joinRow],
                                             eventTs: offline.eventTimes[joinRow], lineageID: nil)
                parity[entry].compared += 1
                if let a = online.value.doubleValue, let b = offlineSide.value.doubleValue, online.status == .present, offlineSide.status == .present {
                    let denominator = (abs(a) + abs(b)) / 2
                    smapeSums[entry].0 += denominator == 0 || !denominator.isFinite ? 0 : abs(a - b) / denominator
                    smapeSums[entry].1 += 1
                    if (a - b).isFinite { parity[entry].maxAbsDiff = max(parity[entry].maxAbsDiff ?? 0, abs(a - b)) }
                }
                if online.status != .present, offlineSide.status == .present { parity[entry].missingOnline += 1 }
                if online.status == .present, offlineSide.status != .present { parity[entry].missingOffline += 1 }
                let agrees = online.status == offlineSide.status && (online.status != .present || Self.exactlyEqual(online.value, offlineSide.value))
                if !agrees { pending.append((record, joinRow, entry, served.featureIndex, online, offlineSide)) }
            }
        }
        guard !pending.isEmpty else { return }
        // Explaining needs the key's events and when each became known: read only for mismatching keys.
        let mismatchKeys = Array(Set(pending.compactMap { keys[$0.joinRow] }))
        let events = try store.aggregationEvents(spec, keys: mismatchKeys)
        let rowIDs = events.values.flatMap { $0.orders.map(\.ingestSeq) }
        let lineage = try store.sourceLineage(spec, rowIDs: rowIDs)
        for item in pending {
            let t = batch.requestMicros[item.record]
            let keyEvents = keys[item.joinRow].flatMap { events[$0] }
            let reason = Self.classifyAggregation(online: item.online, offline: item.offline, window: spec.view.aggregations[item.index].window,
                                                  events: keyEvents, knownAt: { lineage[$0]?.runStartedAtMicros }, t: t)
            parity[item.entry].mismatches += 1
            parity[item.entry].reasons[reason.rawValue, default: 0] += 1
            if examples.count < 50 {
                examples.append(ParityMismatch(feature: parity[item.entry].feature, keys: EntityKey(batch.keys(item.record)),
                                               requestTime: Timestamp.format(t), online: item.online.value.description, onlineStatus: item.online.status.rawValue,
                                               onlineLineageID: nil, offline: item.offline.value.description, offlineStatus: item.offline.status.rawValue,
                                               offlineLineageID: nil, reason: reason.rawValue))
            }
        }
    }

    /// Why a served aggregation differs from the training set at `t`, from the key's events (SPEC "Windowed aggregations"):
    /// 1. `late_write` — an event the training set counts at `t` (created at or before `t`, in the window or deciding
    ///    the status) reached the store after the lookup (its ingest run started after `t`): serving could not have seen it;
    /// 2. `window_edge` — a counted event sits exactly on the window's lower bound or at `t`;
    /// 3. otherwise `missing_in_online` / `missing_in_offline` when one side found no event, else `value_drift`.
    static func classifyAggregation(online: ParitySide, offline: ParitySide, window: AggregationWindow, events: AggregationEvents?,
                                    knownAt: (Int64) -> Int64?, t: Int64) -> ParityReason {
        let lower = window.lowerBound(at: t)
        let counted = events.map { events in events.orders.filter { $0.createdTs <= t && $0.eventTs <= t } } ?? []
        if counted.contains(where: { order in knownAt(order.ingestSeq).map { $0 > t } ?? false }) { return .lateWrite }
        if counted.contains(where: { $0.eventTs == lower || $0.eventTs == t }) { return .windowEdge }
        switch (online.status, offline.status) {
        case (.present, .present): return .valueDrift
        case (_, .present): return .missingInOnline
        case (.present, _): return .missingInOffline
        default: return .valueDrift
        }
    }

    /// Equal values, floats equal only by their bits (a served aggregation is the same fold as the training set's).
    static func exactlyEqual(_ a: Value, _ b: Value) -> Bool {
        if case .float(let x) = a, case .float(let y) = b { return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
        return a == b
    }
}
