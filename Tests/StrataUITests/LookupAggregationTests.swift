// The lookup page on a service with windowed aggregations (served online since issue 13): every feature of the
// service, aggregations included, is listed with its value and status, in the order of the reader, agreeing with a
// direct read of the same reader.
import Foundation
import Strata
import StrataCore
import StrataTestSupport
@testable import StrataUI
import Testing

@Suite struct LookupAggregationTests {
    @Test("driver_activity_windows shows its row features and its aggregations with values and statuses")
    func aggregationsInLookup() throws {
        let dir = TemporaryDirectory()
        for file in ExampleProject.files() { try dir.write(file.path, file.text) }
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "ana", message: "first")
        _ = try store.ingest()
        let end: Int64 = 1_772_323_200_000_000 + 34 * 3_600_000_000  // 2026-03-02T10:00:00Z
        _ = try store.materialize(end: end)
        let response = WebUITests.page(WebUI(store: store), "lookup", ["service": "driver_activity_windows", "key.driver_id": "1001"])
        #expect(response.status == 200)
        let body = response.body
        #expect(body.contains("id=\"lookup-result\""), "\(body)")
        #expect(!body.contains("id=\"lookup-error\""))
        let reader = try store.onlineReader(.service("driver_activity_windows"))
        for name in ["driver_trips:trips_1h", "driver_trips:trips_24h", "driver_trips:completed_fare_24h", "driver_trips:avg_fare_7d",
                     "driver_trips:riders_7d", "driver_stats:conv_rate"] {
            #expect(reader.references.contains(name))
            #expect(body.contains("<tr><td>\(name)</td>"), "lookup lacks \(name)")
        }
        let statuses = body.components(separatedBy: "<tr><td>driver_trips:").dropFirst().compactMap { row in
            row.range(of: "<span class=\"").map { row[$0.upperBound...].split(separator: ">", maxSplits: 1)[1].split(separator: "<")[0] }
        }
        #expect(statuses.count == 5 && statuses.contains("present"), "\(statuses)")
    }
}

@Suite struct CachedSearchTests {
    @Test("a cached search results page is rendered again after an apply adds a match")
    func searchFollowsTheRegistry() throws {
        let (dir, store) = try WebUITests.example()
        let ui = WebUI(store: store)
        #expect(!WebUITests.page(ui, "registry", ["q": "brand_new"]).body.contains("driver_stats:brand_new_feature"))
        let text = try dir.read("featuresets/drivers.yaml")
        #expect(text.contains("      stat_hour:\n"))
        try dir.write("featuresets/drivers.yaml", text.replacingOccurrences(of: "      stat_hour:\n", with: "      brand_new_feature:\n        type: float64\n        expr: \"conv_rate + 1\"\n      stat_hour:\n"))
        try store.apply(try store.plan(), author: "bo", message: "new feature")
        #expect(WebUITests.page(ui, "registry", ["q": "brand_new"]).body.contains("driver_stats:brand_new_feature"))
    }
}
