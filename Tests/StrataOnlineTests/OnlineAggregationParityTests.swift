// Windowed aggregations served online equal the training-set values and the brute-force oracle, bit for bit (floats
// too), at random request instants: after a full materialize, after an incremental one, and after late, out-of-order
// and corrected events pushed in shuffled batches (pushed twice: idempotent). Real CSV ingest into SQLite, real LMDB,
// the in-process reader that `strata get` and the HTTP server use.
import Foundation
import StrataCore
import StrataOffline
import StrataOnline
@testable import Strata
import StrataTestSupport
import Testing

@Suite struct OnlineAggregationParityTests {
    static let second: Int64 = 1_000_000
    static let base: Int64 = 1_772_366_400_000_000

    /// One aggregation per function and input shape (as in the offline property test); windows and hops per case.
    static let shapes: [(name: String, function: AggregationDefinition.Function, input: String?, isInteger: Bool, filtered: Bool)] = [
        ("rows", .count, nil, true, false), ("rows_where", .count, nil, true, true), ("count_iv", .count, "iv", true, false),
        ("sum_iv", .sum, "iv", true, false), ("sum_fv", .sum, "fv", false, true), ("avg_iv", .avg, "iv", true, true),
        ("avg_fx", .avg, "{expr: \"fv * 2\"}", false, false), ("min_fv", .min, "fv", false, false), ("max_sv", .max, "sv", false, true),
        ("first_sv", .first, "sv", false, false), ("last_fv", .last, "fv", false, true), ("var_fv", .variance, "fv", false, false),
        ("sd_iv", .stddev, "iv", true, true), ("distinct_sv", .approxCountDistinct, "sv", false, false), ("sum_fv2", .sum, "fv", false, false),
    ]

    static func yaml(windows: [(window: Int64, hop: Int64)], hasID: Bool) -> String {
        let aggregations = zip(shapes, windows).map { shape, w in
            let column = shape.input.map { ", column: \($0)" } ?? ""
            let filter = shape.filtered ? ", where: \"flag\"" : ""
            return "      \(shape.name): {function: \(shape.function.rawValue)\(column), window: \(w.window / second)s, hop: \(w.hop / second)s\(filter)}"
        }
        return """
        entities:
          - name: pair
            join_keys: {a: int64, b: string}
        sources:
          - name: events
            path: events.csv
            timestamp: ts
            created: created
        \(hasID ? "    id: trip\n" : "")    schema: {trip: string, a: int64, b: string, iv: int64, fv: float64, sv: string, flag: bool}
        feature_views:
          - name: pair_windows
            entities: [pair]
            source: events
            features:
              iv: int64
            aggregations:
        \(aggregations.joined(separator: "\n"))
        """
    }

    struct Pair: Hashable, Sendable { var a: Int64; var b: String }

    struct Row {
        var trip: String?
        var key: Pair
        var event: Int64
        var created: Int64
        var iv: Int64?
        var fv: Double?
        var sv: String?
        var flag: Bool?

        var csv: String {
            [trip ?? "", "\(key.a)", key.b, Timestamp.format(event), Timestamp.format(created), iv.map(String.init) ?? "", fv.map { "\($0)" } ?? "",
             sv ?? "", flag.map { $0 ? "true" : "false" } ?? ""].joined(separator: ",")
        }

        var pushed: [JSONScalar] {
            [trip.map(JSONScalar.string) ?? .null, .int(key.a), .string(key.b), .string(Timestamp.format(event)), .string(Timestamp.format(created)),
             iv.map(JSONScalar.int) ?? .null, fv.map(JSONScalar.double) ?? .null, sv.map(JSONScalar.string) ?? .null, flag.map(JSONScalar.bool) ?? .null]
        }
    }

    static let keys = [Pair(a: 1, b: "x"), Pair(a: 12, b: "y"), Pair(a: 2, b: "ü"), Pair(a: 3, b: "late")]

    static func randomRow(_ rng: inout SeededGenerator, around: Int64) -> Row {
        let event = around + Int64.random(in: -20...20, using: &rng) * second + [0, 0, 0, 1, -1].randomElement(using: &rng)!
        let delay: Int64 = [0, 0, second, 3 * second, 30 * second, -4 * second].randomElement(using: &rng) ?? 0
        let isNull = { (rng: inout SeededGenerator) in Int.random(in: 0..<6, using: &rng) == 0 }
        return Row(trip: Bool.random(using: &rng) ? ["t1", "t2", "t3"].randomElement(using: &rng) : nil, key: keys.randomElement(using: &rng) ?? keys[0],
                   event: event, created: event + delay,
                   iv: isNull(&rng) ? nil : Int64.random(in: -500...500, using: &rng),
                   fv: isNull(&rng) ? nil : Double(Int.random(in: -4000...4000, using: &rng)) / 7 + 0.1,
                   sv: isNull(&rng) ? nil : ["x", "yy", "é", "b"].randomElement(using: &rng), flag: isNull(&rng) ? nil : Bool.random(using: &rng))
    }

