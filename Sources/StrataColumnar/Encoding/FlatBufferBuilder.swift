/// A flatbuffers table to serialize: fields by id (a union takes two ids: its type, then its value).
///
/// Written by hand for Arrow IPC metadata, which needs only tables, strings, and vectors of tables, structs and longs.
struct FlatTable: Sendable {
    enum Slot: Sendable {
        /// A little-endian scalar of 1, 2, 4 or 8 bytes.
        case scalar([UInt8])
        case child(FlatObject)
    }

    fileprivate var slots: [Int: Slot] = [:]

    init() {}

    mutating func set(_ id: Int, byte value: UInt8) { slots[id] = .scalar([value]) }
    mutating func set(_ id: Int, bool value: Bool) { slots[id] = .scalar([value ? 1 : 0]) }
    mutating func set(_ id: Int, short value: Int16) { slots[id] = .scalar(bytes(value)) }
    mutating func set(_ id: Int, int value: Int32) { slots[id] = .scalar(bytes(value)) }
    mutating func set(_ id: Int, long value: Int64) { slots[id] = .scalar(bytes(value)) }
    mutating func set(_ id: Int, _ object: FlatObject) { slots[id] = .child(object) }

    private func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        var out: [UInt8] = []
        out.appendLittleEndian(value)
        return out
    }
}

/// Something a table field points to.
indirect enum FlatObject: Sendable {
    case table(FlatTable)
    case string(String)
    case tables([FlatTable])
    /// Structs laid out back to back (`count` of them), each aligned to 8 bytes, as Arrow's `Block`, `FieldNode` and `Buffer`.
    case structs([UInt8], count: Int)
    case longs([Int64])
}

/// Serializes a tree of tables front to back: each object is written after the one pointing to it, so every
/// unsigned offset points forward, and each table's vtable sits just before it. Scalars are aligned to their size
/// relative to the buffer start, which the flatbuffers verifier checks.
enum FlatBufferSerializer {
    static func serialize(_ root: FlatTable) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0, 0]
        var pending: [(at: Int, object: FlatObject)] = [(0, .table(root))]
        var next = 0
        while next < pending.count {
            let (at, object) = pending[next]
            next += 1
            let position = write(object, to: &out, pending: &pending)
            out.patchLittleEndian(UInt32(position - at), at: at)
        }
        return out
    }

    private static func align(_ out: inout [UInt8], _ alignment: Int, plus extra: Int = 0) {
        while (out.count + extra) % alignment != 0 { out.append(0) }
    }

    private static func write(_ object: FlatObject, to out: inout [UInt8], pending: inout [(at: Int, object: FlatObject)]) -> Int {
        switch object {
        case .table(let table): return writeTable(table, to: &out, pending: &pending)
        case .string(let text):
            align(&out, 4)
            let position = out.count
            out.appendLittleEndian(UInt32(text.utf8.count))
            out.append(contentsOf: text.utf8)
            out.append(0)
            return position
        case .tables(let tables):
            align(&out, 4)
            let position = out.count
            out.appendLittleEndian(UInt32(tables.count))
            for table in tables {
                pending.append((out.count, .table(table)))
                out.appendLittleEndian(UInt32(0))
            }
            return position
        case .structs(let bytes, let count):
            align(&out, 8, plus: 4)
            let position = out.count
            out.appendLittleEndian(UInt32(count))
            out.append(contentsOf: bytes)
            return position
        case .longs(let values):
            align(&out, 8, plus: 4)
            let position = out.count
            out.appendLittleEndian(UInt32(values.count))
            for value in values { out.appendLittleEndian(value) }
            return position
        }
    }

    private static func writeTable(_ table: FlatTable, to out: inout [UInt8], pending: inout [(at: Int, object: FlatObject)]) -> Int {
        let fieldCount = (table.slots.keys.max() ?? -1) + 1
        align(&out, 2)
        let vtable = out.count
        let vtableSize = 4 + 2 * fieldCount
        out.append(contentsOf: repeatElement(0, count: vtableSize))
        align(&out, 4)
        let start = out.count
        // Inline layout: the vtable offset, then fields from the widest down, each aligned to its size.
        let ordered = table.slots.sorted { a, b in
            let (sa, sb) = (size(a.value), size(b.value))
            return sa != sb ? sa > sb : a.key < b.key
        }
        var cursor = start + 4
        var fieldOffsets: [Int: Int] = [:]
        for (id, slot) in ordered {
            let width = size(slot)
            while cursor % width != 0 { cursor += 1 }
            fieldOffsets[id] = cursor - start
            cursor += width
        }
        out.append(contentsOf: repeatElement(0, count: cursor - start))
        out.patchLittleEndian(UInt32(bitPattern: Int32(start - vtable)), at: start)
        for (id, slot) in ordered {
            let at = start + (fieldOffsets[id] ?? 0)
            switch slot {
            case .scalar(let bytes): out.replaceSubrange(at..<(at + bytes.count), with: bytes)
            case .child(let object): pending.append((at, object))
            }
        }
        var header: [UInt8] = []
        header.appendLittleEndian(UInt16(vtableSize))
        header.appendLittleEndian(UInt16(cursor - start))
        for id in 0..<fieldCount { header.appendLittleEndian(UInt16(fieldOffsets[id] ?? 0)) }
        out.replaceSubrange(vtable..<(vtable + vtableSize), with: header)
        return start
    }

    private static func size(_ slot: FlatTable.Slot) -> Int {
        switch slot {
        case .scalar(let bytes): return bytes.count
        case .child: return 4
        }
    }
}
