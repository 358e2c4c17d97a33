// Windowed aggregations in training sets against the brute-force oracle on random data, bit for bit: corrections and
// `id` versions, nulls, `where` filters, events exactly at `lower` and at `t`, future-stamped events, every function,
// every corrections mode, strict and not, hop 0 and tiled, composite and unknown keys, duplicate spine rows and a
// reproduction watermark. Data goes through real CSV ingest (the Swift-evaluated event table) into a real SQLite file.
import Foundation
import StrataCore
@testable import StrataOffline
import StrataTestSupport
import Testing

@Suite struct AggregationPropertyTests {
    struct Pair: Hashable, Sendable { var a: Int64; var b: Int64 }

    static let second: Int64 = 1_000_000
    static let base: Int64 = 1_772_366_400_000_000

    /// One aggregation per function and input shape; windows and hops are drawn per case.
    static let shapes: [(name: String, function: AggregationDefinition.Function, input: String?, isInteger: Bool, filtered: Bool)] = [
        ("rows", .count, nil, true, false), ("rows_where", .count, nil, true, true), ("count_iv", .count, "iv", true, false),
        ("sum_iv", .sum, "iv", true, false), ("sum_fv", .sum, "fv", false, true), ("avg_iv", .avg, "iv", true, true),
        ("avg_fx", .avg, "{expr: \"fv * 2\"}", false, false), ("min_fv", .min, "fv", false, false), ("max_sv", .max, "sv", false, true),
        ("min_iv", .min, "iv", true, false), ("first_sv", .first, "sv", false, false), ("last_fv", .last, "fv", false, true),
        ("var_fv", .variance, "fv", false, false), ("sd_iv", .stddev, "iv", true, true), ("distinct_sv", .approxCountDistinct, "sv", false, false),
        ("distinct_iv", .approxCountDistinct, "iv", true, true),
    ]

    static func yaml(windows: [(window: Int64, hop: Int64)]) -> String {
        let aggregations = zip(shapes, windows).map { shape, w in
            let column = shape.input.map { ", column: \($0)" } ?? ""
            let filter = shape.filtered ? ", where: \"flag\"" : ""
            return "      \(shape.name): {function: \(shape.function.rawValue)\(column), window: \(w.window / second)s, hop: \(w.hop / second)s\(filter)}"
        }
        return """
        entities:
          - name: pair
            join_keys: {a: int64, b: int64}
        sources:
          - name: events
            path: events.csv
            timestamp: ts
            created: created
            id: trip
            schema: {trip: string, a: int64, b: int64, iv: int64, fv: float64, sv: string, flag: bool}
        feature_views:
          - name: pair_windows
            entities: [pair]
            source: events
            aggregations:
        \(aggregations.joined(separator: "\n"))
        """
    }

    @Test("training-set aggregations equal the oracle bit for bit on random cases")
    func matchesOracle() throws {
        let seed = propertyTestSeed("windowed aggregations")
        var rng = SeededGenerator(seed: seed)
        for caseIndex in 0..<25 {
            try runCase(caseIndex, seed: seed, &rng)
        }
    }

    struct Row {
        var trip: String?
        var key: Pair
        var event: Int64
        var created: Int64
        var iv: Int64?
        var fv: Double?
        var sv: String?
        var flag: Bool?
    }

