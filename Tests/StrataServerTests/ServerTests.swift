// The HTTP server end to end on a real loopback socket (port 0) with URLSession: every route, every error class,
// auth, feature-log contents, a push visible to the next get, HTTP answers equal to in-process ones, and a fuzz run.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Strata
import StrataCore
@testable import StrataServer
import StrataTestSupport
import Testing

/// A project with one view, ingested and materialized, and a server on a free port.
final class ServerFixture: @unchecked Sendable {
    // Set up once in `start` and then only read.
    let dir = TemporaryDirectory()
    var store: FeatureStore!
    var server: FeatureServer!
    var task: Task<Void, any Error>?
    var port = 0

    static let definitions = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: trips
        path: trips.csv
        timestamp: event_timestamp
        created: created
        schema: {driver_id: int64, trips: int64, city: string}
    feature_views:
      - name: driver_trips
        entities: [driver]
        source: trips
        ttl: 3650d
        features:
          trips: int64
          city: string
          busy: {type: bool, expr: "trips >= 10"}
    feature_services:
      - name: dispatch
        features: [driver_trips:trips, driver_trips:busy]
        logging: {sample_rate: 1.0}
    """

    static let trips = """
    driver_id,event_timestamp,created,trips,city
    1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5,Lisbon
    1,2026-03-01T11:00:00Z,2026-03-01T11:05:00Z,12,Lisbon
    2,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,7,

