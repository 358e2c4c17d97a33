public import StrataCore

/// Binary encodings of the online store. Keys are injective: each part is a type tag then either 8 big-endian bytes
/// (sign bit flipped, so ints sort numerically) or a 4-byte length and the UTF-8 bytes, so `(1, 23)` ≠ `(12, 3)` and
/// no string content can imitate a boundary.
public enum OnlineKeyEncoding {
    public static func encode(_ key: KeyTuple) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(key.parts.count * 9)
        for part in key.parts { append(part, to: &out) }
        return out
    }

    /// Appends one part's encoding: lookups build keys in a reused buffer, without a `KeyTuple` per row.
    public static func append(_ part: KeyPart, to out: inout [UInt8]) {
        switch part {
        case .int(let v):
            out.append(0x01)
            withUnsafeBytes(of: (UInt64(bitPattern: v) ^ (1 << 63)).bigEndian) { out.append(contentsOf: $0) }
        case .string(let s):
            out.append(0x02)
            let count = UInt32(truncatingIfNeeded: s.utf8.count)
            withUnsafeBytes(of: count.bigEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: s.utf8)
        }
    }

    /// The key tuple of an encoded key, or nil when the bytes are not a valid encoding.
    public static func decode(_ bytes: some Collection<UInt8>) -> KeyTuple? {
        let bytes = Array(bytes)
        var parts: [KeyPart] = []
        var i = 0
        while i < bytes.count {
            let tag = bytes[i]
            i += 1
            if tag == 0x01 {
                guard i + 8 <= bytes.count else { return nil }
                var biased: UInt64 = 0
                for b in bytes[i..<(i + 8)] { biased = biased << 8 | UInt64(b) }
                parts.append(.int(Int64(bitPattern: biased ^ (1 << 63))))
                i += 8
            } else if tag == 0x02 {
                guard i + 4 <= bytes.count else { return nil }
                var count = 0
                for b in bytes[i..<(i + 4)] { count = count << 8 | Int(b) }
                i += 4
                guard i + count <= bytes.count, let s = String(validating: bytes[i..<(i + count)], as: UTF8.self) else { return nil }
                parts.append(.string(s))
                i += count
            } else {
                return nil
            }
        }
        return KeyTuple(parts)
    }
}

/// One stored online row: the winning feature row's times, sequence, lineage and feature values.
public struct OnlineRow: Sendable, Hashable {
    public var eventTs: Int64
    public var createdTs: Int64
    public var ingestSeq: Int64
    public var lineageID: Int64
    public var values: [Value]

    public init(eventTs: Int64, createdTs: Int64, ingestSeq: Int64, lineageID: Int64, values: [Value]) {
        self.eventTs = eventTs
        self.createdTs = createdTs
        self.ingestSeq = ingestSeq
        self.lineageID = lineageID
        self.values = values
    }

    /// True when `self` beats `other` by the SPEC order (event_ts, created_ts, ingest_seq).
    public func isBetter(than other: OnlineRow) -> Bool {
        (eventTs, createdTs, ingestSeq) > (other.eventTs, other.createdTs, other.ingestSeq)
    }
}

/// A stored row's times, sequence and lineage, without its values.
public struct OnlineRowHeader: Sendable, Hashable {
    public var eventTs: Int64
    public var createdTs: Int64
    public var ingestSeq: Int64
    public var lineageID: Int64
}

/// The versioned binary value format:
/// `formatVersion:u8 | event:i64 | created:i64 | seq:i64 | lineage:i64 | count:u16 | types:u8×count | nullBitmap | values`.
/// Ints, timestamps and floats are 8 bytes little-endian, bools 1 byte, strings a u32 length and UTF-8 bytes.
public enum OnlineRowCodec {
    public static let formatVersion: UInt8 = 1

    static func tag(_ type: ValueType) -> UInt8 {
        switch type {
        case .int64: return 1
        case .float64: return 2
        case .string: return 3
        case .bool: return 4
        case .timestamp: return 5
        }
    }

    static func type(_ tag: UInt8) -> ValueType? {
        switch tag {
        case 1: return .int64
        case 2: return .float64
        case 3: return .string
        case 4: return .bool
        case 5: return .timestamp
        default: return nil
        }
    }

    public static func encode(_ row: OnlineRow, types: [ValueType]) -> [UInt8] {
        precondition(row.values.count == types.count, "one value per feature type")
        var out: [UInt8] = [formatVersion]
        out.reserveCapacity(40 + types.count * 10)
        for v in [row.eventTs, row.createdTs, row.ingestSeq, row.lineageID] { appendLittleEndian(&out, UInt64(bitPattern: v), 8) }
        appendLittleEndian(&out, UInt64(types.count), 2)
        out += types.map(tag)
        var bitmap = [UInt8](repeating: 0, count: (types.count + 7) / 8)
        for (i, value) in row.values.enumerated() where value.isNull { bitmap[i / 8] |= 1 << UInt8(i % 8) }
        out += bitmap
        for value in row.values {
            switch value {
            case .null: break
            case .int(let v): appendLittleEndian(&out, UInt64(bitPattern: v), 8)
            case .float(let v): appendLittleEndian(&out, v.bitPattern, 8)
            case .bool(let b): out.append(b ? 1 : 0)
            case .string(let s):
                let bytes = Array(s.utf8)
                appendLittleEndian(&out, UInt64(bytes.count), 4)
                out += bytes
            }
        }
        return out
    }

