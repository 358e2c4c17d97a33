/// Reads the pages of one column chunk: dictionary page, data pages v1 and v2, each decompressed and decoded.
enum ParquetPageReader {
    /// The largest page Strata decompresses; a header claiming more is refused before allocating.
    static let pageBytesMax = 256 << 20

    static func readChunk(_ bytes: [UInt8], chunk: ParquetChunkInfo, leaf: ParquetLeaf) throws -> ColumnarColumn {
        var column = ParquetColumnAccumulator(leaf: leaf)
        var cursor = ByteCursor(bytes, range: chunk.range, format: "Parquet")
        column.defined.reserveCapacity(Int(min(chunk.valueCount, 1 << 20)))
        var pageIndex = 0
        while column.defined.count < chunk.valueCount {
            guard cursor.remaining > 0 else {
                throw ColumnarError.malformed("Parquet", "the chunk ends after \(column.defined.count) of \(chunk.valueCount) values")
            }
            try withContext("page \(pageIndex)") { try readPage(&cursor, chunk: chunk, into: &column) }
            pageIndex += 1
        }
        guard column.defined.count == chunk.valueCount else {
            throw ColumnarError.malformed("Parquet", "the pages hold \(column.defined.count) values, the chunk \(chunk.valueCount)")
        }
        return try column.column()
    }

    private static func readPage(_ cursor: inout ByteCursor, chunk: ParquetChunkInfo, into column: inout ParquetColumnAccumulator) throws {
        var reader = ThriftReader(cursor.bytes, range: cursor.position..<cursor.end)
        let header = try reader.readStruct()
        try cursor.skip(reader.position - cursor.position, "a page header")
        guard let type = header.int(1), let uncompressedSize = header.int(2), let compressedSize = header.int(3),
              uncompressedSize >= 0, compressedSize >= 0 else {
            throw ColumnarError.malformed("Parquet", "a page header lacks its type or sizes")
        }
        guard uncompressedSize <= pageBytesMax else {
            throw ColumnarError(.limitExceeded, "a page of \(uncompressedSize) bytes exceeds Strata's page limit of \(pageBytesMax) bytes",
                                fix: "write the file with smaller pages (pyarrow: `data_page_size`)")
        }
        let page = try cursor.take(Int(compressedSize), "a page")
        switch type {
        case Int64(ParquetPageType.dictionaryPage.rawValue):
            guard let info = header.structure(7), let count = info.int(1), count >= 0, count <= Int64(uncompressedSize) * 8 + 1 else {
                throw ColumnarError.malformed("Parquet", "a dictionary page header is incomplete")
            }
            let data = try decompress(cursor.bytes, page, codec: chunk.codec, size: Int(uncompressedSize))
            var values = ByteCursor(data, format: "Parquet")
            var dictionary = ParquetColumnAccumulator(leaf: column.leaf)
            try dictionary.appendPlain(&values, count: Int(count))
            column.dictionary = dictionary.packed.storage
        case Int64(ParquetPageType.dataPage.rawValue):
            guard let info = header.structure(5) else { throw ColumnarError.malformed("Parquet", "a data page has no data page header") }
            let data = try decompress(cursor.bytes, page, codec: chunk.codec, size: Int(uncompressedSize))
            var values = ByteCursor(data, format: "Parquet")
            let count = try valueCount(info.int(1), column, chunk: chunk)
            if column.leaf.isOptional {
                guard info.int(3) == Int64(ParquetEncoding.rle.rawValue) else {
                    throw ColumnarError(.unsupported, "definition levels use encoding \(info.int(3) ?? -1), not RLE", fix: "write the file with a current Parquet writer")
                }
                let length = Int(try values.littleEndian(UInt32.self))
                var levels = ByteCursor(data, range: try values.take(length, "definition levels"), format: "Parquet")
                try appendLevels(&levels, count: count, into: &column)
            } else {
                column.defined.append(contentsOf: repeatElement(true, count: count))
            }
            try ParquetValueDecoder.decode(&values, encoding: info.int(2), count: definedIn(column, last: count), into: &column)
        case Int64(ParquetPageType.dataPageV2.rawValue):
            try readPageV2(header, cursor.bytes, page, chunk: chunk, uncompressedSize: Int(uncompressedSize), into: &column)
        default:
            return  // index pages and unknown pages carry no values
        }
    }