    """

    func start(token: String? = nil, entitiesMax: Int = 1000, bodyBytesMax: Int = 1 << 20, pushesInFlightMax: Int = 4,
               spineRowsMax: Int = 2_000_000, definitions: String = ServerFixture.definitions) async throws {
        try dir.write("featuresets/f.yaml", definitions)
        try dir.write("trips.csv", Self.trips)
        store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "test", message: nil)
        _ = try store.ingest()
        _ = try store.materialize(end: Timestamp.parse("2026-03-01T12:00:00Z").get())
        server = try FeatureServer(store: store, configuration: .init(port: 0, token: token, bodyBytesMax: bodyBytesMax, entitiesMax: entitiesMax,
                                                                      pushesInFlightMax: pushesInFlightMax, spineRowsMax: spineRowsMax))
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let server = self.server!
        task = Task { try await server.run { port in continuation.yield(port) } }
        for await bound in stream { port = bound; break }
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
    }

    func request(_ method: String, _ path: String, body: String? = nil, token: String? = nil, timeoutSeconds: Double = 60) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = timeoutSeconds
        if let body { request.httpBody = Data(body.utf8); request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}

func json(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
}

@Suite(.serialized) struct ServerTests {
    @Test("Feast's get-online-features answers column-major, entity columns first, with Feast statuses")
    func feastOnline() async throws {
        let f = ServerFixture()
        try await f.start()
        let (status, body) = try await f.request("POST", "/get-online-features", body: #"{"entities": {"driver_id": [1, 2, 3]}, "features": ["driver_trips:trips", "driver_trips:city"], "full_feature_names": true}"#)
        #expect(status == 200)
        let object = json(body)
        #expect((object["metadata"] as? [String: Any])?["feature_names"] as? [String] == ["driver_id", "driver_trips__trips", "driver_trips__city"])
        let results = object["results"] as? [[String: Any]] ?? []
        #expect(results.count == 3)
        #expect(results[0]["values"] as? [Int] == [1, 2, 3])
        #expect(results[1]["statuses"] as? [String] == ["PRESENT", "PRESENT", "NOT_FOUND"])
        #expect((results[1]["values"] as? [Any])?.first as? Int == 12)
        #expect((results[2]["values"] as? [Any])?.first as? String == "Lisbon")
        let (_, later) = try await f.request("POST", "/v1/features", body: #"{"features": ["driver_trips:trips"], "entities": [{"driver_id": 1}], "at": "2040-01-01T00:00:00Z"}"#)
        #expect((json(later)["rows"] as? [[String: Any]])?.first?["statuses"] as? [String] == ["expired"])
        await f.stop()
    }

    @Test("HTTP answers equal the in-process reader's, for a service and composite requests")
    func equalsInProcess() async throws {
        let f = ServerFixture()
        try await f.start()
        let (_, body) = try await f.request("POST", "/v1/features", body: #"{"service": "dispatch", "entities": [{"driver_id": 1}, {"driver_id": 2}, {"driver_id": null}], "at": "2026-03-01T11:30:00Z"}"#)
        let rows = json(body)["rows"] as? [[String: Any]] ?? []
        let reader = try f.store.onlineReader(.service("dispatch"))
        let local = try reader.get([["driver_id": .int(1)], ["driver_id": .int(2)], [:]], at: try Timestamp.parse("2026-03-01T11:30:00Z").get())
        #expect(rows.count == 3)
        for (row, expected) in zip(rows, local) {
            #expect(row["statuses"] as? [String] == expected.map(\.status.rawValue))
            let values = row["values"] as? [Any] ?? []
            for (value, want) in zip(values, expected) {
                switch want.value {
                case .int(let v): #expect(value as? Int == Int(v))
                case .bool(let b): #expect(value as? Bool == b)
                case .null: #expect(value is NSNull)
                default: Issue.record("unexpected value type")
                }
            }
        }
        await f.stop()
    }

    @Test("every bad input is a 4xx with a JSON error naming the problem", arguments: [
        ("POST", "/get-online-features", "{not json", 400, "malformed_json"),
        ("POST", "/get-online-features", "", 400, "empty_body"),
        ("POST", "/get-online-features", "[1,2]", 400, "malformed_json"),
        ("POST", "/get-online-features", #"{"entities": {"driver_id": [1]}, "feature_service": "nope"}"#, 404, "unknown_object"),
        ("POST", "/get-online-features", #"{"entities": {"driver_id": [1]}, "features": ["driver_trips:nope"]}"#, 400, "unknown_feature"),
        ("POST", "/get-online-features", #"{"entities": {"driver_id": [1]}, "features": ["nope"]}"#, 400, "bad_selection"),
        ("POST", "/get-online-features", #"{"entities": {"driver_id": [1]}}"#, 400, "bad_selection"),
        ("POST", "/get-online-features", #"{"entities": {}, "feature_service": "dispatch"}"#, 400, "missing_entities"),
        ("POST", "/get-online-features", #"{"entities": {"driver_id": []}, "feature_service": "dispatch"}"#, 400, "missing_entities"),
        ("POST", "/get-online-features", #"{"entities": {"rider_id": [1]}, "feature_service": "dispatch"}"#, 400, "missing_key"),
        ("POST", "/get-online-features", #"{"entities": {"driver_id": ["one"]}, "feature_service": "dispatch"}"#, 400, "bad_key_type"),
        ("POST", "/get-online-features", #"{"entities": {"driver_id": [1.5]}, "feature_service": "dispatch"}"#, 400, "bad_key_type"),
        ("POST", "/get-online-features", #"{"entities": {"driver_id": 1}, "feature_service": "dispatch"}"#, 400, "bad_entities"),
        ("POST", "/get-online-features", String(repeating: "[", count: 100) + String(repeating: "]", count: 100), 400, "too_deep"),
        ("POST", "/v1/features", #"{"service": "dispatch", "entities": [{"driver_id": 1}], "at": "yesterday"}"#, 400, "bad_time"),
        ("POST", "/push", #"{"view": "driver_trips", "df": {"driver_id": [1, 2], "trips": [1]}}"#, 400, "bad_push"),
        ("POST", "/push", #"{"view": "nope", "df": {"driver_id": [1]}}"#, 404, "unknown_object"),
        ("GET", "/registry/nope", nil, 404, "no_such_route"),
        ("GET", "/no/such/route", nil, 404, "no_such_route"),
    ] as [(String, String, String?, Int, String)])
    func errors(method: String, path: String, body: String?, status: Int, code: String) async throws {
        let f = ServerFixture()
        try await f.start()
        let (got, text) = try await f.request(method, path, body: body)
        #expect(got == status, "\(text)")
        #expect((json(text)["error"] as? [String: Any])?["code"] as? String == code, "\(text)")
        await f.stop()
    }

    @Test("limits: too many entities is 400, a huge body is 413")
    func limits() async throws {
        let f = ServerFixture()
        try await f.start(entitiesMax: 5, bodyBytesMax: 2000)
        let many = (0..<6).map(String.init).joined(separator: ",")
        let (s1, t1) = try await f.request("POST", "/get-online-features", body: #"{"entities": {"driver_id": [\#(many)]}, "feature_service": "dispatch"}"#)
        #expect(s1 == 400)
        #expect(t1.contains("too_many_entities"))
        let huge = #"{"entities": {"driver_id": [1]}, "feature_service": "dispatch", "pad": ""# + String(repeating: "x", count: 5000) + "\"}"
        let (s2, t2) = try await f.request("POST", "/get-online-features", body: huge)
        #expect(s2 == 413)
        #expect(t2.contains("body_too_large"))
        let (s3, _) = try await f.request("GET", "/health")
        #expect(s3 == 200)
        await f.stop()
    }

    @Test("with a token every route but /health needs the bearer token")
    func auth() async throws {
        let f = ServerFixture()
        try await f.start(token: "s3cret")
        #expect(try await f.request("GET", "/health").0 == 200)
        for path in ["/ready", "/metrics", "/openapi.json", "/registry/views"] {
            #expect(try await f.request("GET", path).0 == 401)
            #expect(try await f.request("GET", path, token: "wrong").0 == 401)
            #expect(try await f.request("GET", path, token: "s3cret").0 == 200)
        }
        #expect(try await f.request("POST", "/get-online-features", body: #"{"entities": {"driver_id": [1]}, "feature_service": "dispatch"}"#).0 == 401)
        await f.stop()
    }

    @Test("health, ready, registry, openapi (equal to docs/openapi.json) and metrics answer")
    func infoRoutes() async throws {
        let f = ServerFixture()
        try await f.start()
        #expect(try await f.request("GET", "/health") == (200, #"{"status":"ok"}"#))
        let ready = try await f.request("GET", "/ready")
        #expect(ready.0 == 200)
        #expect(ready.1.hasPrefix(#"{"status":"ready","revision":1,"registry":{"location":""#), "\(ready.1)")
        #expect(ready.1.hasSuffix(#"registry.db","reachable":true}}"#), "\(ready.1)")
        let views = try await f.request("GET", "/registry/views").1
        #expect(views.contains(#""name":"driver_trips","version":1"#))
        #expect(try await f.request("GET", "/registry/services").1.contains(#""logging_sample_rate":1.0"#))
        #expect(try await f.request("GET", "/registry/features").1.contains(#""expression":"trips >= 10""#))
        #expect(try await f.request("GET", "/registry/entities").1.contains(#""join_keys":{"driver_id":"int64"}"#))
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let openapi = try await f.request("GET", "/openapi.json").1
        #expect(openapi == (try String(contentsOf: repo.appendingPathComponent("docs/openapi.json"), encoding: .utf8)))
        _ = try await f.request("POST", "/get-online-features", body: #"{"entities": {"driver_id": [1, 9]}, "feature_service": "dispatch"}"#)
        let metrics = try await f.request("GET", "/metrics").1
        #expect(metrics.contains(#"strata_http_requests_total{route="/get-online-features",status="200"} 1"#))
        #expect(metrics.contains(#"strata_lookups_total{status="not_found"} 2"#))
        #expect(metrics.contains(#"strata_store_age_seconds{view="driver_trips"}"#))
        #expect(metrics.contains("strata_feature_log_dropped_total 0"))
        await f.stop()
    }

    @Test("a push is visible to the next get; served rows of a logging service land in the feature log")
    func pushAndLogging() async throws {
        let f = ServerFixture()
        try await f.start()
        let push = #"{"push_source_name": "trips", "df": {"driver_id": [7], "event_timestamp": ["2026-03-01T11:50:00Z"], "created": ["2026-03-01T11:50:00Z"], "trips": [40], "city": ["Porto"]}, "to": "online_and_offline"}"#
        let (status, body) = try await f.request("POST", "/push", body: push)
        #expect(status == 200, "\(body)")
        #expect(body.contains(#""rows_accepted":1"#))
        let (_, get) = try await f.request("POST", "/v1/features", body: #"{"service": "dispatch", "entities": [{"driver_id": 7}, {"driver_id": 1}], "at": "2026-03-01T12:00:00Z"}"#)
        let rows = json(get)["rows"] as? [[String: Any]] ?? []
        #expect((rows.first?["values"] as? [Any])?.first as? Int == 40)
        f.server.featureLog.flush()
        let logged = try DatabaseQueue(path: f.store.folder.featureLogPath).read { db in
            try Row.fetchAll(db, sql: "SELECT keys, feature_values, statuses, service, view_versions FROM feature_log ORDER BY id")
        }
        #expect(logged.count == 2)
        #expect(logged.first?["keys"] == #"{"driver_id":7}"#)
        #expect(logged.first?["feature_values"] == "[40,true]")
        #expect(logged.first?["statuses"] == #"["present","present"]"#)
        #expect(logged.first?["view_versions"] == #"{"driver_trips":1}"#)
        await f.stop()
    }

    @Test("fuzzing the routes with random bodies never gives a 5xx and the server stays up")
    func fuzz() async throws {
        let f = ServerFixture()
        try await f.start()
        var rng = SeededGenerator(seed: propertyTestSeed("server fuzz"))
        let pieces = ["{", "}", "[", "]", ",", ":", "\"entities\"", "\"driver_id\"", "\"features\"", "\"feature_service\"", "\"dispatch\"",
                      "\"driver_trips:trips\"", "1", "-1", "1e400", "null", "true", "\"x\"", "\"df\"", "\"view\"", "\"driver_trips\"", " ", "\u{0}", "é"]
        for i in 0..<300 {
            let body = (0..<Int.random(in: 0...30, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
            let path = ["/get-online-features", "/v1/features", "/push"][i % 3]
            let (status, text) = try await f.request("POST", path, body: body)
            #expect(status < 500, "\(path) \(body) → \(status) \(text)")
        }
        #expect(try await f.request("GET", "/health").0 == 200)
        await f.stop()
    }
}
