// Issue 22, item 2: a string key holding `,` and `=` survives the checker's report and the UI's trace of an example,
// because keys are stored typed and rendered for people only on the page. Real SQLite, LMDB and feature log.
import Foundation
import Strata
import StrataCheck
import StrataCore
import StrataTestSupport
@testable import StrataUI
import Testing

@Suite struct StringKeyParityTests {
    static let definitions = """
    entities:
      - name: zone
        join_keys: {zone: string}
    sources:
      - name: demand
        path: demand.csv
        timestamp: ts
        created: created
        schema: {zone: string, riders: int64}
    feature_views:
      - name: zone_demand
        entities: [zone]
        source: demand
        features:
          riders: int64
    feature_services:
      - name: pricing
        features: ["zone_demand:riders"]
        logging: {sample_rate: 1.0}
    """

    static func t(_ text: String) throws -> Int64 { try Timestamp.parse("2026-03-01T\(text)Z").get() }

    @Test("a late write for zone `a,b=c` is reported with that key and traced by the UI to its source line")
    func commaAndEqualsInKey() throws {
        let dir = TemporaryDirectory()
        try dir.write("featuresets/f.yaml", Self.definitions)
        try dir.write("demand.csv", "zone,ts,created,riders\n\"a,b=c\",2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5\na,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,1\n")
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "test", message: nil)
        _ = try store.ingest(now: try Self.t("10:00:00"))
        _ = try store.materialize(end: try Self.t("10:30:00"))
        let reader = try store.onlineReader(.service("pricing"))
        let rows: [[String: KeyPart]] = [["zone": .string("a,b=c")]]
        try store.logServed(reader, service: "pricing", rows: rows, values: try reader.get(rows, at: try Self.t("10:30:00")), at: try Self.t("10:30:00"))
        // A correction known before the lookup but ingested after it: a late_write for the key with `,` and `=`.
        try dir.write("demand.csv", try dir.read("demand.csv") + "\"a,b=c\",2026-03-01T10:00:00Z,2026-03-01T10:10:00Z,6\n")
        _ = try store.ingest(now: try Self.t("11:00:00"))

        let report = try ConsistencyChecker.checkLogs(store)
        let example = try #require(report.examples.first)
        #expect(example.keys == EntityKey(["zone": .string("a,b=c")]))
        #expect(example.reason == "late_write")
        let encoded = String(decoding: try JSONEncoder().encode(example), as: UTF8.self)
        #expect(encoded.contains(#""keys":{"zone":"a,b=c"}"#), "\(encoded)")

        let ui = WebUI(store: store)
        let page = WebUITests.page(ui, "parity/\(report.id)/examples/1")
        #expect(page.status == 200, "\(page.body)")
        #expect(page.body.contains("demand.csv"), "the trace names the source file")
        #expect(page.body.contains("zone=&quot;a,b=c&quot;") || page.body.contains("zone=&#34;a,b=c&#34;"), "the key is shown quoted for people")
    }

    @Test("a report written before keys were typed (`k=v` text) is still read and traced")
    func legacyReportKeys() throws {
        let legacy = #"{"feature":"driver_trips__trips","keys":"driver_id=1001","requestTime":"2026-03-01T10:00:00.000000Z","online":"5","onlineStatus":"present","offline":"6","offlineStatus":"present","reason":"late_write"}"#
        let example = try JSONDecoder().decode(ParityMismatch.self, from: Data(legacy.utf8))
        #expect(example.keys == EntityKey(["driver_id": .int(1001)]))
    }
}
