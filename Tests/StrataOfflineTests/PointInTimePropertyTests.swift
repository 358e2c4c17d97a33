// The point-in-time join against the brute-force oracle on random data: ties on event and created time,
// late corrections, TTL edges (exactly ttl and ttl + 1µs), strict mode, unknown/null/composite keys, duplicate spine
// rows, mixed Z/+05:30 input, and the known/latest/as-of modes. Data goes through real CSV ingest into a real SQLite file.
import Foundation
import StrataCore
@testable import StrataOffline
import StrataTestSupport
import Testing

@Suite struct PointInTimePropertyTests {
    struct Pair: Hashable, Sendable { var a: Int64; var b: Int64 }

    static let second: Int64 = 1_000_000
    static let base: Int64 = 1_772_366_400_000_000

    static let yaml = """
    entities:
      - name: pair
        join_keys: {a: int64, b: int64}
    sources:
      - name: events
        path: events.csv
        timestamp: ts
        created: created
        schema: {a: int64, b: int64, v: float64}
    feature_views:
      - name: pair_stats
        entities: [pair]
        source: events
        TTL_LINE
        features:
          v: float64
          v2: {type: float64, expr: "v * 2"}
    """

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
        let ttlChoices: [Int64?] = [nil, 3 * Self.second, 5 * Self.second, 10 * Self.second]
        let ttl = ttlChoices.randomElement(using: &rng) ?? nil
        let yaml = Self.yaml.replacingOccurrences(of: "TTL_LINE", with: ttl.map { "ttl: \($0 / Self.second)s" } ?? "description: no ttl")
        let project = try CompiledProject.compile([(path: "f.yaml", text: yaml)]).get()
        let view = try #require(project.views["pair_stats"])
        // (1, 23) and (12, 3) must stay different entities.
        let keys = [Pair(a: 1, b: 23), Pair(a: 12, b: 3), Pair(a: 2, b: 2), Pair(a: 123, b: 0)]
        var rows: [PointInTimeOracle.Row<Pair>] = []
        var lines: [String] = []
        for _ in 0..<Int.random(in: 1...40, using: &rng) {
            let key = keys.randomElement(using: &rng) ?? keys[0]
            let event = Self.base + Int64.random(in: 0...20, using: &rng) * Self.second
            let delay: Int64 = [0, 0, Self.second, 3 * Self.second, 30 * Self.second].randomElement(using: &rng) ?? 0
            let value = Int.random(in: 0..<8, using: &rng) == 0 ? nil : Double(Int.random(in: -100...100, using: &rng)) / 4
            rows.append(.init(key: key, event: event, created: event + delay, seq: 0, value: value))
            if Int.random(in: 0..<5, using: &rng) == 0 {
                // An exact duplicate of (key, event, created) with another value: only ingest order breaks the tie.
                rows.append(.init(key: key, event: event, created: event + delay, seq: 0, value: (value ?? 0) + 1))
            }
        }
        rows.shuffle(using: &rng)
        for i in rows.indices {
            rows[i].seq = Int64(i + 1)
            let r = rows[i]
            lines.append("\(r.key.a),\(r.key.b),\(Self.render(r.event, &rng)),\(Self.render(r.created, &rng)),\(r.value.map { "\($0)" } ?? "")")
        }
        try dir.write("events.csv", "a,b,ts,created,v\n" + lines.joined(separator: "\n") + "\n")
        let store = try OfflineStore(path: dir.file("offline.db").path)
        let (spec, storage) = try store.standaloneTable(view)
        let request = IngestRequest(source: view.source, sourceVersion: 1, storage: storage, keyColumns: ["a", "b"], file: dir.file("events.csv"), displayPath: "events.csv",
                                    isStrict: true, now: Self.base, definitionVersions: [:], views: [spec])
        let report = try store.ingest(request)
        #expect(report.rowsAccepted == rows.count)

        var spineKeys: [Pair?] = []
        var spineTimes: [Int64] = []
        let eventTimes = rows.map(\.event)
        for _ in 0..<Int.random(in: 1...30, using: &rng) {
            let key: Pair? = Int.random(in: 0..<10, using: &rng) == 0 ? nil : (Int.random(in: 0..<8, using: &rng) == 0 ? Pair(a: 9, b: 9) : keys.randomElement(using: &rng))
            var t = Self.base + Int64.random(in: -2...40, using: &rng) * Self.second
            if let ttl, let e = eventTimes.randomElement(using: &rng), Bool.random(using: &rng) {
                let offsets: [Int64] = [ttl, ttl + 1, 0, 1, -1]
                t = e + (offsets.randomElement(using: &rng) ?? 0)
            }
            spineKeys.append(key)
            spineTimes.append(t)
            if Int.random(in: 0..<6, using: &rng) == 0 { spineKeys.append(key); spineTimes.append(t) }
        }
        let modes: [(CorrectionsMode, PointInTimeOracle.Mode)] = {
            let asOf = Self.base + Int64.random(in: 0...40, using: &rng) * Self.second
            return [(.known, .known), (.latest, .latest), (.asOf(asOf), .asOf(asOf))]
        }()
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
