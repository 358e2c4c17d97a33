/// One encapsulated IPC message: its header table and where its body lies.
struct ArrowMessage {
    let headerType: UInt8
    let header: FlatBufferTable
    let body: Range<Int>
    /// The position just after the body.
    let end: Int
}

/// Reads encapsulated messages (continuation marker, metadata length, `Message` flatbuffer, body) from bytes.
struct ArrowMessageReader {
    let bytes: [UInt8]

    /// The message at `position`, or nil at the end-of-stream marker or the end of the bytes.
    func next(from position: Int) throws -> ArrowMessage? {
        guard position >= 0, position <= bytes.count else { throw ColumnarError.malformed("Arrow IPC", "a message offset lies outside the file") }
        var cursor = ByteCursor(bytes, range: position..<bytes.count, format: "Arrow IPC")
        if cursor.remaining == 0 { return nil }
        var length = try cursor.littleEndian(UInt32.self)
        if length == ArrowFormat.continuation {
            if cursor.remaining == 0 { return nil }
            length = try cursor.littleEndian(UInt32.self)
        }
        if length == 0 { return nil }
        guard length <= UInt32(Int32.max) else { throw ColumnarError.malformed("Arrow IPC", "a message metadata length of \(length)") }
        let metadata = try cursor.take(Int(length), "message metadata")
        let message = try FlatBufferTable.root(bytes, bounds: metadata)
        let version = try message.scalar(0, default: Int16(0))
        guard version >= 3 else {
            throw ColumnarError(.unsupported, "Arrow IPC metadata version V\(version + 1) is too old", fix: "write the file with pyarrow 1.0 or later")
        }
        let headerType = try message.scalar(1, default: UInt8(0))
        guard let header = try message.table(2) else { throw ColumnarError.malformed("Arrow IPC", "a message without a header") }
        let bodyLength = try message.scalar(3, default: Int64(0))
        guard bodyLength >= 0, bodyLength <= Int64(cursor.remaining) else { throw cursor.truncated("a message body") }
        let body = try cursor.take(Int(bodyLength), "a message body")
        return ArrowMessage(headerType: headerType, header: header, body: body, end: body.upperBound)
    }

    /// The message a file footer's block points to.
    func message(atBlock block: (offset: Int64, metadata: Int64, body: Int64)) throws -> ArrowMessage {
        guard block.offset >= 0, block.offset < Int64(bytes.count), let message = try next(from: Int(block.offset)) else {
            throw ColumnarError.malformed("Arrow IPC", "a footer block points outside the file")
        }
        return message
    }
}

/// The footer of an Arrow IPC file: the schema and where the dictionary and record batch messages are.
struct ArrowFileFooter {
    let fields: [ArrowFieldInfo]
    let dictionaries: [(offset: Int64, metadata: Int64, body: Int64)]
    let recordBatches: [(offset: Int64, metadata: Int64, body: Int64)]

    init(_ bytes: [UInt8]) throws {
        let magic = ArrowFormat.fileMagic
        guard bytes.count >= 18, Array(bytes[(bytes.count - 6)...]) == magic else {
            throw ColumnarError(.malformed, "the Arrow file does not end with `ARROW1`: it is truncated", fix: "write the file again completely")
        }
        var cursor = ByteCursor(bytes, range: (bytes.count - 10)..<(bytes.count - 6), format: "Arrow IPC")
        let length = Int(Int32(bitPattern: try cursor.littleEndian(UInt32.self)))
        guard length > 0, length <= bytes.count - 18 else { throw ColumnarError.malformed("Arrow IPC", "a footer length of \(length)") }
        let footer = try FlatBufferTable.root(bytes, bounds: (bytes.count - 10 - length)..<(bytes.count - 10))
        guard let schema = try footer.table(1) else { throw ColumnarError.malformed("Arrow IPC", "the footer has no schema") }
        fields = try ArrowFieldInfo.decodeSchema(schema)
        func blocks(_ id: Int) throws -> [(offset: Int64, metadata: Int64, body: Int64)] {
            try footer.longStructs(id, fieldsPerStruct: 3).map { ($0[0], Int64(Int32(truncatingIfNeeded: $0[1])), $0[2]) }
        }
        dictionaries = try blocks(2)
        recordBatches = try blocks(3)
    }
}
