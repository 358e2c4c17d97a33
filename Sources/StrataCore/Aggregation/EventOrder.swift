/// The position of an event version in SPEC order: event time, then created time, then ingest sequence.
/// `first`/`last` pick by it, and folds visit the events of a tile in it.
public struct EventOrder: Sendable, Hashable, Comparable, Codable {
    public var eventTs: Int64
    public var createdTs: Int64
    public var ingestSeq: Int64

    public init(eventTs: Int64, createdTs: Int64, ingestSeq: Int64) {
        self.eventTs = eventTs
        self.createdTs = createdTs
        self.ingestSeq = ingestSeq
    }

    @inlinable
    public static func < (lhs: EventOrder, rhs: EventOrder) -> Bool {
        if lhs.eventTs != rhs.eventTs { return lhs.eventTs < rhs.eventTs }
        if lhs.createdTs != rhs.createdTs { return lhs.createdTs < rhs.createdTs }
        return lhs.ingestSeq < rhs.ingestSeq
    }
}

/// An exact sum of int64 values in 128 bits (two's complement), so an integer `sum` is independent of the order of
/// additions: the total is null only when the exact total does not fit in int64.
public struct WideSum: Sendable, Hashable {
    public private(set) var high: Int64 = 0
    public private(set) var low: UInt64 = 0

    public init() {}

    public init(high: Int64, low: UInt64) {
        self.high = high
        self.low = low
    }

    @inline(__always)
    public mutating func add(_ value: Int64) {
        let (sum, carry) = low.addingReportingOverflow(UInt64(bitPattern: value))
        low = sum
        // Sign-extend `value` into the high word, then add the carry; 2^64 additions cannot overflow 128 bits.
        high = high &+ (value < 0 ? -1 : 0) &+ (carry ? 1 : 0)
    }

    @inline(__always)
    public mutating func add(_ other: WideSum) {
        let (sum, carry) = low.addingReportingOverflow(other.low)
        low = sum
        high = high &+ other.high &+ (carry ? 1 : 0)
    }

    /// The total when it fits in int64.
    public var int64Value: Int64? {
        let value = Int64(bitPattern: low)
        return high == (value < 0 ? -1 : 0) ? value : nil
    }

    /// The total rounded to the nearest double (ties to even).
    public var doubleValue: Double {
        if let small = int64Value { return Double(small) }
        let isNegative = high < 0
        // Magnitude of the two's-complement value.
        var magHigh = UInt64(bitPattern: high), magLow = low
        if isNegative {
            magHigh = ~magHigh
            magLow = ~magLow
            let (plusOne, carry) = magLow.addingReportingOverflow(1)
            magLow = plusOne
            if carry { magHigh &+= 1 }
        }
        // Keep the top 64 significant bits and fold the rest into a sticky bit, so the one rounding below is exact.
        let shift = 64 - magHigh.leadingZeroBitCount
        let top = shift == 0 ? magLow : (magHigh << (64 - shift)) | (magLow >> shift)
        let sticky: UInt64 = shift == 0 ? 0 : (magLow << (64 - shift) != 0 ? 1 : 0)
        let magnitude = Double(top | sticky) * Double(sign: .plus, exponent: shift, significand: 1)
        return isNegative ? -magnitude : magnitude
    }
}
