// The server's push path on a real socket: concurrent pushes of the same and different bodies (every answer 2xx or a
// clear 503, stores as if the pushes ran one by one), one ingest per source, lineage and quarantine naming the request,
// idempotency, and the in-flight limit.
import Foundation
import GRDB
import Strata
import StrataCore
@testable import StrataServer
import StrataTestSupport
import Synchronization
import Testing

/// A push body for source `trips`: one row per driver id, all at `time`, `trips` from the id.
func pushBody(drivers: Range<Int>, time: String = "2026-03-01T11:30:00Z", trips: (Int) -> String = { String($0 % 50) },
              city: (Int) -> String = { _ in "\"Porto\"" }) -> String {
    let ids = drivers.map(String.init).joined(separator: ",")
    let times = drivers.map { _ in "\"\(time)\"" }.joined(separator: ",")
    return #"{"push_source_name": "trips", "df": {"driver_id": [\#(ids)], "event_timestamp": [\#(times)], "created": [\#(times)], "#
        + #""trips": [\#(drivers.map(trips).joined(separator: ","))], "city": [\#(drivers.map(city).joined(separator: ","))]}}"#
}

/// Posts a push until it is not refused as busy; returns every status seen.
func pushUntilAccepted(_ f: ServerFixture, _ body: String) async throws -> [Int] {
    var statuses: [Int] = []
    for _ in 0..<100 {
        let (status, _) = try await f.request("POST", "/push", body: body)
        statuses.append(status)
        if status != 503 && status != 409 { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    return statuses
}

/// The online state of `driver_trips` as (key, event time, values), lineage ids left out (they depend on push order).
func onlineState(_ store: FeatureStore, view: String = "driver_trips") throws -> [String] {
    let layout = try #require(try store.snapshot().layouts[view])
    return try store.onlineRows(layout).map { "\($0.key) \($0.row.eventTs) \($0.row.values)" }
}

@Suite(.serialized) struct ServerPushTests {
    static let twoViews = ServerFixture.definitions.replacingOccurrences(of: "feature_services:", with: """
      - name: driver_city
        entities: [driver]
        source: trips
        features:
          city: string
    feature_services:
    """)

    @Test("six clients pushing the same 3,000 rows at once, and two other batches: every answer is 2xx or 503, stores as if one by one")
    func concurrentPushes() async throws {
        let f = ServerFixture()
        try await f.start()
        let same = pushBody(drivers: 1000..<4000)
        let others = [pushBody(drivers: 3500..<4500, time: "2026-03-01T11:40:00Z"), pushBody(drivers: 100..<600, time: "2026-03-01T11:20:00Z")]
        let seen = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<6 { group.addTask { try await pushUntilAccepted(f, same) } }
            for body in others { group.addTask { try await pushUntilAccepted(f, body) } }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        #expect(seen.allSatisfy { $0.last == 200 }, "\(seen)")
        #expect(seen.joined().allSatisfy { [200, 409, 503].contains($0) }, "\(seen)")
        #expect(try await f.request("GET", "/health").0 == 200)

        let g = ServerFixture()
        try await g.start()
        for body in [same] + others { #expect(try await g.request("POST", "/push", body: body).0 == 200) }
        #expect(try onlineState(f.store) == onlineState(g.store))
        let pushRuns = try f.store.ingestRuns().filter { $0.runID > 1 }
        #expect(pushRuns.count == 3)
        #expect(pushRuns.map(\.rowsAccepted).reduce(0, +) == 4500)
        await f.stop()
        await g.stop()
    }

    @Test("a push is one ingest for its source, named by its request id and content hash; the same push again adds nothing")
    func onceAndIdempotent() async throws {
        let f = ServerFixture()
        try await f.start(definitions: Self.twoViews)
        let body = pushBody(drivers: 7..<10)
        let (status, text) = try await f.request("POST", "/push", body: body)
        #expect(status == 200, "\(text)")
        let answer = json(text)
        let pushed = answer["pushed"] as? [[String: Any]] ?? []
        #expect(pushed.map { $0["view"] as? String } == ["driver_city", "driver_trips"])
        #expect(pushed.map { $0["online_written"] as? Int } == [3, 3])
        #expect(try f.store.ingestRuns().count == 2)
        let requestID = try #require(answer["request_id"] as? String)
        let file = try DatabaseQueue(path: f.store.folder.offlinePath).read { db in
            try Row.fetchOne(db, sql: "SELECT path, content_sha256 FROM source_files ORDER BY file_id DESC LIMIT 1")
        }
        #expect(file?["path"] == "push:\(requestID)")
        #expect(file?["content_sha256"] == answer["content_sha256"] as? String)

        let (again, againText) = try await f.request("POST", "/push", body: body)
        #expect(again == 200)
        #expect(json(againText)["change"] as? String == "unchanged")
        #expect((json(againText)["pushed"] as? [[String: Any]])?.first?["rows_accepted"] as? Int == 0)
        #expect(try f.store.ingestRuns().count == 2)
        await f.stop()
    }

    @Test("a quarantined pushed row names the request and its row, not a temporary file")
    func quarantineNamesRequest() async throws {
        let f = ServerFixture()
        try await f.start()
        let body = pushBody(drivers: 7..<9, trips: { $0 == 8 ? "\"many\"" : "3" })
        let (status, text) = try await f.request("POST", "/push", body: body)
        #expect(status == 200, "\(text)")
        let requestID = try #require(json(text)["request_id"] as? String)
        let quarantined = try f.store.quarantinedRows()
        #expect(quarantined.map(\.file) == ["push:\(requestID)"])
        #expect(quarantined.first?.line == 2)
        #expect(quarantined.first?.raw.contains(#""trips":"many""#) == true)
        #expect(!text.contains("strata-push-"))
        await f.stop()
    }

    @Test("/health and lookups answer while slow pushes are provably in flight; one push over the limit gets 503")
    func healthDuringSlowPushes() async throws {
        let f = ServerFixture()
        try await f.start(pushesInFlightMax: 3)
        // Hold SQLite's write lock: the pushes wait for it (busy timeout) on the blocking pool and cannot finish.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let lock = try DatabaseQueue(path: f.store.folder.offlinePath, configuration: configuration)
        try await lock.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let pushes = (0..<3).map { i in Task { try await f.request("POST", "/push", body: pushBody(drivers: (10 * i + 100)..<(10 * i + 105))) } }
        for _ in 0..<1000 where f.server.pushesInFlight.load(ordering: .relaxed) < 3 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(f.server.pushesInFlight.load(ordering: .relaxed) == 3)
        #expect(try await f.request("GET", "/health", timeoutSeconds: 10) == (200, #"{"status":"ok"}"#))
        let (lookup, _) = try await f.request("POST", "/v1/features", body: #"{"service": "dispatch", "entities": [{"driver_id": 1}]}"#, timeoutSeconds: 10)
        #expect(lookup == 200)
        let (busy, busyText) = try await f.request("POST", "/push", body: pushBody(drivers: 500..<501), timeoutSeconds: 10)
        #expect(busy == 503)
        #expect(busyText.contains(#""code":"busy""#))
        #expect(f.server.pushesInFlight.load(ordering: .relaxed) == 3)
        try await lock.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        for push in pushes { #expect(try await push.value.0 == 200) }
        await f.stop()
    }
}
