@testable import StrataColumnar
import StrataCore
import Testing

@Suite struct ParquetTests {
    static func write(_ batches: [ColumnarBatch], schema: ColumnarSchema = ColumnarSamples.schema, options: ParquetWriteOptions = ParquetWriteOptions()) throws -> (bytes: [UInt8], writer: ParquetWriter) {
        var writer = try ParquetWriter(schema: schema, options: options)
        var bytes: [UInt8] = []
        for batch in batches { bytes += try writer.write(batch) }
        bytes += try writer.finish()
        return (bytes, writer)
    }

    static func readAll(_ bytes: [UInt8]) throws -> (ParquetReader, [ColumnarBatch]) {
        let reader = try ParquetReader(bytes: bytes)
        return (reader, try (0..<reader.rowGroupCount).map { try reader.readRowGroup($0) })
    }

    static func smallGroups(compression: ParquetCompression = .zstd()) -> ParquetWriteOptions {
        var options = ParquetWriteOptions()
        options.rowGroupRowsMax = 1000
        options.pageRowsMax = 300
        options.compression = compression
        return options
    }

    @Test("every value round-trips through our writer and reader, over many row groups and pages, compressed or not")
    func roundTrip() throws {
        let batch = try ColumnarSamples.batch(rows: 4321, seed: 3)
        for compression in [ParquetCompression.zstd(), .uncompressed] {
            let (bytes, _) = try Self.write([batch], options: Self.smallGroups(compression: compression))
            let (reader, batches) = try Self.readAll(bytes)
            #expect(reader.schema == ColumnarSamples.schema)
            #expect(reader.rowCount == 4321)
            #expect(reader.rowGroupCount == 5)
            #expect(ColumnarSamples.rows(batches) == ColumnarSamples.rows([batch]))
        }
    }

    @Test("row groups follow row counts, not batch boundaries: a file streams out while it is written, memory bounded")
    func boundedRowGroups() throws {
        let batches = try (0..<10).map { try ColumnarSamples.batch(rows: 1000, seed: UInt64($0)) }
        var writer = try ParquetWriter(schema: ColumnarSamples.schema, options: Self.smallGroups())
        var emittedBeforeFinish = 0
        for (index, batch) in batches.enumerated() {
            let bytes = try writer.write(batch)
            emittedBeforeFinish += bytes.count
            #expect(writer.rowGroupCount == index + 1, "a full row group is written as soon as it fills")
        }
        #expect(emittedBeforeFinish > 0)
        #expect(writer.rowGroupCount == 10)
        let oneBatch = ColumnarBatch(rowCount: 10_000, columns: ColumnarSamples.schema.fields.indices.map { index in
            ColumnarColumn.concatenate(batches.map { $0.columns[index] }, type: ColumnarSamples.schema.fields[index].type)
        })
        let (bytes, single) = try Self.write([oneBatch], options: Self.smallGroups())
        #expect(single.rowGroupCount == 10)
        let (streamed, _) = try Self.write(batches, options: Self.smallGroups())
        #expect(bytes == streamed, "the same rows give the same bytes however they are batched")
    }

    @Test("the bytes are deterministic and depend only on the data")
    func deterministic() throws {
        let batch = try ColumnarSamples.batch(rows: 2000, seed: 9)
        let first = try Self.write([batch]).bytes
        #expect(try Self.write([batch]).bytes == first)
        #expect(try Self.write([try ColumnarSamples.batch(rows: 2000, seed: 10)]).bytes != first)
    }

    @Test("NaN and infinities are written as nulls")
    func nonFiniteBecomesNull() throws {
        let schema = ColumnarSchema([ColumnarField(name: "x", type: .float64)])
        let batch = ColumnarBatch(rowCount: 5, columns: [ColumnarColumn(.float64([1.5, .nan, .infinity, -.infinity, -0.0]))])
        let (_, batches) = try Self.readAll(try Self.write([batch], schema: schema).bytes)
        #expect(ColumnarSamples.rows(batches).map { $0[0] } == [.float(1.5), .null, .null, .null, .float(-0.0)])
    }

