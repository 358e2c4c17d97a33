// The point-in-time join against the brute-force oracle on random data: ties on event and created time,
// late corrections, TTL edges (exactly ttl and ttl + 1µs), strict mode, unknown/null/composite keys, duplicate spine
// rows, mixed Z/+05:30 input, and the known/latest/as-of modes. Data goes through real CSV ingest into a real SQLite file.
import Foundation
import StrataCore
@testable import StrataOffline
import StrataTestSupport
import Testing

@Suite struct PointInTimePropertyTests {
    typealias Pair = PointInTimeCases.Pair
    static let cases = PointInTimeCases(step: PointInTimeCases.second)

    @Test("the real join equals the oracle on random cases")
    func matchesOracle() throws {
        let seed = propertyTestSeed("point-in-time join")
        var rng = SeededGenerator(seed: seed)
        for caseIndex in 0..<40 {
            try runCase(caseIndex, seed: seed, &rng)
        }
    }

    func runCase(_ caseIndex: Int, seed: UInt64, _ rng: inout SeededGenerator) throws {
        let dir = TemporaryDirectory()
        let ttl = Self.cases.ttl(&rng)
        let project = try CompiledProject.compile([(path: "f.yaml", text: PointInTimeCases.yaml(source: "events", view: "pair_stats", ttl: ttl))]).get()
        let view = try #require(project.views["pair_stats"])
        let rows = Self.cases.rows(&rng)
        try dir.write("events.csv", PointInTimeCases.csv(rows) { Self.render($0, &rng) })
        let store = try OfflineStore(path: dir.file("offline.db").path)
        let (spec, storage) = try store.standaloneTable(view)
        let request = IngestRequest(source: view.source, sourceVersion: 1, storage: storage, keyColumns: ["a", "b"], file: dir.file("events.csv"), displayPath: "events.csv",
                                    isStrict: true, now: PointInTimeCases.base, definitionVersions: [:], views: [spec])
        let report = try store.ingest(request)
        #expect(report.rowsAccepted == rows.count)
        let (spineKeys, spineTimes) = Self.cases.spine(rows: rows, ttl: ttl, &rng)
        let asOf = Self.cases.asOf(&rng)
        let modes: [(CorrectionsMode, PointInTimeOracle.Mode)] = [(.known, .known), (.latest, .latest), (.asOf(asOf), .asOf(asOf))]
        for (mode, oracleMode) in modes {
            for isStrict in [false, true] {
                let result = try store.join(keys: spineKeys.map { $0.map { KeyTuple([.int($0.a), .int($0.b)]) } }, times: spineTimes, table: spec,
                                            featureIndexes: [0, 1], options: JoinOptions(corrections: mode, isStrict: isStrict))
                for i in spineKeys.indices {
                    let expected = PointInTimeOracle.answer(rows: rows, key: spineKeys[i], t: spineTimes[i], ttl: ttl, mode: oracleMode, isStrict: isStrict)
                    let value: Double? = { if case .float(let v) = result.values[0][i] { return v } else { return nil } }()
                    let actual = PointInTimeOracle.Answer(status: result.statuses[i].rawValue, value: value, event: result.eventTimes[i])
                    guard actual == expected else {
                        Issue.record("""
                        seed \(seed) case \(caseIndex) mode \(mode) strict \(isStrict) ttl \(ttl.map(String.init) ?? "none")
                          spine row \(i): key \(spineKeys[i].map { "(\($0.a),\($0.b))" } ?? "null") t \(Timestamp.format(spineTimes[i]))
                          expected \(expected)
                          actual   \(actual)
                        """)
                        return
                    }
                    if case .float(let v) = result.values[0][i] { #expect(result.values[1][i] == .float(v * 2)) }
                }
            }
        }
    }

    /// Writes an instant as `Z` or with a +05:30 offset at random: both must mean the same instant.
    static func render(_ micros: Int64, _ rng: inout SeededGenerator) -> String {
        guard Bool.random(using: &rng) else { return Timestamp.format(micros) }
        return String(Timestamp.format(micros + 19_800_000_000).dropLast()) + "+05:30"
    }
}
