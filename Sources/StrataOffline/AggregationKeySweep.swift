import StrataCore

/// One requested aggregation as the sweep computes it: its canonical fold and the event-table columns it reads.
struct SweepAggregation {
    var fold: AggregationFold
    /// Index into `AggregationKeySweep.inputs`; nil for a count of rows.
    var input: Int?
    /// Index into `AggregationKeySweep.filters`; nil when every event counts.
    var filter: Int?
}

/// The pure core of the aggregation sweep for one key: given the key's event versions in event order and its spine
/// rows sorted by time, each row's status, latest event time and aggregate values (SPEC "Windowed aggregations").
///
/// Each version counts during a span of instants (`EventActivity`); spine times only grow, so the window's bounds,
/// the tile pointers and the set of eligible versions all move forward. Whole tiles are folded once and reused until a
/// version inside them starts or stops counting; the head tile (and, for `hop: 0`, the whole window) is folded per
/// row. Everything is folded and merged exactly as `AggregationFold` defines, with the same kernel calls.
struct AggregationKeySweep {
    var orders: [EventOrder] = []
    /// Per version its event id (`.null` for none); empty when the source has no `id` column.
    var ids: [Value] = []
    /// Per input column, per version.
    var inputs: [[Value]] = []
    /// Per condition column, per version: true when the `where` holds.
    var filters: [[Bool]] = []

    private var from: [Int64] = []
    private var until: [Int64] = []
    /// Event times as the window compares them: `event_ts + 1` in strict mode, so `lower <= e < t` becomes `lower < e' <= t`.
    private var effective: [Int64] = []

    mutating func clear() {
        orders.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        for i in inputs.indices { inputs[i].removeAll(keepingCapacity: true) }
        for i in filters.indices { filters[i].removeAll(keepingCapacity: true) }
    }

    /// Answers `spineRows` (sorted by time); `aggregations[a]` writes `result.values[a]`.
    mutating func resolve(spineRows: [Int], times: [Int64], aggregations: [SweepAggregation], options: JoinOptions, into result: inout ViewJoinResult) {
        let spans = EventActivity.spans(orders: orders, ids: ids.isEmpty ? nil : ids, visibility: options.corrections.aggregationVisibility,
                                        maxIngestSeq: options.maxIngestSeq)
        from = spans.from
        until = spans.until
        let shift: Int64 = options.isStrict ? 1 : 0
        effective = orders.map { $0.eventTs &+ shift }
        resolveStatuses(spineRows, times, &result)
        for (index, aggregation) in aggregations.enumerated() {
            if aggregation.fold.window.hopMicros > 0 {
                foldTiled(aggregation, index, spineRows, times, &result)
            } else {
                foldSliding(aggregation, index, spineRows, times, &result)
            }
        }
    }

    /// `present` with the latest counted event time when a version counts at `t` with `e' <= t`; else `not_found`.
    private func resolveStatuses(_ spineRows: [Int], _ times: [Int64], _ result: inout ViewJoinResult) {
        let candidates = orders.indices.filter { from[$0] < until[$0] }
        let eligibleAt = candidates.map { max(from[$0], effective[$0]) }
        let sorted = candidates.indices.sorted { eligibleAt[$0] < eligibleAt[$1] }
        var heap = IndexMaxHeap()
        var next = 0
        for row in spineRows {
            let t = times[row]
            while next < sorted.count, eligibleAt[sorted[next]] <= t {
                heap.push(candidates[sorted[next]])
                next += 1
            }
            while let top = heap.top, until[top] <= t { heap.pop() }
            if let top = heap.top {
                result.statuses[row] = .present
                result.eventTimes[row] = orders[top].eventTs
            }
        }
    }

    @inline(__always)
    private func counts(_ i: Int, at t: Int64) -> Bool { from[i] <= t && t < until[i] }

