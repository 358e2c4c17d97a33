public import StrataCore

/// A mergeable summary of one column: counts, moments, a quantile sketch, frequent values, exact values while the
/// column is small, and a distinct-count sketch.
///
/// Profiles are built one value at a time without allocating per value, and merge associatively: the profile of
/// a week is the merge of its days' profiles (exactly for counts, minimum and maximum; up to rounding for mean and
/// variance; within the documented error bound for sketched quantiles and frequent values).
///
/// ```swift
/// var profile = ColumnProfile(name: "conv_rate", type: .float64)
/// for value in [0.2, 0.5, nil] { profile.add(value.map(Value.float) ?? .null) }
/// profile.mean            // 0.35
/// profile.nullCount       // 1
/// ```
///
/// A null, a non-finite float, or a value of another kind than the column's type counts as a null.
public struct ColumnProfile: Sendable, Hashable {
    /// Columns with at most this many values keep them all, so small references get exact tests.
    public static let exactValuesMax = 1000

    public private(set) var name: String
    public let type: ValueType
    /// Values seen, nulls included.
    public internal(set) var rowCount: Int64 = 0
    public internal(set) var nullCount: Int64 = 0
    /// Numbers (and booleans as 0/1): count, mean, variance, minimum, maximum.
    var moments = Moments()
    /// Numbers only.
    var sketch: QuantileSketch
    /// Numbers only, while `valueCount ≤ exactValuesMax`.
    var exactValues: [Double]?
    /// Numbers only: exact counts while there are at most 32 distinct values.
    var domain = SmallDomain()
    /// Strings only.
    var items = FrequentItems()
    /// Booleans only.
    var trueCount: Int64 = 0
    var distinct = DistinctSketch()

    public init(name: String, type: ValueType) {
        self.name = name
        self.type = type
        sketch = QuantileSketch(k: type.isSketched ? QuantileSketch.defaultK : QuantileSketch.minimumWidth)
        exactValues = type.isSketched ? [] : nil
    }

    /// Non-null values seen.
    public var valueCount: Int64 { rowCount - nullCount }

    /// Adds one value of any kind, dispatching on the column's type.
    @inline(__always)
    public mutating func add(_ value: Value) {
        switch value {
        case .int(let v) where type.isSketched: add(number: Double(v))
        case .float(let v) where type == .float64: add(number: v)
        case .string(let v) where type == .string: add(string: v)
        case .bool(let v) where type == .bool: add(bool: v)
        default: addNull()
        }
    }

    /// Adds a number to an `int64`, `float64` or `timestamp` column (timestamps in microseconds).
    @inline(__always)
    public mutating func add(number x: Double) {
        rowCount += 1
        guard x.isFinite else {
            nullCount += 1
            return
        }
        moments.add(x)
        sketch.insert(x)
        if moments.count > Self.exactValuesMax { exactValues = nil } else { exactValues?.append(x) }
        // A value already counted exactly was already inserted into the distinct sketch, where a repeat changes
        // nothing (equal values hash equally): skipping it saves the sketch's sparse-mode search for repeated values.
        if !domain.insert(x) { distinct.insert(.float(x)) }
    }

    /// Adds a string to a `string` column.
    @inline(__always)
    public mutating func add(string: String) {
        rowCount += 1
        if !items.insert(string) { distinct.insert(.string(string)) }
    }

    /// Adds a boolean to a `bool` column.
    @inline(__always)
    public mutating func add(bool: Bool) {
        rowCount += 1
        if bool { trueCount += 1 }
        moments.add(bool ? 1 : 0)
        distinct.insert(.bool(bool))
    }

    @inline(__always)
    public mutating func addNull() {
        rowCount += 1
        nullCount += 1
    }

    /// Merges another profile of the same column into this one.
    ///
    /// - Throws: `ProfileError.typeMismatch` when the two profiles have different types.
    public mutating func merge(_ other: ColumnProfile) throws(ProfileError) {
        guard other.type == type else { throw .typeMismatch(column: name, type, other.type) }
        rowCount += other.rowCount
        nullCount += other.nullCount
        moments.merge(other.moments)
        sketch.merge(other.sketch)
        if let mine = exactValues, let theirs = other.exactValues, mine.count + theirs.count <= Self.exactValuesMax {
            exactValues = mine + theirs
        } else {
            exactValues = nil
        }
        domain.merge(other.domain)
        items.merge(other.items)
        trueCount += other.trueCount
        distinct.merge(other.distinct)
    }

    /// The same profile under another name (a feature that is a bare source column shares the column's profile).
    public func renamed(_ name: String) -> ColumnProfile {
        var copy = self
        copy.name = name
        return copy
    }

    /// The merge of two profiles of the same column.
    public func merging(_ other: ColumnProfile) throws(ProfileError) -> ColumnProfile {
        var copy = self
        try copy.merge(other)
        return copy
    }
}

/// Why profiles cannot be combined.
public enum ProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    case typeMismatch(column: String, ValueType, ValueType)

    public var description: String {
        switch self {
        case .typeMismatch(let column, let a, let b): return "column `\(column)` is \(a) in one profile and \(b) in the other"
        }
    }
}

extension ValueType {
    /// Types profiled as numbers, with a quantile sketch.
    var isSketched: Bool { self == .int64 || self == .float64 || self == .timestamp }
}
