// The HyperLogLog sketch: accuracy within its documented error, exact small counts, order-independent merges,
// canonical bytes (sparse and dense), refusal of damaged bytes, and hash values pinned so no process ever differs.
import Foundation
import StrataCore
import Testing

@Suite struct HyperLogLogTests {
    @Test("over many random sets, errors follow the documented standard error 1.04 / √4096 ≈ 1.6%: RMS, spread and bias",
          arguments: [(sets: 200, count: 3_000), (sets: 40, count: 30_000)])
    func accuracy(sets: Int, count: Int) {
        let standardError = 1.04 / 64
        var rng = SeededGenerator(seed: 2_026)  // fixed: a statistical bound, checked once on known sets
        var errors: [Double] = []
        for _ in 0..<sets {
            var sketch = HyperLogLog()
            // Distinct values: a random start and odd stride, so no two sets are alike and no value repeats within one.
            let start = Int64.random(in: 0..<(1 << 40), using: &rng), stride = Int64.random(in: 1..<(1 << 20), using: &rng) | 1
            for i in 0..<Int64(count) { sketch.insert(.int(start &+ i &* stride)) }
            errors.append(Double(sketch.estimate - Int64(count)) / Double(count))
        }
        let rms = (errors.map { $0 * $0 }.reduce(0, +) / Double(sets)).squareRoot()
        let mean = errors.reduce(0, +) / Double(sets)
        let withinTwo = errors.filter { abs($0) <= 2 * standardError }.count
        #expect(rms < 1.3 * standardError, "RMS relative error \(rms), documented \(standardError)")
        #expect(Double(withinTwo) >= 0.88 * Double(sets), "\(withinTwo) of \(sets) estimates within two standard errors")
        #expect(abs(mean) < 4 * standardError / Double(sets).squareRoot(), "mean relative error (bias) \(mean)")
    }

    @Test("small counts are exact in sparse mode and repeated values count once")
    func smallCountsExact() {
        var sketch = HyperLogLog()
        #expect(sketch.estimate == 0)
        for round in 0..<3 {
            for i in 0..<150 { sketch.insert(.string("rider-\(i)")) }
            #expect(sketch.estimate == 150, "round \(round)")
        }
        sketch.insert(.null)
        #expect(sketch.estimate == 150)
        // 4,096 dense registers would lose about n² / 8,192 values to collisions; 2^25 sparse indexes lose almost none.
        var exact = 0
        for set in 0..<200 {
            var small = HyperLogLog()
            for i in 0..<40 { small.insert(.int(Int64(set * 1_000 + i))) }
            if small.estimate == 40 { exact += 1 }
        }
        #expect(exact == 200)
    }

    @Test("merging in any order equals inserting the union, sparse and dense alike")
    func mergeOrder() throws {
        var rng = SeededGenerator(seed: 11)
        let parts: [[Value]] = [(0..<5).map { .int($0) }, (0..<900).map { .string("s\($0)") }, (0..<3_000).map { .int(Int64($0) * 31) }, [.bool(true)]]
        var union = HyperLogLog()
        for part in parts { for value in part { union.insert(value) } }
        let sketches = parts.map { part in
            var sketch = HyperLogLog()
            for value in part { sketch.insert(value) }
            return sketch
        }
        for _ in 0..<6 {
            var merged = HyperLogLog()
            for sketch in sketches.shuffled(using: &rng) { merged.merge(sketch) }
            #expect(merged == union)
            #expect(merged.bytes == union.bytes)
            #expect(merged.estimate == union.estimate)
        }
    }

    @Test("bytes round-trip exactly and are canonical for sparse and dense sketches", arguments: [0, 1, 40, 1_024, 1_200, 50_000])
    func bytesRoundTrip(count: Int) throws {
        var sketch = HyperLogLog()
        for i in 0..<count { sketch.insert(.int(Int64(i))) }
        let again = try HyperLogLog(bytes: sketch.bytes)
        #expect(again == sketch)
        #expect(again.bytes == sketch.bytes)
        #expect(again.estimate == sketch.estimate)
        let json = try JSONEncoder().encode(sketch)
        #expect(try JSONDecoder().decode(HyperLogLog.self, from: json) == sketch)
        // Sparse (3 header bytes, a count, 4 bytes per entry) up to 1,024 entries, then 4,096 dense registers.
        #expect(count <= 1_024 ? sketch.bytes.count == 7 + 4 * count : sketch.bytes.count == 3 + 4_096)
    }

    @Test("damaged bytes are refused with a reason", arguments: [
        [UInt8](), [2, 12, 0, 0, 0, 0, 0], [1, 14, 0, 0, 0, 0, 0], [1, 12, 0, 1, 0, 0, 0], [1, 12, 0, 2, 0, 0, 0, 0x41, 1, 0, 0, 0x01, 1, 0, 0],
        [1, 12, 0, 1, 0, 0, 0, 0x40, 0, 0, 0], [1, 12, 0, 1, 0, 0, 0, 41, 0, 0, 0], [1, 12, 1, 0], [1, 12, 7, 0, 0, 0, 0],
    ])
    func damagedBytes(bytes: [UInt8]) {
        #expect(throws: HyperLogLogError.self) { try HyperLogLog(bytes: bytes) }
    }

    @Test("hashes are fixed values, the same in every process (never Swift's seeded Hasher)")
    func pinnedHashes() {
        #expect(StableHash.hash(.int(0)) == 0x6C02_6CCE_C713_E95D)
        #expect(StableHash.hash(.string("rider-1")) == 0xC9CA_8FB5_1F47_F157)
        #expect(StableHash.hash(.null) == nil)
        #expect(StableHash.hash(.float(-0.0)) == StableHash.hash(.float(0.0)))
        #expect(StableHash.hash(.int(1)) != StableHash.hash(.string("1")))
        var sketch = HyperLogLog()
        for i in 0..<10_000 { sketch.insert(.int(Int64(i))) }
        #expect(sketch.estimate == 10_001)
    }
}
