/// Snappy decompression, written by hand: pandas and pyarrow compress Parquet pages with snappy by default.
enum Snappy {
    /// Decompresses raw snappy (no framing) into exactly `size` bytes.
    static func decompress(_ input: ArraySlice<UInt8>, size: Int) throws -> [UInt8] {
        var cursor = ByteCursor(Array(input), format: "snappy")
        let declared = try cursor.varint()
        guard declared == UInt64(size) else { throw corrupt("declares \(declared) bytes, the page header says \(size)") }
        var output: [UInt8] = []
        output.reserveCapacity(size)
        while cursor.remaining > 0 {
            let tag = try cursor.byte()
            switch tag & 3 {
            case 0:
                var length = Int(tag >> 2)
                if length >= 60 {
                    let extra = length - 59
                    length = 0
                    for i in 0..<extra { length |= Int(try cursor.byte()) << (8 * i) }
                }
                length += 1
                guard length <= size - output.count else { throw corrupt("a literal runs past the declared size") }
                output.append(contentsOf: cursor.bytes[try cursor.take(length, "a snappy literal")])
            case 1:
                let length = Int((tag >> 2) & 7) + 4
                let offset = Int(tag >> 5) << 8 | Int(try cursor.byte())
                try copy(&output, offset: offset, length: length, size: size)
            case 2:
                let length = Int(tag >> 2) + 1
                try copy(&output, offset: Int(try cursor.littleEndian(UInt16.self)), length: length, size: size)
            default:
                let length = Int(tag >> 2) + 1
                try copy(&output, offset: Int(try cursor.littleEndian(UInt32.self)), length: length, size: size)
            }
        }
        guard output.count == size else { throw corrupt("holds \(output.count) bytes, the page header says \(size)") }
        return output
    }

    private static func copy(_ output: inout [UInt8], offset: Int, length: Int, size: Int) throws {
        guard offset > 0, offset <= output.count else { throw corrupt("a copy reaches before the start of the data") }
        guard length <= size - output.count else { throw corrupt("a copy runs past the declared size") }
        copyMatch(&output, offset: offset, length: length)
    }

    private static func corrupt(_ what: String) -> ColumnarError {
        ColumnarError(.compression, "snappy data is corrupt: it \(what)", fix: "the file is truncated or corrupt; write it again")
    }
}

/// Appends `length` bytes copied from `offset` bytes back; the source may overlap what is being appended (LZ77 runs).
func copyMatch(_ output: inout [UInt8], offset: Int, length: Int) {
    let start = output.count - offset
    if offset >= length {
        output.append(contentsOf: output[start..<(start + length)])
    } else {
        for i in 0..<length { output.append(output[start + i]) }
    }
}
