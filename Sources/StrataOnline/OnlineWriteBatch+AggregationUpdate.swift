package import StrataCore

// How a push updates the tile records of the keys it touched: the aggregation logic beside the records it changes,
// so the façade only gathers the pushed events and the offline events of keys to rebuild.

extension OnlineWriteBatch {
    /// Updates each pushed key's tile record. Where exactness allows, the pushed events go into the stored record in
    /// place (`AggregationTileRecord.insert`, which keeps the record equal to the one built from all of the key's
    /// events); otherwise — no readable record, a source with `id:` (a new version may replace a stored one), or an
    /// event before one already folded into a tile — the key is rebuilt from all of its offline events (`eventsOf`) at
    /// the stored record's horizon, or at `now` without one. Either way the record depends only on the key's events
    /// and its horizon, which is what makes pushes idempotent and late, out-of-order or corrected events converge.
    /// - Returns: how many keys were updated, and how many of them were rebuilt.
    package func updateAggregations(_ layout: OnlineAggregationLayout, events pushed: [(KeyTuple, AggregationEvents)], now: Int64,
                                    eventsOf: ([KeyTuple]) throws -> [(KeyTuple, AggregationEvents)]) throws -> (keys: Int, rebuilt: Int) {
        var rebuild: [KeyTuple: Int64] = [:]
        var rebuildKeys: [KeyTuple] = []
        for (key, events) in pushed {
            let encoded = OnlineKeyEncoding.encode(key)
            // Live traffic: events after the record's horizon only join its raw events, tiles copied as bytes.
            if !layout.hasEventID, try insertAfterHorizon(layout, key: encoded, events: events) { continue }
            guard case .record(var record) = try aggregationRecord(layout, key: encoded) else {
                rebuild[key] = now
                rebuildKeys.append(key)
                continue
            }
            if !layout.hasEventID, Self.insert(events, into: &record, layout: layout) {
                _ = try putAggregationRecord(layout, key: encoded, record: record)
            } else {
                rebuild[key] = record.horizon
                rebuildKeys.append(key)
            }
        }
        if !rebuildKeys.isEmpty {
            for (key, events) in try eventsOf(rebuildKeys) {
                let horizon = rebuild[key] ?? now
                _ = try putAggregationRecord(layout, key: OnlineKeyEncoding.encode(key),
                                             record: AggregationTileRecord.build(events, horizon: horizon, layout: layout))
            }
        }
        return (pushed.count, rebuildKeys.count)
    }

    /// Inserts a key's pushed events (in event order) into its record; false when one of them needs a rebuild.
    private static func insert(_ events: AggregationEvents, into record: inout AggregationTileRecord, layout: OnlineAggregationLayout) -> Bool {
        let order = events.orders.indices.sorted { events.orders[$0] < events.orders[$1] }
        for i in order {
            guard record.insert(order: events.orders[i], inputs: events.inputs.map { $0[i] }, filters: events.filters.map { $0[i] }, layout: layout) else {
                return false
            }
        }
        return true
    }

}
