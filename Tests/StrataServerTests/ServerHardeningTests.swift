// The server under hostile or unlucky conditions, on a real socket: bodies over the limit from clients that write
// everything before reading, an apply landing under concurrent lookups, and errors that must still be answered
// in JSON and counted in the metrics.
import Foundation
import GRDB
import Strata
import StrataCore
@testable import StrataServer
import StrataTestSupport
import Synchronization
import Testing

@Suite(.serialized) struct ServerHardeningTests {
    @Test("an 8 MB body over the limit gets 413 from a client that writes it all before reading, with or without keep-alive",
          arguments: [[], ["Connection: close"]])
    func bodyTooLarge(headers: [String]) async throws {
        let f = ServerFixture()
        try await f.start(bodyBytesMax: 1 << 20)
        let port = f.port
        let started = DispatchTime.now().uptimeNanoseconds
        let answer = await Task.detached { RawHTTP.post(port: port, path: "/get-online-features", body: [UInt8](repeating: 120, count: 8 << 20),
                                                        extraHeaders: headers, timeoutSeconds: 10) }.value
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        print("8 MB body over the limit answered in \(seconds) s")
        #expect(answer.failure == nil, "\(answer.failure ?? "")")
        #expect(answer.status == 413, "\(answer.text.prefix(200))")
        #expect(answer.text.lowercased().contains("connection: close"))
        #expect(answer.text.contains("body_too_large"))
        #expect(try await f.request("GET", "/health").0 == 200)
        await f.stop()
    }

    @Test("after an apply returns (in this process or another), the next request serves the new definition, derived at apply, while other clients keep looking up",
          arguments: [true, false])
    func applyUnderConcurrentLookups(inProcess: Bool) async throws {
        let f = ServerFixture()
        try await f.start()
        let lookup = #"{"service": "dispatch", "entities": [{"driver_id": 1}], "at": "2026-03-01T11:30:00Z"}"#
        let applied = Flag(), stop = Flag()
        func answer(_ text: String) -> String {
            let row = (json(text)["rows"] as? [[String: Any]])?.first
            let statuses = (row?["statuses"] as? [String] ?? []).joined(separator: ",")
            return statuses + " " + ((row?["values"] as? [Any])?.last.map { "\($0)" } ?? "nil")
        }
        let answers = CountSignal()
        let clients = (0..<6).map { _ in
            Task { () -> [String] in
                var afterApply: [String] = []
                while !stop.isSet {
                    let startedAfterApply = applied.isSet
                    let (status, text) = try await f.request("POST", "/v1/features", body: lookup)
                    answers.increment()
                    #expect(status == 200, "\(text)")
                    if startedAfterApply { afterApply.append(answer(text)) }
                }
                return afterApply
            }
        }
        #expect(await answers.reached(12), "the clients stopped answering")  // every client is looking up before the apply
        // A breaking change of an expression makes a new feature table, computed at apply from the stored rows, and its
        // online values are derived from the rows served before: the new value is served at once, never a gap.
        try f.dir.write("featuresets/f.yaml", ServerFixture.definitions.replacingOccurrences(of: "trips >= 10", with: "trips >= 100"))
        if inProcess {
            try f.store.apply(try f.store.plan(), author: "test", message: "v2", allowsBreakingChanges: true)
        } else {
            let apply = try CLIRunner.run(["apply", "--allow-breaking"], in: f.dir.path)
            #expect(apply.exitCode == 0, "\(apply.stderr)")
        }
        applied.set()
        for _ in 0..<20 {
            let (_, text) = try await f.request("POST", "/v1/features", body: lookup)
            #expect(answer(text) == "present,present 0", "\(text)")
        }
        stop.set()
        for client in clients { #expect(try await client.value.allSatisfy { $0 == "present,present 0" }) }
        _ = try f.store.materialize(end: Timestamp.parse("2026-03-01T12:00:00Z").get())
        let (_, text) = try await f.request("POST", "/v1/features", body: lookup)
        let values = (json(text)["rows"] as? [[String: Any]])?.first?["values"] as? [Any] ?? []
        #expect(values.first as? Int == 12, "\(text)")
        #expect(values.last as? Bool == false, "\(text)")
        await f.stop()
    }

    @Test("a store error on any route is a JSON answer and is counted in the metrics")
    func storeErrorsAnsweredAndCounted() async throws {
        let f = ServerFixture()
        try await f.start()
        let registry = try DatabaseQueue(path: f.store.folder.registryPath)
        // A new revision number makes the server read the objects again, and one of them has a kind it does not know.
        try await registry.write { db in try db.execute(sql: "UPDATE objects SET kind = 'bogus' WHERE name = 'driver'; UPDATE registry_state SET revision = 2") }
        let (status, text) = try await f.request("GET", "/registry/views")
        #expect(status == 500)
        #expect((json(text)["error"] as? [String: Any])?["code"] as? String == "internal", "\(text)")
        try await registry.write { db in try db.execute(sql: "UPDATE objects SET kind = 'entity' WHERE name = 'driver'") }
        let metrics = try await f.request("GET", "/metrics").1
        #expect(metrics.contains(#"strata_http_requests_total{route="/registry",status="500"} 1"#), "\(metrics)")
        await f.stop()
    }
}

/// A flag shared between tasks.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
