/// Thrift's compact protocol, the encoding of Parquet's footer and page headers, written by hand for the few shapes
/// Parquet needs: structs of integers, booleans, binaries, nested structs and lists.
///
/// Fields must be written in increasing id order within a struct, as Thrift's generated code does.
struct ThriftWriter {
    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    private(set) var bytes: [UInt8] = []
    private var lastFieldIDs: [Int16] = [0]

    init() {}

    private mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let last = lastFieldIDs[lastFieldIDs.count - 1]
        let delta = Int(id) - Int(last)
        if delta > 0, delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            bytes.appendVarint(Self.zigzag(Int64(id)))
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
    }

    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    mutating func i32(_ id: Int16, _ value: Int32) {
        fieldHeader(id, .i32)
        bytes.appendVarint(Self.zigzag(Int64(value)))
    }

    mutating func i16(_ id: Int16, _ value: Int16) {
        fieldHeader(id, .i16)
        bytes.appendVarint(Self.zigzag(Int64(value)))
    }

    mutating func i8(_ id: Int16, _ value: Int8) {
        fieldHeader(id, .byte)
        bytes.append(UInt8(bitPattern: value))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        fieldHeader(id, .i64)
        bytes.appendVarint(Self.zigzag(value))
    }

    mutating func bool(_ id: Int16, _ value: Bool) { fieldHeader(id, value ? .boolTrue : .boolFalse) }

    mutating func binary(_ id: Int16, _ value: some Collection<UInt8>) {
        fieldHeader(id, .binary)
        bytes.appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ id: Int16, _ value: String) { binary(id, Array(value.utf8)) }

    /// A nested struct: `body` writes its fields.
    mutating func structure(_ id: Int16, _ body: (inout ThriftWriter) -> Void) {
        fieldHeader(id, .structure)
        writeStruct(body)
    }

    /// An empty struct, as the members of Parquet's unions such as `TimeUnit.MICROS`.
    mutating func emptyStructure(_ id: Int16) { structure(id) { _ in } }

    /// A struct on its own (a page header, the footer) or as a list element.
    mutating func writeStruct(_ body: (inout ThriftWriter) -> Void) {
        lastFieldIDs.append(0)
        body(&self)
        lastFieldIDs.removeLast()
        bytes.append(0)  // stop
    }

    private mutating func listHeader(_ id: Int16, _ elementType: FieldType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            bytes.appendVarint(UInt64(count))
        }
    }

    mutating func list<T>(_ id: Int16, structs items: [T], _ body: (inout ThriftWriter, T) -> Void) {
        listHeader(id, .structure, count: items.count)
        for item in items { writeStruct { body(&$0, item) } }
    }

    mutating func list(_ id: Int16, i32s items: [Int32]) {
        listHeader(id, .i32, count: items.count)
        for item in items { bytes.appendVarint(Self.zigzag(Int64(item))) }
    }

    mutating func list(_ id: Int16, strings items: [String]) {
        listHeader(id, .binary, count: items.count)
        for item in items {
            bytes.appendVarint(UInt64(item.utf8.count))
            bytes.append(contentsOf: item.utf8)
        }
    }
}