    static func input(_ input: String?, _ row: Row) -> Value {
        switch input {
        case "iv": return row.iv.map(Value.int) ?? .null
        case "fv": return row.fv.map(Value.float) ?? .null
        case "sv": return row.sv.map(Value.string) ?? .null
        case .some: return row.fv.map { .float($0 * 2) } ?? .null
        case nil: return .null
        }
    }

    @Test("online aggregations equal training sets and the oracle at random instants, after materialize and shuffled pushes")
    func onlineEqualsOfflineAndOracle() throws {
        let seed = propertyTestSeed("online aggregations")
        var rng = SeededGenerator(seed: seed)
        var floatsCompared = 0, inPlace = 0
        for caseIndex in 0..<10 {
            floatsCompared += try runCase(caseIndex, seed: seed, &rng, inPlace: &inPlace)
        }
        // Not vacuous: many served values are present floats, compared by their bits; some pushes took the in-place path.
        #expect(floatsCompared > 100, "only \(floatsCompared) float values were compared")
        #expect(inPlace > 0, "seed \(seed): no push updated a tile record in place")
    }

    func runCase(_ caseIndex: Int, seed: UInt64, _ rng: inout SeededGenerator, inPlace: inout Int) throws -> Int {
        var floatsCompared = 0
        let windows: [(window: Int64, hop: Int64)] = Self.shapes.map { _ in
            let hop = [0, 2, 3, 5].randomElement(using: &rng).map { Int64($0) * Self.second } ?? 0
            return (hop > 0 ? hop * Int64.random(in: 1...4, using: &rng) : Int64.random(in: 1...12, using: &rng) * Self.second, hop)
        }
        let hasID = Bool.random(using: &rng)
        let dir = TemporaryDirectory()
        try dir.write("featuresets/defs.yaml", Self.yaml(windows: windows, hasID: hasID))
        var initial: [Row] = []
        for _ in 0..<Int.random(in: 1...40, using: &rng) { initial.append(Self.randomRow(&rng, around: Self.base)) }
        try dir.write("events.csv", "trip,a,b,ts,created,iv,fv,sv,flag\n" + initial.map(\.csv).joined(separator: "\n") + "\n")
        let store = try FeatureStore(projectPath: dir.path)
        _ = try store.apply(try store.plan(), author: "test", message: nil)
        _ = try store.ingest(now: Self.base)
        let spec = try #require(try store.featureTables()["pair_windows"])
        let reader = try store.onlineReader(.references(Self.shapes.map { FeatureReference(view: "pair_windows", feature: $0.name) }))
        var all = initial
        var horizon = Self.base + Int64.random(in: -10...10, using: &rng) * Self.second
        _ = try store.materialize(end: horizon)

        func compare(_ stage: String, from: Int64) throws -> Bool {
            var times: [Int64] = []
            for _ in 0..<6 {
                var t = from + Int64.random(in: 0...40, using: &rng) * Self.second
                if let row = all.randomElement(using: &rng), row.event >= from, Bool.random(using: &rng) {
                    // At an event, just before or after it, or where it sits exactly on a window's lower bound.
                    t = max(from, row.event + [0, 1, -1, windows.randomElement(using: &rng)?.window ?? 0, windows.randomElement(using: &rng)?.hop ?? 0]
                        .randomElement(using: &rng)!)
                }
                times.append(t)
            }
            let spineKeys = Self.keys + [Pair(a: 99, b: "none")]
            for t in times {
                let online = try reader.get(spineKeys.map { ["a": .int($0.a), "b": .string($0.b)] }, at: t)
                let offline = try store.offline.aggregate(keys: spineKeys.map { KeyTuple([.int($0.a), .string($0.b)]) }, times: Array(repeating: t, count: spineKeys.count),
                                                          table: spec, aggregationIndexes: Array(Self.shapes.indices), options: JoinOptions(corrections: .known))
                let events = all.enumerated().map { $0 }
                for (index, shape) in Self.shapes.enumerated() {
                    let oracleEvents = events.map { _, row in
                        WindowedAggregationOracle.Event(key: row.key, id: hasID ? row.trip : nil, event: row.event, created: row.created, seq: 0,
                                                        value: Self.input(shape.input, row), passes: !shape.filtered || row.flag == true)
                    }
                    let aggregation = WindowedAggregationOracle.Aggregation(function: shape.function, hasInput: shape.input != nil, inputIsInteger: shape.isInteger,
                                                                            window: windows[index].window, hop: windows[index].hop)
                    for (k, key) in spineKeys.enumerated() {
                        let served = online[k][index]
                        let got = WindowedAggregationOracle.Answer(status: served.status.rawValue, eventTs: served.eventTs, value: served.value)
                        let trained = WindowedAggregationOracle.Answer(status: offline.statuses[k].rawValue, eventTs: offline.eventTimes[k], value: offline.values[index][k])
                        let expected = Self.oracle(oracleEvents, key: key, t: t, aggregation: aggregation)
                        guard got == trained, got == expected else {
                            Issue.record("""
                            seed \(seed) case \(caseIndex) \(stage) \(shape.name) window \(windows[index].window) hop \(windows[index].hop) id \(hasID)
                              key \(key) t \(t - Self.base) horizon \(horizon - Self.base)
                              online  \(got)
                              offline \(trained)
                              oracle  \(expected)
                            """)
                            return false
                        }
                        if case .float = got.value { floatsCompared += 1 }
                    }
                }
            }
            return true
        }

        guard try compare("materialized", from: horizon) else { return floatsCompared }
        // Incremental materialize at a later horizon: tiles advance and prune, answers stay exact.
        horizon += Int64.random(in: 0...15, using: &rng) * Self.second
        _ = try store.materialize(end: horizon, incremental: true)
        guard try compare("incremental", from: horizon) else { return floatsCompared }

        // Late, out-of-order and corrected events pushed in shuffled batches, each batch pushed twice.
        var late: [Row] = []
        for _ in 0..<Int.random(in: 1...30, using: &rng) { late.append(Self.randomRow(&rng, around: horizon)) }
        late.shuffle(using: &rng)
        var pushNow = horizon
        var start = 0
        while start < late.count {
            let end = min(late.count, start + Int.random(in: 1...8, using: &rng))
            let batch = PushedRows(columns: ["trip", "a", "b", "ts", "created", "iv", "fv", "sv", "flag"], rows: late[start..<end].map(\.pushed))
            pushNow += Int64.random(in: 0...3, using: &rng) * Self.second
            let report = try store.push(source: "events", rows: batch, requestID: "r\(start)", now: pushNow)
            for view in report.views { inPlace += (view.aggregationKeys ?? 0) - (view.aggregationKeysRebuilt ?? 0) }
            all += late[start..<end]
            // Records updated in place equal the records rebuilt from all of the key's events, byte for byte.
            let layout = try #require(store.aggregationLayout(spec))
            var rebuilt: [[UInt8]: AggregationEvents] = [:]
            try store.offline.forEachAggregationKey(spec, keys: nil) { key, events in rebuilt[OnlineKeyEncoding.encode(key)] = events }
            let mismatched = try store.online.write(layouts: [], aggregations: [layout]) { batch in
                try batch.aggregationKeys(layout).filter { key in
                    guard case .record(let stored) = try batch.aggregationRecord(layout, key: key), let events = rebuilt[key] else { return true }
                    return AggregationTileRecord.build(events, horizon: stored.horizon, layout: layout) != stored
                }
            }
            #expect(mismatched.isEmpty, "seed \(seed) case \(caseIndex): \(mismatched.count) pushed records differ from a rebuild")
            let bytesAfter = try store.online.aggregationStats(try #require(store.aggregationLayout(spec)))
            _ = try store.push(source: "events", rows: batch, requestID: "r\(start)-again", now: pushNow)
            let bytesAgain = try store.online.aggregationStats(try #require(store.aggregationLayout(spec)))
            #expect(bytesAgain == bytesAfter, "seed \(seed) case \(caseIndex): pushing the same batch again changed the tiles")
            start = end
        }
        guard try compare("pushed", from: pushNow) else { return floatsCompared }
        // A full materialize from scratch gives the same answers as the pushed state.
        horizon = pushNow + Int64.random(in: 0...5, using: &rng) * Self.second
        _ = try store.materialize(end: horizon)
        _ = try compare("rematerialized", from: horizon)
        return floatsCompared
    }

    /// The oracle with the ingest order of the offline store: versions of one id are ordered by created time, then
    /// by the order rows reached the store — which equals the test's `all` order (CSV rows, then pushes in order).
    static func oracle(_ events: [WindowedAggregationOracle.Event<Pair>], key: Pair, t: Int64,
                       aggregation: WindowedAggregationOracle.Aggregation) -> WindowedAggregationOracle.Answer {
        let numbered = events.enumerated().map { index, event in
            var event = event
            event.seq = Int64(index + 1)
            return event
        }
        return WindowedAggregationOracle.answer(events: numbered, key: key, t: t, aggregation: aggregation, mode: .known, isStrict: false)
    }
}
