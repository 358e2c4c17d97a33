// The Spark engine against the project's own oracles, on a real Spark: the Spark SQL lowering of expressions against
// the Swift evaluator (bit for bit), and the point-in-time join against the brute-force oracle on random cases (ties,
// late corrections, TTL edges, composite and null keys, duplicate spine rows, known/latest/as-of, strict), on
// `local[2]` and on a standalone cluster (a master and a worker on loopback, started and stopped here). One Spark
// session per test: every case of a test runs in the same job.
import Foundation
import StrataCore
@testable import StrataOffline
import StrataTestSupport
import Testing

@Suite(.serialized) struct SparkEngineTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = sparkTestPython(packageRoot: packageRoot)

    func runner(master: String, warehouse: URL) throws -> SparkRunner {
        if let reason = sparkUnavailable(python: Self.python) { throw TestSupportError(reason) }
        return try SparkRunner(settings: SparkSettings(master: master, warehouse: warehouse.path, python: Self.python,
                                                       conf: ["spark.driver.memory": "1g"]),
                               projectRoot: warehouse)
    }

    @Test("Spark SQL and the Swift evaluator agree bit for bit on 3,000 random expressions")
    func expressionAgreement() throws {
        let dir = TemporaryDirectory()
        let spark = try runner(master: "local[2]", warehouse: dir.url)
        let seed = propertyTestSeed("spark expression agreement")
        var rng = SeededGenerator(seed: seed)
        let checker = TypeChecker(columns: ExpressionAgreementTests.columns)
        var generator = ExpressionGenerator()
        var batches: [SparkEvaluationBatch] = []
        var batchLayers: [[[(name: String, sql: String)]]] = []
        var expected: [Int: (text: String, sql: String, row: [Value], value: Value)] = [:]
        for caseIndex in 0..<3_000 {
            if caseIndex % 100 == 0 { batches.append(SparkEvaluationBatch()); batchLayers.append([]) }
            let type = ValueType.allCases.randomElement(using: &rng) ?? .int64
            let text = generator.expression(of: type, depth: Int.random(in: 0...4, using: &rng), using: &rng)
            guard case .success(let typed) = ExpressionParser.parse(text).flatMap({ checker.check($0, expected: type) }) else {
                Issue.record("generated expression does not check: \(text)")
                continue
            }
            let row = generator.row(using: &rng)
            var renderer = ExpressionSparkSQL(prefix: "c\(caseIndex)_")
            let sql = renderer.lower(typed)
            batches[batches.count - 1].cases.append((caseIndex, sql, row))
            batches[batches.count - 1].arguments += renderer.namedArguments
            for (level, layer) in renderer.layers.enumerated() {
                if batchLayers[batchLayers.count - 1].count <= level { batchLayers[batchLayers.count - 1].append([]) }
                batchLayers[batchLayers.count - 1][level] += layer
            }
            expected[caseIndex] = (text, sql, row, ExpressionEvaluator.evaluate(typed, row: row))
        }
        for i in batches.indices { batches[i].relation = ExpressionSparkSQL.relation(over: "strata_rows", layers: batchLayers[i]) }
        let answers = try spark.evaluate(columns: ExpressionAgreementTests.columns, batches: batches)
        var disagreements = 0
        for (id, want) in expected.sorted(by: { $0.key < $1.key }) {
            let got = answers[id] ?? .string("<no answer>")
            guard !Self.identical(want.value, got) else { continue }
            disagreements += 1
            if disagreements <= 5 {
                Issue.record("""
                disagreement (seed \(seed), case \(id)): \(want.text)
                  row: \(want.row)
                  swift: \(want.value)   spark: \(got)
                  sql: \(want.sql)
                """)
            }
        }
        #expect(disagreements == 0)
        #expect(answers.count == expected.count)
    }

    /// Bit for bit: floats by their IEEE pattern (so -0.0 ≠ 0.0), strings by their UTF-8 bytes.
    static func identical(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): return Array(x.utf8) == Array(y.utf8)
        case (.bool(let x), .bool(let y)): return x == y
        default: return false
        }
    }

    @Test("the Spark join equals the oracle on random cases, local[2]")
    func oracleLocal() throws {
        let dir = TemporaryDirectory()
        try checkOracle(try runner(master: "local[2]", warehouse: dir.url.appendingPathComponent("warehouse")), dir: dir)
    }

    @Test("the Spark join equals the oracle on random cases, standalone cluster (master + worker on loopback)")
    func oracleStandalone() throws {
        let dir = TemporaryDirectory()
        if let reason = sparkUnavailable(python: Self.python) { throw TestSupportError(reason) }
        let logs = dir.url.appendingPathComponent("cluster")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let cluster = try SparkStandaloneCluster(python: Self.python, logFolder: logs)
        defer { cluster.stop() }
        try checkOracle(try runner(master: cluster.masterURL, warehouse: dir.url.appendingPathComponent("warehouse")), dir: dir)
    }

    typealias Pair = PointInTimeCases.Pair
    /// Events three hours apart: the published rows fall into several day partitions.
    static let cases = PointInTimeCases(step: 10_800 * PointInTimeCases.second)

    /// One random case: a view of its own (its own source and storage), its rows, its spine.
    struct Case {
        var spec: FeatureTableSpec
        var rows: [PointInTimeOracle.Row<Pair>]
        var ttl: Int64?
        var spineKeys: [Pair?]
        var spineTimes: [Int64]
        var asOf: Int64
    }

    func checkOracle(_ spark: SparkRunner, dir: TemporaryDirectory) throws {
        let seed = propertyTestSeed("spark point-in-time join")
        var rng = SeededGenerator(seed: seed)
        let store = try OfflineStore(path: dir.file("offline.db").path)
        var cases: [Case] = []
        for caseIndex in 0..<8 { cases.append(try makeCase(caseIndex, store: store, dir: dir, &rng)) }
        // Every case's spine rows sit in one shared spine; a case's part sees only its own rows (others have no key).
        var times: [Int64] = [], owner: [Int] = [], ownKeys: [Pair?] = []
        for (index, c) in cases.enumerated() {
            times += c.spineTimes
            ownKeys += c.spineKeys
            owner += Array(repeating: index, count: c.spineTimes.count)
        }
        var parts: [SparkJoinPart] = []
        var labels: [(caseIndex: Int, mode: CorrectionsMode, oracle: PointInTimeOracle.Mode, strict: Bool)] = []
        for (index, c) in cases.enumerated() {
            let keys: [KeyTuple?] = ownKeys.indices.map { row in
                guard owner[row] == index, let key = ownKeys[row] else { return nil }
                return KeyTuple([.int(key.a), .int(key.b)])
            }
            for (mode, oracle) in [(CorrectionsMode.known, PointInTimeOracle.Mode.known), (.latest, .latest), (.asOf(c.asOf), .asOf(c.asOf))] {
                for strict in [false, true] {
                    let maxSeq = try store.maxIngestSeq(c.spec)
                    parts.append(SparkJoinPart(spec: c.spec, keys: keys, featureIndexes: [0, 1],
                                               options: JoinOptions(corrections: mode, isStrict: strict, maxIngestSeq: maxSeq)))
                    labels.append((index, mode, oracle, strict))
                }
            }
        }
        let results = try spark.join(parts, times: times, store: store)
        var compared = 0
        for (result, label) in zip(results, labels) {
            let c = cases[label.caseIndex]
            for row in times.indices where owner[row] == label.caseIndex {
                let expected = PointInTimeOracle.answer(rows: c.rows, key: ownKeys[row], t: times[row], ttl: c.ttl, mode: label.oracle, isStrict: label.strict)
                let value: Double? = { if case .float(let v) = result.values[0][row] { return v } else { return nil } }()
                let actual = PointInTimeOracle.Answer(status: result.statuses[row].rawValue, value: value, event: result.eventTimes[row])
                guard actual == expected else {
                    Issue.record("""
                    seed \(seed) case \(label.caseIndex) mode \(label.mode) strict \(label.strict) ttl \(c.ttl.map(String.init) ?? "none")
                      spine row \(row): key \(ownKeys[row].map { "(\($0.a),\($0.b))" } ?? "null") t \(Timestamp.format(times[row]))
                      expected \(expected)
                      actual   \(actual)
                    """)
                    return
                }
                if case .float(let v) = result.values[0][row] { #expect(result.values[1][row] == .float(v * 2)) }
                compared += 1
            }
        }
        #expect(compared == times.count * 6)
        // And the same parts through the SQLite engine give the same answers, lineage included.
        for (part, sparkResult) in zip(parts, results) {
            let sqlite = try store.join(keys: part.keys, times: times, table: part.spec, featureIndexes: part.featureIndexes, options: part.options)
            #expect(sqlite.statuses == sparkResult.statuses)
            #expect(sqlite.lineageIDs == sparkResult.lineageIDs)
            #expect(sqlite.createdTimes == sparkResult.createdTimes)
            #expect(sqlite.values == sparkResult.values)
        }
    }

    func makeCase(_ caseIndex: Int, store: OfflineStore, dir: TemporaryDirectory, _ rng: inout SeededGenerator) throws -> Case {
        let ttl = Self.cases.ttl(&rng)
        let yaml = PointInTimeCases.yaml(source: "events\(caseIndex)", view: "pair_stats\(caseIndex)", ttl: ttl)
        let project = try CompiledProject.compile([(path: "f.yaml", text: yaml)]).get()
        let view = try #require(project.views["pair_stats\(caseIndex)"])
        var rows = Self.cases.rows(&rng)
        try dir.write("events\(caseIndex).csv", PointInTimeCases.csv(rows))
        let (spec, storage) = try store.standaloneTable(view)
        let request = IngestRequest(source: view.source, sourceVersion: 1, storage: storage, keyColumns: ["a", "b"], file: dir.file("events\(caseIndex).csv"),
                                    displayPath: "events\(caseIndex).csv", isStrict: true, now: PointInTimeCases.base, definitionVersions: [:], views: [spec])
        _ = try store.ingest(request)
        // Row ids of the shared store continue across cases: the oracle's sequence is the stored one.
        let firstRow = try store.maxIngestSeq(spec) - Int64(rows.count)
        for i in rows.indices { rows[i].seq += firstRow }
        let (spineKeys, spineTimes) = Self.cases.spine(rows: rows, ttl: ttl, &rng)
        return Case(spec: spec, rows: rows, ttl: ttl, spineKeys: spineKeys, spineTimes: spineTimes, asOf: Self.cases.asOf(&rng))
    }
}
