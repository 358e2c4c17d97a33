public import StrataCore

/// Builds a column value by value, for callers that hold `Value`s (one training-set column, one spine column).
public struct ColumnarColumnBuilder: Sendable {
    public let type: ValueType
    private var ints: [Int64] = []
    private var floats: [Double] = []
    private var bools: [Bool] = []
    private var strings = ColumnarStrings()
    private var validity: [Bool] = []
    private var hasNull = false

    /// An empty builder for a column of `type`, with room for `capacity` rows.
    public init(type: ValueType, capacity: Int = 0) {
        self.type = type
        validity.reserveCapacity(capacity)
        switch type {
        case .int64, .timestamp: ints.reserveCapacity(capacity)
        case .float64: floats.reserveCapacity(capacity)
        case .bool: bools.reserveCapacity(capacity)
        case .string: strings.reserveCapacity(count: capacity, bytes: capacity * 8)
        }
    }

    /// Rows appended so far.
    public var count: Int { validity.count }

    /// Appends `value`; an `.int` widens into a float64 column, and a value of any other type is refused.
    public mutating func append(_ value: Value) throws {
        switch (value, type) {
        case (.null, _): appendNull()
        case (.int(let v), .int64), (.int(let v), .timestamp): ints.append(v); validity.append(true)
        case (.int(let v), .float64): floats.append(Double(v)); validity.append(true)
        case (.float(let v), .float64): floats.append(v); validity.append(true)
        case (.bool(let v), .bool): bools.append(v); validity.append(true)
        case (.string(let v), .string): strings.append(v); validity.append(true)
        default:
            throw ColumnarError(.invalidBatch, "value \(value) does not fit a \(type) column", fix: "convert the value to the column's type first")
        }
    }

    /// Appends a null row.
    public mutating func appendNull() {
        validity.append(false)
        hasNull = true
        switch type {
        case .int64, .timestamp: ints.append(0)
        case .float64: floats.append(0)
        case .bool: bools.append(false)
        case .string: strings.appendEmpty()
        }
    }

    /// The column built so far; the builder starts over, keeping its capacity.
    public mutating func finish() -> ColumnarColumn {
        let values: ColumnarColumn.Values
        switch type {
        case .int64, .timestamp: values = .int64(ints); ints.removeAll(keepingCapacity: true)
        case .float64: values = .float64(floats); floats.removeAll(keepingCapacity: true)
        case .bool: values = .bool(bools); bools.removeAll(keepingCapacity: true)
        case .string:
            values = .string(strings)
            strings.bytes.removeAll(keepingCapacity: true)
            strings.offsets.removeAll(keepingCapacity: true)
            strings.offsets.append(0)
        }
        let column = ColumnarColumn(values, validity: hasNull ? validity : nil)
        validity.removeAll(keepingCapacity: true)
        hasNull = false
        return column
    }
}
