import Foundation
import StrataCore
import StrataOffline
import StrataOnline

/// What deriving one view's online databases did.
public struct OnlineDerivation: Sendable, Codable, Hashable {
    public var view: String
    /// Keys whose row features were written to the new storage's database (from the rows the old one served).
    public var keys: Int
    /// Keys whose aggregation tile records were rebuilt (nil when the tiles did not change).
    public var aggregationKeys: Int?
}

extension FeatureStore {
    /// Makes each view's current online databases live from the ones that served before, when those are live and the
    /// current ones are not (after an `apply` changed the view's features or aggregations): every key keeps the very row
    /// it was served, with the new features evaluated on that row's source values, and the same watermark; tile
    /// records are rebuilt from the stored events at the old watermark. Lookups therefore answer exactly as before for
    /// unchanged features, and the new ones are served at once, with no materialization.
    ///
    /// A view whose keys or source row family changed cannot be derived: it waits for `materialize`.
    @discardableResult
    func deriveOnline(_ snapshot: AppliedSnapshot, views names: [String]? = nil, progress: ((String) -> Void)? = nil) throws -> [OnlineDerivation] {
        var derived: [OnlineDerivation] = []
        for name in snapshot.tables.keys.sorted() where names?.contains(name) ?? true {
            guard let spec = snapshot.tables[name], spec.hasSourceStorage else { continue }
            if let result = try deriveOnline(spec, progress: progress) { derived.append(result) }
        }
        return derived
    }

    private func deriveOnline(_ spec: FeatureTableSpec, progress: ((String) -> Void)?) throws -> OnlineDerivation? {
        let view = spec.view.definition.name
        let rows = try derivableRows(spec)
        let tiles = try derivableTiles(spec)
        guard rows != nil || tiles != nil else { return nil }
        progress?("online: \(view): deriving \(rows.map { "\($0.rows.count) keys" } ?? "")\(rows != nil && tiles != nil ? " and " : "")\(tiles != nil ? "aggregation tiles" : "")")
        let layout = onlineLayout(spec)
        let aggregation = aggregationLayout(spec)
        // Evaluated before the write transaction: LMDB may run the closure again after growing the map.
        return try online.write(layouts: [layout], aggregations: aggregation.map { [$0] } ?? []) { batch -> OnlineDerivation? in
            var result = OnlineDerivation(view: view, keys: 0, aggregationKeys: nil)
            // Re-checked under the writer lock: another process (a push, a materialize) may have made it live meanwhile.
            if let rows, try batch.metadata(Self.watermarkKey(database: spec.tableName)) == nil {
                for (key, row) in rows.rows where try batch.upsert(layout, key: key, row: row) { result.keys += 1 }
                try batch.setMetadata(Self.watermarkKey(database: spec.tableName), try CanonicalJSONText.encode(rows.watermark))
                try batch.setMetadata(Self.servedKey(view), try CanonicalJSONText.encode(ServedRows(spec)))
            }
            if let tiles, let aggregation, try batch.metadata(Self.watermarkKey(database: spec.aggregationTilesName)) == nil {
                result.aggregationKeys = try materializeAggregations(spec, aggregation, end: tiles.end, batch: batch).keys
                try batch.setMetadata(Self.watermarkKey(database: spec.aggregationTilesName), try CanonicalJSONText.encode(tiles))
                try batch.setMetadata(Self.servedTilesKey(view), try CanonicalJSONText.encode(ServedTiles(spec)))
            }
            return result
        }
    }

    /// The rows the view's previous live database serves, re-evaluated for `spec`; nil when there is nothing to derive.
    private func derivableRows(_ spec: FeatureTableSpec) throws -> (rows: [(KeyTuple, OnlineRow)], watermark: MaterializationWatermark)? {
        guard try !isLive(spec.tableName), let served = try servedRows(spec.view.definition.name), served.database != spec.tableName,
              served.keys == spec.view.keys, served.family == spec.storage.family,
              let watermark = try materializationWatermark(database: served.database, view: spec.view.definition.name) else { return nil }
        let old = try online.allRows(served.layout(view: spec.view.definition.name, ttlMicros: nil))
        let sources = try offline.sourceRows(spec.view.source, table: spec.sourceTableName, rowIDs: old.map(\.row.lineageID))
        var rows: [(KeyTuple, OnlineRow)] = []
        rows.reserveCapacity(old.count)
        for (encodedKey, stored) in old {
            guard let source = sources[stored.lineageID] else {
                throw OnlineStoreError.corruptValue(view: spec.view.definition.name,
                                                    reason: "a served row names source row \(stored.lineageID), which \(spec.sourceTableName) does not hold")
            }
            let (key, row) = try Self.evaluate(source, spec)
            guard OnlineKeyEncoding.encode(key) == encodedKey else {
                throw OnlineStoreError.corruptValue(view: spec.view.definition.name, reason: "source row \(stored.lineageID) has another key than the one it was served under")
            }
            rows.append((key, row))
        }
        return (rows, watermark)
    }

    /// The watermark to rebuild the view's tile records at; nil when there is nothing to derive.
    private func derivableTiles(_ spec: FeatureTableSpec) throws -> MaterializationWatermark? {
        guard !spec.view.aggregations.isEmpty, try !isLive(spec.aggregationTilesName) else { return nil }
        if let served = try servedTiles(spec.view.definition.name), served.database != spec.aggregationTilesName, served.keys == spec.view.keys {
            return try materializationWatermark(database: served.database, view: spec.view.definition.name)
        }
        // Aggregations new to a view whose row features are live: built at the row features' watermark.
        if let served = try servedRows(spec.view.definition.name), served.keys == spec.view.keys, served.family == spec.storage.family {
            return try materializationWatermark(database: served.database, view: spec.view.definition.name)
        }
        return nil
    }
}
