/// Reads flatbuffers from untrusted bytes: every offset is checked to stay inside the buffer, so a corrupt file gives
/// an error, never a crash.
struct FlatBufferTable {
    let bytes: [UInt8]
    /// The flatbuffer's extent within `bytes`.
    let bounds: Range<Int>
    let position: Int
    private let vtable: Int
    private let vtableSize: Int
    private let inlineSize: Int

    static func malformed(_ what: String) -> ColumnarError { .malformed("Arrow IPC", "bad flatbuffer metadata: \(what)") }

    /// The root table of the flatbuffer occupying `bounds`.
    static func root(_ bytes: [UInt8], bounds: Range<Int>) throws -> FlatBufferTable {
        guard bounds.lowerBound >= 0, bounds.upperBound <= bytes.count, bounds.count >= 4 else { throw malformed("too short") }
        return try FlatBufferTable(bytes, bounds: bounds, position: try offsetTarget(bytes, bounds, at: bounds.lowerBound))
    }

    private init(_ bytes: [UInt8], bounds: Range<Int>, position: Int) throws {
        self.bytes = bytes
        self.bounds = bounds
        self.position = position
        let relative = Int(Int32(bitPattern: try Self.read(UInt32.self, bytes, bounds, at: position)))
        vtable = position - relative
        vtableSize = Int(try Self.read(UInt16.self, bytes, bounds, at: vtable))
        inlineSize = Int(try Self.read(UInt16.self, bytes, bounds, at: vtable + 2))
        guard vtableSize >= 4, vtableSize % 2 == 0, vtable + vtableSize <= bounds.upperBound, position + inlineSize <= bounds.upperBound else {
            throw Self.malformed("a vtable is out of bounds")
        }
    }

    private static func read<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], _ bounds: Range<Int>, at position: Int) throws -> T {
        guard position >= bounds.lowerBound, position <= bounds.upperBound - MemoryLayout<T>.size else { throw malformed("an offset points outside the buffer") }
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: bytes[position + i]) << (8 * i) }
        return value
    }

    private static func offsetTarget(_ bytes: [UInt8], _ bounds: Range<Int>, at position: Int) throws -> Int {
        let target = position + Int(try read(UInt32.self, bytes, bounds, at: position))
        guard target < bounds.upperBound else { throw malformed("an offset points outside the buffer") }
        return target
    }

    /// The absolute position of field `id`, or nil when the field is absent.
    private func field(_ id: Int) throws -> Int? {
        let entry = 4 + 2 * id
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try Self.read(UInt16.self, bytes, bounds, at: vtable + entry))
        guard offset != 0 else { return nil }
        guard offset < inlineSize else { throw Self.malformed("a field lies outside its table") }
        return position + offset
    }

    func scalar<T: FixedWidthInteger>(_ id: Int, default value: T) throws -> T {
        guard let at = try field(id) else { return value }
        return try Self.read(T.self, bytes, bounds, at: at)
    }

    func bool(_ id: Int, default value: Bool = false) throws -> Bool { try scalar(id, default: UInt8(value ? 1 : 0)) != 0 }

    func table(_ id: Int) throws -> FlatBufferTable? {
        guard let at = try field(id) else { return nil }
        return try FlatBufferTable(bytes, bounds: bounds, position: try Self.offsetTarget(bytes, bounds, at: at))
    }

    func string(_ id: Int) throws -> String? {
        guard let (count, start) = try vector(id, elementSize: 1) else { return nil }
        return String(decoding: bytes[start..<(start + count)], as: UTF8.self)
    }

    /// Element count and the position of the first element of vector field `id`, after checking it fits.
    func vector(_ id: Int, elementSize: Int) throws -> (count: Int, start: Int)? {
        guard let at = try field(id) else { return nil }
        let vector = try Self.offsetTarget(bytes, bounds, at: at)
        let count = Int(try Self.read(UInt32.self, bytes, bounds, at: vector))
        let start = vector + 4
        guard count <= (bounds.upperBound - start) / max(elementSize, 1) else { throw Self.malformed("a vector runs past the buffer") }
        return (count, start)
    }

    func tables(_ id: Int) throws -> [FlatBufferTable]? {
        guard let (count, start) = try vector(id, elementSize: 4) else { return nil }
        return try (0..<count).map { try FlatBufferTable(bytes, bounds: bounds, position: try Self.offsetTarget(bytes, bounds, at: start + 4 * $0)) }
    }

    /// Vector field `id` of structs made of `fieldsPerStruct` 8-byte integers (Arrow's FieldNode, Buffer and Block).
    func longStructs(_ id: Int, fieldsPerStruct: Int) throws -> [[Int64]] {
        guard let (count, start) = try vector(id, elementSize: 8 * fieldsPerStruct) else { return [] }
        return try (0..<count).map { index in
            try (0..<fieldsPerStruct).map { Int64(bitPattern: try Self.read(UInt64.self, bytes, bounds, at: start + 8 * (index * fieldsPerStruct + $0))) }
        }
    }
}
