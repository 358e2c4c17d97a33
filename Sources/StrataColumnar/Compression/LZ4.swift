/// LZ4 decompression, written by hand: `pyarrow.feather.write_feather` compresses Arrow buffers with LZ4 frames by default,
/// and Parquet's `LZ4_RAW` codec is a bare LZ4 block. Checksums are not verified.
enum LZ4 {
    /// One LZ4 block appended to `output`, which may already hold earlier blocks of the same frame (matches may reach them).
    static func decompressBlock(_ bytes: [UInt8], range: Range<Int>, into output: inout DecompressedBytes) throws {
        var cursor = ByteCursor(bytes, range: range, format: "LZ4")
        while cursor.remaining > 0 {
            let token = try cursor.byte()
            let literals = try length(Int(token >> 4), &cursor)
            guard output.appendLiteral(bytes, try cursor.take(literals, "LZ4 literals")) else { throw corrupt("a literal runs past the expected size") }
            if cursor.remaining == 0 { return }
            let offset = Int(try cursor.littleEndian(UInt16.self))
            let matchLength = try length(Int(token & 0x0F), &cursor) + 4
            guard output.appendMatch(offset: offset, length: matchLength) else {
                throw corrupt("a match reaches before the start of the data or runs past the expected size")
            }
        }
    }

    private static func length(_ nibble: Int, _ cursor: inout ByteCursor) throws -> Int {
        guard nibble == 15 else { return nibble }
        var total = 15
        while true {
            let b = try cursor.byte()
            total += Int(b)
            guard total < Int(Int32.max) else { throw corrupt("a length is too large") }
            if b != 255 { return total }
        }
    }

    /// A bare block of exactly `size` bytes (Parquet `LZ4_RAW`).
    static func decompressRaw(_ bytes: [UInt8], range: Range<Int>, size: Int) throws -> [UInt8] {
        var output = DecompressedBytes(size: size)
        try decompressBlock(bytes, range: range, into: &output)
        guard output.isFull else { throw corrupt("it holds \(output.count) bytes, \(size) were expected") }
        return output.bytes
    }

    /// One LZ4 frame (the format of `lz4` files and Arrow's `LZ4_FRAME` codec) of exactly `size` bytes.
    static func decompressFrame(_ bytes: [UInt8], range: Range<Int>, size: Int) throws -> [UInt8] {
        var cursor = ByteCursor(bytes, range: range, format: "LZ4")
        guard try cursor.littleEndian(UInt32.self) == 0x184D_2204 else { throw corrupt("the frame does not start with LZ4's magic number") }
        let flags = try cursor.byte()
        guard flags >> 6 == 1 else { throw corrupt("unknown frame version \(flags >> 6)") }
        guard flags & 1 == 0 else {
            throw ColumnarError(.unsupported, "LZ4 frames with a preset dictionary are not supported", fix: "write the file with zstd or without compression")
        }
        try cursor.skip(1, "the LZ4 block descriptor")
        if flags & 0x08 != 0 { try cursor.skip(8, "the LZ4 content size") }
        try cursor.skip(1, "the LZ4 header checksum")
        var output = DecompressedBytes(size: size)
        while true {
            let header = try cursor.littleEndian(UInt32.self)
            if header == 0 { break }
            let block = try cursor.take(Int(header & 0x7FFF_FFFF), "an LZ4 block")
            if header & 0x8000_0000 != 0 {
                guard output.appendLiteral(bytes, block) else { throw corrupt("a stored block runs past the expected size") }
            } else {
                try decompressBlock(bytes, range: block, into: &output)
            }
            if flags & 0x10 != 0 { try cursor.skip(4, "an LZ4 block checksum") }
        }
        guard output.isFull else { throw corrupt("it holds \(output.count) bytes, \(size) were expected") }
        return output.bytes
    }

    private static func corrupt(_ what: String) -> ColumnarError {
        ColumnarError(.compression, "LZ4 data is corrupt: \(what)", fix: "the file is truncated or corrupt; write it again")
    }
}