    private static func readPageV2(_ header: ThriftStruct, _ bytes: [UInt8], _ page: Range<Int>, chunk: ParquetChunkInfo, uncompressedSize: Int,
                                   into column: inout ParquetColumnAccumulator) throws {
        guard let info = header.structure(8), let repLength = info.int(6), let defLength = info.int(5), repLength >= 0, defLength >= 0,
              repLength + defLength <= Int64(page.count), repLength + defLength <= Int64(uncompressedSize) else {
            throw ColumnarError.malformed("Parquet", "a v2 data page header is incomplete or inconsistent")
        }
        let count = try valueCount(info.int(1), column, chunk: chunk)
        let levelsEnd = page.lowerBound + Int(repLength + defLength)
        if column.leaf.isOptional {
            var levels = ByteCursor(bytes, range: (page.lowerBound + Int(repLength))..<levelsEnd, format: "Parquet")
            try appendLevels(&levels, count: count, into: &column)
        } else {
            column.defined.append(contentsOf: repeatElement(true, count: count))
        }
        let valuesSize = uncompressedSize - Int(repLength + defLength)
        let data = info.bool(7) ?? true
            ? try decompress(bytes, levelsEnd..<page.upperBound, codec: chunk.codec, size: valuesSize)
            : Array(bytes[levelsEnd..<page.upperBound])
        var values = ByteCursor(data, format: "Parquet")
        try ParquetValueDecoder.decode(&values, encoding: info.int(4), count: definedIn(column, last: count), into: &column)
    }

    /// A data page's value count, which must fit in what remains of the chunk.
    private static func valueCount(_ raw: Int64?, _ column: ParquetColumnAccumulator, chunk: ParquetChunkInfo) throws -> Int {
        guard let raw, raw >= 0, raw <= chunk.valueCount - Int64(column.defined.count) else {
            throw ColumnarError.malformed("Parquet", "a data page's value count \(raw ?? -1) exceeds what remains of its chunk")
        }
        return Int(raw)
    }

    private static func appendLevels(_ levels: inout ByteCursor, count: Int, into column: inout ParquetColumnAccumulator) throws {
        var decoded: [UInt32] = []
        try RLEHybrid.decode(&levels, bitWidth: 1, count: count, into: &decoded)
        column.defined.append(contentsOf: decoded.lazy.map { $0 == 1 })
    }

    /// How many of the last `count` rows have a value.
    private static func definedIn(_ column: ParquetColumnAccumulator, last count: Int) -> Int {
        column.defined[(column.defined.count - count)...].count { $0 }
    }

    static func decompress(_ bytes: [UInt8], _ range: Range<Int>, codec: Int32, size: Int) throws -> [UInt8] {
        switch ParquetCodec(rawValue: codec) {
        case .uncompressed:
            guard range.count == size else { throw ColumnarError.malformed("Parquet", "an uncompressed page's sizes disagree") }
            return Array(bytes[range])
        case .snappy: return try Snappy.decompress(bytes[range], size: size)
        case .gzip: return try Gzip.decompress(bytes[range], size: size)
        case .zstd: return try Zstd.decompress(bytes[range], size: size)
        case .lz4Raw: return try LZ4.decompressRaw(bytes, range: range, size: size)
        case .lzo, .brotli, .lz4, nil:
            let name = ParquetCodec(rawValue: codec).map { "\($0)".uppercased() } ?? "number \(codec)"
            throw ColumnarError(.unsupported, "the Parquet codec \(name) is not supported",
                                fix: "write the file with compression zstd, snappy, gzip, lz4_raw or none (pandas: `df.to_parquet(path, compression=\"zstd\")`)")
        }
    }
}
