import StrataCore

#if _endian(big)
#error("Parquet and Arrow store little-endian values; the writers copy memory as is")
#endif

/// One column's values for the row group being built: a definition level per row and the non-null values packed.
struct ParquetColumnBuffer {
    let field: ColumnarField
    /// 1 where the row has a value, 0 where it is null (the definition levels of an optional column).
    private(set) var levels: [UInt32] = []
    private(set) var packed: PackedValues

    init(field: ColumnarField) {
        self.field = field
        packed = PackedValues(type: field.type)
    }

    var rowCount: Int { levels.count }
    var valueCount: Int { packed.count }

    /// Bytes the values take in PLAIN encoding, to bound row groups and pages.
    var plainBytes: Int {
        switch field.type {
        case .int64, .timestamp, .float64: return valueCount * 8
        case .bool: return valueCount / 8
        case .string: return packed.strings.bytes.count + 4 * packed.strings.count
        }
    }

    /// Appends rows `range` of `column` (already checked against the field's type; non-finite packed.floats already null).
    mutating func append(_ column: ColumnarColumn, range: Range<Int>) {
        if let validity = column.validity {
            for row in range { levels.append(validity[row] ? 1 : 0) }
        } else {
            levels.append(contentsOf: repeatElement(1, count: range.count))
        }
        switch column.values {
        case .int64(let v): appendValid(v, column.validity, range, to: &packed.ints)
        case .float64(let v): appendValid(v, column.validity, range, to: &packed.floats)
        case .bool(let v): appendValid(v, column.validity, range, to: &packed.bools)
        case .string(let v):
            if column.validity == nil {
                let start = v.offsets[range.lowerBound], end = v.offsets[range.upperBound]
                let base = packed.strings.bytes.count - start
                packed.strings.bytes.append(contentsOf: v.bytes[start..<end])
                for row in range { packed.strings.offsets.append(base + v.offsets[row + 1]) }
            } else {
                for row in range where !column.isNull(row) { packed.strings.append(bytes: v.utf8(row)) }
            }
        }
    }

    private func appendValid<T>(_ values: [T], _ validity: [Bool]?, _ range: Range<Int>, to out: inout [T]) {
        guard let validity else {
            out.append(contentsOf: values[range])
            return
        }
        for row in range where validity[row] { out.append(values[row]) }
    }

    mutating func removeAll() {
        levels.removeAll(keepingCapacity: true)
        packed.removeAll()
    }

    var physicalType: ParquetPhysicalType {
        switch field.type {
        case .int64, .timestamp: return .int64
        case .float64: return .double
        case .bool: return .boolean
        case .string: return .byteArray
        }
    }

    /// PLAIN encoding of values `range` (indices among the non-null values).
    func appendPlain(_ range: Range<Int>, to out: inout [UInt8]) {
        switch field.type {
        case .int64, .timestamp: packed.ints[range].withUnsafeBytes { out.append(contentsOf: $0) }
        case .float64: packed.floats[range].withUnsafeBytes { out.append(contentsOf: $0) }
        case .bool: appendBitPackedBools(packed.bools[range], to: &out)
        case .string:
            for i in range {
                let start = packed.strings.offsets[i], end = packed.strings.offsets[i + 1]
                out.appendLittleEndian(UInt32(end - start))
                out.append(contentsOf: packed.strings.bytes[start..<end])
            }
        }
    }

    /// Minimum and maximum of the non-null values in Parquet's PLAIN form, for the chunk's statistics.
    /// `dictionary`, when given, holds the distinct packed.strings (fewer to compare).
    func minMax(dictionary: StringDictionary?, bytesMax: Int) -> (min: [UInt8], max: [UInt8])? {
        guard valueCount > 0 else { return nil }
        var low: [UInt8] = [], high: [UInt8] = []
        switch field.type {
        case .int64, .timestamp:
            guard let lo = packed.ints.min(), let hi = packed.ints.max() else { return nil }
            low.appendLittleEndian(lo)
            high.appendLittleEndian(hi)
        case .float64:
            guard var lo = packed.floats.min(), var hi = packed.floats.max() else { return nil }
            // parquet.thrift: a zero minimum is written as -0.0 and a zero maximum as +0.0.
            if lo == 0 { lo = -0.0 }
            if hi == 0 { hi = 0.0 }
            low.appendLittleEndian(lo)
            high.appendLittleEndian(hi)
        case .bool:
            low = [packed.bools.contains(false) ? 0 : 1]
            high = [packed.bools.contains(true) ? 1 : 0]
        case .string:
            let ranges = dictionary?.entries ?? (0..<packed.strings.count).map { packed.strings.offsets[$0]..<packed.strings.offsets[$0 + 1] }
            guard var lo = ranges.first else { return nil }
            var hi = lo
            packed.strings.bytes.withUnsafeBytes { buffer in
                for range in ranges.dropFirst() {
                    if compareBytes(buffer, range, lo) < 0 { lo = range }
                    if compareBytes(buffer, range, hi) > 0 { hi = range }
                }
            }
            guard lo.count <= bytesMax, hi.count <= bytesMax else { return nil }
            low = Array(packed.strings.bytes[lo])
            high = Array(packed.strings.bytes[hi])
        }
        return (low, high)
    }
}

/// PLAIN booleans: one bit each, least significant bit first.
func appendBitPackedBools(_ values: ArraySlice<Bool>, to out: inout [UInt8]) {
    var byte: UInt8 = 0
    var bit = 0
    for value in values {
        if value { byte |= 1 << UInt8(bit) }
        bit += 1
        if bit == 8 {
            out.append(byte)
            byte = 0
            bit = 0
        }
    }
    if bit > 0 { out.append(byte) }
}
