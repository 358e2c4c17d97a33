// Loads statistics.json, written by Fixtures/make_fixtures.py with scipy; see that script for how each value was made.
// Numbers may be the strings "inf", "-inf" or "nan" (JSON has no literal for them).
import Foundation

/// A JSON number, or one of the strings scipy's non-finite results were written as.
struct Number: Decodable, Sendable {
    var value: Double

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
            return
        }
        switch try container.decode(String.self) {
        case "inf": value = .infinity
        case "-inf": value = -.infinity
        case "nan": value = .nan
        case let other: throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \(other)")
        }
    }
}

struct StatisticsFixtures: Decodable, Sendable {
    struct TwoSamples: Decodable, Sendable {
        var name: String
        var a: [Double]
        var b: [Double]
        var statistic: Number
        var pvalue: Number
    }

    struct Kolmogorov: Decodable, Sendable {
        var n: Int
        var x: Double
        var sf: Number
    }

    struct ExactPValue: Decodable, Sendable {
        var n1: Int
        var n2: Int
        var d: Double
        var pvalue: Number
    }

    struct ChiSquare: Decodable, Sendable {
        var name: String
        var observed: [Double]
        var expected: [Double]
        var statistic: Number
        var pvalue: Number
    }

    struct CategoryCounts: Decodable, Sendable {
        var name: String
        var reference: [Double]
        var current: [Double]
        var chisquare_statistic: Number
        var chisquare_pvalue: Number
        var jensenshannon: Number
        var psi: Number
        var linf: Number
    }

    struct ZTest: Decodable, Sendable {
        var reference_hits: Double
        var reference_count: Double
        var current_hits: Double
        var current_count: Double
        var z: Number
        var pvalue: Number
    }

    struct Wasserstein: Decodable, Sendable {
        var name: String
        var a: [Double]
        var b: [Double]
        var a_weights: [Double]?
        var b_weights: [Double]?
        var distance: Number
    }

    struct JensenShannon: Decodable, Sendable {
        var p: [Double]
        var q: [Double]
        var distance: Number
    }

    struct Binned: Decodable, Sendable {
        var name: String
        var a: [Double]
        var b: [Double]
        var edges: [Double]
        var reference_counts: [Double]
        var current_counts: [Double]
        var jensenshannon: Number
        var psi: Number
        var linf: Number
    }

    struct Drift: Decodable, Sendable {
        var name: String
        var type: String
        var reference: [Double]?
        var current: [Double]?
        var reference_counts: [String: Double]?
        var current_counts: [String: Double]?
        var data_from: String?
        var method: String
        var override: String?
        var statistic: Number?
        var score: Number
    }

    var generator: String
    var ks_2samp: [TwoSamples]
    var kstwo_sf: [Kolmogorov]
    var smirnov: [Kolmogorov]
    var ks_exact_pvalue: [ExactPValue]
    var chisquare: [ChiSquare]
    var category_counts: [CategoryCounts]
    var z_test: [ZTest]
    var wasserstein: [Wasserstein]
    var jensenshannon: [JensenShannon]
    var binned: [Binned]
    var drift: [Drift]

    static let shared: StatisticsFixtures = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/statistics.json")
        do {
            return try JSONDecoder().decode(StatisticsFixtures.self, from: Data(contentsOf: url))
        } catch {
            preconditionFailure("cannot read \(url.path): \(error); regenerate it with make_fixtures.py")
        }
    }()
}

/// True when `actual` matches `expected` to a relative `tolerance` (and an absolute 1e-300 floor); non-finite
/// values must match exactly.
func agrees(_ actual: Double, _ expected: Double, tolerance: Double = 1e-9) -> Bool {
    if expected.isNaN { return actual.isNaN }
    if expected.isInfinite { return actual == expected }
    return abs(actual - expected) <= tolerance * max(abs(expected), 1e-300)
}
