// POST /v1/historical, GET /v1/training-sets/{id} and POST /v1/training-sets/{id}/reproduce on a real loopback server:
// the streamed training set equals the in-process one (same content hash, same cells), reproduces byte for byte, and errors are JSON.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Strata
import StrataColumnar
import StrataCore
@testable import StrataServer
import StrataTestSupport
import Testing

extension ServerFixture {
    /// A request with a raw body; answers the status, the body's bytes and the response headers.
    func send(_ method: String, _ path: String, body: [UInt8], contentType: String, token: String? = nil) async throws -> (Int, [UInt8], [AnyHashable: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 60
        request.httpBody = Data(body)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, [UInt8](data), http?.allHeaderFields ?? [:])
    }
}

/// Every batch of an Arrow IPC stream, as rows of `Value`s.
func arrowRows(_ bytes: [UInt8]) throws -> (names: [String], rows: [[Value]]) {
    var reader = try ArrowReader(bytes: bytes)
    var rows: [[Value]] = []
    while let batch = try reader.next() {
        for row in 0..<batch.rowCount { rows.append(batch.columns.map { $0.value(row) }) }
    }
    return (reader.schema.fields.map(\.name), rows)
}

func header(_ headers: [AnyHashable: Any], _ name: String) -> String? {
    headers.first { ($0.key as? String)?.lowercased() == name.lowercased() }?.value as? String
}

@Suite(.serialized) struct HistoricalRouteTests {
    static let jsonSpine = #"{"features": ["driver_trips:trips", "driver_trips:city"], "spine_columns": ["driver_id", "event_timestamp"], "spine": {"driver_id": [1, 1, 2, 3], "event_timestamp": ["2026-03-01T10:30:00Z", "2026-03-01T11:30:00Z", "2026-03-01T11:30:00Z", "2026-03-01T11:30:00Z"]}}"#

    @Test("a JSON spine gives an Arrow stream whose cells and content hash equal the in-process training set's")
    func jsonSpineEqualsInProcess() async throws {
        let f = ServerFixture()
        try await f.start()
        let (status, body, headers) = try await f.send("POST", "/v1/historical", body: Array(Self.jsonSpine.utf8), contentType: "application/json")
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
        #expect(header(headers, "Content-Type") == "application/vnd.apache.arrow.stream")
        let id = try #require(header(headers, "Strata-Training-Set-Id"))
        #expect(header(headers, "Strata-Rows") == "4")
        let (names, rows) = try arrowRows(body)
        #expect(names == ["driver_id", "event_timestamp", "driver_trips__trips", "driver_trips__city"])
        #expect(rows.map { $0[2] } == [.int(5), .int(12), .int(7), .null])
        #expect(rows.map { $0[3] } == [.string("Lisbon"), .string("Lisbon"), .null, .null])

        // The same request in process: from the spine the server kept (what `strata historical --entities` reads) the
        // content hash must agree, and from the same spine as CSV text the feature columns must.
        let (manifestStatus, manifestText) = try await f.request("GET", "/v1/training-sets/\(id)")
        #expect(manifestStatus == 200)
        let kept = try #require((json(manifestText)["spine"] as? [String: Any])?["path"] as? String)
        let selection = try FeatureSelection.parseList("driver_trips:trips,driver_trips:city")
        let fromKept = try f.store.historical(HistoricalRequest(spinePath: kept, features: selection, outputPath: f.dir.path + "/kept.csv"))
        let output = json(manifestText)["output"] as? [String: Any]
        #expect(output?["contentSHA256"] as? String == fromKept.manifest.output.contentSHA256)
        try f.dir.write("spine.csv", "driver_id,event_timestamp\n1,2026-03-01T10:30:00Z\n1,2026-03-01T11:30:00Z\n2,2026-03-01T11:30:00Z\n3,2026-03-01T11:30:00Z\n")
        _ = try f.store.historical(HistoricalRequest(spinePath: f.dir.path + "/spine.csv", features: selection, outputPath: f.dir.path + "/text.csv"))
        func features(_ name: String) throws -> [String] {
            try String(contentsOfFile: f.dir.path + "/" + name, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst(2).joined(separator: ",") }
        }
        #expect(try features("kept.csv") == features("text.csv"))
        #expect(output?["format"] as? String == "arrow_stream")
        await f.stop()
    }

