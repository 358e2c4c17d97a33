public import Foundation
public import StrataCore
public import StrataOffline
import StrataOnline

/// What a push did: one offline run for the source, then the online write of every view that reads it.
public struct PushReport: Sendable, Codable {
    /// The online half for one view.
    public struct ViewResult: Sendable, Codable {
        public var view: String
        public var onlineWritten: Int
        /// Rows not written because a better row was already stored.
        public var onlineKept: Int
        /// Keys whose aggregation tile record was updated (nil for a view without aggregations).
        public var aggregationKeys: Int?
        /// Of those, the keys rebuilt from all of their offline events (no record yet, an event before one already
        /// folded into a tile, or a source with `id:` whose versions may replace each other); the others took the
        /// pushed events into their stored record in place.
        public var aggregationKeysRebuilt: Int?
    }

    public var source: String
    public var offline: IngestReport
    public var views: [ViewResult]

    /// True when the source's expectations rejected the batch: nothing was written, offline or online.
    public var isRejected: Bool { offline.isRejected }
    public var onlineWritten: Int { views.reduce(0) { $0 + $1.onlineWritten } }
    public var onlineKept: Int { views.reduce(0) { $0 + $1.onlineKept } }
}

/// One view's pushed keys with their pushed aggregation events (not the key's earlier ones), in event order.
struct PushedAggregations {
    var spec: FeatureTableSpec
    var layout: OnlineAggregationLayout
    var events: [(KeyTuple, AggregationEvents)]
}

/// Where a push's rows go. Rows always go offline first (every served value keeps its lineage).
public enum PushTarget: String, Sendable {
    case offline
    case onlineAndOffline = "online_and_offline"
}

extension FeatureStore {
    /// Pushes a JSON Lines file of rows with `view`'s source columns: one offline run for the source (recorded as
    /// `push:FILE`), then the online write of every view of the source.
    ///
    /// Order and crash behaviour: the offline append commits first (one transaction); the online write follows
    /// (one LMDB transaction). A crash between them leaves the rows offline only; pushing the same batch again is
    /// idempotent — the offline side recognises the content and adds nothing, the online side writes the rows again
    /// and keeps any better row — so a retry repairs the gap.
    /// - Throws: `FeatureStoreError.unknownView`; `OfflineStoreError` (unreadable or changing file, full disk, busy);
    ///   `OnlineStoreError`; `FeatureStoreError.invalidKey` for a stored row without a usable key.
    public func push(view name: String, file: URL, now: Int64 = currentMicros()) throws -> PushReport {
        try push(view: name, file: file, now: now, crashesBeforeOnline: false)
    }

    /// `push(view:file:)` with fault injection: the process kills itself after the offline commit.
    package func push(view name: String, file: URL, now: Int64 = currentMicros(), crashesBeforeOnline: Bool) throws -> PushReport {
        let snapshot = try snapshot()
        guard let spec = snapshot.tables[name] else { throw FeatureStoreError.unknownView(name, suggestion: nearMiss(name, in: snapshot.tables.keys)) }
        return try push(source: spec.view.source.name, input: .file(file), label: "push:\(file.lastPathComponent)", target: .onlineAndOffline,
                        now: now, crashesBeforeOnline: crashesBeforeOnline)
    }

    /// Pushes rows decoded in memory (an HTTP push) to a source: one offline run, recorded as `push:REQUEST` with the
    /// content's SHA-256, then (for `.onlineAndOffline`) the online write of every view of the source. The same rows
    /// pushed again add nothing offline; concurrent pushes are serialised by the stores and end as if run one by one.
    /// - Throws: `FeatureStoreError.unknownSource`; `OfflineStoreError` (`isBusy` when another writer held the lock
    ///   too long: retry); `OnlineStoreError`.
    public func push(source name: String, rows: PushedRows, requestID: String, target: PushTarget = .onlineAndOffline,
                     now: Int64 = currentMicros()) throws -> PushReport {
        try push(source: name, rows: rows, requestID: requestID, target: target, now: now, crashesBeforeOnline: false)
    }