    @Test("strings use a dictionary until it grows past the limit, then plain encoding; both read back")
    func dictionaryFallback() throws {
        let batch = try ColumnarSamples.batch(rows: 3000, seed: 4)
        var plain = ParquetWriteOptions()
        plain.dictionaryBytesMax = 16
        for options in [ParquetWriteOptions(), plain] {
            let bytes = try Self.write([batch], options: options).bytes
            let chunk = try Self.footerChunk(bytes, column: 3)
            #expect((chunk.int(11) != nil) == (options.dictionaryBytesMax > 16), "dictionary_page_offset")
            #expect(ColumnarSamples.rows(try Self.readAll(bytes).1) == ColumnarSamples.rows([batch]))
        }
    }

    @Test("statistics: null count, and min and max in byte order for strings, signed order for integers")
    func statistics() throws {
        let schema = ColumnarSchema([ColumnarField(name: "s", type: .string), ColumnarField(name: "i", type: .int64)])
        let batch = ColumnarBatch(rowCount: 5, columns: [
            ColumnarColumn(.string(ColumnarStrings(["b", "é", "", "Z", "a"])), validity: [true, true, true, true, false]),
            ColumnarColumn(.int64([3, -7, Int64.max, 0, 0]), validity: [true, true, true, true, false]),
        ])
        let bytes = try Self.write([batch], schema: schema).bytes
        let strings = try #require(try Self.footerChunk(bytes, column: 0).structure(12))
        #expect(strings.int(3) == 1)
        #expect(strings.binary(6).map { Array(bytes[$0]) } == [])
        #expect(strings.binary(5).map { Array(bytes[$0]) } == Array("é".utf8))
        let ints = try #require(try Self.footerChunk(bytes, column: 1).structure(12))
        var expectedMin: [UInt8] = [], expectedMax: [UInt8] = []
        expectedMin.appendLittleEndian(Int64(-7))
        expectedMax.appendLittleEndian(Int64.max)
        #expect(ints.binary(6).map { Array(bytes[$0]) } == expectedMin)
        #expect(ints.binary(5).map { Array(bytes[$0]) } == expectedMax)
    }

    @Test("a column that is null in every row reads back, with no statistics beyond its null count")
    func allNullColumns() throws {
        let columns = ColumnarSamples.schema.fields.map { field -> ColumnarColumn in
            var builder = ColumnarColumnBuilder(type: field.type)
            for _ in 0..<300 { builder.appendNull() }
            return builder.finish()
        }
        let batch = ColumnarBatch(rowCount: 300, columns: columns)
        let bytes = try Self.write([batch]).bytes
        #expect(ColumnarSamples.rows(try Self.readAll(bytes).1) == ColumnarSamples.rows([batch]))
        let statistics = try #require(try Self.footerChunk(bytes, column: 3).structure(12))
        #expect(statistics.int(3) == 300 && statistics.binary(5) == nil && statistics.binary(6) == nil)
    }

    @Test("an empty file keeps its schema and reads back as zero rows")
    func emptyFile() throws {
        let (reader, batches) = try Self.readAll(try Self.write([]).bytes)
        #expect(reader.schema == ColumnarSamples.schema)
        #expect(reader.rowCount == 0)
        #expect(batches.isEmpty)
    }

    /// `ColumnMetaData` of `column` in the first row group, decoded from the footer.
    static func footerChunk(_ bytes: [UInt8], column: Int) throws -> ThriftStruct {
        let length = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8 | Int(bytes[bytes.count - 6]) << 16
        var reader = ThriftReader(bytes, range: (bytes.count - 8 - length)..<(bytes.count - 8))
        let file = try reader.readStruct()
        guard case .structure(let group) = file.list(4)?.first, case .structure(let chunk) = group.list(1)?[column],
              let metadata = chunk.structure(3) else { throw ColumnarError(.malformed, "no chunk") }
        return metadata
    }
}