    @Test("an Arrow stream spine is accepted, and reproduce streams the same bytes again")
    func arrowSpineReproduces() async throws {
        let f = ServerFixture()
        try await f.start()
        var keys = ColumnarColumnBuilder(type: .int64), times = ColumnarColumnBuilder(type: .timestamp)
        for (key, time) in [(1, "2026-03-01T10:30:00Z"), (2, "2026-03-01T11:30:00Z")] {
            try keys.append(.int(Int64(key)))
            try times.append(.int(try Timestamp.parse(time).get()))
        }
        let schema = ColumnarSchema([ColumnarField(name: "driver_id", type: .int64), ColumnarField(name: "event_timestamp", type: .timestamp)])
        var writer = try ArrowWriter(schema: schema, format: .stream)
        let spine = try writer.write(ColumnarBatch(rowCount: 2, columns: [keys.finish(), times.finish()])) + writer.finish()
        let (status, body, headers) = try await f.send("POST", "/v1/historical?service=dispatch", body: spine, contentType: "application/vnd.apache.arrow.stream")
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
        let id = try #require(header(headers, "Strata-Training-Set-Id"))
        #expect(try arrowRows(body).rows.map { $0[2] } == [.int(5), .int(7)])
        let (again, bytes, againHeaders) = try await f.send("POST", "/v1/training-sets/\(id)/reproduce", body: [], contentType: "application/json")
        #expect(again == 200)
        #expect(bytes == body)
        #expect(header(againHeaders, "Strata-Reproduced-From") == id)
        await f.stop()
    }

    @Test("bad requests are JSON errors with the existing codes", arguments: [
        ("/v1/historical", "text/csv", "a,b\n", 415, "unsupported_media_type"),
        ("/v1/historical", "application/json", #"{"spine": {"driver_id": [1], "event_timestamp": ["2026-03-01T10:00:00Z"]}}"#, 400, "bad_selection"),
        ("/v1/historical", "application/json", #"{"service": "nope", "spine": {"driver_id": [1], "event_timestamp": ["2026-03-01T10:00:00Z"]}}"#, 404, "unknown_object"),
        ("/v1/historical", "application/json", #"{"service": "dispatch", "spine": {"driver_id": [1], "event_timestamp": ["yesterday"]}}"#, 400, "bad_spine"),
        ("/v1/historical", "application/json", #"{"service": "dispatch", "spine": {"driver_id": [1, 2, 3], "event_timestamp": ["2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"]}}"#, 413, "spine_too_large"),
        ("/v1/historical?service=dispatch", "application/vnd.apache.arrow.stream", "not arrow at all", 400, "bad_spine"),
        ("/v1/training-sets/ts-000000000000/reproduce", "application/json", "", 404, "unknown_training_set"),
    ])
    func badRequests(path: String, contentType: String, body: String, status: Int, code: String) async throws {
        let f = ServerFixture()
        try await f.start(spineRowsMax: 2)
        let (answer, bytes, _) = try await f.send("POST", path, body: Array(body.utf8), contentType: contentType)
        let error = json(String(decoding: bytes, as: UTF8.self))["error"] as? [String: Any]
        #expect(answer == status, "\(String(decoding: bytes, as: UTF8.self))")
        #expect(error?["code"] as? String == code)
        #expect((error?["message"] as? String)?.isEmpty == false)
        let (missing, text) = try await f.request("GET", "/v1/training-sets/ts-000000000000")
        #expect(missing == 404 && (json(text)["error"] as? [String: Any])?["code"] as? String == "unknown_training_set")
        await f.stop()
    }

    @Test("the training-set routes want the token like every other route")
    func needsToken() async throws {
        let f = ServerFixture()
        try await f.start(token: "s3cret")
        let (denied, _, _) = try await f.send("POST", "/v1/historical", body: Array(Self.jsonSpine.utf8), contentType: "application/json")
        #expect(denied == 401)
        let (allowed, _, _) = try await f.send("POST", "/v1/historical", body: Array(Self.jsonSpine.utf8), contentType: "application/json", token: "s3cret")
        #expect(allowed == 200)
        await f.stop()
    }
}
