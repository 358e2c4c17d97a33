public import StrataCore

/// How one view's aggregations are stored online: one LMDB database, one record per key tuple.
///
/// Aggregations that fold the same values the same way — kernels that differ at most in `finalize` (sum and avg,
/// variance and stddev), the same input, condition and hop — share one **tile group**: one run of tile partials per key,
/// kept as far back as the group's widest window needs. A record holds (`AggregationTileRecord`):
/// - per tile group, the partials of whole tiles, each the fold of the tile's settled events in event order;
/// - raw events — their event order, `until` (when a later version of the same event replaces it), evaluated inputs
///   and conditions — for everything a partial cannot hold exactly: events not yet known at the horizon (created
///   later), events replaced later, events after the horizon (future-stamped, or in the head tile), every event of a
///   `hop: 0` window, and whatever follows them in event order;
/// - the latest settled event time, for `present` once the events themselves are pruned.
public struct OnlineAggregationLayout: Sendable {
    /// The LMDB database name: the view's tile storage in the catalog (`FeatureTableSpec.aggregationTilesName`).
    public var databaseName: String
    public var view: String
    public var aggregations: [CompiledAggregation]
    public var columns: AggregationInputs
    /// The type of each input column (`columns.inputs`).
    public var inputTypes: [ValueType]
    public var groups: [TileGroup]
    /// Per aggregation, the index of its tile group.
    public var groupOfAggregation: [Int]
    /// True when the source has an `id` column (versions of one event replace each other).
    public var hasEventID: Bool

    public init(databaseName: String, view: String, aggregations: [CompiledAggregation], hasEventID: Bool) {
        self.databaseName = databaseName
        self.view = view
        self.aggregations = aggregations
        self.hasEventID = hasEventID
        columns = AggregationInputs(aggregations)
        inputTypes = columns.inputs.map(\.type)
        var groups: [TileGroup] = []
        var groupOf: [Int] = []
        for (index, aggregation) in aggregations.enumerated() {
            let slot = columns.slots[index]
            let window = aggregation.window
            if let g = groups.firstIndex(where: {
                $0.kernel.foldsLike(aggregation.kernel) && $0.hopMicros == window.hopMicros && $0.input == slot.input && $0.filter == slot.filter
            }) {
                groups[g].windowMaxMicros = max(groups[g].windowMaxMicros, window.windowMicros)
                groups[g].members.append(index)
                groupOf.append(g)
            } else {
                groupOf.append(groups.count)
                groups.append(TileGroup(kernel: aggregation.kernel, hopMicros: window.hopMicros, input: slot.input, filter: slot.filter,
                                        windowMaxMicros: window.windowMicros, members: [index]))
            }
        }
        self.groups = groups
        groupOfAggregation = groupOf
    }

    /// The lowest window bound of any aggregation at `horizon`: an event at or below it is in no window at any
    /// request time from `horizon` on.
    func valueLower(at horizon: Int64) -> Int64 {
        aggregations.map { $0.window.lowerBound(at: horizon) }.min() ?? Int64.max
    }

    /// The lowest bound of the `hop: 0` windows at `horizon` (`Int64.max` when there are none): every event above it
    /// stays raw, because an exact sliding window starts anywhere.
    func slidingLower(at horizon: Int64) -> Int64 {
        aggregations.filter { $0.window.hopMicros == 0 }.map { $0.window.lowerBound(at: horizon) }.min() ?? Int64.max
    }
}

/// Aggregations of a view that share tile partials (see `OnlineAggregationLayout`).
public struct TileGroup: Sendable, Hashable {
    /// Folds and merges for every member (members differ at most in `finalize`).
    public var kernel: AggregationKernel
    /// 0: no tiles, every event of the window stays raw.
    public var hopMicros: Int64
    public var input: Int?
    public var filter: Int?
    public var windowMaxMicros: Int64
    /// The aggregations of the group, by index in the view.
    public var members: [Int]

    /// The first tile any member's window can hold at a request time at or after `horizon`.
    func firstTile(at horizon: Int64) -> Int64 {
        AggregationWindow(windowMicros: windowMaxMicros, hopMicros: hopMicros).tiles(at: horizon).whole.lowerBound
    }
}