    @inline(__always)
    private func insert(_ aggregation: SweepAggregation, _ i: Int, into partial: inout AggregatePartial) {
        if let filter = aggregation.filter, !filters[filter][i] { return }
        aggregation.fold.kernel.insert(&partial, aggregation.input.map { inputs[$0][i] } ?? .null, at: orders[i])
    }

    private func foldTiled(_ aggregation: SweepAggregation, _ index: Int, _ spineRows: [Int], _ times: [Int64], _ result: inout ViewJoinResult) {
        let window = aggregation.fold.window, kernel = aggregation.fold.kernel
        // Versions are in event order, so each tile's versions are one contiguous run.
        var tiles: [Int64] = [], starts: [Int] = []
        for i in orders.indices {
            let tile = window.tile(of: effective[i])
            if tiles.last != tile {
                tiles.append(tile)
                starts.append(i)
            }
        }
        starts.append(orders.count)
        var partials = [AggregatePartial](repeating: AggregatePartial(), count: tiles.count)
        var validUntil = [Int64](repeating: Int64.min, count: tiles.count)
        var low = 0, high = 0
        for row in spineRows {
            let t = times[row]
            guard result.statuses[row] == .present else { continue }
            let (whole, head) = window.tiles(at: t)
            while low < tiles.count, tiles[low] < whole.lowerBound { low += 1 }
            while high < tiles.count, tiles[high] < head { high += 1 }
            var total = AggregatePartial()
            for k in low..<high {
                if t >= validUntil[k] {
                    // Refold the whole tile as it stands at t; it stays valid until one of its versions starts or stops counting.
                    var partial = AggregatePartial(), changesAt = Int64.max
                    for i in starts[k]..<starts[k + 1] {
                        if counts(i, at: t) {
                            insert(aggregation, i, into: &partial)
                            changesAt = min(changesAt, until[i])
                        } else if from[i] > t {
                            changesAt = min(changesAt, from[i])
                        }
                    }
                    partials[k] = partial
                    validUntil[k] = changesAt
                }
                kernel.merge(&total, partials[k])
            }
            if high < tiles.count, tiles[high] == head {
                var partial = AggregatePartial()
                for i in starts[high]..<starts[high + 1] where effective[i] <= t && counts(i, at: t) { insert(aggregation, i, into: &partial) }
                kernel.merge(&total, partial)
            }
            result.values[index][row] = kernel.finalize(total)
        }
    }

    private func foldSliding(_ aggregation: SweepAggregation, _ index: Int, _ spineRows: [Int], _ times: [Int64], _ result: inout ViewJoinResult) {
        let window = aggregation.fold.window, kernel = aggregation.fold.kernel
        var low = 0, high = 0
        for row in spineRows {
            let t = times[row]
            guard result.statuses[row] == .present else { continue }
            let lower = window.lowerBound(at: t)
            while low < orders.count, effective[low] <= lower { low += 1 }
            while high < orders.count, effective[high] <= t { high += 1 }
            var partial = AggregatePartial()
            for i in low..<max(low, high) where counts(i, at: t) { insert(aggregation, i, into: &partial) }
            result.values[index][row] = kernel.finalize(partial)
        }
    }
}

/// A binary max-heap of version indices (larger index = later in event order).
struct IndexMaxHeap {
    private var items: [Int] = []

    var top: Int? { items.first }

    mutating func push(_ item: Int) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent] < items[child] else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var largest = parent
            if left < items.count, items[left] > items[largest] { largest = left }
            if right < items.count, items[right] > items[largest] { largest = right }
            if largest == parent { return }
            items.swapAt(parent, largest)
            parent = largest
        }
    }
}

extension CorrectionsMode {
    /// The same mode for aggregations, which Core defines without importing this module.
    var aggregationVisibility: AggregationVisibility {
        switch self {
        case .known: return .known
        case .latest: return .latest
        case .asOf(let t): return .asOf(t)
        }
    }
}
