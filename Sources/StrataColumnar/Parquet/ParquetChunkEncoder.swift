/// What the footer records about one written column chunk.
struct ParquetChunkMetadata {
    var name: String
    var physicalType: ParquetPhysicalType
    var encodings: [ParquetEncoding]
    var codec: ParquetCodec
    /// Rows, nulls included.
    var valueCount: Int64
    var uncompressedBytes: Int64
    var compressedBytes: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var nullCount: Int64
    var minMax: (min: [UInt8], max: [UInt8])?

    var startOffset: Int64 { dictionaryPageOffset ?? dataPageOffset }
}

/// Encodes a buffered column chunk as an optional dictionary page followed by data pages (v1), each compressed.
enum ParquetChunkEncoder {
    /// Appends the chunk to `out`; `fileOffset` is where `out`'s current end lies in the file.
    static func encode(_ buffer: ParquetColumnBuffer, fileOffset: Int64, options: ParquetWriteOptions, to out: inout [UInt8]) throws -> ParquetChunkMetadata {
        let start = out.count
        var indices: [UInt32] = []
        let dictionary = buffer.field.type == .string && buffer.valueCount > 0
            ? StringDictionary.build(buffer.packed.strings, bytesMax: options.dictionaryBytesMax, indices: &indices) : nil
        var metadata = ParquetChunkMetadata(
            name: buffer.field.name, physicalType: buffer.physicalType, encodings: [], codec: options.compression.codec,
            valueCount: Int64(buffer.rowCount), uncompressedBytes: 0, compressedBytes: 0, dataPageOffset: 0, dictionaryPageOffset: nil,
            nullCount: Int64(buffer.rowCount - buffer.valueCount),
            minMax: buffer.minMax(dictionary: dictionary, bytesMax: options.statisticsBytesMax))
        var body: [UInt8] = []
        if let dictionary {
            metadata.dictionaryPageOffset = fileOffset + Int64(out.count - start)
            body.reserveCapacity(dictionary.plainBytes)
            for range in dictionary.entries {
                body.appendLittleEndian(UInt32(range.count))
                body.append(contentsOf: buffer.packed.strings.bytes[range])
            }
            try appendPage(.dictionaryPage, body: body, valueCount: dictionary.entries.count, encoding: .plain,
                           options: options, metadata: &metadata, to: &out)
        }
        metadata.dataPageOffset = fileOffset + Int64(out.count - start)
        let bitWidth = max(1, RLEHybrid.bitWidth(forMax: (dictionary?.entries.count ?? 0) - 1))
        for page in pageRanges(buffer, options: options) {
            body.removeAll(keepingCapacity: true)
            appendLevels(buffer.levels[page.rows], to: &body)
            if dictionary != nil {
                body.append(UInt8(bitWidth))
                RLEHybrid.encode(indices[page.values], bitWidth: bitWidth, to: &body)
            } else {
                buffer.appendPlain(page.values, to: &body)
            }
            try appendPage(.dataPage, body: body, valueCount: page.rows.count, encoding: dictionary != nil ? .rleDictionary : .plain,
                           options: options, metadata: &metadata, to: &out)
        }
        metadata.encodings = dictionary != nil ? [.plain, .rle, .rleDictionary] : [.plain, .rle]
        return metadata
    }

    /// Definition levels of a v1 data page: a 4-byte length, then RLE / bit-packed runs of width 1.
    private static func appendLevels(_ levels: ArraySlice<UInt32>, to body: inout [UInt8]) {
        let lengthAt = body.count
        body.appendLittleEndian(UInt32(0))
        RLEHybrid.encode(levels, bitWidth: 1, to: &body)
        body.patchLittleEndian(UInt32(body.count - lengthAt - 4), at: lengthAt)
    }

    /// Row ranges of the data pages, with the range of non-null values each holds.
    static func pageRanges(_ buffer: ParquetColumnBuffer, options: ParquetWriteOptions) -> [(rows: Range<Int>, values: Range<Int>)] {
        var pages: [(rows: Range<Int>, values: Range<Int>)] = []
        var rowStart = 0, valueStart = 0, value = 0, bytes = 0
        let isString = buffer.field.type == .string
        for row in 0..<buffer.rowCount {
            if buffer.levels[row] == 1 {
                bytes += isString ? 4 + buffer.packed.strings.offsets[value + 1] - buffer.packed.strings.offsets[value] : 8
                value += 1
            }
            if row + 1 - rowStart >= options.pageRowsMax || bytes >= options.pageBytesMax {
                pages.append((rowStart..<(row + 1), valueStart..<value))
                rowStart = row + 1
                valueStart = value
                bytes = 0
            }
        }
        if rowStart < buffer.rowCount || pages.isEmpty { pages.append((rowStart..<buffer.rowCount, valueStart..<value)) }
        return pages
    }

    private static func appendPage(_ type: ParquetPageType, body: [UInt8], valueCount: Int, encoding: ParquetEncoding,
                                   options: ParquetWriteOptions, metadata: inout ParquetChunkMetadata, to out: inout [UInt8]) throws {
        let compressed = options.compression.codec == .zstd ? try Zstd.compress(body, level: options.compression.level) : body
        guard let uncompressedSize = Int32(exactly: body.count), let compressedSize = Int32(exactly: compressed.count),
              let values = Int32(exactly: valueCount) else {
            throw ColumnarError(.limitExceeded, "column `\(metadata.name)`: a page of \(body.count) bytes exceeds Parquet's 2 GiB page limit",
                                fix: "write smaller strings, or lower ParquetWriteOptions.pageBytesMax")
        }
        var header = ThriftWriter()
        header.writeStruct { w in
            w.i32(1, type.rawValue)
            w.i32(2, uncompressedSize)
            w.i32(3, compressedSize)
            if type == .dictionaryPage {
                w.structure(7) { d in
                    d.i32(1, values)
                    d.i32(2, encoding.rawValue)
                }
            } else {
                w.structure(5) { d in
                    d.i32(1, values)
                    d.i32(2, encoding.rawValue)
                    d.i32(3, ParquetEncoding.rle.rawValue)
                    d.i32(4, ParquetEncoding.rle.rawValue)
                }
            }
        }
        out.append(contentsOf: header.bytes)
        out.append(contentsOf: compressed)
        metadata.uncompressedBytes += Int64(header.bytes.count + body.count)
        metadata.compressedBytes += Int64(header.bytes.count + compressed.count)
    }
}
