/// Snappy decompression, written by hand: pandas and pyarrow compress Parquet pages with snappy by default.
enum Snappy {
    /// Decompresses raw snappy (no framing) into exactly `size` bytes.
    static func decompress(_ input: ArraySlice<UInt8>, size: Int) throws -> [UInt8] {
        var cursor = ByteCursor(Array(input), format: "snappy")
        let declared = try cursor.varint()
        guard declared == UInt64(size) else { throw corrupt("declares \(declared) bytes, the page header says \(size)") }
        var output = DecompressedBytes(size: size)
        while cursor.remaining > 0 {
            let tag = try cursor.byte()
            let fits: Bool
            switch tag & 3 {
            case 0:
                var length = Int(tag >> 2)
                if length >= 60 {
                    let extra = length - 59
                    length = 0
                    for i in 0..<extra { length |= Int(try cursor.byte()) << (8 * i) }
                }
                fits = output.appendLiteral(cursor.bytes, try cursor.take(length + 1, "a snappy literal"))
            case 1:
                let length = Int((tag >> 2) & 7) + 4
                fits = output.appendMatch(offset: Int(tag >> 5) << 8 | Int(try cursor.byte()), length: length)
            case 2: fits = output.appendMatch(offset: Int(try cursor.littleEndian(UInt16.self)), length: Int(tag >> 2) + 1)
            default: fits = output.appendMatch(offset: Int(try cursor.littleEndian(UInt32.self)), length: Int(tag >> 2) + 1)
            }
            guard fits else { throw corrupt("a literal or copy does not fit the declared size or reaches before the start") }
        }
        guard output.isFull else { throw corrupt("holds \(output.count) bytes, the page header says \(size)") }
        return output.bytes
    }

    private static func corrupt(_ what: String) -> ColumnarError {
        ColumnarError(.compression, "snappy data is corrupt: it \(what)", fix: "the file is truncated or corrupt; write it again")
    }
}
