/// Reads a Parquet file held in memory, row group by row group, into Strata's types.
///
/// Flat columns of BOOLEAN, INT32/INT64 (any width, signed or not, and TIMESTAMP in ms/µs/ns, with or without a
/// time zone: all become UTC microseconds), legacy INT96 timestamps, FLOAT/DOUBLE and BYTE_ARRAY text; PLAIN,
/// dictionary, RLE, DELTA and BYTE_STREAM_SPLIT encodings; data pages v1 and v2; uncompressed, snappy, gzip, zstd
/// and LZ4_RAW pages. Anything else, and any malformed byte, is a `ColumnarError` naming the column and row group.
public struct ParquetReader: Sendable {
    /// The columns, mapped to Strata's types.
    public let schema: ColumnarSchema
    /// Rows in the whole file.
    public let rowCount: Int
    private let bytes: [UInt8]
    private let metadata: ParquetFileMetadata

    /// Parses and checks the footer; pages are read by `readRowGroup`.
    /// - Parameter rowsMax: a file claiming more rows is refused before any page is decoded, so a hostile footer
    ///   cannot make the reader allocate without bound.
    public init(bytes: [UInt8], rowsMax: Int = 100_000_000) throws {
        self.bytes = bytes
        metadata = try ParquetFileMetadata.decode(bytes)
        rowCount = metadata.rowCount
        guard rowCount <= rowsMax else {
            throw ColumnarError(.limitExceeded, "the Parquet file holds \(rowCount) rows, more than the limit of \(rowsMax)",
                                fix: "split the file into smaller ones")
        }
        schema = ColumnarSchema(metadata.leaves.map { ColumnarField(name: $0.name, type: $0.type, isNullable: true) })
    }

    /// The row groups, each read whole by `readRowGroup`.
    public var rowGroupCount: Int { metadata.rowGroups.count }

    /// The rows of row group `index`.
    public func readRowGroup(_ index: Int) throws -> ColumnarBatch {
        let group = metadata.rowGroups[index]
        var columns: [ColumnarColumn] = []
        for (chunk, leaf) in zip(group.chunks, metadata.leaves) {
            columns.append(try withContext("column `\(leaf.name)`, row group \(index)") {
                try ParquetPageReader.readChunk(bytes, chunk: chunk, leaf: leaf)
            })
        }
        return ColumnarBatch(rowCount: group.rowCount, columns: columns)
    }
}
