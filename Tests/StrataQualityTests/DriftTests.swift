// Drift decisions: Evidently's default method per feature type and reference size, scores against scipy on the
// fixtures (exact paths to 1e-9, sketched paths within the reported bound), overrides and the service verdict.
import Foundation
import StrataCore
import Testing
@testable import StrataQuality

@Suite struct DriftTests {
    static func profile(_ type: ValueType, name: String = "f", numbers: [Double] = [], counts: [String: Double] = [:]) -> ColumnProfile {
        var profile = ColumnProfile(name: name, type: type)
        for number in numbers { profile.add(number: number) }
        for (label, count) in counts.sorted(by: { $0.key < $1.key }) {
            for _ in 0..<Int(count) {
                if type == .bool { profile.add(bool: label == "true") } else { profile.add(string: label) }
            }
        }
        return profile
    }

    static func profiles(_ fixture: StatisticsFixtures.Drift) -> (ColumnProfile, ColumnProfile) {
        let source = fixture.data_from.flatMap { name in StatisticsFixtures.shared.drift.first { $0.name == name } } ?? fixture
        let type = ValueType(rawValue: fixture.type) ?? .float64
        return (profile(type, numbers: source.reference ?? [], counts: source.reference_counts ?? [:]),
                profile(type, numbers: source.current ?? [], counts: source.current_counts ?? [:]))
    }

    @Test("each fixture gets Evidently's method and scipy's score: exactly for small data, within the bound for sketches")
    func fixtures() throws {
        for fixture in StatisticsFixtures.shared.drift {
            let (reference, current) = Self.profiles(fixture)
            var options = DriftOptions()
            if let method = fixture.override.flatMap(DriftMethod.init(rawValue:)) { options.overrides["f"] = FeatureDriftOverride(method: method) }
            let result = DriftDetector.compare(reference: reference, current: current, options: options)
            #expect(result.method?.rawValue == fixture.method, "\(fixture.name): \(String(describing: result.method))")
            let score = try #require(result.score, "\(fixture.name): \(result.reason ?? "")")
            if result.isExact {
                #expect(agrees(score, fixture.score.value), "\(fixture.name): \(score) vs \(fixture.score.value)")
            } else {
                let bound = try #require(result.scoreErrorBound, "\(fixture.name)")
                #expect(abs(score - fixture.score.value) <= bound, "\(fixture.name): \(score) vs \(fixture.score.value), bound \(bound)")
                #expect(abs(score - fixture.score.value) <= 0.02, "\(fixture.name): the sketch is far from scipy: \(score) vs \(fixture.score.value)")
            }
        }
    }

    @Test("the default method follows the reference size, the type and the number of distinct values", arguments: [
        ("small continuous numbers", 500, ValueType.float64, 1000, DriftMethod.kolmogorovSmirnov),
        ("small numbers with 3 values", 500, .int64, 3, .chiSquared),
        ("small numbers with 2 values", 500, .int64, 2, .zTest),
        ("small numbers with 6 values", 500, .int64, 6, .kolmogorovSmirnov),
        ("large continuous numbers", 5000, .float64, 1000, .wasserstein),
        ("large numbers with 5 values", 5000, .int64, 5, .jensenShannon),
        ("small strings with 3 values", 500, .string, 3, .chiSquared),
        ("small strings with 2 values", 500, .string, 2, .zTest),
        ("large strings", 5000, .string, 3, .jensenShannon),
        ("booleans", 500, .bool, 2, .zTest),
        ("reference of exactly 1,000", 1000, .float64, 1000, .kolmogorovSmirnov),
        ("reference of 1,001", 1001, .float64, 1000, .wasserstein),
    ])
    func defaultMethod(name: String, size: Int, type: ValueType, distinct: Int, expected: DriftMethod) {
        var reference = ColumnProfile(name: "f", type: type), current = ColumnProfile(name: "f", type: type)
        for index in 0..<size {
            let value = index % distinct
            switch type {
            case .string: reference.add(string: "v\(value)"); current.add(string: "v\(value)")
            case .bool: reference.add(bool: value == 1); current.add(bool: value == 1)
            default: reference.add(number: Double(value)); current.add(number: Double(value))
            }
        }
        #expect(DriftDetector.defaultMethod(reference, current) == expected, "\(name)")
    }

