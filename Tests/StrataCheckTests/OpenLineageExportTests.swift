// OpenLineage export on the example project, through the library with real SQLite and LMDB stores: START/COMPLETE/FAIL
// per run at recorded times, stable UUIDv5 run ids, datasets named by location, and column lineage followed to the CSV.
// (Schema validation and openlineage-python round trips run in python/tests/test_openlineage.py.)
import Foundation
import Strata
@testable import StrataCheck
import StrataCore
import StrataRegistry
import StrataTestSupport
import Testing

@Suite struct OpenLineageExportTests {
    static func t(_ text: String) -> Int64 { (try? Timestamp.parse(text).get()) ?? 0 }

    static func example() throws -> (TemporaryDirectory, FeatureStore) {
        let dir = TemporaryDirectory()
        for file in ExampleProject.files() { try dir.write(file.path, file.text) }
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "test", message: nil)
        // The driver statistics only: the trips source and its aggregated view have runs of their own that these tests do not count.
        _ = try store.ingest(sources: ["driver_stats_source"])
        return (dir, store)
    }

    /// The example after a training set (`train.csv`) and a materialization at 2026-03-02T12:00:00Z.
    static func trainedAndMaterialized() throws -> (TemporaryDirectory, FeatureStore) {
        let (dir, store) = try example()
        _ = try store.historical(HistoricalRequest(spinePath: dir.file("featuresets/data/driver_spine.csv").path, features: .service("driver_activity"),
                                                   outputPath: dir.file("train.csv").path))
        _ = try store.materialize(views: ["driver_stats"], end: t("2026-03-02T12:00:00Z"))
        return (dir, store)
    }

    static func events(_ store: FeatureStore, _ options: OpenLineageExportOptions = .init(host: "testhost")) throws -> [[String: Any]] {
        try OpenLineageExport.events(store, options: options).map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    static func job(_ event: [String: Any]) -> String { (event["job"] as? [String: Any])?["name"] as? String ?? "" }
    static func runID(_ event: [String: Any]) -> String { (event["run"] as? [String: Any])?["runId"] as? String ?? "" }
    static func datasets(_ event: [String: Any], _ key: String) -> [[String: Any]] { event[key] as? [[String: Any]] ?? [] }

    /// Output column → [(dataset name, field, "TYPE/SUBTYPE")] of one dataset's columnLineage facet.
    static func lineage(_ dataset: [String: Any]) -> [String: [(String, String, String)]] {
        let fields = ((dataset["facets"] as? [String: Any])?["columnLineage"] as? [String: Any])?["fields"] as? [String: Any] ?? [:]
        return fields.mapValues { value in
            ((value as? [String: Any])?["inputFields"] as? [[String: Any]] ?? []).map { input in
                let t = (input["transformations"] as? [[String: Any]])?.first ?? [:]
                return (input["name"] as? String ?? "", input["field"] as? String ?? "", "\(t["type"] ?? "")/\(t["subtype"] ?? "")")
            }
        }
    }

    @Test("every run of every job gives START then COMPLETE under a stable version-5 run id")
    func startAndComplete() throws {
        let (dir, store) = try Self.trainedAndMaterialized()
        _ = try ConsistencyChecker.checkSnapshot(store, at: Self.t("2026-03-02T12:00:00Z"), sample: 5)
        let first = try OpenLineageExport.events(store, options: .init(host: "testhost"))
        #expect(first == (try OpenLineageExport.events(store, options: .init(host: "testhost"))))
        let events = try Self.events(store)
        #expect(events.map { "\($0["eventType"] ?? "") \(Self.job($0))" } == [
            "START ingest.driver_stats_source", "COMPLETE ingest.driver_stats_source", "START historical.train.csv", "COMPLETE historical.train.csv",
            "START materialize.driver_stats", "COMPLETE materialize.driver_stats", "START check.snapshot", "COMPLETE check.snapshot",
        ])
        let namespace = "strata://testhost" + URL(fileURLWithPath: dir.path).standardizedFileURL.path
        let expected = NameBasedUUID.v5(namespace: OpenLineageNaming.runNamespaceUUID, name: namespace + "/ingest/1")
        #expect(Self.runID(events[0]) == expected)
        #expect(Self.runID(events[1]) == expected)
        #expect(Set(events.map(Self.runID)).count == 4)
        #expect(events.allSatisfy { (($0["job"] as? [String: Any])?["namespace"] as? String) == namespace })
        let ingestStart = try #require(store.runHistory().ingests.first?.run.startedAtMicros)
        #expect(events[0]["eventTime"] as? String == Timestamp.format(ingestStart))
        let csv = Self.datasets(events[0], "inputs")[0]
        #expect(csv["namespace"] as? String == "file://testhost")
        #expect(csv["name"] as? String == dir.file("featuresets/data/driver_stats.csv").standardizedFileURL.path)
        let spec = try #require(try store.featureTables()["driver_stats"])
        #expect(Self.datasets(events[0], "outputs").map { $0["name"] as? String ?? "" } == [spec.sourceTableName, spec.tableName, "quarantine"])
        #expect(Self.datasets(events[0], "outputs").allSatisfy { $0["outputFacets"] == nil }, "statistics are for COMPLETE only")
        let statistics = (Self.datasets(events[1], "outputs")[0]["outputFacets"] as? [String: Any])?["outputStatistics"] as? [String: Any]
        #expect(statistics?["rowCount"] as? Int == 1731)
    }

    @Test("feature columns name the source columns they are computed from, and the chain reaches the CSV")
    func columnLineage() throws {
        let (dir, store) = try Self.trainedAndMaterialized()
        let events = try Self.events(store).filter { $0["eventType"] as? String == "COMPLETE" }
        let outputs = events.flatMap { Self.datasets($0, "outputs") }
        let spec = try #require(try store.featureTables()["driver_stats"])
        let featureTable = try #require(outputs.first { $0["name"] as? String == spec.tableName })
        let view = Self.lineage(featureTable)
        let src = spec.sourceTableName
        #expect(view["conv_x_acc"]?.map(\.1) == ["conv_rate", "acc_rate"])
        #expect(view["conv_x_acc"]?.allSatisfy { $0.0 == src && $0.2 == "DIRECT/TRANSFORMATION" } == true)
        #expect(view["is_top_rated"]?.map(\.1) == ["rating"])
        #expect(view["conv_rate"]?.map { "\($0.1) \($0.2)" } == ["conv_rate DIRECT/IDENTITY"])
        #expect(view["trips_band"]?.map { "\($0.1) \($0.2)" } == ["avg_daily_trips INDIRECT/CONDITIONAL"])
        #expect(view["stat_hour"]?.map(\.1) == ["strata_event_ts"])
        #expect(view["driver_id"]?.map(\.1) == ["driver_id"])
        let online = try #require(outputs.first { ($0["namespace"] as? String)?.hasPrefix("lmdb://testhost/") == true })
        #expect(Self.lineage(online)["conv_x_acc"]?.map { "\($0.0) \($0.1) \($0.2)" } == ["\(spec.tableName) conv_x_acc DIRECT/IDENTITY"])
        // Follow a training-set column upstream, hop by hop, through every dataset's column lineage.
        // Datasets are keyed by namespace and name: an online table shares its feature table's name, not its namespace.
        var graph: [String: [String]] = [:]
        for dataset in outputs {
            let fields = ((dataset["facets"] as? [String: Any])?["columnLineage"] as? [String: Any])?["fields"] as? [String: [String: Any]] ?? [:]
            for (output, entry) in fields {
                graph["\(dataset["namespace"] ?? "") \(dataset["name"] ?? "")#\(output)", default: []] += (entry["inputFields"] as? [[String: Any]] ?? []).map {
                    "\($0["namespace"] ?? "") \($0["name"] ?? "")#\($0["field"] ?? "")"
                }
            }
        }
        var frontier = ["file://testhost \(dir.file("train.csv").path)#driver_stats__conv_x_acc"], visited: Set<String> = [], reached: Set<String> = []
        while let next = frontier.popLast() {
            guard visited.insert(next).inserted else { continue }
            guard let inputs = graph[next] else { reached.insert(next); continue }
            frontier += inputs
        }
        let csv = dir.file("featuresets/data/driver_stats.csv").standardizedFileURL.path
        #expect(reached == ["file://testhost \(csv)#conv_rate", "file://testhost \(csv)#acc_rate"])
    }

    @Test("a failed ingest, a failed check, a failed training set and a failed or killed materialization end as FAIL or stay started")
    func failures() throws {
        let (dir, store) = try Self.example()
        try dir.write("featuresets/data/driver_stats.csv", try dir.read("featuresets/data/driver_stats.csv") + "1001,oops\n")
        #expect(throws: (any Error).self) { try store.ingest(sources: ["driver_stats_source"], isStrict: true) }
        let failedIngest = try #require(try Self.events(store, .init(jobs: [.ingest], host: "h")).last)
        #expect(failedIngest["eventType"] as? String == "FAIL")
        let message = (((failedIngest["run"] as? [String: Any])?["facets"] as? [String: Any])?["errorMessage"] as? [String: Any])?["message"] as? String
        #expect(message?.hasPrefix("row rejected in --strict mode: has 2 fields, the header has 8 (at featuresets/data/driver_stats.csv:1741") == true, "\(message ?? "")")

        _ = try store.materialize(views: ["driver_stats"], end: Self.t("2026-03-02T10:00:00Z"))
        let reader = try store.onlineReader(.service("driver_activity"))
        let at = Self.t("2026-03-02T12:00:00Z")
        let rows: [[String: KeyPart]] = [["driver_id": .int(1024)]]
        try store.logServed(reader, service: "driver_activity", rows: rows, values: try reader.get(rows, at: at), at: at)
        #expect(try ConsistencyChecker.checkLogs(store, maxMismatch: 0).passed == false)
        let check = try Self.events(store, .init(jobs: [.check], host: "h"))
        #expect(check.map { $0["eventType"] as? String } == ["START", "FAIL"])
        let assertions = (((Self.datasets(check[1], "inputs").last?["inputFacets"] as? [String: Any])?["dataQualityAssertions"]) as? [String: Any])?["assertions"]
        #expect((assertions as? [[String: Any]])?.contains { $0["success"] as? Bool == false } == true)

        // A killed run (recorded as started) and a failed one, written as the façade records them.
        let registry = try Registry(path: store.folder.registryPath)
        let detail = try #require(try store.runHistory().materializations.first?.record.detail)
        let killed = try registry.startJobRun(kind: "materialize", startedAtMicros: Self.t("2030-01-01T00:00:00Z"), detail: detail)
        let failed = try registry.startJobRun(kind: "materialize", startedAtMicros: Self.t("2030-01-02T00:00:00Z"), detail: detail)
        try registry.finishJobRun(id: failed, finishedAtMicros: Self.t("2030-01-02T00:00:01Z"), outcome: .failed, error: "map full", detail: detail)
        let materialize = try Self.events(store, .init(jobs: [.materialize], host: "h"))
        #expect(materialize.map { $0["eventType"] as? String } == ["START", "COMPLETE", "START", "START", "FAIL"])
        #expect(killed < failed)
        #expect(materialize[4]["eventTime"] as? String == "2030-01-02T00:00:01.000000Z")

        // A training set that fails (here: a misspelt service) writes no manifest; its run is still exported as FAIL.
        let spine = dir.file("featuresets/data/driver_spine.csv").path
        #expect(throws: (any Error).self) {
            try store.historical(HistoricalRequest(spinePath: spine, features: .service("driver_activty"), outputPath: dir.file("typo.csv").path))
        }
        let historical = try Self.events(store, .init(jobs: [.historical], host: "h"))
        #expect(historical.map { $0["eventType"] as? String } == ["START", "FAIL"])
        #expect(historical.map(Self.job) == ["historical.typo.csv", "historical.typo.csv"])
        let reason = (((historical[1]["run"] as? [String: Any])?["facets"] as? [String: Any])?["errorMessage"] as? [String: Any])?["message"] as? String
        #expect(reason?.contains("driver_activty") == true, "\(reason ?? "")")
        #expect(Self.datasets(historical[1], "inputs").first?["name"] as? String == URL(fileURLWithPath: spine).path)
    }

    @Test("--since keeps events at or after the instant, --job keeps the named jobs, a push is its own job")
    func filtersAndPush() throws {
        let (dir, store) = try Self.example()
        try dir.write("rows.jsonl", #"{"driver_id": 1024, "event_timestamp": "2026-03-03T00:00:00Z", "created": "2026-03-03T00:00:00Z", "conv_rate": 0.5, "acc_rate": 0.5, "avg_daily_trips": 10, "rating": 4.9, "city": "Lisbon"}"# + "\n")
        _ = try store.push(view: "driver_stats", file: dir.file("rows.jsonl"))
        let all = try Self.events(store)
        #expect(all.map(Self.job) == ["ingest.driver_stats_source", "ingest.driver_stats_source", "push.driver_stats_source", "push.driver_stats_source"])
        let push = all[3]
        #expect(Self.datasets(push, "inputs").first?["name"] as? String == "push/driver_stats_source")
        #expect(Self.datasets(push, "outputs").contains { ($0["namespace"] as? String)?.hasPrefix("lmdb://") == true })
        let since = try #require(all[2]["eventTime"] as? String)
        #expect(try Self.events(store, .init(since: Self.t(since), host: "testhost")).map(Self.runID) == [Self.runID(all[2]), Self.runID(all[3])])
        #expect(try Self.events(store, .init(jobs: [.push], host: "testhost")).count == 2)
        #expect(try Self.events(store, .init(jobs: [.historical], host: "testhost")).isEmpty)
    }
}
