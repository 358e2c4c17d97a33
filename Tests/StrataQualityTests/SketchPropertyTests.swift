// Sketch error bounds and merge laws on seeded random data: KLL rank error ≤ 2.446/k^0.9433 over many quantiles,
// and merged profiles agree with the profile of all values (exactly for counts, to rounding for moments).
import Foundation
import StrataCore
import StrataTestSupport
import Testing
@testable import StrataQuality

@Suite struct SketchPropertyTests {
    /// The largest error, as a share of n, of the sketch's rank at 201 query points against the exact rank.
    static func worstRankError(_ distribution: EmpiricalDistribution, _ sorted: [Double]) -> Double {
        var worst = 0.0
        for step in 0...200 {
            let x = sorted[(sorted.count - 1) * step / 200]
            let exact = Double(sorted.partitionPoint { $0 > x })
            worst = max(worst, abs(distribution.weight(atOrBelow: x) - exact) / Double(sorted.count))
        }
        return worst
    }

    static func data(_ shape: Int, count: Int, _ generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { index in
            switch shape {
            case 0: return Double.random(in: 0..<1, using: &generator)
            case 1: return -log(Double.random(in: Double.ulpOfOne..<1, using: &generator)) * 1000
            case 2: return Double(index)
            default: return Double(Int.random(in: 0..<100, using: &generator))
            }
        }
    }

    @Test("the quantile sketch's rank error stays within its bound on uniform, skewed, sorted and tied data",
          arguments: [0, 1, 2, 3])
    func rankError(shape: Int) throws {
        var generator = SeededGenerator(seed: propertyTestSeed("rank error \(shape)"))
        let values = Self.data(shape, count: 200_000, &generator)
        var sketch = QuantileSketch()
        for value in values { sketch.insert(value) }
        let bound = QuantileSketch.normalizedRankError(k: 200)
        #expect(!sketch.isExact)
        #expect(sketch.retained < 1000, "bounded memory: \(sketch.retained) items")
        let worst = Self.worstRankError(sketch.distribution(), values.sorted())
        #expect(worst <= bound, "worst rank error \(worst) > \(bound)")
    }

    @Test("a sketch merged from 100 pieces keeps the same bound")
    func mergedRankError() throws {
        var generator = SeededGenerator(seed: propertyTestSeed("merged rank error"))
        let values = Self.data(1, count: 200_000, &generator)
        var merged = QuantileSketch()
        for piece in 0..<100 {
            var part = QuantileSketch()
            for value in values[(piece * 2000)..<((piece + 1) * 2000)] { part.insert(value) }
            merged.merge(part)
        }
        #expect(merged.count == 200_000)
        let worst = Self.worstRankError(merged.distribution(), values.sorted())
        #expect(worst <= QuantileSketch.normalizedRankError(k: 200), "worst rank error \(worst)")
    }

    @Test("the same values in the same order give the same sketch")
    func deterministic() {
        var generator = SeededGenerator(seed: 3)
        let values = Self.data(0, count: 50_000, &generator)
        var a = QuantileSketch(), b = QuantileSketch()
        for value in values { a.insert(value); b.insert(value) }
        #expect(a == b)
    }

    @Test("merging profiles is associative and commutative: counts exactly, moments to rounding, sketches within bound")
    func mergeLaws() throws {
        var generator = SeededGenerator(seed: propertyTestSeed("merge laws"))
        for _ in 0..<20 {
            let sizes = (0..<3).map { _ in Int.random(in: 0..<3000, using: &generator) }
            let parts = sizes.map { size in
                (0..<size).map { _ -> Value in Double.random(in: 0..<1, using: &generator) < 0.05 ? .null : .float(Double.random(in: -50..<50, using: &generator)) }
            }
            func profile(_ values: [Value]) -> ColumnProfile {
                var result = ColumnProfile(name: "x", type: .float64)
                for value in values { result.add(value) }
                return result
            }
            let (a, b, c) = (profile(parts[0]), profile(parts[1]), profile(parts[2]))
            let whole = profile(parts.flatMap { $0 })
            let left = try a.merging(b).merging(c), right = try a.merging(b.merging(c)), swapped = try c.merging(a).merging(b)
            for merged in [left, right, swapped] {
                #expect(merged.rowCount == whole.rowCount && merged.nullCount == whole.nullCount)
                #expect(merged.minimum == whole.minimum && merged.maximum == whole.maximum)
                if let mean = whole.mean, let deviation = whole.standardDeviation {
                    #expect(abs((merged.mean ?? .nan) - mean) <= 1e-12 * max(1, abs(mean)))
                    #expect(abs((merged.standardDeviation ?? .nan) - deviation) <= 1e-12 * deviation)
                }
                #expect(merged.exactValues.map { $0.sorted() } == whole.exactValues.map { $0.sorted() })
                let exact = parts.flatMap { $0 }.compactMap(\.doubleValue).sorted()
                if let distribution = merged.distribution, !exact.isEmpty {
                    #expect(Self.worstRankError(distribution, exact) <= merged.quantileRankError + 1e-12)
                }
            }
        }
    }

    @Test("merged frequent-items tables keep counts within their error bound, which stays under n / (capacity + 1)")
    func mergedFrequentItems() throws {
        var generator = SeededGenerator(seed: propertyTestSeed("merged frequent items"))
        var truth: [String: Int64] = [:]
        var merged = ColumnProfile(name: "key", type: .string)
        for _ in 0..<8 {
            var part = ColumnProfile(name: "key", type: .string)
            for _ in 0..<5000 {
                let key = Double.random(in: 0..<1, using: &generator) < 0.6 ? "hot\(Int.random(in: 0..<20, using: &generator))"
                    : "cold\(Int.random(in: 0..<3000, using: &generator))"
                part.add(.string(key))
                truth[key, default: 0] += 1
            }
            try merged.merge(part)
        }
        let categories = try #require(merged.categories)
        #expect(categories.errorBound > 0 && categories.errorBound <= 40_000 / Int64(FrequentItems.defaultCapacity + 1))
        for (label, count) in zip(categories.labels, categories.counts) {
            let actual = try #require(truth[label])
            #expect(count <= actual && actual - count <= categories.errorBound, "\(label): \(count) vs \(actual)")
        }
        for hot in 0..<20 { #expect(categories.labels.contains("hot\(hot)")) }
    }
}
