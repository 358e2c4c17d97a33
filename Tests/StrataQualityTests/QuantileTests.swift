// Quantiles of profiles: exact columns against a brute-force `inverted_cdf` (numpy's definition) on tied and untied
// data; sketched columns by the exact rank of the answer, which must lie within the sketch's rank error of q·n.
import Foundation
import StrataCore
import StrataTestSupport
import Testing
@testable import StrataQuality

@Suite struct QuantileTests {
    static let levels = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]

    /// numpy's `quantile(method="inverted_cdf")`: the smallest sorted value whose count of values at or below reaches q·n.
    static func invertedCDF(_ sorted: [Double], _ q: Double) -> Double {
        let target = q * Double(sorted.count)
        return sorted.first { value in Double(sorted.lazy.filter { $0 <= value }.count) >= target } ?? sorted[sorted.count - 1]
    }

    @Test("exact quantiles equal numpy's inverted_cdf, ties and single values included", arguments: [1, 2, 7, 100, 1000])
    func exact(count: Int) throws {
        var generator = SeededGenerator(seed: propertyTestSeed("exact quantiles \(count)"))
        let values = (0..<count).map { _ in Double(Int.random(in: 0..<(count / 3 + 2), using: &generator)) }
        var profile = ColumnProfile(name: "x", type: .float64)
        for value in values { profile.add(.float(value)) }
        #expect(profile.quantileRankError == 0)
        let sorted = values.sorted()
        for q in Self.levels {
            #expect(profile.quantile(q) == Self.invertedCDF(sorted, q), "q = \(q)")
        }
    }

    @Test("sketched quantiles have an exact rank within the sketch's error of q·n, also after a JSON round trip")
    func sketched() throws {
        var generator = SeededGenerator(seed: propertyTestSeed("sketched quantiles"))
        let values = (0..<50_000).map { index in Double(1001 + (index * 7 + Int.random(in: 0..<3, using: &generator)) % 40) }
        var profile = ColumnProfile(name: "driver_id", type: .int64)
        for value in values { profile.add(.int(Int64(value))) }
        let decoded = try JSONDecoder().decode(ColumnProfile.self, from: JSONEncoder().encode(profile))
        let sorted = values.sorted(), n = Double(values.count)
        for candidate in [profile, decoded] {
            let bound = candidate.quantileRankError
            #expect(bound > 0)
            for q in Self.levels {
                let x = try #require(candidate.quantile(q))
                let below = Double(sorted.partitionPoint { $0 >= x }) / n, atOrBelow = Double(sorted.partitionPoint { $0 > x }) / n
                // x is a q-quantile of the data when below ≤ q ≤ atOrBelow; the sketch may be off by its rank error.
                #expect(below - bound <= q && q <= atOrBelow + bound, "q = \(q): x = \(x), ranks [\(below), \(atOrBelow)], bound \(bound)")
            }
        }
        #expect(profile.quantile(0.5).map { (1015...1026).contains($0) } == true, "the median of 1001…1040 is near the middle")
    }
}