    func runCase(_ caseIndex: Int, seed: UInt64, _ rng: inout SeededGenerator) throws {
        let windows: [(window: Int64, hop: Int64)] = Self.shapes.map { _ in
            let hop = [0, 2, 3, 5].randomElement(using: &rng).map { Int64($0) * Self.second } ?? 0
            return (hop > 0 ? hop * Int64.random(in: 1...3, using: &rng) : Int64.random(in: 1...8, using: &rng) * Self.second, hop)
        }
        let project = try CompiledProject.compile([(path: "f.yaml", text: Self.yaml(windows: windows))]).get()
        let view = try #require(project.views["pair_windows"])
        // (1, 23) and (12, 3) must stay different entities.
        let keys = [Pair(a: 1, b: 23), Pair(a: 12, b: 3), Pair(a: 2, b: 2)]
        var rows: [Row] = []
        for _ in 0..<Int.random(in: 1...45, using: &rng) {
            let event = Self.base + Int64.random(in: 0...16, using: &rng) * Self.second + [0, 0, 0, 1, -1].randomElement(using: &rng)!
            let delay: Int64 = [0, 0, Self.second, 3 * Self.second, 20 * Self.second, -4 * Self.second].randomElement(using: &rng) ?? 0
            let isNull = { (rng: inout SeededGenerator) in Int.random(in: 0..<6, using: &rng) == 0 }
            rows.append(Row(trip: Bool.random(using: &rng) ? ["t1", "t2", "t3"].randomElement(using: &rng) : nil, key: keys.randomElement(using: &rng) ?? keys[0],
                            event: event, created: event + delay,
                            iv: isNull(&rng) ? nil : (Int.random(in: 0..<10, using: &rng) == 0 ? Int64.max / 3 : Int64.random(in: -500...500, using: &rng)),
                            fv: isNull(&rng) ? nil : Double(Int.random(in: -400...400, using: &rng)) / 8 + 0.1,
                            sv: isNull(&rng) ? nil : ["x", "yy", "é", "b"].randomElement(using: &rng), flag: isNull(&rng) ? nil : Bool.random(using: &rng)))
        }
        rows.shuffle(using: &rng)
        let dir = TemporaryDirectory()
        let lines = rows.map { r in
            [r.trip ?? "", "\(r.key.a)", "\(r.key.b)", Timestamp.format(r.event), Timestamp.format(r.created), r.iv.map(String.init) ?? "",
             r.fv.map { "\($0)" } ?? "", r.sv ?? "", r.flag.map { $0 ? "true" : "false" } ?? ""].joined(separator: ",")
        }
        try dir.write("events.csv", "trip,a,b,ts,created,iv,fv,sv,flag\n" + lines.joined(separator: "\n") + "\n")
        let store = try OfflineStore(path: dir.file("offline.db").path)
        let (spec, storage) = try store.standaloneTable(view)
        let report = try store.ingest(IngestRequest(source: view.source, sourceVersion: 1, storage: storage, keyColumns: ["a", "b"], file: dir.file("events.csv"),
                                                    displayPath: "events.csv", isStrict: true, now: Self.base, definitionVersions: [:], views: [spec]))
        #expect(report.rowsAccepted == rows.count)

        var spineKeys: [Pair?] = []
        var spineTimes: [Int64] = []
        for _ in 0..<Int.random(in: 1...25, using: &rng) {
            let key: Pair? = Int.random(in: 0..<10, using: &rng) == 0 ? nil : (Int.random(in: 0..<8, using: &rng) == 0 ? Pair(a: 9, b: 9) : keys.randomElement(using: &rng))
            var t = Self.base + Int64.random(in: -2...24, using: &rng) * Self.second
            if let e = rows.randomElement(using: &rng)?.event, Bool.random(using: &rng) {
                // At an event, just before or after it, or where it sits exactly on a window's lower bound.
                t = e + [0, 1, -1, windows.randomElement(using: &rng)?.window ?? 0].randomElement(using: &rng)!
            }
            spineKeys.append(key)
            spineTimes.append(t)
            if Int.random(in: 0..<6, using: &rng) == 0 { spineKeys.append(key); spineTimes.append(t) }
        }
        let asOf = Self.base + Int64.random(in: 0...30, using: &rng) * Self.second
        let modes: [(CorrectionsMode, WindowedAggregationOracle.Mode)] = [(.known, .known), (.latest, .latest), (.asOf(asOf), .asOf(asOf))]
        let watermark: Int64? = Bool.random(using: &rng) ? Int64.random(in: 0...Int64(rows.count), using: &rng) : nil
        let events = rows.enumerated().map { seq, row in (seq: Int64(seq + 1), row: row) }
        for (mode, oracleMode) in modes {
            for isStrict in [false, true] {
                let options = JoinOptions(corrections: mode, isStrict: isStrict, maxIngestSeq: watermark)
                // Small batches cut the keys into several batches and thread shares; the answers must not change.
                let result = try store.aggregate(keys: spineKeys.map { $0.map { KeyTuple([.int($0.a), .int($0.b)]) } }, times: spineTimes, table: spec,
                                                 aggregationIndexes: Array(Self.shapes.indices), options: options,
                                                 batchEventsMax: [1, 3, 10, 1_000].randomElement(using: &rng) ?? 1)
                for (index, shape) in Self.shapes.enumerated() {
                    let oracleEvents = events.map { seq, row in
                        WindowedAggregationOracle.Event(key: row.key, id: row.trip, event: row.event, created: row.created, seq: seq,
                                                        value: Self.input(shape.input, row), passes: !shape.filtered || row.flag == true)
                    }
                    let aggregation = WindowedAggregationOracle.Aggregation(function: shape.function, hasInput: shape.input != nil, inputIsInteger: shape.isInteger,
                                                                            window: windows[index].window, hop: windows[index].hop)
                    for i in spineKeys.indices {
                        let expected = WindowedAggregationOracle.answer(events: oracleEvents, key: spineKeys[i], t: spineTimes[i], aggregation: aggregation,
                                                                        mode: oracleMode, isStrict: isStrict, maxIngestSeq: watermark)
                        let actual = WindowedAggregationOracle.Answer(status: result.statuses[i].rawValue, eventTs: result.eventTimes[i], value: result.values[index][i])
                        guard actual == expected else {
                            Issue.record("""
                            seed \(seed) case \(caseIndex) \(shape.name) window \(windows[index].window) hop \(windows[index].hop) mode \(mode) strict \(isStrict) watermark \(watermark.map(String.init) ?? "none")
                              spine row \(i): key \(spineKeys[i].map { "(\($0.a),\($0.b))" } ?? "null") t \(spineTimes[i] - Self.base)
                              expected \(expected)
                              actual   \(actual)
                            """)
                            return
                        }
                    }
                }
            }
        }
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
}
