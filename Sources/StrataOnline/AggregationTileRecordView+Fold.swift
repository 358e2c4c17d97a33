package import StrataCore

/// What a lookup asks of every record: the requested aggregations grouped by tile group and window, so that those
/// sharing both (a sum and an average of the same column and window) fold the window once.
public struct AggregationReadPlan: Sendable {
    struct Window: Sendable {
        var group: Int
        var window: AggregationWindow
        /// Where each member's value goes (its position in the request) and the kernel that finalizes it.
        var members: [(output: Int, kernel: AggregationKernel)]
    }

    let windows: [Window]
    let layout: OnlineAggregationLayout

    /// A plan for the aggregations at `aggregationIndexes` of the layout; values come out at their position in that list.
    public init(layout: OnlineAggregationLayout, aggregationIndexes: [Int]) {
        var windows: [Window] = []
        for (output, index) in aggregationIndexes.enumerated() {
            let aggregation = layout.aggregations[index], group = layout.groupOfAggregation[index]
            let member = (output: output, kernel: aggregation.kernel)
            if let w = windows.firstIndex(where: { $0.group == group && $0.window == aggregation.window }) {
                windows[w].members.append(member)
            } else {
                windows.append(Window(group: group, window: aggregation.window, members: [member]))
            }
        }
        self.windows = windows
        self.layout = layout
    }
}

extension AggregationTileRecordView {
    /// The latest event time of a version counting at `t` with `event_ts <= t`: the aggregation's event time, and
    /// `present` when there is one (`not_found` otherwise).
    package func latestCounted(at t: Int64) -> Int64? {
        var latest = latestSettled
        for i in 0..<rawCount {
            let eventTs = eventTs(i)
            if eventTs > t { break }
            if counts(i, at: t), eventTs > latest ?? Int64.min { latest = eventTs }
        }
        return latest
    }

    /// Folds every planned window at `t` (at or after the horizon) and hands each requested aggregation's value to
    /// `store(output, value)`: stored tile partials merged from left to right with the raw events of each tile inserted
    /// after its partial in event order — the canonical fold, with the kernel's own `insert`, `merge` and `finalize`.
    /// - Throws: `AggregationDecodingError` for a damaged record.
    package func answer(_ plan: AggregationReadPlan, at t: Int64, _ store: (Int, Value) -> Void) throws(AggregationDecodingError) {
        for entry in plan.windows {
            let group = plan.layout.groups[entry.group]
            let total = group.hopMicros > 0 ? try tiledTotal(entry.group, group, entry.window, at: t) : try slidingTotal(group, entry.window, at: t)
            for member in entry.members { store(member.output, member.kernel.finalize(total)) }
        }
    }

    /// `hop: 0`: every raw event of the window, from the empty partial, in event order.
    private func slidingTotal(_ group: TileGroup, _ window: AggregationWindow, at t: Int64) throws(AggregationDecodingError) -> AggregatePartial {
        var partial = AggregatePartial()
        var i = firstRaw(after: window.lowerBound(at: t))
        while i < rawCount, eventTs(i) <= t {
            try insert(i, group, at: t, into: &partial)
            i += 1
        }
        return partial
    }

    private func tiledTotal(_ g: Int, _ group: TileGroup, _ window: AggregationWindow, at t: Int64) throws(AggregationDecodingError) -> AggregatePartial {
        let hop = window.hopMicros, kernel = group.kernel
        let (whole, head) = window.tiles(at: t)
        var stored = try StoredTiles(groupReader(g), kernel: kernel, from: whole.lowerBound)
        var i = firstRaw(after: window.lowerBound(at: t))
        var total = AggregatePartial()
        while true {
            let rawTile: Int64? = i < rawCount && eventTs(i) <= t ? floorDivide(eventTs(i) &- 1, hop) : nil
            let tile = min(stored.next ?? Int64.max, rawTile ?? Int64.max)
            guard tile != Int64.max, tile <= head else { break }
            if rawTile != tile {
                // A stored tile without raw events merges in place (a distinct count's sketch is never built).
                try kernel.mergeCompact(&total, &stored.reader)
                try stored.advance()
                continue
            }
            var partial = AggregatePartial()
            if stored.next == tile {
                partial = try kernel.readCompact(&stored.reader)
                try stored.advance()
            }
            while i < rawCount, eventTs(i) <= t, floorDivide(eventTs(i) &- 1, hop) == tile {
                try insert(i, group, at: t, into: &partial)
                i += 1
            }
            kernel.merge(&total, partial)
        }
        return total
    }

    /// Inserts raw version `i` when it counts at `t` and its condition holds.
    @inline(__always)
    private func insert(_ i: Int, _ group: TileGroup, at t: Int64, into partial: inout AggregatePartial) throws(AggregationDecodingError) {
        guard counts(i, at: t) else { return }
        if let filter = group.filter, !condition(filter, i) { return }
        let input = try group.input.map { column throws(AggregationDecodingError) in try self.input(column, i) } ?? .null
        group.kernel.insert(&partial, input, at: order(i))
    }

    /// The first raw version with `event_ts > lower` (raw versions are in event order).
    private func firstRaw(after lower: Int64) -> Int {
        var low = 0, high = rawCount
        while low < high {
            let mid = (low + high) / 2
            if eventTs(mid) <= lower { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// Walks one group's stored tiles in order, skipping those before the window.
private struct StoredTiles {
    var reader: CompactReader
    let kernel: AggregationKernel
    let first: Int64
    var remaining: Int
    var index: Int64 = 0
    /// The index of the tile whose partial the reader is at; nil when none is left.
    var next: Int64?

    init(_ reader: CompactReader, kernel: AggregationKernel, from first: Int64) throws(AggregationDecodingError) {
        self.reader = reader
        self.kernel = kernel
        self.first = first
        remaining = try self.reader.count()
        try advance()
    }

    mutating func advance() throws(AggregationDecodingError) {
        while remaining > 0 {
            remaining -= 1
            index = index &+ (try reader.zigzag())
            if index >= first {
                next = index
                return
            }
            try kernel.skipCompact(&reader)
        }
        next = nil
    }
}
