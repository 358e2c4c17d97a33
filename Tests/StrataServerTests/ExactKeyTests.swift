// int64 keys over HTTP are read from the JSON text exactly (issue 22, item 1): the int64 boundaries and ±2⁵³±1 pushed,
// looked up through both online routes and joined into a training set on a real loopback server; booleans, strings
// and fractions refused with a 400 naming the key; `1679.0` taken as 1679.
import Foundation
import Strata
import StrataCore
import StrataTestSupport
import Testing

@Suite(.serialized) struct ExactKeyTests {
    /// −2⁶³, 2⁶³−1 and the integers next to ±2⁵³, where a Double can no longer tell neighbours apart.
    static let boundaries: [Int64] = [Int64.min, Int64.min + 1, -(1 << 53) - 1, -(1 << 53) + 1, (1 << 53) - 1, 1 << 53, (1 << 53) + 1, Int64.max - 1, Int64.max]

    @Test("int64 boundaries and ±2^53±1 round-trip push → both online routes → training set, every digit kept")
    func boundariesRoundTrip() async throws {
        let f = ServerFixture()
        try await f.start()
        let ids = Self.boundaries.map(String.init).joined(separator: ",")
        let times = Self.boundaries.map { _ in #""2026-03-01T11:30:00Z""# }.joined(separator: ",")
        // Each driver's trips is its index, so a key read as its neighbour shows up as the wrong value.
        let trips = Self.boundaries.indices.map(String.init).joined(separator: ",")
        let push = #"{"push_source_name": "trips", "df": {"driver_id": [\#(ids)], "event_timestamp": [\#(times)], "created": [\#(times)], "trips": [\#(trips)], "city": [\#(Self.boundaries.map { _ in #""x""# }.joined(separator: ","))]}}"#
        let (pushed, pushAnswer) = try await f.request("POST", "/push", body: push)
        #expect(pushed == 200, "\(pushAnswer)")

        let (status, body) = try await f.request("POST", "/get-online-features", body: #"{"entities": {"driver_id": [\#(ids)]}, "features": ["driver_trips:trips"]}"#)
        #expect(status == 200, "\(body)")
        #expect(body.contains(#"{"values":[\#(ids)]"#), "the keys are echoed with every digit: \(body)")
        #expect(body.contains(#"{"values":[\#(trips)],"statuses":[\#(Self.boundaries.map { _ in #""PRESENT""# }.joined(separator: ","))]"#), "\(body)")

        for (index, id) in Self.boundaries.enumerated() {
            let (native, answer) = try await f.request("POST", "/v1/features", body: #"{"features": ["driver_trips:trips"], "entities": [{"driver_id": \#(id)}]}"#)
            #expect(native == 200)
            #expect(answer.contains(#""entity":{"driver_id":\#(id)},"values":[\#(index)],"statuses":["present"]"#), "\(id): \(answer)")
        }

        try f.dir.write("spine.csv", "driver_id,event_timestamp\n" + Self.boundaries.map { "\($0),2026-03-01T12:00:00Z\n" }.joined())
        _ = try f.store.historical(HistoricalRequest(spinePath: f.dir.path + "/spine.csv", features: .references([FeatureReference(view: "driver_trips", feature: "trips")]),
                                                     outputPath: f.dir.path + "/out.csv"))
        let expected = "driver_id,event_timestamp,driver_trips__trips\n" + Self.boundaries.enumerated().map { "\($1),2026-03-01T12:00:00Z,\($0)\n" }.joined()
        #expect(try f.dir.read("out.csv") == expected)
        await f.stop()
    }

    @Test("a key sent as true, a string, a fraction or past int64 is a 400 naming the key and what was sent", arguments: [
        ("true", "got true"), (#""7""#, "got a string"), ("2.5", "got 2.5, which has a fractional part"),
        ("9223372036854775808", "outside"), ("[1]", "got a list"),
    ])
    func refusedKeys(value: String, message: String) async throws {
        let f = ServerFixture()
        try await f.start()
        for (path, body) in [("/get-online-features", #"{"entities": {"driver_id": [\#(value)]}, "features": ["driver_trips:trips"]}"#),
                             ("/v1/features", #"{"entities": [{"driver_id": \#(value)}], "features": ["driver_trips:trips"]}"#)] {
            let (status, answer) = try await f.request("POST", path, body: body)
            #expect(status == 400, "\(path) \(value): \(answer)")
            #expect(answer.contains("bad_key_type") && answer.contains("`driver_id` must be an int64 integer") && answer.contains(message), "\(path): \(answer)")
        }
        await f.stop()
    }

    @Test("an integral number written as 1.0 or 1e0 is key 1, exactly; pushed rows take 1679.0 into an int64 key column")
    func integralDecimals() async throws {
        let f = ServerFixture()
        try await f.start()
        for written in ["1.0", "1e0", "10e-1"] {
            let (status, answer) = try await f.request("POST", "/v1/features", body: #"{"entities": [{"driver_id": \#(written)}], "features": ["driver_trips:trips"], "at": "2026-03-01T12:00:00Z"}"#)
            #expect(status == 200)
            #expect(answer.contains(#""values":[12],"statuses":["present"]"#), "\(written): \(answer)")
        }
        let push = #"{"push_source_name": "trips", "df": {"driver_id": [1679.0], "event_timestamp": ["2026-03-01T11:30:00Z"], "created": ["2026-03-01T11:30:00Z"], "trips": [3.0], "city": ["x"]}}"#
        let (pushed, pushAnswer) = try await f.request("POST", "/push", body: push)
        #expect(pushed == 200 && pushAnswer.contains(#""rows_accepted":1"#), "\(pushAnswer)")
        let (_, answer) = try await f.request("POST", "/v1/features", body: #"{"entities": [{"driver_id": 1679}], "features": ["driver_trips:trips"]}"#)
        #expect(answer.contains(#""values":[3],"statuses":["present"]"#), "\(answer)")
        await f.stop()
    }

    @Test("a pushed boolean is not the integer 1: the row is quarantined, not stored under key 1")
    func pushedBooleanKey() async throws {
        let f = ServerFixture()
        try await f.start()
        let push = #"{"push_source_name": "trips", "df": {"driver_id": [true], "event_timestamp": ["2026-03-01T11:50:00Z"], "created": ["2026-03-01T11:50:00Z"], "trips": [99], "city": ["x"]}}"#
        let (status, answer) = try await f.request("POST", "/push", body: push)
        #expect(status == 200 && answer.contains(#""rows_quarantined":1"#), "\(answer)")
        let (_, lookup) = try await f.request("POST", "/v1/features", body: #"{"entities": [{"driver_id": 1}], "features": ["driver_trips:trips"]}"#)
        #expect(lookup.contains(#""values":[12]"#), "\(lookup)")
        await f.stop()
    }
}
