package import StrataCore

/// One key's online aggregation state, able to answer exactly for every request time at or after its `horizon`
/// (the materialization's `--end`), as the offline sweep would in `known` mode.
///
/// A version *counts* at `t` when `created <= t < until` (`until`: when a better version of the same event is created;
/// `Int64.max` without one). At the horizon `H` a version is **settled** when it counts at every `t >= H` and lies at or
/// before `H` (`created <= H`, `until == Int64.max`, `event_ts <= H`): only settled versions may be pre-folded, since
/// for every `t >= H` they are in the window exactly when their tile is. Tiles fold their events in event order, so a
/// tile partial must be a *prefix* of its tile's events: the record cuts the key's events at the first one that is not
/// settled (or that a `hop: 0` window needs raw) — the **cut** — folds every settled event before it into tile partials,
/// and keeps every event from the cut on raw. A read inserts a tile's raw events after its partial, which is the fold
/// of all of the tile's events in event order: bit for bit the offline answer.
///
/// The record is a function of the key's events and the horizon alone (`build`), and `advance` and `insert` keep it so:
/// a record advanced to a later horizon, or given one more event, equals the record built from scratch. That is what
/// makes incremental materializations equal full ones and shuffled pushes converge, byte for byte.
package struct AggregationTileRecord: Sendable, Equatable {
    package var horizon: Int64
    /// The latest event time of the settled versions, pruned or not: a key with one is `present` from `horizon` on.
    package var latestSettled: Int64?
    /// The latest event (in event order) folded into a partial that is still in a window: a new event after it can be
    /// added raw without refolding anything.
    package var foldedMax: EventOrder?
    package var raw: RawAggregationEvents
    /// Per tile group, the stored tiles in ascending order (only non-empty partials are stored).
    package var tiles: [[StoredTile]]

    /// A record at `Int64.min` holding every version raw: `build` advances it to the horizon.
    init(events: AggregationEvents, groups: Int) {
        horizon = Int64.min
        raw = RawAggregationEvents(inputColumns: events.inputs.count, filterColumns: events.filters.count)
        tiles = Array(repeating: [], count: groups)
        let spans = EventActivity.spans(orders: events.orders, ids: events.ids.isEmpty ? nil : events.ids, visibility: .known, maxIngestSeq: nil)
        for i in events.orders.indices where spans.from[i] < spans.until[i] {
            raw.append(order: events.orders[i], until: spans.until[i], inputs: events.inputs.map { $0[i] }, filters: events.filters.map { $0[i] })
        }
    }

    /// The canonical record of a key's events (every stored version, in event order) at `horizon`.
    package static func build(_ events: AggregationEvents, horizon: Int64, layout: OnlineAggregationLayout) -> AggregationTileRecord {
        var record = AggregationTileRecord(events: events, groups: layout.groups.count)
        record.advance(to: horizon, layout: layout)
        return record
    }

    /// Moves the horizon forward (or re-establishes the canonical form at the same horizon): drops versions that no
    /// longer count, folds the events that became settled before the cut into their tiles, prunes tiles and events that
    /// no window reaches any more.
    package mutating func advance(to newHorizon: Int64, layout: OnlineAggregationLayout) {
        precondition(newHorizon >= horizon, "a record's horizon only moves forward")
        let valueLower = layout.valueLower(at: newHorizon), slidingLower = layout.slidingLower(at: newHorizon)
        let count = raw.count
        var kept = [Bool](repeating: false, count: count), settled = kept
        for i in 0..<count where raw.until[i] > newHorizon {
            kept[i] = true
            let order = raw.orders[i]
            settled[i] = order.createdTs <= newHorizon && raw.until[i] == Int64.max && order.eventTs <= newHorizon
            if settled[i] { latestSettled = max(latestSettled ?? order.eventTs, order.eventTs) }
        }
        // The cut: the first kept version that is in a window and not settled, or that an exact sliding window needs.
        var cut = count
        for i in 0..<count where kept[i] {
            let eventTs = raw.orders[i].eventTs
            if (eventTs > valueLower && !settled[i]) || eventTs > slidingLower {
                cut = i
                break
            }
        }
        if let folded = foldedMax, folded.eventTs <= valueLower { foldedMax = nil }
        let firstTiles = layout.groups.map { $0.hopMicros > 0 ? $0.firstTile(at: newHorizon) : 0 }
        for g in tiles.indices {
            let first = firstTiles[g]
            tiles[g].removeAll { $0.index < first }
        }
        for i in 0..<cut where kept[i] && raw.orders[i].eventTs > valueLower {
            fold(i, layout: layout, firstTiles: firstTiles)
            foldedMax = raw.orders[i]
        }
        let latest = latestSettled ?? Int64.min
        let orders = raw.orders
        raw.keep { i in
            guard kept[i] else { return false }
            let eventTs = orders[i].eventTs
            // Below every window a version matters only for the status, and only when it may raise the event time.
            return eventTs > valueLower ? i >= cut : !settled[i] && eventTs > latest
        }
        horizon = newHorizon
    }

    /// Folds raw version `i` (settled, before the cut) into the last tile of each group whose range holds it. Events
    /// arrive in event order after every event already folded, so a tile is the group's last one or a new one.
    private mutating func fold(_ i: Int, layout: OnlineAggregationLayout, firstTiles: [Int64]) {
        let order = raw.orders[i]
        for (g, group) in layout.groups.enumerated() where group.hopMicros > 0 {
            let tile = floorDivide(order.eventTs &- 1, group.hopMicros)
            guard tile >= firstTiles[g] else { continue }
            if let filter = group.filter, !raw.filters[filter][i] { continue }
            let input = group.input.map { raw.inputs[$0][i] } ?? .null
            guard group.kernel.accepts(input) else { continue }
            if let last = tiles[g].last, last.index == tile {
                group.kernel.insert(&tiles[g][tiles[g].count - 1].partial, input, at: order)
            } else {
                precondition(tiles[g].last.map { $0.index < tile } ?? true, "events are folded in event order")
                var partial = AggregatePartial()
                group.kernel.insert(&partial, input, at: order)
                tiles[g].append(StoredTile(index: tile, partial: partial))
            }
        }
    }

    /// Adds one new version that no other version replaces (a source without `id`), as `build` would with it. Returns
    /// false — changing nothing — when the version falls before an event already folded into a partial, which only a
    /// rebuild from the key's events can refold; true when it was added (or already there).
    package mutating func insert(order: EventOrder, inputs: [Value], filters: [Bool], layout: OnlineAggregationLayout) -> Bool {
        if raw.orders.contains(order) { return true }
        let isBelowWindows = order.eventTs <= layout.valueLower(at: horizon)
        guard isBelowWindows || foldedMax.map({ $0 < order }) ?? true else { return false }
        raw.insert(order: order, until: Int64.max, inputs: inputs, filters: filters)
        advance(to: horizon, layout: layout)
        return true
    }
}

