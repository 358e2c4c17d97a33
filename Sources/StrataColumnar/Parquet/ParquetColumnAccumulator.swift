/// One column chunk's values as they are decoded: non-null values packed in Strata's storage, a flag per row.
struct ParquetColumnAccumulator {
    let leaf: ParquetLeaf
    var defined: [Bool] = []
    var packed: PackedValues
    /// The chunk's dictionary page, decoded and converted.
    var dictionary: ColumnarColumn.Values?

    init(leaf: ParquetLeaf) {
        self.leaf = leaf
        packed = PackedValues(type: leaf.type)
    }

    var valueCount: Int { packed.count }

    private func malformed(_ what: String) -> ColumnarError { .malformed("Parquet", what) }

    /// Appends `count` PLAIN-encoded values.
    mutating func appendPlain(_ cursor: inout ByteCursor, count: Int) throws {
        guard leaf.conversion != .allNull || count == 0 else { throw malformed("a column of Parquet's null type holds values") }
        switch leaf.physical {
        case .boolean:
            let range = try cursor.take((count + 7) / 8, "boolean values")
            for i in 0..<count { packed.bools.append(cursor.bytes[range.lowerBound + i / 8] >> UInt8(i % 8) & 1 == 1) }
        case .int32: for raw in try Self.fixed(&cursor, count: count, width: 4) { try appendInt(Int64(Int32(truncatingIfNeeded: raw))) }
        case .int64: for raw in try Self.fixed(&cursor, count: count, width: 8) { try appendInt(Int64(bitPattern: raw)) }
        case .float: packed.floats += try Self.fixed(&cursor, count: count, width: 4).map { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
        case .double: packed.floats += try Self.fixed(&cursor, count: count, width: 8).map { Double(bitPattern: $0) }
        case .int96:
            for _ in 0..<count {
                let nanos = Int64(bitPattern: try cursor.littleEndian(UInt64.self))
                let day = Int64(try cursor.littleEndian(UInt32.self))
                try appendInt96(nanos: nanos, julianDay: day)
            }
        case .byteArray:
            for _ in 0..<count {
                let length = Int(try cursor.littleEndian(UInt32.self))
                try appendBytes(cursor.bytes[try cursor.take(length, "a byte array")])
            }
        case .fixedLenByteArray: throw malformed("fixed-length byte arrays are not read")
        }
    }

    /// `count` little-endian values of `width` (4 or 8) bytes, read after one bounds check.
    private static func fixed(_ cursor: inout ByteCursor, count: Int, width: Int) throws -> [UInt64] {
        let (total, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow else { throw cursor.truncated("values") }
        let range = try cursor.take(total, "values")
        return cursor.bytes.withUnsafeBytes { buffer in
            stride(from: range.lowerBound, to: range.upperBound, by: width).map { at in
                width == 8 ? UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                           : UInt64(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            }
        }
    }

    /// Appends a physical INT32 or INT64 value, converted to Strata's int64 or timestamp.
    mutating func appendInt(_ raw: Int64) throws {
        switch leaf.conversion {
        case .uint32: packed.ints.append(Int64(UInt32(truncatingIfNeeded: raw)))
        case .uint64:
            guard raw >= 0 else { throw ColumnarError(.unsupported, "the unsigned value \(UInt64(bitPattern: raw)) exceeds int64", fix: "store values up to \(Int64.max)") }
            packed.ints.append(raw)
        case .millis:
            let (micros, overflow) = raw.multipliedReportingOverflow(by: 1000)
            guard !overflow else { throw outOfRange(raw, "milliseconds") }
            packed.ints.append(micros)
        case .nanos:
            let (quotient, remainder) = raw.quotientAndRemainder(dividingBy: 1000)
            packed.ints.append(remainder < 0 ? quotient - 1 : quotient)
        default: packed.ints.append(raw)
        }
    }

    private func outOfRange(_ value: Int64, _ unit: String) -> ColumnarError {
        ColumnarError(.unsupported, "timestamp \(value) \(unit) is out of range", fix: "write timestamps between years 1 and 9999")
    }

    /// Legacy INT96: Julian day 2440588 is 1970-01-01.
    private mutating func appendInt96(nanos: Int64, julianDay: Int64) throws {
        let days = julianDay - 2_440_588
        let (dayMicros, overflow) = days.multipliedReportingOverflow(by: 86_400_000_000)
        let (quotient, remainder) = nanos.quotientAndRemainder(dividingBy: 1000)
        let (micros, overflow2) = dayMicros.addingReportingOverflow(remainder < 0 ? quotient - 1 : quotient)
        guard !overflow, !overflow2 else { throw outOfRange(nanos, "nanoseconds (INT96)") }
        packed.ints.append(micros)
    }

    mutating func appendBytes(_ bytes: ArraySlice<UInt8>) throws {
        if leaf.conversion == .unannotatedBinary, String(validating: bytes, as: UTF8.self) == nil {
            throw ColumnarError(.unsupported, "column `\(leaf.name)` holds binary data that is not UTF-8 text",
                                fix: "store text in the column (a STRING column), or drop it from the spine")
        }
        packed.strings.append(bytes: bytes)
    }

    /// Appends dictionary entries by index.
    mutating func appendFromDictionary(_ indices: [UInt32]) throws {
        guard let dictionary else { throw malformed("a dictionary-encoded page without a dictionary page") }
        let size: Int
        switch dictionary {
        case .int64(let v): size = v.count
        case .float64(let v): size = v.count
        case .bool(let v): size = v.count
        case .string(let v): size = v.count
        }
        for index in indices where Int(index) >= size { throw malformed("dictionary index \(index) is out of range (\(size) entries)") }
        switch dictionary {
        case .int64(let v): for index in indices { packed.ints.append(v[Int(index)]) }
        case .float64(let v): for index in indices { packed.floats.append(v[Int(index)]) }
        case .bool(let v): for index in indices { packed.bools.append(v[Int(index)]) }
        case .string(let v): for index in indices { packed.strings.append(bytes: v.utf8(Int(index))) }
        }
    }

    /// The chunk as a column: packed values spread over the rows, nulls where a row is undefined.
    func column() throws -> ColumnarColumn {
        let nulls = defined.count { !$0 }
        guard valueCount == defined.count - nulls else {
            throw malformed("column `\(leaf.name)` has \(valueCount) values for \(defined.count - nulls) defined rows")
        }
        guard nulls > 0 else { return ColumnarColumn(packed.storage) }
        switch leaf.type {
        case .int64, .timestamp: return ColumnarColumn(.int64(spread(packed.ints, 0)), validity: defined)
        case .float64: return ColumnarColumn(.float64(spread(packed.floats, 0)), validity: defined)
        case .bool: return ColumnarColumn(.bool(spread(packed.bools, false)), validity: defined)
        case .string:
            var out = ColumnarStrings()
            out.bytes = packed.strings.bytes
            out.offsets.reserveCapacity(defined.count + 1)
            var next = 0
            for isDefined in defined {
                if isDefined { next += 1 }
                out.offsets.append(packed.strings.offsets[next])
            }
            return ColumnarColumn(.string(out), validity: defined)
        }
    }

    private func spread<T>(_ values: [T], _ placeholder: T) -> [T] {
        var out: [T] = []
        out.reserveCapacity(defined.count)
        var next = 0
        for isDefined in defined {
            if isDefined {
                out.append(values[next])
                next += 1
            } else {
                out.append(placeholder)
            }
        }
        return out
    }
}
