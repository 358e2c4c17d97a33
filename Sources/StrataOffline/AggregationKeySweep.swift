import StrataCore

/// One requested aggregation as the sweep computes it: its canonical fold and the event-table columns it reads.
struct SweepAggregation {
    var fold: AggregationFold
    /// Index into `AggregationKeySweep.inputs`; nil for a count of rows.
    var input: Int?
    /// Index into `AggregationKeySweep.filters`; nil when every event counts.
    var filter: Int?
}

/// Requested aggregations that fold the same values the same way — same input, condition and hop, and kernels that
/// differ at most in `finalize` (sum and avg, variance and stddev) — so they share tile partials; those with the same
/// window also share the window's total. Sharing changes no bit: the shared partials are the ones each would fold.
struct FoldGroup {
    /// Folds and merges for every member.
    var kernel: AggregationKernel
    var hopMicros: Int64
    var input: Int?
    var filter: Int?
    /// Per distinct window, the members: where their values go and the kernel that finalizes them.
    var windows: [(window: AggregationWindow, members: [(index: Int, kernel: AggregationKernel)])] = []

    static func grouping(_ aggregations: [SweepAggregation]) -> [FoldGroup] {
        var groups: [FoldGroup] = []
        for (index, aggregation) in aggregations.enumerated() {
            let kernel = aggregation.fold.kernel, window = aggregation.fold.window
            let member = (index: index, kernel: kernel)
            if let g = groups.firstIndex(where: {
                $0.kernel.foldsLike(kernel) && $0.hopMicros == window.hopMicros && $0.input == aggregation.input && $0.filter == aggregation.filter
            }) {
                if let w = groups[g].windows.firstIndex(where: { $0.window == window }) {
                    groups[g].windows[w].members.append(member)
                } else {
                    groups[g].windows.append((window, [member]))
                }
                continue
            }
            groups.append(FoldGroup(kernel: kernel, hopMicros: window.hopMicros, input: aggregation.input, filter: aggregation.filter,
                                    windows: [(window, [member])]))
        }
        return groups
    }
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
    /// Per group, reused across keys: tile indices for `tilesHop`, the first version of each tile (plus the end), cached
    /// whole-tile partials and the instant until which each stays valid.
    private var tilesHop: Int64 = 0
    private var tiles: [Int64] = []
    private var starts: [Int] = []
    private var partials: [AggregatePartial] = []
    private var validUntil: [Int64] = []

    mutating func clear() {
        orders.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        for i in inputs.indices { inputs[i].removeAll(keepingCapacity: true) }
        for i in filters.indices { filters[i].removeAll(keepingCapacity: true) }
    }

    /// Answers `spineRows` (sorted by time); each group member writes `result.values[member.index]`.
    mutating func resolve(spineRows: [Int], times: [Int64], groups: [FoldGroup], options: JoinOptions, into result: inout ViewJoinResult) {
        let spans = EventActivity.spans(orders: orders, ids: ids.isEmpty ? nil : ids, visibility: options.corrections.aggregationVisibility,
                                        maxIngestSeq: options.maxIngestSeq)
        from = spans.from
        until = spans.until
        let shift: Int64 = options.isStrict ? 1 : 0
        effective = orders.map { $0.eventTs &+ shift }
        resolveStatuses(spineRows, times, &result)
        tilesHop = 0
        for group in groups {
            if group.hopMicros > 0 {
                foldTiled(group, spineRows, times, &result)
            } else {
                foldSliding(group, spineRows, times, &result)
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
    private func insert(_ group: FoldGroup, _ i: Int, into partial: inout AggregatePartial) {
        if let filter = group.filter, !filters[filter][i] { return }
        group.kernel.insert(&partial, group.input.map { inputs[$0][i] } ?? .null, at: orders[i])
    }

    /// Versions are in event order, so each tile's versions are one contiguous run; computed once per key and hop.
    private mutating func cutTiles(hop: Int64) {
        guard tilesHop != hop else { return }
        tilesHop = hop
        tiles.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        for i in orders.indices {
            let tile = floorDivide(effective[i] &- 1, hop)
            if tiles.last != tile {
                tiles.append(tile)
                starts.append(i)
            }
        }
        starts.append(orders.count)
    }

    private mutating func foldTiled(_ group: FoldGroup, _ spineRows: [Int], _ times: [Int64], _ result: inout ViewJoinResult) {
        cutTiles(hop: group.hopMicros)
        let kernel = group.kernel
        // Every tile starts invalid, so each partial is refolded before it is read: stale entries are never reset.
        if partials.count < tiles.count { partials.append(contentsOf: repeatElement(AggregatePartial(), count: tiles.count - partials.count)) }
        validUntil.removeAll(keepingCapacity: true)
        validUntil.append(contentsOf: repeatElement(Int64.min, count: tiles.count))
        var lows = [Int](repeating: 0, count: group.windows.count), highs = lows
        for row in spineRows {
            let t = times[row]
            guard result.statuses[row] == .present else { continue }
            for (w, entry) in group.windows.enumerated() {
                let (whole, head) = entry.window.tiles(at: t)
                while lows[w] < tiles.count, tiles[lows[w]] < whole.lowerBound { lows[w] += 1 }
                while highs[w] < tiles.count, tiles[highs[w]] < head { highs[w] += 1 }
                let high = highs[w]
                var total = AggregatePartial()
                for k in lows[w]..<high {
                    if t >= validUntil[k] { refold(k, group, at: t) }
                    partials.withUnsafeBufferPointer { kernel.merge(&total, $0[k]) }
                }
                if high < tiles.count, tiles[high] == head {
                    var partial = AggregatePartial()
                    for i in starts[high]..<starts[high + 1] where effective[i] <= t && counts(i, at: t) { insert(group, i, into: &partial) }
                    kernel.merge(&total, partial)
                }
                for member in entry.members { result.values[member.index][row] = member.kernel.finalize(total) }
            }
        }
    }

    /// Refolds whole tile `k` as it stands at `t`; it stays valid until one of its versions starts or stops counting.
    private mutating func refold(_ k: Int, _ group: FoldGroup, at t: Int64) {
        var partial = AggregatePartial(), changesAt = Int64.max
        for i in starts[k]..<starts[k + 1] {
            if counts(i, at: t) {
                insert(group, i, into: &partial)
                changesAt = min(changesAt, until[i])
            } else if from[i] > t {
                changesAt = min(changesAt, from[i])
            }
        }
        partials[k] = partial
        validUntil[k] = changesAt
    }

    private func foldSliding(_ group: FoldGroup, _ spineRows: [Int], _ times: [Int64], _ result: inout ViewJoinResult) {
        for entry in group.windows {
            var low = 0, high = 0
            for row in spineRows {
                let t = times[row]
                guard result.statuses[row] == .present else { continue }
                let lower = entry.window.lowerBound(at: t)
                while low < orders.count, effective[low] <= lower { low += 1 }
                while high < orders.count, effective[high] <= t { high += 1 }
                var partial = AggregatePartial()
                for i in low..<max(low, high) where counts(i, at: t) { insert(group, i, into: &partial) }
                for member in entry.members { result.values[member.index][row] = member.kernel.finalize(partial) }
            }
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