/// A stored tile partial: the fold of the tile's settled events before the record's cut.
package struct StoredTile: Sendable, Equatable {
    package var index: Int64
    package var partial: AggregatePartial
}

/// Raw versions in event order, column by column: event order, `until`, evaluated inputs and conditions.
package struct RawAggregationEvents: Sendable, Equatable {
    package var orders: [EventOrder] = []
    package var until: [Int64] = []
    package var inputs: [[Value]]
    package var filters: [[Bool]]

    init(inputColumns: Int, filterColumns: Int) {
        inputs = Array(repeating: [], count: inputColumns)
        filters = Array(repeating: [], count: filterColumns)
    }

    package var count: Int { orders.count }

    mutating func append(order: EventOrder, until: Int64, inputs: [Value], filters: [Bool]) {
        orders.append(order)
        self.until.append(until)
        for (column, value) in inputs.enumerated() { self.inputs[column].append(value) }
        for (column, value) in filters.enumerated() { self.filters[column].append(value) }
    }

    /// Inserts a version at its place in event order.
    mutating func insert(order: EventOrder, until: Int64, inputs: [Value], filters: [Bool]) {
        var low = 0, high = orders.count
        while low < high {
            let mid = (low + high) / 2
            if orders[mid] < order { low = mid + 1 } else { high = mid }
        }
        orders.insert(order, at: low)
        self.until.insert(until, at: low)
        for (column, value) in inputs.enumerated() { self.inputs[column].insert(value, at: low) }
        for (column, value) in filters.enumerated() { self.filters[column].insert(value, at: low) }
    }

    /// Keeps the versions for which `isKept(index)` holds, in order.
    mutating func keep(_ isKept: (Int) -> Bool) {
        let indices = orders.indices.filter(isKept)
        guard indices.count < orders.count else { return }
        orders = indices.map { orders[$0] }
        until = indices.map { until[$0] }
        inputs = inputs.map { column in indices.map { column[$0] } }
        filters = filters.map { column in indices.map { column[$0] } }
    }
}