    /// `push(source:rows:…)` with fault injection: the process kills itself after the offline commit.
    package func push(source name: String, rows: PushedRows, requestID: String, target: PushTarget = .onlineAndOffline,
                      now: Int64 = currentMicros(), crashesBeforeOnline: Bool) throws -> PushReport {
        let sources = try snapshot().applied.compiled.definitions.sources
        guard sources.contains(where: { $0.name == name }) else {
            throw FeatureStoreError.unknownSource(name, suggestion: nearMiss(name, in: sources.map(\.name)))
        }
        return try push(source: name, input: .rows(rows), label: "push:\(requestID)", target: target, now: now, crashesBeforeOnline: crashesBeforeOnline)
    }

    private func push(source name: String, input: IngestInput, label: String, target: PushTarget, now: Int64, crashesBeforeOnline: Bool) throws -> PushReport {
        let (report, snapshot) = try writingToCurrentStorage { snapshot -> (IngestReport, AppliedSnapshot) in
            guard var pushed = snapshot.applied.compiled.definitions.source(name) else { throw FeatureStoreError.unknownSource(name, suggestion: nil) }
            pushed.format = .jsonl
            let request = try ingestRequest(pushed, snapshot: snapshot, input: input, displayPath: label, isStrict: false, now: now)
            // A push that fails in its offline transaction is recorded like a failed ingest, so lineage export reports a FAIL.
            return (try recordingFailure(of: request) { try judgedIngest(request) }, snapshot)
        }
        if crashesBeforeOnline { kill(getpid(), SIGKILL) }
        let specs = Self.specs(reading: name, snapshot)
        guard target == .onlineAndOffline, !report.isRejected, let fileID = report.fileID else {
            return PushReport(source: name, offline: report, views: specs.map { .init(view: $0.view.definition.name, onlineWritten: 0, onlineKept: 0) })
        }
        var results = try pushOnline(fileID: fileID, source: name, snapshot: snapshot, now: now)
        // An `apply` that landed after the offline half derives its new online storage from the old one, which may not
        // hold these rows yet: they are written to the new revision's storage too (writes keep the better row, so a row
        // written twice changes nothing).
        let revision = try registry.revision()
        if revision != snapshot.revision {
            forgetSnapshot()
            results = try pushOnline(fileID: fileID, source: name, snapshot: try preparedSnapshot(), now: now)
        }
        return PushReport(source: name, offline: report, views: results)
    }

    private static func specs(reading source: String, _ snapshot: AppliedSnapshot) -> [FeatureTableSpec] {
        snapshot.tables.values.filter { $0.view.source.name == source }.sorted { $0.view.definition.name < $1.view.definition.name }
    }

    /// The online half of a push: the stored rows of one pushed file or batch, written to every view of the source.
    private func pushOnline(fileID: Int64, source name: String, snapshot: AppliedSnapshot, now: Int64) throws -> [PushReport.ViewResult] {
        let specs = Self.specs(reading: name, snapshot)
        guard var pushed = snapshot.applied.compiled.definitions.source(name), let storage = specs.first?.sourceTableName, !storage.isEmpty else { return [] }
        pushed.format = .jsonl
        // Views whose new storage is not live yet take the rows they served before first, so this push lands on them.
        try deriveOnline(snapshot, views: specs.map(\.view.definition.name))
        let rows = try offline.sourceRows(pushed, table: storage, fileID: fileID)
        // Evaluated before the write transaction: LMDB may run the closure again after growing the map.
        let evaluated = try specs.map { spec in try rows.map { try Self.evaluate($0, spec) } }
        let layouts = specs.compactMap { snapshot.layouts[$0.view.definition.name] }
        let aggregated = try pushedAggregationEvents(specs, rows, evaluated)
        return try online.write(layouts: layouts, aggregations: aggregated.map(\.layout)) { batch in
            var results = try zip(layouts, evaluated).map { layout, rows in
                var result = PushReport.ViewResult(view: layout.view, onlineWritten: 0, onlineKept: 0)
                for (key, row) in rows {
                    if try batch.upsert(layout, key: key, row: row) { result.onlineWritten += 1 } else { result.onlineKept += 1 }
                }
                return result
            }
            for view in aggregated {
                let counts = try batch.updateAggregations(view.layout, events: view.events, now: now) { keys in
                    var events: [(KeyTuple, AggregationEvents)] = []
                    try offline.forEachAggregationKey(view.spec, keys: keys) { key, keyEvents in events.append((key, keyEvents)) }
                    return events
                }
                if let index = results.firstIndex(where: { $0.view == view.layout.view }) {
                    results[index].aggregationKeys = counts.keys
                    results[index].aggregationKeysRebuilt = counts.rebuilt
                }
            }
            return results
        }
    }

