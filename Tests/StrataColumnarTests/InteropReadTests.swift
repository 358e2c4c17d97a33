import StrataColumnar
import StrataCore
import StrataTestSupport
import Testing

/// Files written by pyarrow and polars (snappy, gzip, data page v2, DELTA and BYTE_STREAM_SPLIT Parquet; LZ4 and zstd Arrow bodies; dictionaries;
/// string views; int32, float32 and nanosecond timestamps with a time zone) read into Strata's types.
@Suite struct InteropReadTests {
    static let expected: [String: [Value]] = [
        "k": [.int(1), .int(2), .null, .int(4), .int(5), .int(6)],
        // Nanoseconds round down to microseconds; the zone does not change the instant.
        "t": [.int(0), .int(1_000_000), .int(2_000_000), .null, .int(-2), .int(86_400_000_000)],
        "c": [.string("a"), .string("b"), .string("a"), .null, .string("é"), .string("a")],
        "f": [.float(0.5), .null, .float(-2.25), .float(Double(Float(1e30))), .float(3), .float(0)],
        "b": [.bool(true), .bool(false), .null, .bool(true), .bool(true), .bool(false)],
        "s": [.string("x"), .string(""), .null, .string("long string over twelve bytes"), .string("z"), .string("y")],
    ]

    static let files: [(name: String, bytes: [UInt8])] = [
        ("parquet snappy", InteropFixtures.parquetSnappy), ("parquet gzip v2", InteropFixtures.parquetGzipV2),
        ("feather lz4", InteropFixtures.featherLZ4), ("stream zstd", InteropFixtures.streamZstd), ("polars views", InteropFixtures.polarsViews),
        ("parquet delta and byte stream split", InteropFixtures.parquetDelta), ("parquet delta length", InteropFixtures.parquetDeltaLength),
    ]

    static func read(_ bytes: [UInt8]) throws -> (ColumnarSchema, [ColumnarBatch]) {
        if bytes.starts(with: Array("PAR1".utf8)) {
            let reader = try ParquetReader(bytes: bytes)
            return (reader.schema, try (0..<reader.rowGroupCount).map { try reader.readRowGroup($0) })
        }
        var reader = try ArrowReader(bytes: bytes)
        var batches: [ColumnarBatch] = []
        while let batch = try reader.next() { batches.append(batch) }
        return (reader.schema, batches)
    }

    @Test("files from pyarrow and polars read into Strata's types, value for value", arguments: files.map(\.name))
    func readsValues(name: String) throws {
        let bytes = try #require(Self.files.first { $0.name == name }?.bytes)
        #expect(!bytes.isEmpty)
        let (schema, batches) = try Self.read(bytes)
        let types: [String: ValueType] = ["k": .int64, "t": .timestamp, "c": .string, "f": .float64, "b": .bool, "s": .string]
        #expect(schema.fields.count >= 5)
        let rows = ColumnarSamples.rows(batches)
        #expect(rows.count == 6)
        for (index, field) in schema.fields.enumerated() {
            #expect(field.type == types[field.name], "\(name): column \(field.name)")
            #expect(rows.map { $0[index] } == Self.expected[field.name], "\(name): column \(field.name)")
        }
    }

    @Test("REQUIRED Parquet columns, which have no definition levels, read back")
    func requiredColumns() throws {
        let (schema, batches) = try Self.read(InteropFixtures.parquetRequired)
        #expect(schema.fields.map(\.type) == [.int64, .string])
        #expect(ColumnarSamples.rows(batches) == [[.int(7), .string("a")], [.int(-8), .string("")], [.int(9), .string("ü")]])
    }

    @Test("corrupted copies of the pyarrow and polars files read or are refused cleanly")
    func corruptions() {
        var random = SeededGenerator(seed: propertyTestSeed("columnar interop corruptions"))
        for file in Self.files {
            for _ in 0..<300 {
                var bytes = file.bytes
                let at = Int.random(in: 0..<bytes.count, using: &random)
                bytes[at] = UInt8.random(in: 0...255, using: &random)
                ReaderFuzzTests.expectNoCrash(bytes) { _ = try Self.read($0) }
            }
            for length in 0..<file.bytes.count { ReaderFuzzTests.expectNoCrash(Array(file.bytes.prefix(length))) { _ = try Self.read($0) } }
        }
    }
}