    @Test("a feature's override replaces the method and the threshold; PSI reports its band")
    func overrides() throws {
        let reference = Self.profile(.string, counts: ["a": 500, "b": 300, "c": 200])
        let current = Self.profile(.string, counts: ["a": 300, "b": 300, "c": 400])
        var options = DriftOptions(overrides: ["f": FeatureDriftOverride(method: .psi, threshold: 0.3)])
        let psi = DriftDetector.compare(reference: reference, current: current, options: options)
        #expect(psi.method == .psi && psi.threshold == 0.3)
        let expectedPSI: Double = (0.5 - 0.3) * log(0.5 / 0.3) + (0.2 - 0.4) * log(0.2 / 0.4)
        #expect(agrees(try #require(psi.score), expectedPSI))
        #expect(psi.psiBand == .moderate && psi.verdict == .stable)
        options.overrides["f"] = FeatureDriftOverride(method: .lInfinity)
        let linf = DriftDetector.compare(reference: reference, current: current, options: options)
        #expect(linf.score == 0.2 && linf.threshold == 0.1 && linf.verdict == .drift)
        #expect(linf.chart?.labels == ["a", "b", "c"])
        #expect(linf.chart?.reference == [500, 300, 200])
    }

    @Test("methods that do not fit a feature, missing columns and empty sides are reported as not tested")
    func notTested() {
        let strings = Self.profile(.string, counts: ["a": 5, "b": 5, "c": 5])
        let numbers = Self.profile(.float64, numbers: [1, 2, 3])
        let options = DriftOptions(overrides: ["f": FeatureDriftOverride(method: .kolmogorovSmirnov)])
        let cases: [(FeatureDrift, String)] = [
            (DriftDetector.compare(reference: strings, current: strings, options: options), "ks needs a numeric feature"),
            (DriftDetector.compare(reference: strings, current: strings, options: DriftOptions(overrides: ["f": FeatureDriftOverride(method: .zTest)])),
             "z_test needs at most two categories, found 3"),
            (DriftDetector.compare(reference: numbers, current: strings), "the feature is float64 in the reference but string now"),
            (DriftDetector.compare(reference: numbers, current: Self.profile(.float64)), "no non-null values in the current data"),
            (DriftDetector.compare(reference: [numbers], current: []).features[0], "the current data has no column `f`"),
        ]
        for (result, reason) in cases {
            #expect(result.verdict == .notTested && result.reason == reason && !result.isDrifting, "\(String(describing: result.reason))")
        }
    }

    @Test("the service drifts when at least the configured share of its features drift")
    func serviceVerdict() {
        func steady(_ name: String) -> ColumnProfile { Self.profile(.float64, name: name, numbers: (0..<200).map(Double.init)) }
        func shifted(_ name: String) -> ColumnProfile { Self.profile(.float64, name: name, numbers: (0..<200).map { Double($0) + 100 }) }
        let reference = ["a", "b", "c", "d"].map(steady)
        let current = [shifted("a"), shifted("b"), steady("c"), steady("d")]
        let report = DriftDetector.compare(reference: reference, current: current)
        #expect(report.driftingCount == 2 && report.driftingShare == 0.5 && report.isDrifting)
        #expect(report.features.map(\.verdict) == [FeatureDrift.Verdict.drift, .drift, .stable, .stable])
        #expect(!DriftDetector.compare(reference: reference, current: current, options: DriftOptions(driftShare: 0.75)).isDrifting)
    }

    @Test("sketched KS reports a p-value bound that contains the exact p-value")
    func sketchedKolmogorovSmirnov() throws {
        let reference = Self.profile(.float64, numbers: (0..<800).map { Double($0) / 800 })
        let currentValues = (0..<50_000).map { Double(($0 * 7919) % 50_000) / 50_000 * 1.05 }
        let current = Self.profile(.float64, numbers: currentValues)
        let result = DriftDetector.compare(reference: reference, current: current)
        #expect(result.method == .kolmogorovSmirnov && !result.isExact)
        let exact = try #require(KolmogorovSmirnov.test((0..<800).map { Double($0) / 800 }, currentValues))
        let score = try #require(result.score), bound = try #require(result.scoreErrorBound)
        #expect(abs(score - exact.pValue) <= bound, "\(score) vs \(exact.pValue), bound \(bound)")
    }
}
