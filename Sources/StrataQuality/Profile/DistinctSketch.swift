import StrataCore

/// What a profile needs from a distinct-count sketch: insert, merge, estimate and bytes to store.
///
/// StrataCore's `HyperLogLog` (written for windowed aggregations, issue 14 shares it) is the intended
/// implementation. Connecting it takes two lines: `extension HyperLogLog: DistinctCounting { … }` mapping its
/// `estimate` and byte serialization, and `typealias DistinctSketch = HyperLogLog` below.
protocol DistinctCounting: Sendable, Hashable {
    init()
    mutating func insert(_ value: Value)
    mutating func merge(_ other: Self)
    /// The estimated number of distinct values; nil when this sketch does not estimate.
    var distinctEstimate: Int64? { get }
    /// The sketch's state for storage; empty when there is nothing to store.
    var serializedBytes: [UInt8] { get }
    init?(serializedBytes: [UInt8])
}

/// The sketch every `ColumnProfile` carries (see `DistinctCounting`).
typealias DistinctSketch = NoDistinctSketch

/// The stand-in until StrataCore's `HyperLogLog` is connected (issue 14): it keeps nothing and estimates nothing,
/// so profiles report a distinct count only where they know it exactly.
struct NoDistinctSketch: DistinctCounting {
    init() {}
    @inline(__always) mutating func insert(_ value: Value) {}
    mutating func merge(_ other: NoDistinctSketch) {}
    var distinctEstimate: Int64? { nil }
    var serializedBytes: [UInt8] { [] }
    init?(serializedBytes: [UInt8]) {}
}
