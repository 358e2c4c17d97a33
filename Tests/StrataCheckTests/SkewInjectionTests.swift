// Skew you can see: each class of training/serving skew is injected on purpose and the checker must report it with
// the right reason and count; with no skew, random data gives zero mismatches. Real SQLite, LMDB and feature log.
import Foundation
import GRDB
import Strata
@testable import StrataCheck
import StrataCore
import StrataOffline
import StrataOnline
import StrataTestSupport
import Testing

@Suite struct SkewInjectionTests {
    static func t(_ text: String) -> Int64 { (try? Timestamp.parse("2026-03-01T\(text)Z").get()) ?? 0 }

    static func definitions(expression: String = "trips * 2") -> String {
        """
        entities:
          - name: driver
            join_keys: {driver_id: int64}
        sources:
          - name: trips
            path: trips.csv
            timestamp: ts
            created: created
            schema: {driver_id: int64, trips: int64}
        feature_views:
          - name: driver_trips
            entities: [driver]
            source: trips
            ttl: 1h
            features:
              trips: int64
              doubled: {type: int64, expr: "\(expression)"}
        feature_services:
          - name: dispatch
            features: ["driver_trips:*"]
            logging: {sample_rate: 1.0}
        """
    }

    struct Project {
        let dir = TemporaryDirectory()
        let store: FeatureStore

        init(rows: [String]) throws {
            try dir.write("featuresets/f.yaml", SkewInjectionTests.definitions())
            try dir.write("trips.csv", (["driver_id,ts,created,trips"] + rows).joined(separator: "\n") + "\n")
            store = try FeatureStore(projectPath: dir.path)
            try store.apply(try store.plan(), author: "test", message: nil)
            _ = try store.ingest(now: SkewInjectionTests.t("00:00:00"))
        }

        func append(_ rows: [String], ingestedAt: Int64) throws {
            let old = try dir.read("trips.csv")
            try dir.write("trips.csv", old + rows.joined(separator: "\n") + "\n")
            _ = try store.ingest(now: ingestedAt)
        }

        /// Looks up drivers at `at` in-process through the logging service.
        func serve(_ drivers: [Int64], at: Int64) throws {
            let reader = try store.onlineReader(.service("dispatch"))
            let rows = drivers.map { ["driver_id": KeyPart.int($0)] }
            try store.logServed(reader, service: "dispatch", rows: rows, values: try reader.get(rows, at: at), at: at)
        }

        func check() throws -> CheckReport { try ConsistencyChecker.checkLogs(store, maxMismatch: 0) }
    }

    func reasons(_ report: CheckReport) -> [String: Int] {
        var all: [String: Int] = [:]
        for feature in report.features { for (reason, count) in feature.reasons { all[reason, default: 0] += count } }
        return all
    }

    @Test("a correction written with an earlier created time but ingested after serving is late_write")
    func lateWrite() throws {
        let p = try Project(rows: ["1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5"])
        _ = try p.store.materialize(end: Self.t("10:30:00"))
        try p.serve([1], at: Self.t("10:30:00"))
        #expect(try p.check().passed)
        try p.append(["1,2026-03-01T10:00:00Z,2026-03-01T10:10:00Z,6"], ingestedAt: Self.t("11:00:00"))
        let report = try p.check()
        #expect(reasons(report) == ["late_write": 2])
        #expect(!report.passed)
    }

    @Test("a value exactly at the TTL edge that serving called expired is ttl_edge")
    func ttlEdge() throws {
        let p = try Project(rows: ["1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5"])
        let lookup = Self.t("11:00:00")
        // A server that treats the edge as exclusive: it logged `expired` where the SPEC (inclusive) says present.
        try FeatureLogStore(path: p.store.folder.featureLogPath).append([FeatureLogRecord(
            requestID: "r1", requestMicros: lookup, service: "dispatch", keys: ["driver_id": .int(1)], features: ["driver_trips:trips", "driver_trips:doubled"],
            values: [.null, .null], statuses: [.expired, .expired], eventTimes: [Self.t("10:00:00"), Self.t("10:00:00")], lineageIDs: [1, 1],
            viewVersions: ["driver_trips": 1])])
        #expect(reasons(try p.check()) == ["ttl_edge": 2])
    }

    @Test("equal event times with different created times, served the older version, is tie_break")
    func tieBreak() throws {
        let p = try Project(rows: ["1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5", "1,2026-03-01T10:00:00Z,2026-03-01T10:05:00Z,7"])
        _ = try p.store.materialize(end: Self.t("10:02:00"))
        try p.serve([1], at: Self.t("10:10:00"))
        #expect(reasons(try p.check()) == ["tie_break": 2])
    }

    @Test("a key materialized online but deleted offline is missing_in_offline; one never materialized is missing_in_online")
    func missingOnEitherSide() throws {
        let p = try Project(rows: ["1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5", "2,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,9"])
        _ = try p.store.materialize(end: Self.t("10:30:00"))
        try p.append(["3,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,4"], ingestedAt: Self.t("10:01:00"))
        let spec = try #require(try p.store.featureTables()["driver_trips"])
        try DatabaseQueue(path: p.store.folder.offlinePath).write { db in
            try db.execute(sql: "DELETE FROM \(quoted(spec.sourceTableName)) WHERE driver_id = 2")
            try db.execute(sql: "DELETE FROM \(quoted(spec.tableName)) WHERE driver_id = 2")
        }
        try p.serve([1, 2, 3], at: Self.t("10:30:00"))
        let report = try p.check()
        #expect(reasons(report) == ["missing_in_offline": 2, "missing_in_online": 2])
        #expect(report.features.first?.missingOffline == 1)
        #expect(report.features.first?.missingOnline == 1)
    }