    /// Decodes a stored value, checking every length against the buffer: corrupt bytes give an error, never a crash.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<(row: OnlineRow, types: [ValueType]), DecodeFailure> {
        var reader = ByteReader(bytes: bytes)
        guard let version = reader.u8() else { return .failure(.init("empty value")) }
        guard version == formatVersion else { return .failure(.init("unknown format version \(version)")) }
        guard let event = reader.i64(), let created = reader.i64(), let seq = reader.i64(), let lineage = reader.i64(),
              let count = reader.uint(2) else { return .failure(.init("truncated header")) }
        var types: [ValueType] = []
        for _ in 0..<count {
            guard let tag = reader.u8(), let type = type(tag) else { return .failure(.init("bad type tag")) }
            types.append(type)
        }
        guard let bitmap = reader.bytes((Int(count) + 7) / 8) else { return .failure(.init("truncated null bitmap")) }
        var values: [Value] = []
        values.reserveCapacity(Int(count))
        for (i, type) in types.enumerated() {
            if bitmap[i / 8] & (1 << UInt8(i % 8)) != 0 { values.append(.null); continue }
            switch type {
            case .int64, .timestamp:
                guard let v = reader.i64() else { return .failure(.init("truncated int")) }
                values.append(.int(v))
            case .float64:
                guard let v = reader.uint(8) else { return .failure(.init("truncated float")) }
                values.append(.float(Double(bitPattern: v)))
            case .bool:
                guard let v = reader.u8(), v <= 1 else { return .failure(.init("bad bool")) }
                values.append(.bool(v == 1))
            case .string:
                guard let length = reader.uint(4), let raw = reader.bytes(Int(length)) else { return .failure(.init("truncated string")) }
                guard let s = ByteReader.utf8String(raw) else { return .failure(.init("string is not UTF-8")) }
                values.append(.string(s))
            }
        }
        guard reader.isAtEnd else { return .failure(.init("\(bytes.count - reader.offset) trailing bytes")) }
        return .success((OnlineRow(eventTs: event, createdTs: created, ingestSeq: seq, lineageID: lineage, values: values), types))
    }

    /// Decodes a value whose feature types must be `expected` (the hot read path: no type array is built).
    public static func decode(_ bytes: UnsafeRawBufferPointer, expecting expected: [ValueType]) -> Result<OnlineRow, DecodeFailure> {
        var values: [Value] = []
        values.reserveCapacity(expected.count)
        return decode(bytes, expecting: expected, into: &values).map {
            OnlineRow(eventTs: $0.eventTs, createdTs: $0.createdTs, ingestSeq: $0.ingestSeq, lineageID: $0.lineageID, values: values)
        }
    }

    /// Decodes a value into `values` (replacing its contents, keeping its capacity) and returns the row's header: lookups
    /// reuse one buffer for every row instead of allocating an array per row. Every length is checked as in `decode`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, expecting expected: [ValueType], into values: inout [Value]) -> Result<OnlineRowHeader, DecodeFailure> {
        values.removeAll(keepingCapacity: true)
        var reader = ByteReader(bytes: bytes)
        guard reader.u8() == formatVersion else { return .failure(.init("unknown format version")) }
        guard let event = reader.i64(), let created = reader.i64(), let seq = reader.i64(), let lineage = reader.i64(),
              let count = reader.uint(2) else { return .failure(.init("truncated header")) }
        guard Int(count) == expected.count else { return .failure(.init("stored \(count) features, the definition has \(expected.count)")) }
        for type in expected {
            guard reader.u8() == tag(type) else { return .failure(.init("stored feature types differ from the definition")) }
        }
        guard let bitmap = reader.bytes((Int(count) + 7) / 8) else { return .failure(.init("truncated null bitmap")) }
        for (i, type) in expected.enumerated() {
            if bitmap[i / 8] & (1 << UInt8(i % 8)) != 0 { values.append(.null); continue }
            guard let value = reader.value(type) else { return .failure(.init("truncated or invalid \(type)")) }
            values.append(value)
        }
        guard reader.isAtEnd else { return .failure(.init("trailing bytes")) }
        return .success(OnlineRowHeader(eventTs: event, createdTs: created, ingestSeq: seq, lineageID: lineage))
    }

    /// Why a value could not be decoded.
    public struct DecodeFailure: Error, Equatable, Sendable {
        public var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static func appendLittleEndian(_ out: inout [UInt8], _ value: UInt64, _ width: Int) {
        for i in 0..<width { out.append(UInt8(truncatingIfNeeded: value >> UInt64(i * 8))) }
    }
}

struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    mutating func u8() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint(_ width: Int) -> UInt64? {
        guard width <= bytes.count - offset else { return nil }
        if width == 8 {
            // One unaligned load instead of eight shifts: the header alone has four of these per lookup.
            defer { offset += 8 }
            return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(bytes[offset + i]) << UInt64(i * 8) }
        offset += width
        return value
    }

    mutating func i64() -> Int64? { uint(8).map { Int64(bitPattern: $0) } }

    mutating func value(_ type: ValueType) -> Value? {
        switch type {
        case .int64, .timestamp: return i64().map(Value.int)
        case .float64: return uint(8).map { .float(Double(bitPattern: $0)) }
        case .bool:
            guard let v = u8(), v <= 1 else { return nil }
            return .bool(v == 1)
        case .string:
            guard let length = uint(4), let raw = bytes(Int(length)), let s = Self.utf8String(raw) else { return nil }
            return .string(s)
        }
    }

    /// The bytes as a String, or nil when they are not valid UTF-8. ASCII (the common case) takes the specialized
    /// decoding path: the generic `String(validating:as:)` on a raw buffer went through runtime generic metadata
    /// lookups on every string value, ~8% of a single-key lookup (perf, issue 12).
    static func utf8String(_ raw: UnsafeRawBufferPointer) -> String? {
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        var isASCII = true
        for byte in bytes where byte >= 0x80 {
            isASCII = false
            break
        }
        if isASCII { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}
