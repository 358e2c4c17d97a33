// Column profiles: moments against two-pass formulas, exact values up to 1,000, frequent items, Codable round trips.
// Data come from seeded generators; property tests print their seed (replay with STRATA_SEED).
import Foundation
import StrataCore
import StrataTestSupport
import Testing
@testable import StrataQuality

@Suite struct ProfileTests {
    static func normal(_ generator: inout SeededGenerator, mean: Double = 0, deviation: Double = 1) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &generator), v = Double.random(in: 0..<1, using: &generator)
        return mean + deviation * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    @Test("count, nulls, minimum, maximum, mean and sample deviation match two-pass formulas")
    func moments() throws {
        var generator = SeededGenerator(seed: 7)
        let values = (0..<5000).map { _ in Self.normal(&generator, mean: 1e6, deviation: 3) }
        var profile = ColumnProfile(name: "x", type: .float64)
        for (index, value) in values.enumerated() { profile.add(index % 10 == 0 ? .null : .float(value)) }
        let kept = values.enumerated().filter { $0.offset % 10 != 0 }.map(\.element)
        let mean = kept.reduce(0, +) / Double(kept.count)
        let variance = kept.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(kept.count - 1)
        #expect(profile.rowCount == 5000)
        #expect(profile.nullCount == 500)
        #expect(profile.minimum == kept.min())
        #expect(profile.maximum == kept.max())
        #expect(abs(try #require(profile.mean) - mean) <= 1e-12 * mean)
        #expect(abs(try #require(profile.standardDeviation) - variance.squareRoot()) <= 1e-9 * variance.squareRoot())
    }

    @Test("a column keeps its exact values up to 1,000 and drops them beyond, also through merges")
    func exactValues() throws {
        var small = ColumnProfile(name: "x", type: .int64)
        for value in 0..<1000 { small.add(.int(Int64(value))) }
        #expect(small.exactValues?.count == 1000)
        #expect(small.quantileRankError == 0)
        var larger = small
        larger.add(.int(5))
        #expect(larger.exactValues == nil)
        var half = ColumnProfile(name: "x", type: .int64)
        for value in 0..<500 { half.add(.int(Int64(value))) }
        #expect(try half.merging(half).exactValues?.count == 1000)
        var oneMore = half
        oneMore.add(.null)
        #expect(try half.merging(oneMore).exactValues?.count == 1000, "nulls do not count toward the 1,000 values")
        oneMore.add(.int(1))
        #expect(try half.merging(oneMore).exactValues == nil)
    }

    @Test("strings keep exact counts until the frequent-items table overflows, then counts are lower bounds within the bound")
    func frequentItems() throws {
        var generator = SeededGenerator(seed: propertyTestSeed("frequent items"))
        var profile = ColumnProfile(name: "city", type: .string)
        var truth: [String: Int64] = [:]
        for _ in 0..<200_000 {
            let roll = Double.random(in: 0..<1, using: &generator)
            let key = roll < 0.5 ? "city\(Int.random(in: 0..<10, using: &generator))" : "rare\(Int.random(in: 0..<50_000, using: &generator))"
            profile.add(.string(key))
            truth[key, default: 0] += 1
        }
        let categories = try #require(profile.categories)
        #expect(!categories.isExact)
        #expect(categories.errorBound <= 200_000 / Int64(FrequentItems.defaultCapacity + 1))
        for (label, count) in zip(categories.labels, categories.counts) {
            let actual = try #require(truth[label])
            #expect(count <= actual && actual - count <= categories.errorBound, "\(label): \(count) vs \(actual)")
        }
        let top = try #require(profile.topValues(limit: 10))
        #expect(Set(top.labels) == Set((0..<10).map { "city\($0)" }), "the heavy hitters are found")
        var small = ColumnProfile(name: "city", type: .string)
        for key in ["porto", "lagos", "porto", "oslo"] { small.add(.string(key)) }
        #expect(small.categories == CategoryCounts(labels: ["porto", "lagos", "oslo"], counts: [2, 1, 1], otherCount: 0, errorBound: 0))
        #expect(small.distinctCount == DistinctCount(value: 3, isExact: true))
    }

    @Test("booleans count true and false exactly; the mean is the share of true")
    func booleans() throws {
        var profile = ColumnProfile(name: "flag", type: .bool)
        for value in [true, false, true, true] { profile.add(.bool(value)) }
        profile.add(.null)
        #expect(profile.categories?.counts == [1, 3])
        #expect(profile.mean == 0.75)
        #expect(profile.nullRate == 0.2)
    }

    @Test("values of another kind and non-finite floats count as nulls")
    func strayValues() {
        var profile = ColumnProfile(name: "x", type: .float64)
        profile.add(.string("oops"))
        profile.add(.float(.nan))
        profile.add(.int(2))
        #expect(profile.nullCount == 2)
        #expect(profile.mean == 2)
    }

    @Test("low-cardinality numbers have exact categories and distinct counts; many values overflow them")
    func smallDomain() {
        var profile = ColumnProfile(name: "band", type: .int64)
        for value in [3, 1, 3, 2, 3] { profile.add(.int(Int64(value))) }
        #expect(profile.categories == CategoryCounts(labels: ["1", "2", "3"], counts: [1, 1, 3], otherCount: 0, errorBound: 0))
        for value in 0..<40 { profile.add(.int(Int64(value))) }
        #expect(profile.categories == nil)
        #expect(profile.distinctCount == DistinctCount(value: 40, isExact: true), "still exact from the kept values")
    }

    @Test("a profile survives a JSON round trip unchanged, and stays compact")
    func codable() throws {
        var generator = SeededGenerator(seed: 11)
        var profile = DatasetProfile(columns: [("x", .float64), ("city", .string), ("flag", .bool), ("ts", .timestamp), ("empty", .int64)])
        for _ in 0..<100_000 {
            profile.add(row: [.float(Self.normal(&generator)), .string(["a", "b", "c"][Int.random(in: 0..<3, using: &generator)]),
                              .bool(Bool.random(using: &generator)), .int(Int64.random(in: 0..<1_000_000_000, using: &generator)), .null])
        }
        let data = try JSONEncoder().encode(profile)
        let decoded = try JSONDecoder().decode(DatasetProfile.self, from: data)
        #expect(decoded == profile)
        #expect(data.count < 40_000, "\(data.count) bytes")
    }

    @Test("corrupt stored profiles are refused with a decoding error")
    func corruptProfiles() throws {
        var profile = ColumnProfile(name: "x", type: .float64)
        for value in 0..<300 { profile.add(.float(Double(value))) }
        func damaged(_ change: (inout [String: Any]) -> Void) throws -> Data {
            var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(profile)) as? [String: Any])
            change(&object)
            return try JSONSerialization.data(withJSONObject: object)
        }
        let wrongCount = try damaged { object in
            var sketch = object["sketch"] as? [String: Any] ?? [:]
            sketch["count"] = 301
            object["sketch"] = sketch
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ColumnProfile.self, from: wrongCount) }
        let badBase64 = try damaged { object in object["exact"] = "!!!!" }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ColumnProfile.self, from: badBase64) }
        let tooManyValues = try damaged { object in object["domain"] = ["values": [1, 2], "counts": [1], "isOverflowed": false] }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ColumnProfile.self, from: tooManyValues) }
        #expect(try JSONDecoder().decode(ColumnProfile.self, from: damaged { _ in }) == profile, "the undamaged copy still reads")
    }

    @Test("merging profiles of different types is refused")
    func typeMismatch() {
        let a = ColumnProfile(name: "x", type: .float64), b = ColumnProfile(name: "x", type: .string)
        #expect(throws: ProfileError.typeMismatch(column: "x", .float64, .string)) { try a.merging(b) }
    }

    @Test("Base64 round-trips every length and refuses malformed text")
    func base64() {
        for length in 0..<20 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("hello".utf8)) == "aGVsbG8=")
        #expect(Base64.decode("aGVsbG8") == nil)
        #expect(Base64.decode("aG=sbG8=") == nil)
    }
}

@Suite struct RunMetricsTests {
    @Test("run metrics come from the profile of the accepted rows")
    func fromProfile() {
        var profile = DatasetProfile(columns: [("rate", .float64), ("city", .string)])
        profile.add(row: [.float(0.5), .string("lagos")])
        profile.add(row: [.null, .string("porto")])
        profile.add(row: [.float(1.5), .null])
        let metrics = RunMetrics(profile: profile, newestEventMicros: 42, duplicateKeyRows: 0)
        #expect(metrics.rowCount == 3 && metrics.newestEventMicros == 42 && metrics.duplicateKeyRows == 0)
        #expect(metrics.columns["rate"] == ColumnMetrics(rowCount: 3, nullCount: 1, mean: 1.0))
        #expect(metrics.columns["city"] == ColumnMetrics(rowCount: 3, nullCount: 1, mean: nil))
    }
}