    /// The pushed rows' aggregation events per key, per view with aggregations, evaluated as the offline event table
    /// evaluates them (`ExpressionEvaluator` on the source row): computed before the write transaction, which LMDB may
    /// run again after growing the map. The event tables are refreshed first, so a fallback rebuild reads the pushed
    /// rows too.
    private func pushedAggregationEvents(_ specs: [FeatureTableSpec], _ rows: [StoredSourceRow],
                                         _ evaluated: [[(KeyTuple, OnlineRow)]]) throws -> [PushedAggregations] {
        let aggregated = zip(specs, evaluated).compactMap { spec, keyed in aggregationLayout(spec).map { (spec, $0, keyed) } }
        guard !aggregated.isEmpty else { return [] }
        try offline.refresh(aggregated.map(\.0))
        return aggregated.map { spec, layout, keyed in
            let columns = layout.columns
            var byKey: [KeyTuple: AggregationEvents] = [:]
            var keys: [KeyTuple] = []
            for (row, (key, _)) in zip(rows, keyed) {
                let inputs = spec.view.source.expressionRow(values: row.values, eventTs: row.eventTs, createdTs: row.createdTs)
                var events = byKey[key] ?? {
                    keys.append(key)
                    return AggregationEvents(inputColumns: columns.inputs.count, filterColumns: columns.filters.count)
                }()
                events.orders.append(EventOrder(eventTs: row.eventTs, createdTs: row.createdTs, ingestSeq: row.rowID))
                for (i, input) in columns.inputs.enumerated() { events.inputs[i].append(ExpressionEvaluator.evaluate(input, row: inputs)) }
                for (i, filter) in columns.filters.enumerated() { events.filters[i].append(ExpressionEvaluator.evaluate(filter, row: inputs) == .bool(true)) }
                byKey[key] = events
            }
            return PushedAggregations(spec: spec, layout: layout, events: keys.map { ($0, byKey[$0]!) })
        }
    }

    /// Computes a view's key and features from one stored source row with the Swift evaluator (the online half of parity).
    /// - Throws: `FeatureStoreError.invalidKey` when a key column is missing from the source or the row's key is
    ///   null or of the wrong type: such a row must never be written under some other entity.
    static func evaluate(_ row: StoredSourceRow, _ spec: FeatureTableSpec) throws -> (KeyTuple, OnlineRow) {
        let source = spec.view.source
        var inputs = row.values
        inputs.append(.int(row.eventTs))
        if source.created != nil { inputs.append(.int(row.createdTs)) }
        let key = KeyTuple(try spec.view.keys.map { key -> KeyPart in
            guard let index = source.columns.firstIndex(where: { $0.name == key.name }), index < row.values.count else {
                throw FeatureStoreError.invalidKey(view: spec.view.definition.name, key: key.name, rowID: row.rowID, reason: "the source has no such column")
            }
            switch (row.values[index], key.type) {
            case (.string(let s), .string): return .string(s)
            case (.int(let v), .int64): return .int(v)
            case (let value, _):
                throw FeatureStoreError.invalidKey(view: spec.view.definition.name, key: key.name, rowID: row.rowID,
                                                   reason: value.isNull ? "the value is null" : "`\(value)` is not \(key.type)")
            }
        })
        let values = spec.view.features.map { ExpressionEvaluator.evaluate($0.typed, row: inputs) }
        return (key, OnlineRow(eventTs: row.eventTs, createdTs: row.createdTs, ingestSeq: row.rowID, lineageID: row.rowID, values: values))
    }
}
