/// Little-endian appends, the byte order of Parquet, Arrow and flatbuffers.
extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendLittleEndian(_ value: Double) { appendLittleEndian(value.bitPattern) }

    /// Unsigned LEB128, as Thrift's compact protocol and Parquet's RLE run headers write lengths.
    mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        append(UInt8(rest))
    }

    /// Zero bytes up to the next multiple of `alignment`.
    mutating func pad(toMultipleOf alignment: Int) {
        let remainder = count % alignment
        if remainder != 0 { append(contentsOf: repeatElement(0, count: alignment - remainder)) }
    }

    /// Overwrites 4 bytes at `position` with `value`, little-endian.
    mutating func patchLittleEndian(_ value: UInt32, at position: Int) {
        for i in 0..<4 { self[position + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }
}

/// Reads from bytes that may be hostile: every read is bounds-checked and throws instead of trapping.
struct ByteCursor {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    /// Names the format in error messages ("Parquet", "Arrow IPC").
    let format: String

    init(_ bytes: [UInt8], range: Range<Int>? = nil, format: String) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        position = range.lowerBound
        end = range.upperBound
        self.format = format
    }

    var remaining: Int { end - position }

    func truncated(_ what: String) -> ColumnarError { .malformed(format, "unexpected end of data while reading \(what)") }

    mutating func byte() throws -> UInt8 {
        guard position < end else { throw truncated("a byte") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func littleEndian<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw truncated("a \(size)-byte integer") }
        var value: T = 0
        for i in 0..<size { value |= T(truncatingIfNeeded: bytes[position + i]) << (8 * i) }
        position += size
        return value
    }

    /// The next `count` bytes' range, after checking they exist.
    mutating func take(_ count: Int, _ what: String) throws -> Range<Int> {
        guard count >= 0, count <= remaining else { throw truncated(what) }
        defer { position += count }
        return position..<(position + count)
    }

    mutating func skip(_ count: Int, _ what: String) throws { _ = try take(count, what) }

    /// Unsigned LEB128 of at most 10 bytes.
    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw ColumnarError.malformed(format, "a variable-length integer is longer than 10 bytes") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }
}

/// `offset..<offset+length` when it lies inside `0..<limit`, checked without overflow.
func checkedRange(offset: Int64, length: Int64, limit: Int) -> Range<Int>? {
    guard offset >= 0, length >= 0, offset <= Int64(limit), length <= Int64(limit) - offset else { return nil }
    return Int(offset)..<Int(offset + length)
}
