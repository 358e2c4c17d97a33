import Foundation
import StrataCore
public import StrataOffline
public import StrataOnline

/// What one view's materialization did.
public struct MaterializeReport: Sendable, Codable {
    public var view: String
    public var version: Int
    public var isIncremental: Bool
    public var end: String
    public var rowsScanned: Int
    public var keysWritten: Int
    public var keysKept: Int
    /// Keys whose aggregation tile record was written (nil for a view without aggregations).
    public var aggregationKeys: Int?
    /// The bytes of those records: online bytes per key is `aggregationBytes / aggregationKeys`.
    public var aggregationBytes: Int?
    public var elapsedMicros: Int64
}

extension FeatureStore {
    /// The online layout of a view's feature table.
    public func onlineLayout(_ spec: FeatureTableSpec) -> OnlineViewLayout {
        OnlineViewLayout(databaseName: spec.tableName, view: spec.view.definition.name, featureNames: spec.view.features.map(\.definition.name),
                         featureTypes: spec.view.features.map(\.definition.type), ttlMicros: spec.view.definition.ttlMicros)
    }

    /// The online layout of a view's aggregations; nil for a view without any.
    public func aggregationLayout(_ spec: FeatureTableSpec) -> OnlineAggregationLayout? {
        guard !spec.view.aggregations.isEmpty else { return nil }
        return OnlineAggregationLayout(databaseName: spec.aggregationTilesName, view: spec.view.definition.name, aggregations: spec.view.aggregations,
                                       hasEventID: spec.view.source.idColumn != nil)
    }

    /// The materialization itself, on one snapshot of the applied definitions; `materialize` (FeatureStore+RunRecords.swift)
    /// records the run around it. When the LMDB map fills, it doubles (up to `online.map_size_max`) and the run starts again.
    func materializeViews(views names: [String], end: Int64, incremental: Bool, crashAfterKeys: Int?, pauseFile: String?,
                          snapshot: AppliedSnapshot, progress: ((String, Int, Int) -> Void)?) throws -> [MaterializeReport] {
        let tables = snapshot.tables
        for name in names where tables[name] == nil {
            throw FeatureStoreError.unknownView(name, suggestion: nearMiss(name, in: tables.keys))
        }
        let specs = tables.keys.sorted().filter { names.isEmpty || names.contains($0) }.compactMap { tables[$0] }.filter(\.hasSourceStorage)
        try offline.refresh(specs)
        let layouts = specs.map(onlineLayout)
        var previous: [String: MaterializationWatermark] = [:]
        if incremental {
            for layout in layouts { previous[layout.databaseName] = try materializationWatermark(layout) }
        }

        let aggregationLayouts = specs.map(aggregationLayout)
        return try online.write(layouts: layouts, aggregations: aggregationLayouts.compactMap { $0 }) { batch in
            var reports: [MaterializeReport] = []
            for (spec, layout) in zip(specs, layouts) {
                let started = DispatchTime.now().uptimeNanoseconds
                var written = 0, kept = 0
                let watermark = previous[layout.databaseName]
                let scan = try offline.scanLatest(spec, end: end, after: watermark, progress: { done, total in progress?(layout.view, done, total) }) { row in
                    let online = OnlineRow(eventTs: row.eventTs, createdTs: row.createdTs, ingestSeq: row.ingestSeq, lineageID: row.lineageID, values: row.values)
                    if try batch.upsert(layout, key: row.key, row: online) { written += 1 } else { kept += 1 }
                    if let crashAfterKeys, written >= crashAfterKeys { kill(getpid(), SIGKILL) }
                    if written + kept == 1 { FaultPause.wait(at: pauseFile) }
                }
                var aggregated: (keys: Int, bytes: Int)?
                if let aggregationLayout = aggregationLayouts[reports.count] {
                    aggregated = try materializeAggregations(spec, aggregationLayout, end: end, batch: batch)
                }
                try Self.recordServed(spec, watermark: MaterializationWatermark(lastSeq: scan.maxSeq, end: end), batch: batch)
                reports.append(MaterializeReport(view: layout.view, version: spec.viewVersion, isIncremental: watermark != nil, end: Timestamp.format(end),
                                                 rowsScanned: scan.rowsScanned, keysWritten: written, keysKept: kept,
                                                 aggregationKeys: aggregated?.keys, aggregationBytes: aggregated?.bytes,
                                                 elapsedMicros: Int64((DispatchTime.now().uptimeNanoseconds - started) / 1000)))
            }
            return reports
        }
    }
}

extension FeatureStore {
    /// Writes every key's aggregation tile record, built from all of its offline events at horizon `end`, in the
    /// caller's transaction. Full and incremental runs do the same: a record is a function of the key's events and the
    /// horizon alone (`AggregationTileRecord`), so rebuilding is what makes an incremental run equal a full one, and it
    /// prunes tiles and events that no window reaches from `end` on. Keys never lose their record (it holds `present`).
    func materializeAggregations(_ spec: FeatureTableSpec, _ layout: OnlineAggregationLayout, end: Int64,
                                 batch: OnlineWriteBatch) throws -> (keys: Int, bytes: Int) {
        var keys = 0, bytes = 0
        try offline.forEachAggregationKey(spec, keys: nil) { key, events in
            let record = AggregationTileRecord.build(events, horizon: end, layout: layout)
            bytes += try batch.putAggregationRecord(layout, key: OnlineKeyEncoding.encode(key), record: record)
            keys += 1
        }
        return (keys, bytes)
    }
}

/// Sorted-key JSON for small metadata values.
enum CanonicalJSONText {
    /// - Throws: `EncodingError`: a value that cannot be encoded is an error, never a placeholder.
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
