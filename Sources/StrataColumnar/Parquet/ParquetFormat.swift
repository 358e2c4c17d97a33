import StrataCore

/// Numbers from `parquet.thrift` (apache/parquet-format) that the writer and reader use.
enum ParquetPhysicalType: Int32 {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
}

enum ParquetEncoding: Int32 {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5, deltaLengthByteArray = 6, deltaByteArray = 7
    case rleDictionary = 8, byteStreamSplit = 9
}

enum ParquetCodec: Int32 {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7
}

enum ParquetPageType: Int32 {
    case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3
}

enum ParquetConvertedType: Int32 {
    case utf8 = 0, timestampMillis = 9, timestampMicros = 10
}

/// How Parquet pages are compressed.
public struct ParquetCompression: Sendable, Hashable {
    let codec: ParquetCodec
    let level: Int32

    /// No compression.
    public static let uncompressed = ParquetCompression(codec: .uncompressed, level: 0)

    /// zstd at `level` (1 is fast; 3 is zstd's default). pyarrow, DuckDB, polars and Spark 3 read it.
    public static func zstd(level: Int32 = 1) -> ParquetCompression { ParquetCompression(codec: .zstd, level: level) }
}

/// Knobs of the Parquet writer. The defaults bound memory to one row group of about 128k rows.
public struct ParquetWriteOptions: Sendable {
    /// Page compression; zstd by default.
    public var compression: ParquetCompression = .zstd()
    /// A row group is written once it holds this many rows ...
    public var rowGroupRowsMax = 131_072
    /// ... or this many bytes of values, whichever comes first.
    public var rowGroupBytesMax = 64 << 20
    /// A data page holds at most this many rows ...
    public var pageRowsMax = 65_536
    /// ... and about this many bytes of values.
    public var pageBytesMax = 1 << 20
    /// A string column whose distinct values (per row group) take more bytes than this is written plain, not dictionary-encoded.
    public var dictionaryBytesMax = 1 << 20
    /// Statistics (min and max) of strings longer than this are left out, keeping the footer small.
    public var statisticsBytesMax = 4096
    /// The footer's `created_by`: fixed text, so equal data gives equal bytes.
    public var createdBy = "Strata version \(strataVersion)"

    /// The defaults: zstd level 1, 131,072-row row groups, 1 MiB pages and dictionaries.
    public init() {}
}
