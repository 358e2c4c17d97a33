import StrataCore

/// Numbers from Arrow's `Schema.fbs` and `Message.fbs` (apache/arrow `format/`).
enum ArrowFormat {
    static let metadataVersionV5: Int16 = 4
    /// `MessageHeader` union members.
    static let headerSchema: UInt8 = 1, headerDictionaryBatch: UInt8 = 2, headerRecordBatch: UInt8 = 3
    /// `Type` union members.
    enum TypeID: UInt8 {
        case null = 1, int = 2, floatingPoint = 3, binary = 4, utf8 = 5, bool = 6, decimal = 7, date = 8, time = 9, timestamp = 10
        case interval = 11, list = 12, structure = 13, union = 14, fixedSizeBinary = 15, fixedSizeList = 16, map = 17, duration = 18
        case largeBinary = 19, largeUtf8 = 20, largeList = 21, runEndEncoded = 22, binaryView = 23, utf8View = 24
        case listView = 25, largeListView = 26
    }
    static let precisionDouble: Int16 = 2
    static let unitMicrosecond: Int16 = 2
    static let fileMagic: [UInt8] = Array("ARROW1".utf8)
    static let continuation: UInt32 = 0xFFFF_FFFF
}

/// Builds the flatbuffers of Arrow IPC messages for Strata's five types.
enum ArrowMessages {
    static func schemaTable(_ schema: ColumnarSchema) -> FlatTable {
        var table = FlatTable()
        table.set(0, short: 0)  // little-endian
        table.set(1, .tables(schema.fields.map(field)))
        return table
    }

    private static func field(_ field: ColumnarField) -> FlatTable {
        var table = FlatTable()
        table.set(0, .string(field.name))
        table.set(1, bool: field.isNullable)
        var type = FlatTable()
        let id: ArrowFormat.TypeID
        switch field.type {
        case .int64:
            id = .int
            type.set(0, int: 64)
            type.set(1, bool: true)
        case .float64:
            id = .floatingPoint
            type.set(0, short: ArrowFormat.precisionDouble)
        case .bool: id = .bool
        case .string: id = .utf8
        case .timestamp:
            id = .timestamp
            type.set(0, short: ArrowFormat.unitMicrosecond)
            type.set(1, .string("UTC"))
        }
        table.set(2, byte: id.rawValue)
        table.set(3, .table(type))
        table.set(5, .tables([]))  // children: readers expect the vector even when empty
        return table
    }

    /// A `Message` flatbuffer around `header`.
    static func message(headerType: UInt8, header: FlatTable, bodyLength: Int64) -> [UInt8] {
        var message = FlatTable()
        message.set(0, short: ArrowFormat.metadataVersionV5)
        message.set(1, byte: headerType)
        message.set(2, .table(header))
        message.set(3, long: bodyLength)
        return FlatBufferSerializer.serialize(message)
    }

    /// The encapsulated form: continuation marker, metadata length, metadata padded so the body starts 8-aligned.
    static func encapsulate(_ metadata: [UInt8], to out: inout [UInt8]) -> Int {
        let padded = (metadata.count + 8 + 7) / 8 * 8 - 8
        out.appendLittleEndian(ArrowFormat.continuation)
        out.appendLittleEndian(Int32(padded))
        out.append(contentsOf: metadata)
        out.append(contentsOf: repeatElement(0, count: padded - metadata.count))
        return 8 + padded
    }

    /// A record batch's `RecordBatch` table and body: per column a validity bitmap (empty without nulls), then the values
    /// (offsets and bytes for strings), every buffer padded to 8 bytes.
    static func recordBatch(_ batch: ColumnarBatch, schema: ColumnarSchema) throws -> (header: FlatTable, body: [UInt8]) {
        var body: [UInt8] = []
        var nodes: [UInt8] = [], buffers: [UInt8] = []
        var bufferCount = 0
        func buffer(_ append: (inout [UInt8]) -> Void) {
            let start = body.count
            append(&body)
            buffers.appendLittleEndian(Int64(start))
            buffers.appendLittleEndian(Int64(body.count - start))
            body.pad(toMultipleOf: 8)
            bufferCount += 1
        }
        for (column, field) in zip(batch.columns, schema.fields) {
            let nulls = column.nullCount
            nodes.appendLittleEndian(Int64(batch.rowCount))
            nodes.appendLittleEndian(Int64(nulls))
            buffer { out in if let validity = column.validity, nulls > 0 { appendBitPackedBools(validity[...], to: &out) } }
            switch column.values {
            case .int64(let v): buffer { out in v.withUnsafeBytes { out.append(contentsOf: $0) } }
            case .float64(let v): buffer { out in v.withUnsafeBytes { out.append(contentsOf: $0) } }
            case .bool(let v): buffer { out in appendBitPackedBools(v[...], to: &out) }
            case .string(let v):
                guard v.bytes.count <= Int(Int32.max) else {
                    throw ColumnarError(.limitExceeded, "column `\(field.name)`: \(v.bytes.count) bytes of strings in one Arrow batch exceed 2 GiB",
                                        fix: "write smaller batches")
                }
                buffer { out in v.offsets.map { Int32(truncatingIfNeeded: $0) }.withUnsafeBytes { out.append(contentsOf: $0) } }
                buffer { out in out.append(contentsOf: v.bytes) }
            }
        }
        var header = FlatTable()
        header.set(0, long: Int64(batch.rowCount))
        header.set(1, .structs(nodes, count: batch.columns.count))
        header.set(2, .structs(buffers, count: bufferCount))
        return (header, body)
    }
}
