/// The two Arrow IPC framings.
public enum ArrowIPCFormat: Sendable {
    /// The random-access file format (Feather v2): `ARROW1`, the stream, a footer indexing the batches, `ARROW1`.
    case file
    /// The streaming format (`application/vnd.apache.arrow.stream`): schema, batches, end-of-stream marker.
    case stream
}

/// Writes Arrow IPC batch by batch: batches in, bytes out, one record batch message per call (split when larger than
/// `batchRowsMax`). Int64, float64 (`double`), bool, UTF-8 strings (`utf8`) and timestamps (`timestamp[us, tz=UTC]`);
/// nulls through validity bitmaps, NaN and ±infinity written as null; buffers 8-byte aligned; no compression, so readers
/// can memory-map the file. Equal input gives equal bytes.
///
/// ```swift
/// var writer = try ArrowWriter(schema: schema, format: .stream)
/// for batch in batches { try await body.write(try writer.write(batch)) }
/// try await body.write(try writer.finish())
/// ```
public struct ArrowWriter: Sendable {
    public let schema: ColumnarSchema
    public let format: ArrowIPCFormat
    /// Larger batches are split into record batches of at most this many rows.
    public let batchRowsMax: Int
    private var offset: Int64 = 0
    /// Where each record batch message lies, for the file footer: offset, metadata length, body length.
    private var blocks: [(offset: Int64, metadata: Int32, body: Int64)] = []
    private var isFinished = false
    private var hasStarted = false

    /// A writer for `schema` in `format`; nothing is encoded until `start`, `write` or `finish`.
    public init(schema: ColumnarSchema, format: ArrowIPCFormat, batchRowsMax: Int = 65_536) throws {
        guard batchRowsMax > 0 else {
            throw ColumnarError(.invalidBatch, "batchRowsMax must be positive, got \(batchRowsMax)", fix: "pass a positive batchRowsMax")
        }
        self.schema = schema
        self.format = format
        self.batchRowsMax = batchRowsMax
    }

    /// The record batches written so far.
    public var batchCount: Int { blocks.count }

    /// The schema message (after the file magic, for the file format). Included in the first `write` or `finish`
    /// automatically; call it to send the schema before any batch exists.
    public mutating func start() -> [UInt8] {
        let out = preamble()
        offset += Int64(out.count)
        return out
    }

    private mutating func preamble() -> [UInt8] {
        guard !hasStarted else { return [] }
        hasStarted = true
        var out: [UInt8] = format == .file ? ArrowFormat.fileMagic + [0, 0] : []
        let metadata = ArrowMessages.message(headerType: ArrowFormat.headerSchema, header: ArrowMessages.schemaTable(schema), bodyLength: 0)
        _ = ArrowMessages.encapsulate(metadata, to: &out)
        return out
    }

    /// Encodes the rows of `batch` as record batch messages.
    public mutating func write(_ batch: ColumnarBatch) throws -> [UInt8] {
        guard !isFinished else { throw ColumnarError(.invalidBatch, "the Arrow writer is already finished", fix: "start a new writer") }
        try batch.validate(against: schema)
        var out = preamble()
        let columns = batch.columns.map { $0.nullingNonFinite() }
        var row = 0
        repeat {
            let take = min(batch.rowCount - row, batchRowsMax)
            let part = take == batch.rowCount ? ColumnarBatch(rowCount: take, columns: columns)
                : ColumnarBatch(rowCount: take, columns: columns.map { $0.slice(row..<(row + take)) })
            let (header, body) = try ArrowMessages.recordBatch(part, schema: schema)
            let metadata = ArrowMessages.message(headerType: ArrowFormat.headerRecordBatch, header: header, bodyLength: Int64(body.count))
            let messageStart = offset + Int64(out.count)
            let metadataLength = ArrowMessages.encapsulate(metadata, to: &out)
            out.append(contentsOf: body)
            blocks.append((messageStart, Int32(metadataLength), Int64(body.count)))
            row += take
        } while row < batch.rowCount
        offset += Int64(out.count)
        return out
    }

    /// Ends the stream (end-of-stream marker) or the file (marker, footer, magic); returns the final bytes.
    public mutating func finish() throws -> [UInt8] {
        guard !isFinished else { throw ColumnarError(.invalidBatch, "the Arrow writer is already finished", fix: "start a new writer") }
        isFinished = true
        var out = preamble()
        out.appendLittleEndian(ArrowFormat.continuation)
        out.appendLittleEndian(UInt32(0))
        guard format == .file else { return out }
        var blockBytes: [UInt8] = []
        for block in blocks {
            blockBytes.appendLittleEndian(block.offset)
            blockBytes.appendLittleEndian(block.metadata)
            blockBytes.appendLittleEndian(UInt32(0))  // padding inside the Block struct
            blockBytes.appendLittleEndian(block.body)
        }
        var footer = FlatTable()
        footer.set(0, short: ArrowFormat.metadataVersionV5)
        footer.set(1, .table(ArrowMessages.schemaTable(schema)))
        footer.set(2, .structs([], count: 0))
        footer.set(3, .structs(blockBytes, count: blocks.count))
        let footerBytes = FlatBufferSerializer.serialize(footer)
        out.append(contentsOf: footerBytes)
        out.appendLittleEndian(Int32(footerBytes.count))
        out.append(contentsOf: ArrowFormat.fileMagic)
        return out
    }
}
