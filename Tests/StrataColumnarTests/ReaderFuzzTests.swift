import StrataColumnar
import StrataCore
import StrataTestSupport
import Testing

/// The readers face files from users: random, truncated and corrupted bytes must give a `ColumnarError`, never a crash.
@Suite struct ReaderFuzzTests {
    static func readParquet(_ bytes: [UInt8]) throws {
        let reader = try ParquetReader(bytes: bytes)
        for index in 0..<reader.rowGroupCount { _ = try reader.readRowGroup(index) }
    }

    static func readArrow(_ bytes: [UInt8]) throws {
        var reader = try ArrowReader(bytes: bytes)
        while try reader.next() != nil {}
    }

    /// Runs `read` and accepts success or a `ColumnarError`; any other error fails the test.
    /// Input that is not a whole file must be refused with a `ColumnarError`: reading it successfully is a defect too.
    static func expectRefused(_ bytes: [UInt8], _ read: ([UInt8]) throws -> Void, _ what: String) {
        do {
            try read(bytes)
            Issue.record("\(what) (\(bytes.count) bytes) was read as if it were a whole file")
        } catch is ColumnarError {
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    static func expectNoCrash(_ bytes: [UInt8], _ read: ([UInt8]) throws -> Void) {
        do {
            try read(bytes)
        } catch is ColumnarError {
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    static func validFiles() throws -> [(name: String, bytes: [UInt8], read: ([UInt8]) throws -> Void)] {
        let batch = try ColumnarSamples.batch(rows: 600, seed: 11)
        var uncompressed = ParquetTests.smallGroups(compression: .uncompressed)
        uncompressed.rowGroupRowsMax = 250
        return [
            ("parquet zstd", try ParquetTests.write([batch], options: ParquetTests.smallGroups()).bytes, readParquet),
            ("parquet plain", try ParquetTests.write([batch], options: uncompressed).bytes, readParquet),
            ("arrow file", try ArrowTests.write([batch], format: .file, batchRowsMax: 200), readArrow),
            ("arrow stream", try ArrowTests.write([batch], format: .stream, batchRowsMax: 200), readArrow),
        ]
    }

    @Test("random bytes, with and without the formats' magic numbers, are refused cleanly")
    func randomBytes() {
        var random = SeededGenerator(seed: propertyTestSeed("columnar random bytes"))
        for _ in 0..<400 {
            var bytes = (0..<Int.random(in: 0..<400, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes = Array("PAR1".utf8) + bytes + Array("PAR1".utf8)
            case 1: bytes = Array("ARROW1".utf8) + [0, 0] + bytes + Array("ARROW1".utf8)
            default: break
            }
            Self.expectRefused(bytes, Self.readParquet, "random bytes")
            Self.expectRefused(bytes, Self.readArrow, "random bytes")
        }
    }

    @Test("every truncation of valid files is refused cleanly")
    func truncations() throws {
        for file in try Self.validFiles() {
            for length in stride(from: 0, to: file.bytes.count, by: max(1, file.bytes.count / 400)) {
                Self.expectRefused(Array(file.bytes.prefix(length)), file.read, "\(file.name) cut to \(length) bytes")
            }
        }
    }

    @Test("valid files with corrupted bytes read or are refused cleanly")
    func corruptions() throws {
        var random = SeededGenerator(seed: propertyTestSeed("columnar corruptions"))
        for file in try Self.validFiles() {
            for _ in 0..<400 {
                var bytes = file.bytes
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    bytes[at] = Bool.random(using: &random) ? UInt8.random(in: 0...255, using: &random) : bytes[at] ^ 0x80
                }
                Self.expectNoCrash(bytes, file.read)
            }
        }
    }
}
