@testable import StrataColumnar
import StrataCore
import Testing

@Suite struct EncodingTests {
    @Test("Thrift compact fields use short deltas, zigzag varints and a stop byte")
    func thriftCompactBytes() {
        var writer = ThriftWriter()
        writer.writeStruct { w in
            w.i32(1, 3)  // delta 1, type i32 (5): 0x15, zigzag(3) = 6
            w.i64(2, -1)  // delta 1, type i64 (6): 0x16, zigzag(-1) = 1
            w.string(4, "ab")  // delta 2, type binary (8): 0x28, length 2
            w.bool(20, true)  // delta 16 > 15: long form 0x01 then zigzag(20) = 40
            w.structure(21) { $0.i32(1, 300) }  // 0x1C, then 0x15, zigzag(300) = 600 = 0xD8 0x04, stop
        }
        #expect(writer.bytes == [0x15, 0x06, 0x16, 0x01, 0x28, 0x02, 0x61, 0x62, 0x01, 0x28, 0x1C, 0x15, 0xD8, 0x04, 0x00, 0x00])
    }

    @Test("Thrift lists of 15 or more elements carry their size in a varint, and read back")
    func thriftListsRoundTrip() throws {
        var writer = ThriftWriter()
        let numbers = (0..<20).map { Int32($0) * -7 }
        writer.writeStruct { w in
            w.list(1, i32s: numbers)
            w.list(2, strings: ["x", "", "ÿ"])
            w.list(3, structs: [1, 2]) { w, value in w.i64(1, Int64(value) << 40) }
        }
        #expect(writer.bytes[0...2] == [0x19, 0xF5, 20])
        var reader = ThriftReader(writer.bytes, range: 0..<writer.bytes.count)
        let decoded = try reader.readStruct()
        #expect(decoded.list(1)?.compactMap { if case .int(let v) = $0 { Int32(v) } else { nil } } == numbers)
        #expect(decoded.list(2)?.count == 3)
        let structs = decoded.list(3)?.compactMap { if case .structure(let s) = $0 { s.int(1) } else { nil } }
        #expect(structs == [1 << 40, 2 << 40])
        #expect(reader.position == writer.bytes.count)
    }

    @Test("Thrift decoding refuses lengths beyond the data and deep nesting instead of crashing")
    func thriftHostileInput() {
        let hugeBinary: [UInt8] = [0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        #expect(throws: ColumnarError.self) { var r = ThriftReader(hugeBinary, range: 0..<hugeBinary.count); _ = try r.readStruct() }
        let deep = [UInt8](repeating: 0x1C, count: 100)
        #expect(throws: ColumnarError.self) { var r = ThriftReader(deep, range: 0..<deep.count); _ = try r.readStruct() }
    }

    @Test("RLE hybrid: a long run is one RLE run, short runs are bit-packed groups of 8")
    func rleBytes() {
        var out: [UInt8] = []
        RLEHybrid.encode(ArraySlice(repeatElement(1, count: 100)), bitWidth: 1, to: &out)
        #expect(out == [0xC8, 0x01, 0x01])  // varint(100 << 1), value 1
        out = []
        RLEHybrid.encode([1, 0, 1, 0, 1, 1, 0, 0, 1][...], bitWidth: 1, to: &out)
        #expect(out == [0x05, 0b0011_0101, 0b0000_0001])  // 2 groups, LSB first, padded
        out = []
        RLEHybrid.encode([5, 6, 7][...], bitWidth: 3, to: &out)
        #expect(out == [0x03, 0b1111_0101, 0b0000_0001, 0x00])  // 5 | 6 << 3 | 7 << 6 over 3 bytes
    }

    @Test("RLE hybrid round-trips random values of every bit width from 1 to 20")
    func rleRoundTrip() throws {
        var random = SeededGenerator(seed: 7)
        for bitWidth in 1...20 {
            let maxValue = UInt32((1 << bitWidth) - 1)
            var values: [UInt32] = []
            while values.count < 1000 {
                let value = UInt32.random(in: 0...maxValue, using: &random)
                values += Array(repeating: value, count: Bool.random(using: &random) ? 1 : Int.random(in: 1...40, using: &random))
            }
            var out: [UInt8] = []
            RLEHybrid.encode(values[...], bitWidth: bitWidth, to: &out)
            var cursor = ByteCursor(out, format: "test")
            var decoded: [UInt32] = []
            try RLEHybrid.decode(&cursor, bitWidth: bitWidth, count: values.count, into: &decoded)
            #expect(decoded == values, "bit width \(bitWidth)")
        }
    }

    @Test("flatbuffer tables read back, with 8-byte fields aligned and absent fields defaulted")
    func flatBufferRoundTrip() throws {
        var child = FlatTable()
        child.set(0, int: 64)
        child.set(1, bool: true)
        var root = FlatTable()
        root.set(0, short: 4)
        root.set(1, byte: 3)
        root.set(2, .table(child))
        root.set(3, long: -5)
        root.set(5, .string("héllo"))
        root.set(6, .tables([child, FlatTable()]))
        root.set(7, .structs((0..<4).flatMap { value -> [UInt8] in var b: [UInt8] = []; b.appendLittleEndian(Int64(value)); return b }, count: 2))
        let bytes = FlatBufferSerializer.serialize(root)
        let table = try FlatBufferTable.root(bytes, bounds: 0..<bytes.count)
        #expect(try table.scalar(0, default: Int16(0)) == 4)
        #expect(try table.scalar(1, default: UInt8(0)) == 3)
        #expect(try table.scalar(3, default: Int64(0)) == -5)
        #expect(try table.scalar(4, default: Int32(99)) == 99)
        #expect(try table.string(5) == "héllo")
        #expect(try table.table(2)?.scalar(0, default: Int32(0)) == 64)
        #expect(try table.table(2)?.bool(1) == true)
        #expect(try table.tables(6)?.count == 2)
        #expect(try table.longStructs(7, fieldsPerStruct: 2) == [[0, 1], [2, 3]])
        let (_, structStart) = try #require(try table.vector(7, elementSize: 16))
        #expect(structStart % 8 == 0)
    }

    @Test("flatbuffer reading refuses offsets that leave the buffer")
    func flatBufferHostile() {
        let bytes: [UInt8] = [0xF0, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0]
        #expect(throws: ColumnarError.self) { _ = try FlatBufferTable.root(bytes, bounds: 0..<bytes.count) }
        let loop: [UInt8] = [4, 0, 0, 0, 0, 0, 0, 0]  // a table whose vtable is itself, claiming size 0
        #expect(throws: ColumnarError.self) { _ = try FlatBufferTable.root(loop, bounds: 0..<loop.count) }
    }
}
