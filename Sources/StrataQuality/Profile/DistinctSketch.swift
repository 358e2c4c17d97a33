import StrataCore

/// What a profile needs from a distinct-count sketch: insert, merge, estimate and bytes to store.
protocol DistinctCounting: Sendable, Hashable {
    init()
    mutating func insert(_ value: Value)
    mutating func merge(_ other: Self)
    /// The estimated number of distinct values; nil when this sketch does not estimate.
    var distinctEstimate: Int64? { get }
    /// The sketch's state for storage; empty when there is nothing to store.
    var serializedBytes: [UInt8] { get }
    /// - Throws: what is wrong with stored bytes that are not such a sketch.
    init(serializedBytes: [UInt8]) throws
}

/// The sketch every `ColumnProfile` carries: StrataCore's HyperLogLog, shared with `approx_count_distinct`
/// aggregations (sparse and nearly exact for small sets, about 1.6% relative standard error beyond).
typealias DistinctSketch = HyperLogLog

extension HyperLogLog: DistinctCounting {
    var distinctEstimate: Int64? { estimate }
    var serializedBytes: [UInt8] { bytes }

    init(serializedBytes: [UInt8]) throws {
        self = try HyperLogLog(bytes: serializedBytes)
    }
}
