/// Decodes a data page's values by encoding: PLAIN, dictionary indices, RLE booleans, the DELTA encodings and
/// BYTE_STREAM_SPLIT.
enum ParquetValueDecoder {
    static func decode(_ cursor: inout ByteCursor, encoding raw: Int64?, count: Int, into column: inout ParquetColumnAccumulator) throws {
        let encoding = raw.flatMap { Int32(exactly: $0) }.flatMap(ParquetEncoding.init(rawValue:))
        switch (encoding, column.leaf.physical) {
        case (.plain, _): try column.appendPlain(&cursor, count: count)
        case (.plainDictionary, _), (.rleDictionary, _):
            guard count > 0 else { return }
            let bitWidth = Int(try cursor.byte())
            var indices: [UInt32] = []
            try RLEHybrid.decode(&cursor, bitWidth: bitWidth, count: count, into: &indices)
            try column.appendFromDictionary(indices)
        case (.rle, .boolean):
            let length = Int(try cursor.littleEndian(UInt32.self))
            var runs = ByteCursor(cursor.bytes, range: try cursor.take(length, "RLE booleans"), format: cursor.format)
            var values: [UInt32] = []
            try RLEHybrid.decode(&runs, bitWidth: 1, count: count, into: &values)
            column.packed.bools.append(contentsOf: values.lazy.map { $0 == 1 })
        case (.deltaBinaryPacked, .int32), (.deltaBinaryPacked, .int64):
            let isInt32 = column.leaf.physical == .int32
            for value in try DeltaBinaryPacked.decode(&cursor, count: count) {
                try column.appendInt(isInt32 ? Int64(Int32(truncatingIfNeeded: value)) : value)
            }
        case (.deltaLengthByteArray, .byteArray):
            for value in try DeltaBinaryPacked.decodeLengthByteArrays(&cursor, count: count) { try column.appendBytes(value) }
        case (.deltaByteArray, .byteArray):
            for value in try DeltaBinaryPacked.decodeByteArrays(&cursor, count: count) { try column.appendBytes(value[...]) }
        case (.byteStreamSplit, .float), (.byteStreamSplit, .double), (.byteStreamSplit, .int32), (.byteStreamSplit, .int64):
            try decodeByteStreamSplit(&cursor, count: count, into: &column)
        default:
            let name = encoding.map { "\($0)" } ?? "number \(raw ?? -1)"
            throw ColumnarError(.unsupported, "the Parquet encoding \(name) is not supported for \(column.leaf.physical) values",
                                fix: "write the file with the writer's default encodings (PLAIN and dictionary)")
        }
    }

    /// BYTE_STREAM_SPLIT: byte `j` of value `i` is at `j * count + i`; gathered back, the values are PLAIN.
    private static func decodeByteStreamSplit(_ cursor: inout ByteCursor, count: Int, into column: inout ParquetColumnAccumulator) throws {
        let width = column.leaf.physical == .float || column.leaf.physical == .int32 ? 4 : 8
        let (total, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow else { throw cursor.truncated("byte-stream-split values") }
        let range = try cursor.take(total, "byte-stream-split values")
        var plain = [UInt8](repeating: 0, count: total)
        for i in 0..<count {
            for j in 0..<width { plain[i * width + j] = cursor.bytes[range.lowerBound + j * count + i] }
        }
        var values = ByteCursor(plain, format: cursor.format)
        try column.appendPlain(&values, count: count)
    }
}

/// Parquet's DELTA_BINARY_PACKED integers, and the two byte-array encodings built on it.
enum DeltaBinaryPacked {
    private static func malformed(_ what: String) -> ColumnarError { .malformed("Parquet", "DELTA_BINARY_PACKED: \(what)") }

    /// Decodes one DELTA_BINARY_PACKED run, which must hold exactly `count` values.
    static func decode(_ cursor: inout ByteCursor, count expected: Int) throws -> [Int64] {
        let blockSize = try cursor.varint(), miniblocks = try cursor.varint(), total = try cursor.varint()
        guard blockSize > 0, blockSize <= 1 << 16, miniblocks > 0, blockSize % miniblocks == 0, (blockSize / miniblocks) % 8 == 0 else {
            throw malformed("bad block size \(blockSize) or miniblock count \(miniblocks)")
        }
        guard total == UInt64(expected) else {
            throw malformed("a run of \(total) values where \(expected) were expected")
        }
        let perMiniblock = Int(blockSize / miniblocks)
        let first = ThriftReader.unzigzag(try cursor.varint())
        guard total > 0 else { return [] }
        var values: [Int64] = [first]
        values.reserveCapacity(Int(total))
        while values.count < Int(total) {
            let minDelta = ThriftReader.unzigzag(try cursor.varint())
            let widths = try cursor.take(Int(miniblocks), "miniblock bit widths")
            for widthIndex in widths where values.count < Int(total) {
                let width = Int(cursor.bytes[widthIndex])
                guard width <= 64 else { throw malformed("a miniblock bit width of \(width)") }
                let packed = try cursor.take(perMiniblock * width / 8, "a miniblock")
                for i in 0..<perMiniblock where values.count < Int(total) {
                    let delta = bits(cursor.bytes, start: packed.lowerBound * 8 + i * width, width: width)
                    values.append(values[values.count - 1] &+ minDelta &+ Int64(bitPattern: delta))
                }
            }
        }
        return values
    }

    private static func bits(_ bytes: [UInt8], start: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0, got = 0, position = start
        while got < width {
            let shift = position & 7
            let take = min(8 - shift, width - got)
            let chunk = (UInt64(bytes[position >> 3]) >> UInt64(shift)) & ((1 << UInt64(take)) - 1)
            value |= chunk << UInt64(got)
            got += take
            position += take
        }
        return value
    }

    /// DELTA_LENGTH_BYTE_ARRAY: the lengths delta-packed, then the bytes back to back.
    static func decodeLengthByteArrays(_ cursor: inout ByteCursor, count: Int) throws -> [ArraySlice<UInt8>] {
        let lengths = try decode(&cursor, count: count)
        return try lengths.map { length in
            guard length >= 0, length <= Int64(cursor.remaining) else { throw malformed("a byte array length of \(length)") }
            return cursor.bytes[try cursor.take(Int(length), "a byte array")]
        }
    }

    /// DELTA_BYTE_ARRAY: prefix lengths shared with the previous value, then the suffixes as DELTA_LENGTH_BYTE_ARRAY.
    static func decodeByteArrays(_ cursor: inout ByteCursor, count: Int) throws -> [[UInt8]] {
        let prefixes = try decode(&cursor, count: count)
        let suffixes = try decodeLengthByteArrays(&cursor, count: count)
        var previous: [UInt8] = []
        var values: [[UInt8]] = []
        for (prefix, suffix) in zip(prefixes, suffixes) {
            guard prefix >= 0, prefix <= Int64(previous.count) else { throw malformed("a prefix of \(prefix) bytes after a value of \(previous.count)") }
            let value = Array(previous[0..<Int(prefix)]) + suffix
            values.append(value)
            previous = value
        }
        return values
    }
}
