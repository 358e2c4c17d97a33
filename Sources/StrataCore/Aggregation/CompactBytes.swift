/// Appends the little-endian primitives of the online tile store's compact formats: the partials of
/// `AggregationKernel.appendCompact` and the per-key records of `StrataOnline`'s tile store.
package enum CompactWriter {
    /// Unsigned LEB128: 7 bits per byte, low bits first.
    @inline(__always)
    package static func varint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// A signed integer as a zigzag varint: small magnitudes of either sign take few bytes.
    @inline(__always)
    package static func zigzag(_ value: Int64, _ out: inout [UInt8]) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), &out)
    }

    @inline(__always)
    package static func int64(_ value: Int64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    package static func uint32(_ value: UInt32, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    /// A tagged value: 0 null, 1 int (8 bytes), 2 float (IEEE bits), 3 string (varint length, UTF-8), 4 bool (1 byte).
    package static func value(_ value: Value, _ out: inout [UInt8]) {
        switch value {
        case .null: out.append(0)
        case .int(let v):
            out.append(1)
            int64(v, &out)
        case .float(let v):
            out.append(2)
            int64(Int64(bitPattern: v.bitPattern), &out)
        case .string(let s):
            out.append(3)
            varint(UInt64(s.utf8.count), &out)
            out.append(contentsOf: s.utf8)
        case .bool(let b):
            out.append(4)
            out.append(b ? 1 : 0)
        }
    }
}

/// Reads what `CompactWriter` wrote, in place from a raw buffer (an LMDB value), checking every length: damaged bytes
/// give an `AggregationDecodingError`, never a crash or a read past the end.
package struct CompactReader {
    package let bytes: UnsafeRawBufferPointer
    package var offset: Int

    @inline(__always)
    package init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    package var isAtEnd: Bool { offset == bytes.count }
    package var remaining: Int { bytes.count - offset }

    @inline(__always)
    package mutating func byte() throws(AggregationDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw AggregationDecodingError("truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always)
    package mutating func varint() throws(AggregationDecodingError) -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw AggregationDecodingError("varint too long") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    /// A varint that must fit a non-negative Int (a count or a length).
    @inline(__always)
    package mutating func count() throws(AggregationDecodingError) -> Int {
        let v = try varint()
        guard v <= UInt64(Int.max) else { throw AggregationDecodingError("count out of range") }
        return Int(v)
    }

    @inline(__always)
    package mutating func zigzag() throws(AggregationDecodingError) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    @inline(__always)
    package mutating func int64() throws(AggregationDecodingError) -> Int64 {
        guard remaining >= 8 else { throw AggregationDecodingError("truncated") }
        defer { offset += 8 }
        return Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }

    @inline(__always)
    package mutating func double() throws(AggregationDecodingError) -> Double {
        Double(bitPattern: UInt64(bitPattern: try int64()))
    }

    /// Skips `count` bytes after checking they are there; returns where they start.
    @inline(__always)
    package mutating func skip(_ count: Int) throws(AggregationDecodingError) -> Int {
        guard count >= 0, remaining >= count else { throw AggregationDecodingError("truncated") }
        defer { offset += count }
        return offset
    }

    package mutating func value() throws(AggregationDecodingError) -> Value {
        switch try byte() {
        case 0: return .null
        case 1: return .int(try int64())
        case 2: return .float(try double())
        case 3:
            let length = try count()
            let start = try skip(length)
            guard let text = String(validating: bytes[start..<(start + length)], as: UTF8.self) else {
                throw AggregationDecodingError("text is not UTF-8")
            }
            return .string(text)
        case 4:
            let b = try byte()
            guard b <= 1 else { throw AggregationDecodingError("bad bool") }
            return .bool(b == 1)
        default: throw AggregationDecodingError("unknown value tag")
        }
    }
}

extension AggregationDecodingError {
    package init(reason: String) {
        self.init(reason)
    }
}
