@testable import StrataColumnar
import Testing

@Suite struct CompressionTests {
    @Test("snappy: literals and copies with 1- and 2-byte offsets, overlapping included")
    func snappyVector() throws {
        let compressed: [UInt8] = [15, 0x08, 0x61, 0x62, 0x63, 0x15, 0x03, 0x0A, 0x0C, 0x00]
        let output = try Snappy.decompress(compressed[...], size: 15)
        #expect(String(decoding: output, as: UTF8.self) == "abcabcabcabcabc")
    }

    @Test("snappy refuses a copy before the start, a wrong size and truncated data")
    func snappyCorrupt() {
        #expect(throws: ColumnarError.self) { _ = try Snappy.decompress([4, 0x01, 0x05][...], size: 4) }
        #expect(throws: ColumnarError.self) { _ = try Snappy.decompress([15, 0x08, 0x61, 0x62, 0x63][...], size: 15) }
        #expect(throws: ColumnarError.self) { _ = try Snappy.decompress([3, 0x08, 0x61][...], size: 3) }
    }

    @Test("LZ4 block and frame: an overlapping match, stored blocks, the end mark")
    func lz4Vectors() throws {
        let block: [UInt8] = [0x35, 0x61, 0x62, 0x63, 0x03, 0x00, 0x30, 0x58, 0x59, 0x5A]
        #expect(String(decoding: try LZ4.decompressRaw(block, range: 0..<block.count, size: 15), as: UTF8.self) == "abcabcabcabcXYZ")
        var frame: [UInt8] = [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82]
        frame.appendLittleEndian(UInt32(block.count))
        frame += block
        frame.appendLittleEndian(UInt32(2) | 0x8000_0000)
        frame += [0x21, 0x21]
        frame.appendLittleEndian(UInt32(0))
        let output = try LZ4.decompressFrame(frame, range: 0..<frame.count, size: 17)
        #expect(String(decoding: output, as: UTF8.self) == "abcabcabcabcXYZ!!")
        #expect(throws: ColumnarError.self) { _ = try LZ4.decompressFrame(frame, range: 0..<(frame.count - 6), size: 17) }
        #expect(throws: ColumnarError.self) { _ = try LZ4.decompressRaw([0x10, 0x61, 0x09, 0x00], range: 0..<4, size: 10) }
    }

    @Test("zstd round-trips, and gzip inflates a member written by Python's gzip module")
    func zstdAndGzip() throws {
        let text = Array(String(repeating: "strata columnar ", count: 200).utf8)
        let compressed = try Zstd.compress(text, level: 1)
        #expect(compressed.count < text.count / 10)
        #expect(try Zstd.decompress(compressed[...], size: text.count) == text)
        #expect(throws: ColumnarError.self) { _ = try Zstd.decompress(compressed[...], size: text.count + 1) }
        let gzip: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 72, 205, 201, 201, 87, 200, 64, 39, 1, 227, 81, 61, 141, 23, 0, 0, 0]
        #expect(String(decoding: try Gzip.decompress(gzip[...], size: 23), as: UTF8.self) == "hello hello hello hello")
        #expect(throws: ColumnarError.self) { _ = try Gzip.decompress(gzip.dropLast(10), size: 23) }
    }
}
