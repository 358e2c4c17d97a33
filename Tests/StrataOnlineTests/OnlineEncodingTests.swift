// The online store's binary formats: keys are injective (composite and string keys cannot collide), values round-trip,
// and the decoder survives random and truncated bytes with an error instead of a crash.
import StrataCore
@testable import StrataOnline
import StrataTestSupport
import Testing

@Suite struct OnlineEncodingTests {
    @Test("composite int keys (1, 23) and (12, 3) encode differently")
    func compositeInts() {
        #expect(OnlineKeyEncoding.encode(KeyTuple([.int(1), .int(23)])) != OnlineKeyEncoding.encode(KeyTuple([.int(12), .int(3)])))
    }

    @Test("strings with separator-like content cannot collide", arguments: [
        ([KeyPart.string("a"), .string("bc")], [KeyPart.string("ab"), .string("c")]),
        ([.string("a\u{0}"), .string("b")], [.string("a"), .string("\u{0}b")]),
        ([.string("1")], [.int(1)]),
        ([.string(""), .string("x")], [.string("x"), .string("")]),
    ])
    func stringsDoNotCollide(a: [KeyPart], b: [KeyPart]) {
        #expect(OnlineKeyEncoding.encode(KeyTuple(a)) != OnlineKeyEncoding.encode(KeyTuple(b)))
    }

    @Test("int keys sort numerically, negatives first")
    func intOrder() {
        let values: [Int64] = [Int64.min, -5, -1, 0, 1, 255, 256, Int64.max]
        let encoded = values.map { OnlineKeyEncoding.encode(KeyTuple([.int($0)])) }
        #expect(encoded == encoded.sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test("rows round-trip through the value codec, nulls and unicode included")
    func roundTrip() throws {
        let types: [ValueType] = [.int64, .float64, .string, .bool, .timestamp, .string]
        let row = OnlineRow(eventTs: 5, createdTs: 6, ingestSeq: 7, lineageID: 8,
                            values: [.int(-3), .float(0.1), .string("São Paulo 🙂"), .bool(true), .int(1_772_366_400_000_000), .null])
        let bytes = OnlineRowCodec.encode(row, types: types)
        let decoded = try bytes.withUnsafeBytes { try OnlineRowCodec.decode($0).get() }
        #expect(decoded.row == row)
        #expect(decoded.types == types)
    }

    @Test("random and truncated bytes give a decode error, never a crash")
    func fuzzDecoder() {
        var rng = SeededGenerator(seed: propertyTestSeed("online decoder fuzz"))
        let valid = OnlineRowCodec.encode(OnlineRow(eventTs: 1, createdTs: 2, ingestSeq: 3, lineageID: 4, values: [.string("abc"), .int(9), .null]),
                                          types: [.string, .int64, .float64])
        var failures = 0
        for i in 0..<20_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if !bytes.isEmpty, Bool.random(using: &rng) { bytes[0] = OnlineRowCodec.formatVersion }
            } else {
                bytes = Array(valid.prefix(Int.random(in: 0..<valid.count, using: &rng)))
                if !bytes.isEmpty, Bool.random(using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            }
            if case .failure = bytes.withUnsafeBytes({ OnlineRowCodec.decode($0) }) { failures += 1 }
        }
        #expect(failures > 19_000)
    }
}
