/// A decoded Thrift value. Binaries are ranges into the decoded bytes, so large statistics are not copied.
indirect enum ThriftValue: Sendable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case binary(Range<Int>)
    case list([ThriftValue])
    case structure(ThriftStruct)
}

/// A decoded Thrift struct: its fields by id, in the order they were read.
struct ThriftStruct: Sendable {
    var fields: [(id: Int16, value: ThriftValue)] = []

    func value(_ id: Int16) -> ThriftValue? { fields.first { $0.id == id }?.value }

    func int(_ id: Int16) -> Int64? { if case .int(let v) = value(id) { return v } else { return nil } }
    func bool(_ id: Int16) -> Bool? { if case .bool(let v) = value(id) { return v } else { return nil } }
    func binary(_ id: Int16) -> Range<Int>? { if case .binary(let v) = value(id) { return v } else { return nil } }
    func structure(_ id: Int16) -> ThriftStruct? { if case .structure(let v) = value(id) { return v } else { return nil } }
    func list(_ id: Int16) -> [ThriftValue]? { if case .list(let v) = value(id) { return v } else { return nil } }
}

/// Decodes Thrift's compact protocol from untrusted bytes: lengths are checked against what remains,
/// nesting is limited, and unknown fields are decoded and kept (callers ignore what they do not need).
struct ThriftReader {
    var cursor: ByteCursor
    static let depthMax = 32

    init(_ bytes: [UInt8], range: Range<Int>, format: String = "Parquet") {
        cursor = ByteCursor(bytes, range: range, format: format)
    }

    var position: Int { cursor.position }

    private func malformed(_ what: String) -> ColumnarError { .malformed(cursor.format, "bad Thrift metadata: \(what)") }

    mutating func readStruct(depth: Int = 0) throws -> ThriftStruct {
        guard depth < Self.depthMax else { throw malformed("nested deeper than \(Self.depthMax)") }
        var result = ThriftStruct()
        var lastID: Int16 = 0
        while true {
            let header = try cursor.byte()
            if header == 0 { return result }
            let type = header & 0x0F
            let delta = header >> 4
            let id: Int16
            if delta == 0 {
                guard let decoded = Int16(exactly: Self.unzigzag(try cursor.varint())) else { throw malformed("field id out of range") }
                id = decoded
            } else {
                let (sum, overflow) = lastID.addingReportingOverflow(Int16(delta))
                guard !overflow else { throw malformed("field id out of range") }
                id = sum
            }
            lastID = id
            let value: ThriftValue
            switch type {
            case 1: value = .bool(true)
            case 2: value = .bool(false)
            default: value = try readValue(type: type, depth: depth + 1)
            }
            result.fields.append((id, value))
        }
    }

    static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    private mutating func readValue(type: UInt8, depth: Int) throws -> ThriftValue {
        switch type {
        case 1, 2: return .bool(try cursor.byte() == 1)  // inside a list: one byte per element
        case 3: return .int(Int64(Int8(bitPattern: try cursor.byte())))
        case 4, 5, 6: return .int(Self.unzigzag(try cursor.varint()))
        case 7: return .double(Double(bitPattern: try cursor.littleEndian(UInt64.self)))
        case 8:
            let length = try cursor.varint()
            guard length <= UInt64(cursor.remaining) else { throw cursor.truncated("a Thrift binary") }
            return .binary(try cursor.take(Int(length), "a Thrift binary"))
        case 9, 10: return try readList(depth: depth)
        case 11: return try readMap(depth: depth)
        case 12: return .structure(try readStruct(depth: depth))
        default: throw malformed("unknown field type \(type)")
        }
    }

    private mutating func readList(depth: Int) throws -> ThriftValue {
        let header = try cursor.byte()
        var count = UInt64(header >> 4)
        if count == 15 { count = try cursor.varint() }
        // Every element takes at least one byte, so a count larger than what remains is corrupt.
        guard count <= UInt64(cursor.remaining) else { throw cursor.truncated("a Thrift list") }
        var items: [ThriftValue] = []
        items.reserveCapacity(Int(count))
        for _ in 0..<count { items.append(try readValue(type: header & 0x0F, depth: depth)) }
        return .list(items)
    }

    /// Maps do not occur in Parquet metadata; one is decoded (to keep the position right) into keys and values alternating.
    private mutating func readMap(depth: Int) throws -> ThriftValue {
        let count = try cursor.varint()
        guard count > 0 else { return .list([]) }
        guard count <= UInt64(cursor.remaining) else { throw cursor.truncated("a Thrift map") }
        let types = try cursor.byte()
        var items: [ThriftValue] = []
        for _ in 0..<count {
            items.append(try readValue(type: types >> 4, depth: depth))
            items.append(try readValue(type: types & 0x0F, depth: depth))
        }
        return .list(items)
    }
}
