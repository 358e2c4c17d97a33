@testable import StrataColumnar
import StrataCore
import Testing

@Suite struct ArrowTests {
    static func write(_ batches: [ColumnarBatch], format: ArrowIPCFormat, batchRowsMax: Int = 65_536,
                      schema: ColumnarSchema = ColumnarSamples.schema) throws -> [UInt8] {
        var writer = try ArrowWriter(schema: schema, format: format, batchRowsMax: batchRowsMax)
        var bytes: [UInt8] = []
        for batch in batches { bytes += try writer.write(batch) }
        return bytes + (try writer.finish())
    }

    static func readAll(_ bytes: [UInt8]) throws -> (ArrowReader, [ColumnarBatch]) {
        var reader = try ArrowReader(bytes: bytes)
        var batches: [ColumnarBatch] = []
        while let batch = try reader.next() { batches.append(batch) }
        return (reader, batches)
    }

    @Test("file and stream round-trip every value; large batches are split at batchRowsMax")
    func roundTrip() throws {
        let batch = try ColumnarSamples.batch(rows: 2500, seed: 5)
        for format in [ArrowIPCFormat.file, .stream] {
            let (reader, batches) = try Self.readAll(try Self.write([batch], format: format, batchRowsMax: 1000))
            #expect(reader.format == format)
            #expect(reader.schema == ColumnarSamples.schema)
            #expect(batches.map(\.rowCount) == [1000, 1000, 500])
            #expect(ColumnarSamples.rows(batches) == ColumnarSamples.rows([batch]))
        }
    }

    @Test("a stream starts with the schema, writes one message per batch as it comes, and ends with the end-of-stream marker")
    func streamFraming() throws {
        var writer = try ArrowWriter(schema: ColumnarSamples.schema, format: .stream)
        let schemaMessage = writer.start()
        #expect(schemaMessage.prefix(4) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(schemaMessage.count % 8 == 0)
        let first = try writer.write(try ColumnarSamples.batch(rows: 10))
        #expect(first.count % 8 == 0 && first.prefix(4) == [0xFF, 0xFF, 0xFF, 0xFF])
        let end = try writer.finish()
        #expect(end == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        let (_, batches) = try Self.readAll(schemaMessage + first + end)
        #expect(batches.count == 1)
    }

    @Test("every message and buffer of a file starts 8-byte aligned, as the footer's blocks show")
    func alignment() throws {
        let bytes = try Self.write([try ColumnarSamples.batch(rows: 777)], format: .file, batchRowsMax: 100)
        #expect(Array(bytes.prefix(8)) == Array("ARROW1".utf8) + [0, 0])
        let footer = try ArrowFileFooter(bytes)
        #expect(footer.recordBatches.count == 8)
        for block in footer.recordBatches {
            #expect(block.offset % 8 == 0 && block.metadata % 8 == 0 && block.body % 8 == 0)
            let message = try ArrowMessageReader(bytes: bytes).message(atBlock: block)
            #expect(message.body.lowerBound % 8 == 0)
            for buffer in try message.header.longStructs(2, fieldsPerStruct: 2) { #expect(buffer[0] % 8 == 0) }
        }
    }

    @Test("the bytes are deterministic, and NaN and infinities become nulls")
    func deterministicAndNonFinite() throws {
        let batch = try ColumnarSamples.batch(rows: 300, seed: 2)
        #expect(try Self.write([batch], format: .file) == (try Self.write([batch], format: .file)))
        let schema = ColumnarSchema([ColumnarField(name: "x", type: .float64)])
        let floats = ColumnarBatch(rowCount: 4, columns: [ColumnarColumn(.float64([.nan, 2, .infinity, -.infinity]))])
        let (_, batches) = try Self.readAll(try Self.write([floats], format: .stream, schema: schema))
        #expect(ColumnarSamples.rows(batches).map { $0[0] } == [.null, .float(2), .null, .null])
    }

    @Test("an empty file and an empty stream keep their schema")
    func empty() throws {
        for format in [ArrowIPCFormat.file, .stream] {
            let (reader, batches) = try Self.readAll(try Self.write([], format: format))
            #expect(reader.schema == ColumnarSamples.schema)
            #expect(batches.isEmpty)
        }
    }

    @Test("a batch that does not match the schema is refused")
    func invalidBatch() throws {
        var writer = try ArrowWriter(schema: ColumnarSamples.schema, format: .stream)
        let wrong = ColumnarBatch(rowCount: 1, columns: [ColumnarColumn(.string(ColumnarStrings(["x"])))])
        #expect(throws: ColumnarError.self) { _ = try writer.write(wrong) }
    }
}
