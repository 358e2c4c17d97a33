import StrataCore

/// Decodes one `RecordBatch` message body into columns, checking every buffer against the body and the row count.
struct ArrowBatchDecoder {
    private let bytes: [UInt8]
    private let body: Range<Int>
    private let nodes: [[Int64]]
    private let buffers: [[Int64]]
    private let variadicCounts: [Int64]
    /// `BodyCompression.codec` (0 LZ4 frame, 1 zstd), or nil for an uncompressed body.
    private let codec: Int8?
    private var nodeIndex = 0, bufferIndex = 0, variadicIndex = 0
    let rowCount: Int

    /// The largest buffer Strata decompresses.
    static let bufferBytesMax = 1 << 30

    init(_ batch: FlatBufferTable, bytes: [UInt8], body: Range<Int>) throws {
        self.bytes = bytes
        self.body = body
        let length = try batch.scalar(0, default: Int64(0))
        // Every column but the null type needs at least a bit per row in the body: a larger length is corrupt, and
        // refusing it keeps a hostile header from making the decoder allocate without bound.
        guard length >= 0, length <= max(Int64(body.count) * 8, 65_536) else { throw Self.malformed("a record batch of \(length) rows") }
        rowCount = Int(length)
        nodes = try batch.longStructs(1, fieldsPerStruct: 2)
        buffers = try batch.longStructs(2, fieldsPerStruct: 2)
        variadicCounts = try batch.vector(4, elementSize: 8).map { (count, start) in
            (0..<count).map { i in (0..<8).reduce(Int64(0)) { $0 | Int64(bytes[start + 8 * i + $1]) << (8 * Int64($1)) } }
        } ?? []
        if let compression = try batch.table(3) {
            guard try compression.scalar(1, default: Int8(0)) == 0 else { throw Self.malformed("an unknown body compression method") }
            codec = try compression.scalar(0, default: Int8(0))
        } else {
            codec = nil
        }
    }

    static func malformed(_ what: String) -> ColumnarError { .malformed("Arrow IPC", what) }

    private mutating func nextBuffer() throws -> [UInt8] {
        guard bufferIndex < buffers.count else { throw Self.malformed("the batch has fewer buffers than its columns need") }
        let buffer = buffers[bufferIndex]
        bufferIndex += 1
        guard let relative = checkedRange(offset: buffer[0], length: buffer[1], limit: body.count) else {
            throw Self.malformed("a buffer lies outside the message body")
        }
        let range = (body.lowerBound + relative.lowerBound)..<(body.lowerBound + relative.upperBound)
        guard let codec, !range.isEmpty else { return Array(bytes[range]) }
        var cursor = ByteCursor(bytes, range: range, format: "Arrow IPC")
        let size = Int64(bitPattern: try cursor.littleEndian(UInt64.self))
        if size == -1 { return Array(bytes[cursor.position..<range.upperBound]) }
        guard size >= 0, size <= Int64(Self.bufferBytesMax) else {
            throw ColumnarError(.limitExceeded, "a compressed buffer claims \(size) bytes, over Strata's limit of \(Self.bufferBytesMax)",
                                fix: "write smaller record batches")
        }
        let compressed = cursor.position..<range.upperBound
        switch codec {
        case 0: return try LZ4.decompressFrame(bytes, range: compressed, size: Int(size))
        case 1: return try Zstd.decompress(bytes[compressed], size: Int(size))
        default:
            throw ColumnarError(.unsupported, "Arrow body compression codec \(codec) is not supported", fix: "write the file with lz4, zstd or no compression")
        }
    }

    /// The next field's column.
    mutating func column(_ field: ArrowFieldInfo, dictionaries: [Int64: ColumnarColumn]) throws -> ColumnarColumn {
        guard nodeIndex < nodes.count else { throw Self.malformed("the batch has fewer field nodes than the schema has columns") }
        let node = nodes[nodeIndex]
        nodeIndex += 1
        guard node[0] == Int64(rowCount), node[1] >= 0, node[1] <= node[0] else {
            throw Self.malformed("a field node of \(node[0]) rows and \(node[1]) nulls in a batch of \(rowCount) rows")
        }
        if field.layout == .null, field.dictionary == nil {
            var strings = ColumnarStrings()
            strings.offsets = [Int](repeating: 0, count: rowCount + 1)
            return ColumnarColumn(.string(strings), validity: [Bool](repeating: false, count: rowCount))
        }
        let validity = try decodeValidity(try nextBuffer(), nullCount: Int(node[1]))
        if let dictionary = field.dictionary {
            let indices = try ArrowValues.integers(try nextBuffer(), layout: dictionary.indexLayout, count: rowCount)
            guard let values = dictionaries[dictionary.id] else {
                throw Self.malformed("column `\(field.name)` uses dictionary \(dictionary.id), which was not sent before the batch")
            }
            return try ArrowValues.gather(values, indices: indices, validity: validity)
        }
        return ColumnarColumn(try values(field), validity: validity)
    }

    private mutating func values(_ field: ArrowFieldInfo) throws -> ColumnarColumn.Values {
        switch field.layout {
        case .null: return .string(ColumnarStrings())
        case .int(let width, let isSigned):
            return .int64(try ArrowValues.integers(try nextBuffer(), layout: .int(bitWidth: width, isSigned: isSigned), count: rowCount))
        case .float(let width): return .float64(try ArrowValues.floats(try nextBuffer(), width: width, count: rowCount))
        case .bool: return .bool(try ArrowValues.bits(try nextBuffer(), count: rowCount))
        case .timestamp(let perSecond):
            let raw = try ArrowValues.integers(try nextBuffer(), layout: .int(bitWidth: 64, isSigned: true), count: rowCount)
            return .int64(try ArrowValues.microseconds(raw, perSecond: perSecond))
        case .variableBinary(let offsetBytes, let isText):
            let offsets = try nextBuffer()
            return .string(try ArrowValues.strings(offsets: offsets, offsetBytes: offsetBytes, data: try nextBuffer(), count: rowCount, isText: isText))
        case .binaryView(let isText):
            let views = try nextBuffer()
            guard variadicIndex < variadicCounts.count, variadicCounts[variadicIndex] >= 0,
                  variadicCounts[variadicIndex] <= Int64(buffers.count - bufferIndex) else {
                throw Self.malformed("column `\(field.name)`: a view column without its data buffer count")
            }
            let count = Int(variadicCounts[variadicIndex])
            variadicIndex += 1
            var data: [[UInt8]] = []
            for _ in 0..<count { data.append(try nextBuffer()) }
            return .string(try ArrowValues.views(views, data: data, count: rowCount, isText: isText))
        }
    }

    private func decodeValidity(_ bitmap: [UInt8], nullCount: Int) throws -> [Bool]? {
        guard nullCount > 0 else { return nil }
        let validity = try ArrowValues.bits(bitmap, count: rowCount)
        guard validity.count(where: { !$0 }) == nullCount else { throw Self.malformed("the validity bitmap disagrees with the null count") }
        return validity
    }
}
