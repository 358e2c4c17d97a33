/// The window of an aggregation and its tiles (SPEC "Windowed aggregations").
///
/// At instant `t` the window holds the events with `lower < event_ts <= t`, where `lower = floor(t - window, hop)`
/// aligned to the Unix epoch (`hop == 0`: `lower = t - window`, exact sliding). Tile `j` holds the events with
/// `j·hop < event_ts <= (j+1)·hop`, so a window is a run of whole tiles plus the head tile, cut at `t`:
///
/// ```swift
/// let window = AggregationWindow(windowMicros: 3_600_000_000, hopMicros: 300_000_000)  // 1h, hop 5m
/// window.tiles(at: t)  // (whole: 12 tile indices, head: the tile holding t)
/// ```
public struct AggregationWindow: Sendable, Hashable, Codable {
    public var windowMicros: Int64
    /// 0 for exact sliding windows.
    public var hopMicros: Int64

    public init(windowMicros: Int64, hopMicros: Int64) {
        precondition(windowMicros > 0 && hopMicros >= 0, "validated definitions have a positive window and a non-negative hop")
        self.windowMicros = windowMicros
        self.hopMicros = hopMicros
    }

    /// The exclusive lower bound of the window at `t`; saturates at `Int64.min`.
    public func lowerBound(at t: Int64) -> Int64 {
        let (start, overflow) = t.subtractingReportingOverflow(windowMicros)
        if overflow { return Int64.min }
        guard hopMicros > 0 else { return start }
        let (lower, overflowed) = floorDivide(start, hopMicros).multipliedReportingOverflow(by: hopMicros)
        return overflowed ? Int64.min : lower
    }

    /// True when an event at `eventTs` is in the window at `t`: `lower < eventTs <= t`.
    public func contains(_ eventTs: Int64, at t: Int64) -> Bool {
        eventTs <= t && eventTs > lowerBound(at: t)
    }

    /// The tile holding an event time: tile `j` is `(j·hop, (j+1)·hop]`. Needs `hop > 0`.
    public func tile(of eventTs: Int64) -> Int64 {
        precondition(hopMicros > 0, "exact sliding windows have no tiles")
        return floorDivide(eventTs &- 1, hopMicros)
    }

    /// At `t`: the tiles wholly inside the window, ascending, and the head tile, whose events count up to `t`.
    /// Needs `hop > 0`.
    public func tiles(at t: Int64) -> (whole: Range<Int64>, head: Int64) {
        precondition(hopMicros > 0, "exact sliding windows have no tiles")
        let head = floorDivide(t, hopMicros)
        let (start, overflow) = t.subtractingReportingOverflow(windowMicros)
        let first = overflow ? Int64.min / hopMicros - 1 : floorDivide(start, hopMicros)
        return (first..<head, head)
    }
}

/// Division rounding toward negative infinity (`b > 0`): tiles before the epoch are aligned like those after it.
@inline(__always)
public func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let quotient = a / b
    return (a % b != 0 && a < 0) ? quotient - 1 : quotient
}
