// Skew injection for windowed aggregations: the checker compares served aggregates with the training-set sweep exactly
// and names each injected skew — a late write, an event on the window's edge, a drifted value — and finds none in
// honest serving, from the feature log and from a snapshot of the online store. Real SQLite, LMDB and feature log.
import Foundation
import Strata
@testable import StrataCheck
import StrataCore
import StrataOffline
import StrataTestSupport
import Testing

@Suite struct AggregationSkewTests {
    static func t(_ text: String) -> Int64 { (try? Timestamp.parse("2026-03-01T\(text)Z").get()) ?? 0 }

    static let definitions = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: trips
        path: trips.csv
        timestamp: ts
        created: created
        schema: {driver_id: int64, fare: float64}
    feature_views:
      - name: driver_trips
        entities: [driver]
        source: trips
        features:
          fare: float64
        aggregations:
          trips_1h: {function: count, window: 1h}
          fare_avg_1h: {function: avg, column: fare, window: 1h}
    feature_services:
      - name: dispatch
        features: [driver_trips:trips_1h, driver_trips:fare_avg_1h]
        logging: {sample_rate: 1.0}
    """

    struct Project {
        let dir = TemporaryDirectory()
        let store: FeatureStore

        init(rows: [String]) throws {
            try dir.write("featuresets/f.yaml", AggregationSkewTests.definitions)
            try dir.write("trips.csv", (["driver_id,ts,created,fare"] + rows).joined(separator: "\n") + "\n")
            store = try FeatureStore(projectPath: dir.path)
            try store.apply(try store.plan(), author: "test", message: nil)
            _ = try store.ingest(now: AggregationSkewTests.t("00:00:00"))
        }

        func append(_ rows: [String], ingestedAt: Int64) throws {
            try dir.write("trips.csv", try dir.read("trips.csv") + rows.joined(separator: "\n") + "\n")
            _ = try store.ingest(now: ingestedAt)
        }

        func serve(_ drivers: [Int64], at: Int64) throws {
            let reader = try store.onlineReader(.service("dispatch"))
            let rows = drivers.map { ["driver_id": KeyPart.int($0)] }
            try store.logServed(reader, service: "dispatch", rows: rows, values: try reader.get(rows, at: at), at: at)
        }

        func log(driver: Int64, at: Int64, count: Int64, avg: Double) throws {
            try FeatureLogStore(path: store.folder.featureLogPath).append([FeatureLogRecord(
                requestID: "r\(at)", requestMicros: at, service: "dispatch", keys: ["driver_id": .int(driver)],
                features: ["driver_trips:trips_1h", "driver_trips:fare_avg_1h"], values: [.int(count), .float(avg)], statuses: [.present, .present],
                eventTimes: [at, at], lineageIDs: [nil, nil], viewVersions: ["driver_trips": 1])])
        }
    }

    func reasons(_ report: CheckReport) -> [String: Int] {
        var all: [String: Int] = [:]
        for feature in report.features { for (reason, count) in feature.reasons { all[reason, default: 0] += count } }
        return all
    }

    static let rows = ["1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,10.1", "1,2026-03-01T10:20:00Z,2026-03-01T10:21:00Z,0.2",
                       "1,2026-03-01T10:40:00Z,2026-03-01T10:40:00Z,0.3", "2,2026-03-01T09:00:00Z,2026-03-01T09:00:00Z,7"]

    @Test("honest serving at many instants has no mismatches, from the log and from a snapshot that includes aggregations")
    func honest() throws {
        let p = try Project(rows: Self.rows)
        _ = try p.store.materialize(end: Self.t("10:00:00"))
        for minute in stride(from: 0, through: 75, by: 5) { try p.serve([1, 2, 3], at: Self.t("10:00:00") + Int64(minute) * 60_000_000 + 1) }
        try p.serve([1, 2, 3], at: Self.t("11:00:00"))
        let report = try ConsistencyChecker.checkLogs(p.store, maxMismatch: 0)
        #expect(report.passed, "\(report.examples)")
        #expect(report.features.map(\.feature).sorted() == ["driver_trips:fare_avg_1h", "driver_trips:trips_1h"])
        #expect(report.features.allSatisfy { $0.compared == 51 })
        // Row features need a materialize at the snapshot time; aggregations slide with the clock on their own.
        _ = try p.store.materialize(end: Self.t("10:45:00"), incremental: true)
        let snapshot = try ConsistencyChecker.checkSnapshot(p.store, at: Self.t("10:45:00"), maxMismatch: 0)
        #expect(snapshot.passed, "\(snapshot.examples)")
        #expect(Set(snapshot.features.map(\.feature)) == ["driver_trips:fare", "driver_trips:trips_1h", "driver_trips:fare_avg_1h"])
    }

    @Test("an event created before the lookup but ingested after it is late_write")
    func lateWrite() throws {
        let p = try Project(rows: Self.rows)
        _ = try p.store.materialize(end: Self.t("10:30:00"))
        try p.serve([1], at: Self.t("10:30:00"))
        #expect(try ConsistencyChecker.checkLogs(p.store, maxMismatch: 0).passed)
        try p.append(["1,2026-03-01T10:05:00Z,2026-03-01T10:10:00Z,4"], ingestedAt: Self.t("11:00:00"))
        let report = try ConsistencyChecker.checkLogs(p.store, maxMismatch: 0)
        #expect(reasons(report) == ["late_write": 2])
        #expect(!report.passed)
    }

    @Test("a server that counted the event on the window's lower edge is window_edge")
    func windowEdge() throws {
        let p = try Project(rows: Self.rows)
        // At 11:00 the 1h window is (10:00, 11:00]: the 10:00 trip is out. This server counted it.
        try p.log(driver: 1, at: Self.t("11:00:00"), count: 3, avg: (10.1 + 0.2 + 0.3) / 3)
        let report = try ConsistencyChecker.checkLogs(p.store, maxMismatch: 0)
        #expect(reasons(report) == ["window_edge": 2], "\(report.examples)")
    }

    @Test("a served aggregate that differs with no late or edge event is value_drift, floats compared exactly")
    func valueDrift() throws {
        let p = try Project(rows: Self.rows)
        let at = Self.t("10:50:00")
        let served = try p.store.onlineReader(.service("dispatch"))
        _ = try p.store.materialize(end: at)
        let honest = try served.get([["driver_id": .int(1)]], at: at)[0]
        guard case .float(let avg) = honest[1].value else { Issue.record("no average served: \(honest)"); return }
        // The right count, and an average one ulp off: a tolerance would hide it.
        try p.log(driver: 1, at: at, count: 3, avg: avg.nextUp)
        let report = try ConsistencyChecker.checkLogs(p.store, maxMismatch: 0)
        #expect(reasons(report) == ["value_drift": 1], "\(report.examples)")
        #expect(report.features.first { $0.feature == "driver_trips:trips_1h" }?.mismatches == 0)
    }
}
