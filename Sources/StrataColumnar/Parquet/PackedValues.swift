import StrataCore

/// One column's non-null values packed in the storage of its type (the other arrays stay empty): what the Parquet writer
/// buffers for a row group and what the reader decodes from pages.
struct PackedValues {
    let type: ValueType
    var ints: [Int64] = []
    var floats: [Double] = []
    var bools: [Bool] = []
    var strings = ColumnarStrings()

    init(type: ValueType) {
        self.type = type
    }

    var count: Int {
        switch type {
        case .int64, .timestamp: return ints.count
        case .float64: return floats.count
        case .bool: return bools.count
        case .string: return strings.count
        }
    }

    /// The values as a column's storage.
    var storage: ColumnarColumn.Values {
        switch type {
        case .int64, .timestamp: return .int64(ints)
        case .float64: return .float64(floats)
        case .bool: return .bool(bools)
        case .string: return .string(strings)
        }
    }

    mutating func removeAll() {
        ints.removeAll(keepingCapacity: true)
        floats.removeAll(keepingCapacity: true)
        bools.removeAll(keepingCapacity: true)
        strings.bytes.removeAll(keepingCapacity: true)
        strings.offsets.removeAll(keepingCapacity: true)
        strings.offsets.append(0)
    }
}
