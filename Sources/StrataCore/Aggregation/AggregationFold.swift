/// One value to fold: the event's place in event order and its aggregated input (anything, even null, for a count of rows).
public struct AggregationInput: Sendable, Hashable {
    public var order: EventOrder
    public var value: Value

    public init(order: EventOrder, value: Value) {
        self.order = order
        self.value = value
    }
}

/// The stored partial of one tile: the fold of that tile's events in event order.
public struct TilePartial: Sendable, Hashable {
    public var tile: Int64
    public var partial: AggregatePartial

    public init(tile: Int64, partial: AggregatePartial) {
        self.tile = tile
        self.partial = partial
    }
}

/// The canonical fold of one aggregation: the single definition of a window's value that every path computes.
///
/// The value at `t` is computed from the window's events grouped by tile (`AggregationWindow.tile(of:)`):
/// 1. each tile's events are folded from the empty partial with `insert`, in event order (event time, created time,
///    ingest sequence) — the head tile only up to `t`;
/// 2. the tile partials are merged from left to right in ascending tile order with `merge`, starting from empty
///    (an empty tile changes nothing, so it can be skipped);
/// 3. `finalize` turns the result into a value.
/// With `hop: 0` all of the window's events form one group. Count, integer sums, min, max, first, last and distinct
/// counts do not depend on this order; float sums, averages, variances and standard deviations do, which is why
/// there is exactly one order.
///
/// ```swift
/// let fold = AggregationFold(kernel: kernel, window: window)
/// fold.value(at: t, tiles: storedTiles, events: headEvents)
/// ```
public struct AggregationFold: Sendable, Hashable {
    public var kernel: AggregationKernel
    public var window: AggregationWindow

    public init(kernel: AggregationKernel, window: AggregationWindow) {
        self.kernel = kernel
        self.window = window
    }

    /// Folds inputs from empty in the order given: a tile partial when they are one tile's events in event order.
    public func partial(of inputs: some Sequence<AggregationInput>) -> AggregatePartial {
        var partial = AggregatePartial()
        for input in inputs { kernel.insert(&partial, input.value, at: input.order) }
        return partial
    }

    /// The window's value at `t` from stored tile partials plus raw events, in the canonical order.
    ///
    /// A tile's value is its stored partial (or empty) with its raw events inserted after it in event order, so a
    /// stored partial may cover a prefix of a tile (say, the head tile up to the last materialization) and the raw
    /// events the rest; every raw event of a tile must come after the events of its stored partial in event order.
    /// Tiles and events outside the window at `t` (including events after `t`) are ignored. With `hop: 0` there are
    /// no tiles and every event is raw.
    public func value(at t: Int64, tiles: [TilePartial], events: [AggregationInput]) -> Value {
        let lower = window.lowerBound(at: t)
        let inWindow = events.filter { $0.order.eventTs > lower && $0.order.eventTs <= t }.sorted { $0.order < $1.order }
        guard window.hopMicros > 0 else { return kernel.finalize(partial(of: inWindow)) }
        let (whole, head) = window.tiles(at: t)
        var byTile: [Int64: AggregatePartial] = [:]
        for stored in tiles where whole.contains(stored.tile) || stored.tile == head {
            precondition(byTile[stored.tile] == nil, "one stored partial per tile")
            byTile[stored.tile] = stored.partial
        }
        for input in inWindow {
            kernel.insert(&byTile[window.tile(of: input.order.eventTs), default: AggregatePartial()], input.value, at: input.order)
        }
        var result = AggregatePartial()
        for tile in byTile.keys.sorted() {
            if let partial = byTile[tile] { kernel.merge(&result, partial) }
        }
        return kernel.finalize(result)
    }
}
