/// The output of an LZ77-style decompressor (snappy, LZ4): a buffer of the expected size, filled front to back with
/// literals and copies of earlier output. Every write is checked against the size, so corrupt input cannot overrun it.
struct DecompressedBytes {
    private(set) var bytes: [UInt8]
    private(set) var count = 0

    init(size: Int) {
        bytes = [UInt8](repeating: 0, count: size)
    }

    var isFull: Bool { count == bytes.count }

    /// Appends `source[range]`, or returns false when it does not fit.
    mutating func appendLiteral(_ source: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.count <= bytes.count - count else { return false }
        bytes.replaceSubrange(count..<(count + range.count), with: source[range])
        count += range.count
        return true
    }

    /// Appends `length` bytes copied from `offset` bytes back (the source may overlap what is being written, which
    /// repeats it), or returns false when the offset or the length does not fit.
    mutating func appendMatch(offset: Int, length: Int) -> Bool {
        guard offset > 0, offset <= count, length <= bytes.count - count else { return false }
        let at = count
        // Byte by byte through the buffer: a slice of `bytes` as the source would copy the whole array.
        bytes.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<length { buffer[at + i] = buffer[at - offset + i] }
        }
        count += length
        return true
    }
}
