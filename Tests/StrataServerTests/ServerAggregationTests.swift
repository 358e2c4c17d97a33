// Windowed aggregations over HTTP on a real socket: `/v1/features` at a fixed instant and Feast's
// `/get-online-features` at the clock serve them beside row features, and `/push` updates them at once.
import Foundation
import Strata
import StrataCore
@testable import StrataServer
import StrataTestSupport
import Testing

@Suite(.serialized) struct ServerAggregationTests {
    static let definitions = ServerFixture.definitions.replacingOccurrences(of: "feature_services:", with: """
        aggregations:
          trips_total: {function: count, window: 3650d}
          trips_sum_2h: {function: sum, column: trips, window: 2h, hop: 5m}
    feature_services:
    """)

    func at(_ f: ServerFixture, _ time: String) async throws -> [Any] {
        let (status, body) = try await f.request("POST", "/v1/features", body: """
            {"features": ["driver_trips:trips", "driver_trips:trips_total", "driver_trips:trips_sum_2h"], "entities": [{"driver_id": 1}, {"driver_id": 3}], "at": "\(time)"}
            """)
        #expect(status == 200, "\(body)")
        return json(body)["rows"] as? [Any] ?? []
    }

    @Test("aggregations are served over HTTP beside row features; a push updates them; the window edge is exclusive")
    func servedAndPushed() async throws {
        let f = ServerFixture()
        try await f.start(definitions: Self.definitions)
        // At 12:00 the 2h window (hop 5m) is (10:00, 12:00]: the 10:00 trip sits on its lower edge and does not count.
        let before = try await at(f, "2026-03-01T12:00:00Z")
        let first = try #require(before.first as? [String: Any])
        #expect(first["values"] as? [Int] == [12, 2, 12], "\(before)")
        #expect((before.last as? [String: Any])?["statuses"] as? [String] == ["not_found", "not_found", "not_found"])

        #expect(try await f.request("POST", "/push", body: pushBody(drivers: 1..<2, time: "2026-03-01T11:30:00Z", trips: { _ in "3" })).0 == 200)
        let after = try await at(f, "2026-03-01T12:00:00Z")
        #expect((after.first as? [String: Any])?["values"] as? [Int] == [3, 3, 15], "\(after)")  // the row feature is the newest row: the pushed one

        // Feast's endpoint at the clock (months later): the 10-year count still holds all three trips, the 2h sum is empty.
        let (status, body) = try await f.request("POST", "/get-online-features", body: #"{"entities": {"driver_id": [1, 3]}, "features": ["driver_trips:trips_total", "driver_trips:trips_sum_2h"]}"#)
        #expect(status == 200)
        let results = json(body)["results"] as? [[String: Any]] ?? []
        #expect(results.count == 3)
        #expect((results[1]["values"] as? [Any])?.first as? Int == 3)
        #expect(results[1]["statuses"] as? [String] == ["PRESENT", "NOT_FOUND"])
        #expect((results[2]["values"] as? [Any])?.first is NSNull)
        await f.stop()
    }
}
