/// Writes a Parquet file batch by batch: batches in, bytes out, memory bounded by one row group.
///
/// Every column is OPTIONAL (nulls through definition levels); int64 → INT64, float64 → DOUBLE, bool → BOOLEAN,
/// string → BYTE_ARRAY (STRING, dictionary-encoded unless the dictionary grows too large), timestamp → INT64
/// TIMESTAMP(isAdjustedToUTC=true, MICROS). NaN and ±infinity are written as null. The bytes depend only on the data and
/// the options (no clock, no random id), so equal input gives an equal file.
///
/// ```swift
/// var writer = try ParquetWriter(schema: schema)
/// for batch in batches { try sink.write(try writer.write(batch)) }
/// try sink.write(try writer.finish())
/// ```
public struct ParquetWriter: Sendable {
    public let schema: ColumnarSchema
    public let options: ParquetWriteOptions
    private var buffers: [ParquetColumnBuffer]
    /// Bytes handed out so far: the file offset of the next byte.
    private var offset: Int64 = 0
    private var rowGroups: [ParquetRowGroupMetadata] = []
    private var isFinished = false

    /// A writer for `schema`; nothing is encoded until `write` or `finish`.
    /// - Throws: `ColumnarError` for an empty schema or non-positive limits.
    public init(schema: ColumnarSchema, options: ParquetWriteOptions = ParquetWriteOptions()) throws {
        guard !schema.fields.isEmpty else {
            throw ColumnarError(.invalidBatch, "a Parquet file needs at least one column", fix: "pass a schema with one field or more")
        }
        guard options.rowGroupRowsMax > 0, options.pageRowsMax > 0, options.rowGroupBytesMax > 0, options.pageBytesMax > 0 else {
            throw ColumnarError(.invalidBatch, "Parquet row group and page limits must be positive", fix: "set positive ParquetWriteOptions limits")
        }
        self.schema = schema
        self.options = options
        buffers = schema.fields.map { ParquetColumnBuffer(field: $0) }
    }

    /// The row groups written so far.
    public var rowGroupCount: Int { rowGroups.count }

    /// Adds the rows of `batch` and returns the bytes to append to the file: the magic number on the first call, and
    /// every row group that filled up. Usually empty: rows wait in memory until a row group is full.
    public mutating func write(_ batch: ColumnarBatch) throws -> [UInt8] {
        guard !isFinished else { throw ColumnarError(.invalidBatch, "the Parquet writer is already finished", fix: "start a new writer") }
        try batch.validate(against: schema)
        let columns = batch.columns.map { $0.nullingNonFinite() }
        var out = header()
        var row = 0
        // Slices of at most 4096 rows, so a row group never overshoots its byte limit by much.
        while row < batch.rowCount {
            let room = options.rowGroupRowsMax - (buffers.first?.rowCount ?? 0)
            let take = min(batch.rowCount - row, room, 4096)
            for i in buffers.indices { buffers[i].append(columns[i], range: row..<(row + take)) }
            row += take
            if take == room || buffers.reduce(0, { $0 + $1.plainBytes }) >= options.rowGroupBytesMax {
                try flushRowGroup(to: &out)
            }
        }
        offset += Int64(out.count)
        return out
    }

    /// Writes the last row group and the footer; returns the final bytes of the file.
    public mutating func finish() throws -> [UInt8] {
        guard !isFinished else { throw ColumnarError(.invalidBatch, "the Parquet writer is already finished", fix: "start a new writer") }
        isFinished = true
        var out = header()
        if let first = buffers.first, first.rowCount > 0 { try flushRowGroup(to: &out) }
        let footer = ParquetFooter.encode(schema: schema, rowGroups: rowGroups, options: options)
        out.append(contentsOf: footer)
        out.appendLittleEndian(UInt32(footer.count))
        out.append(contentsOf: Self.magic)
        offset += Int64(out.count)
        return out
    }

    static let magic: [UInt8] = Array("PAR1".utf8)

    private func header() -> [UInt8] { offset == 0 ? Self.magic : [] }

    private mutating func flushRowGroup(to out: inout [UInt8]) throws {
        var chunks: [ParquetChunkMetadata] = []
        for i in buffers.indices {
            let chunk = try withContext("column `\(buffers[i].field.name)`") {
                try ParquetChunkEncoder.encode(buffers[i], fileOffset: offset + Int64(out.count), options: options, to: &out)
            }
            chunks.append(chunk)
        }
        rowGroups.append(ParquetRowGroupMetadata(chunks: chunks, rowCount: Int64(buffers.first?.rowCount ?? 0), ordinal: rowGroups.count))
        for i in buffers.indices { buffers[i].removeAll() }
    }
}
