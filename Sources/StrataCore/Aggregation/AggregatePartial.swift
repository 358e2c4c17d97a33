/// The partial state of one aggregate: what a tile, a run of tiles or a whole window has folded so far.
/// Which fields are used depends on the `AggregationKernel`; `count == 0` is the empty state.
///
/// Numeric state is stored inline and a chosen value (min, max, first, last) or a sketch (distinct counts) in a
/// reference, so the partials of counts, sums and averages copy as plain bytes. The fields are `@usableFromInline`
/// so the kernel's `insert` and `merge` inline into the offline sweep and the online tile store.
public struct AggregatePartial: Sendable, Hashable {
    @usableFromInline var folded: Int64 = 0
    /// Float sum, or the running mean for variance and stddev.
    @usableFromInline var sum: Double = 0
    /// Sum of squared deviations from the mean (variance and stddev).
    @usableFromInline var m2: Double = 0
    /// Exact integer sum (sum and avg of int64).
    @usableFromInline var exact = WideSum()
    /// The chosen value and its event (min, max, first, last); immutable, replaced when a better one comes.
    @usableFromInline var chosen: ChosenValue?
    /// Distinct values (approx_count_distinct); copied on write.
    @usableFromInline var sketchBox: SketchBox?

    /// The empty state.
    @inlinable
    public init() {}

    /// Values folded in: events for a count of rows, non-null inputs for every other function.
    @inlinable public var count: Int64 { folded }

    @inlinable public var isEmpty: Bool { folded == 0 }

    @inlinable var value: Value { chosen?.value ?? .null }

    @inlinable var order: EventOrder { chosen?.order ?? .unordered }

    var sketch: HyperLogLog? { sketchBox?.sketch }

    @inlinable
    mutating func insertIntoSketch(_ value: Value) {
        if isKnownUniquelyReferenced(&sketchBox), let box = sketchBox {
            box.sketch.insert(value)
            return
        }
        var sketch = sketchBox?.sketch ?? HyperLogLog()
        sketch.insert(value)
        sketchBox = SketchBox(sketch)
    }

    @inlinable
    mutating func mergeIntoSketch(_ other: AggregatePartial) {
        guard let theirs = other.sketchBox else { return }
        guard sketchBox != nil else {
            sketchBox = theirs
            return
        }
        if isKnownUniquelyReferenced(&sketchBox), let box = sketchBox {
            box.sketch.merge(theirs.sketch)
            return
        }
        // Shared with a tile: copy once, with room for a window's worth of merges.
        var sketch = sketchBox?.sketch ?? HyperLogLog()
        sketch.reserve(32)
        sketch.merge(theirs.sketch)
        sketchBox = SketchBox(sketch)
    }

    public static func == (lhs: AggregatePartial, rhs: AggregatePartial) -> Bool {
        lhs.folded == rhs.folded && lhs.sum == rhs.sum && lhs.m2 == rhs.m2 && lhs.exact == rhs.exact && lhs.value == rhs.value
            && lhs.order == rhs.order && lhs.sketch == rhs.sketch
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(folded)
        hasher.combine(sum)
        hasher.combine(m2)
        hasher.combine(exact)
        hasher.combine(value)
        hasher.combine(order)
        hasher.combine(sketch)
    }
}

extension EventOrder {
    /// The order recorded with a min or max, whose pick does not depend on events.
    @usableFromInline static let unordered = EventOrder(eventTs: 0, createdTs: 0, ingestSeq: 0)
}

/// A chosen value and the event it came from; immutable, so partials share it freely.
@usableFromInline
final class ChosenValue: Sendable {
    @usableFromInline let value: Value
    @usableFromInline let order: EventOrder

    @usableFromInline
    init(_ value: Value, _ order: EventOrder) {
        self.value = value
        self.order = order
    }
}

/// A sketch behind a reference, mutated in place only while uniquely referenced (copy-on-write).
///
/// `@unchecked Sendable` is safe because every mutation goes through `AggregatePartial`, which first checks
/// `isKnownUniquelyReferenced` and copies otherwise: a box reachable from two partials (and so possibly two threads)
/// is never mutated.
@usableFromInline
final class SketchBox: @unchecked Sendable {
    // Exclusive access is guaranteed by the uniqueness check above, so the runtime's per-access check is skipped
    // (it cost a tenth of a window's merges).
    @exclusivity(unchecked) @usableFromInline var sketch: HyperLogLog

    @usableFromInline
    init(_ sketch: HyperLogLog) {
        self.sketch = sketch
    }
}
