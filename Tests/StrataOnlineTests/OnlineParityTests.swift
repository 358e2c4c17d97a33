// Online equals offline: for random data and ascending request times t, `get(at: t)` after `materialize --end t`
// (incremental, so every seam is exercised) equals the offline point-in-time join for (key, t) in known mode.
// Also: pushes in shuffled order converge, and a killed materialize leaves LMDB untouched.
import Foundation
import StrataCore
import StrataOffline
import StrataOnline
@testable import Strata
import StrataTestSupport
import Testing

@Suite struct OnlineParityTests {
    static let second: Int64 = 1_000_000
    static let base: Int64 = 1_772_366_400_000_000

    static func definitions(ttl: String?) -> String {
        """
        entities:
          - name: user
            join_keys: {user: string}
        sources:
          - name: events
            path: events.csv
            timestamp: ts
            created: created
            schema: {user: string, score: float64, n: int64}
        feature_views:
          - name: user_stats
            entities: [user]
            source: events
            \(ttl.map { "ttl: \($0)" } ?? "description: unbounded")
            features:
              score: float64
              double_n: {type: int64, expr: "n * 2"}
        """
    }

    static func makeStore(_ dir: TemporaryDirectory, ttl: String?, csv: String) throws -> FeatureStore {
        try dir.write("featuresets/defs.yaml", definitions(ttl: ttl))
        try dir.write("events.csv", csv)
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "test", message: nil)
        return store
    }

    @Test("get(at: t) after incremental materialize to t equals the offline join in known mode")
    func onlineEqualsOffline() throws {
        let seed = propertyTestSeed("online equals offline")
        var rng = SeededGenerator(seed: seed)
        for caseIndex in 0..<12 {
            let dir = TemporaryDirectory()
            let users = ["a", "b", "ab", "b,a", "ü"]
            var lines = ["user,ts,created,score,n"]
            for _ in 0..<Int.random(in: 5...60, using: &rng) {
                let event = Self.base + Int64.random(in: 0...30, using: &rng) * Self.second
                let delay = [0, 0, 2, 5, 40].randomElement(using: &rng).map { Int64($0) * Self.second } ?? 0
                let user = users.randomElement(using: &rng) ?? "a"
                let score = Int.random(in: 0..<6, using: &rng) == 0 ? "" : "\(Double(Int.random(in: 0...400, using: &rng)) / 8)"
                lines.append("\"\(user)\",\(Timestamp.format(event)),\(Timestamp.format(event + delay)),\(score),\(Int.random(in: -50...50, using: &rng))")
            }
            let ttl = ["4s", "10s", nil].randomElement(using: &rng) ?? nil
            let store = try Self.makeStore(dir, ttl: ttl, csv: lines.joined(separator: "\n") + "\n")
            _ = try store.ingest(now: Self.base)
            let reader = try store.onlineReader(.references([FeatureReference(view: "user_stats", feature: nil)]))
            let spec = try #require(try store.featureTables()["user_stats"])
            var t = Self.base - 2 * Self.second
            while t < Self.base + 80 * Self.second {
                t += Int64.random(in: 0...6, using: &rng) * Self.second + (Bool.random(using: &rng) ? 0 : 1)
                _ = try store.materialize(end: t, incremental: true)
                let online = try reader.get(users.map { ["user": .string($0)] }, at: t)
                let offline = try store.offline.join(keys: users.map { KeyTuple([.string($0)]) }, times: Array(repeating: t, count: users.count),
                                                     table: spec, featureIndexes: [0, 1], options: JoinOptions(corrections: .known))
                for (i, user) in users.enumerated() {
                    for f in 0..<2 {
                        let got = online[i][f]
                        let want = (offline.values[f][i], offline.statuses[i])
                        #expect(got.value == want.0 && got.status == want.1,
                                "seed \(seed) case \(caseIndex) user \(user) t \(Timestamp.format(t)) feature \(f): online \(got) offline \(want)")
                        if got.value != want.0 || got.status != want.1 { return }
                    }
                }
            }
        }
    }

    @Test("pushing rows sorted, shuffled or twice gives the same online state, and offline keeps lineage")
    func pushConverges() throws {
        var rng = SeededGenerator(seed: propertyTestSeed("push converges"))
        var rows: [String] = []
        var used = Set<String>()
        for i in 0..<60 {
            let event = Self.base + Int64.random(in: 0...40, using: &rng) * Self.second
            // Exact (key, event, created) ties are broken by ingest order by design, so the data has none.
            guard used.insert("\(i % 7)/\(event)").inserted else { continue }
            rows.append(#"{"user": "u\#(i % 7)", "ts": "\#(Timestamp.format(event))", "created": "\#(Timestamp.format(event + Self.second))", "score": \#(i), "n": \#(i)}"#)
        }
        func state(_ batches: [[String]]) throws -> [[UInt8]: OnlineRow] {
            let dir = TemporaryDirectory()
            let store = try Self.makeStore(dir, ttl: nil, csv: "user,ts,created,score,n\n")
            for (i, batch) in batches.enumerated() {
                try dir.write("push\(i).jsonl", batch.joined(separator: "\n") + "\n")
                _ = try store.push(view: "user_stats", file: dir.file("push\(i).jsonl"))
            }
            let spec = try #require(try store.featureTables()["user_stats"])
            let stored = try store.online.allRows(store.onlineLayout(spec))
            // Ingest sequence numbers differ between orders; compare what a reader sees.
            return Dictionary(uniqueKeysWithValues: stored.map { ($0.key, OnlineRow(eventTs: $0.row.eventTs, createdTs: $0.row.createdTs, ingestSeq: 0, lineageID: 0, values: $0.row.values)) })
        }
        let sorted = try state([rows])
        let shuffled = rows.shuffled(using: &rng)
        #expect(try state([Array(shuffled[..<30]), Array(shuffled[30...])]) == sorted)
        #expect(try state([rows, rows]) == sorted)
        #expect(sorted.count == 7)
    }

    @Test("re-pushing the same batch adds nothing offline and repairs the online side")
    func pushIsIdempotent() throws {
        let dir = TemporaryDirectory()
        let store = try Self.makeStore(dir, ttl: nil, csv: "user,ts,created,score,n\n")
        try dir.write("batch.jsonl", #"{"user": "a", "ts": "2026-03-01T12:00:00Z", "created": "2026-03-01T12:00:01Z", "score": 1.5, "n": 4}"# + "\n")
        let first = try store.push(view: "user_stats", file: dir.file("batch.jsonl"))
        #expect(first.offline.rowsAccepted == 1)
        #expect(first.onlineWritten == 1)
        let second = try store.push(view: "user_stats", file: dir.file("batch.jsonl"))
        #expect(second.offline.change == .unchanged)
        #expect(second.onlineKept == 1)
        let value = try store.onlineReader(.references([FeatureReference(view: "user_stats", feature: "double_n")])).get([["user": .string("a")]], at: Self.base)
        #expect(value[0][0].value == .int(8))
        #expect(try store.offline.ingestRuns().count == 1)
    }
}