    @Test("an online store materialized from an older definition version is value_drift on the changed feature only")
    func valueDrift() throws {
        let p = try Project(rows: ["1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5"])
        _ = try p.store.materialize(end: Self.t("10:30:00"))
        try p.serve([1], at: Self.t("10:30:00"))
        try p.dir.write("featuresets/f.yaml", Self.definitions(expression: "trips * 3"))
        try p.store.apply(try p.store.plan(), author: "test", message: "triple", allowsBreakingChanges: true)
        let report = try p.check()
        #expect(reasons(report) == ["value_drift": 1])
        #expect(report.features.first { $0.feature == "driver_trips:doubled" }?.maxAbsDiff == 5)
        #expect(report.features.first { $0.feature == "driver_trips:trips" }?.mismatches == 0)
    }

    @Test("with no injected skew, random data and lookups give zero mismatches")
    func noSkew() throws {
        var rng = SeededGenerator(seed: propertyTestSeed("no skew"))
        var rows: [String] = []
        for _ in 0..<200 {
            let event = Self.t("10:00:00") + Int64.random(in: 0..<7200, using: &rng) * 1_000_000
            let created = event + [0, 0, 30, 600].randomElement(using: &rng).map { Int64($0) * 1_000_000 }!
            rows.append("\(Int.random(in: 1...15, using: &rng)),\(Timestamp.format(event)),\(Timestamp.format(created)),\(Int.random(in: 0...50, using: &rng))")
        }
        let p = try Project(rows: rows)
        var at = Self.t("09:50:00")
        for _ in 0..<12 {
            at += Int64.random(in: 60...900, using: &rng) * 1_000_000
            _ = try p.store.materialize(end: at, incremental: true)
            try p.serve(Array(1...16), at: at)
        }
        // A small page size makes the replay span several pages (one join per view per page).
        let report = try ConsistencyChecker.checkLogs(p.store, maxMismatch: 0, pageSize: 50)
        #expect(report.rowsReplayed == 12 * 16)
        #expect(report.features.allSatisfy { $0.mismatches == 0 }, "\(report.examples.prefix(3))")
        #expect(report.passed)
        let snapshot = try ConsistencyChecker.checkSnapshot(p.store, at: at)
        #expect(snapshot.features.allSatisfy { $0.mismatches == 0 })
    }

    @Test("reasons are classified from lineage", arguments: [
        (FeatureStatus.notFound, Int64?.none, FeatureStatus.present, Int64?.some(1), "missing_in_online"),
        (.present, 1, .present, 1, "value_drift"),
        (.present, 1, .notFound, nil, "missing_in_offline"),
    ])
    func classification(onlineStatus: FeatureStatus, onlineRow: Int64?, offlineStatus: FeatureStatus, offlineRow: Int64?, reason: String) {
        let online = ParitySide(status: onlineStatus, value: .int(1), eventTs: 0, lineageID: onlineRow)
        let offline = ParitySide(status: offlineStatus, value: .int(2), eventTs: 0, lineageID: offlineRow, ingestedAt: 0)
        #expect(ParityReason.classify(online: online, offline: offline, onlineRowOffline: nil, t: 10, ttl: nil).rawValue == reason)
    }
}

/// Issue 22, item 5: stored online keys the checker cannot read as the view's keys are counted and fail the check.
@Suite struct UndecodableKeyTests {
    @Test("a snapshot check counts online keys of the wrong type or arity instead of skipping them, and fails")
    func countsUndecodableKeys() throws {
        let p = try SkewInjectionTests.Project(rows: ["1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5"])
        let at = SkewInjectionTests.t("10:30:00")
        _ = try p.store.materialize(end: at)
        #expect(try ConsistencyChecker.checkSnapshot(p.store, at: at).undecodableOnlineKeyCount == 0)
        let layout = try #require(try p.store.snapshot().layouts["driver_trips"])
        let row = OnlineRow(eventTs: at, createdTs: at, ingestSeq: 1, lineageID: 1, values: [.int(5), .int(10)])
        _ = try p.store.online.write(layouts: [layout]) { batch in
            // A string where the view's key is int64, and a two-part key for a one-key view (which the old checker
            // silently truncated to its first part and compared as driver 1).
            _ = try batch.upsert(layout, key: KeyTuple([.string("x")]), row: row)
            _ = try batch.upsert(layout, key: KeyTuple([.int(1), .int(2)]), row: row)
        }
        let report = try ConsistencyChecker.checkSnapshot(p.store, at: at)
        #expect(report.undecodableOnlineKeys == ["driver_trips": 2])
        #expect(!report.passed)
        #expect(report.rowsReplayed == 2, "only driver 1's two features were compared")
    }
}
