// Data quality in the server, over real sockets: a push its expectations reject gets 400 with the failed
// expectations and writes nothing; drift monitoring publishes Prometheus gauges; a rejected push reaches the service's
// webhook — a real HTTP server on loopback that fails the first delivery, so the retry is exercised too; a webhook
// that refuses connections costs only a logged, counted failure.
import Foundation
import Hummingbird
import Strata
import StrataCore
@testable import StrataServer
import StrataTestSupport
import Synchronization
import Testing

/// A webhook receiver on loopback: records every body, answers 500 to the first `failures` requests, then 200.
final class WebhookReceiver: Sendable {
    private let bodies = Mutex<[String]>([])
    private let failuresLeft: Mutex<Int>
    let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(failures: Int) {
        failuresLeft = Mutex(failures)
        (stream, continuation) = AsyncStream<String>.makeStream()
    }

    var received: [String] { bodies.withLock { $0 } }

    /// Starts the server; returns its port.
    func start() async throws -> Int {
        let router = Router()
        router.post("hook") { [self] request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = String(buffer: buffer)
            bodies.withLock { $0.append(body) }
            let fails = failuresLeft.withLock { left -> Bool in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            if !fails { continuation.yield(body) }
            return fails ? .internalServerError : .ok
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) })
        task.withLock { $0 = Task { try await app.runService() } }
        for await port in ports { return port }
        return 0
    }

    func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        _ = try? await running?.value
    }
}

// Waits for deliveries are bounded by the time limit, so a missing alert fails the test instead of hanging the run.
// Generous waits: the sender's loop runs on the cooperative pool, which synchronous tests of other suites running in
// parallel (subprocesses, the soak) can hold for tens of seconds on a 2-core machine; alone, each wait ends in well under 1 s.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ServerQualityTests {
    static func definitions(webhook: String, every: String) -> String {
        ServerFixture.definitions
            .replacingOccurrences(of: "    schema: {driver_id: int64, trips: int64, city: string}\n", with: """
                schema: {driver_id: int64, trips: int64, city: string}
                expectations:
                  columns: {trips: {between: [0, 1000]}}
                  run: {null_rate: {city: 0.5}}

            """)
            .replacingOccurrences(of: "    logging: {sample_rate: 1.0}", with: """
                logging: {sample_rate: 1.0}
                monitoring:
                  every: \(every)
                  window: 1h
                  reference: source:..
                  features: {driver_trips:trips: {method: l_infinity, threshold: 0}}
                  alert: {webhook: "\(webhook)"}
            """)
    }

    func start(_ f: ServerFixture, webhookPort: Int, every: String = "1h") async throws {
        try f.dir.write("featuresets/f.yaml", Self.definitions(webhook: "http://127.0.0.1:\(webhookPort)/hook", every: every))
        try f.dir.write("trips.csv", ServerFixture.trips)
        f.store = try FeatureStore(projectPath: f.dir.path)
        try f.store.apply(try f.store.plan(), author: "test", message: nil)
        _ = try f.store.ingest()
        _ = try f.store.materialize(end: Timestamp.parse("2026-03-01T12:00:00Z").get())
        var configuration = ServerConfiguration(port: 0)
        configuration.monitorPollInterval = .milliseconds(50)
        configuration.alertRetryPause = .milliseconds(20)
        f.server = try FeatureServer(store: f.store, configuration: configuration)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let server = f.server!
        f.task = Task { try await server.run { port in continuation.yield(port) } }
        for await bound in stream { f.port = bound; break }
    }

    @Test("a rejected push answers 400 with the failed expectations, writes nothing, and its alert reaches the webhook after a retry")
    func rejectedPushAlerts() async throws {
        let receiver = WebhookReceiver(failures: 1)
        let webhookPort = try await receiver.start()
        let f = ServerFixture()
        try await start(f, webhookPort: webhookPort)
        let runsBefore = try f.store.ingestRuns().count
        let (status, body) = try await f.request("POST", "/push", body: pushBody(drivers: 10..<14, city: { _ in "null" }))
        #expect(status == 400, "\(body)")
        #expect(body.contains(#""code":"rejected_by_expectations""#))
        #expect(body.contains(#""failed":[{"expectation":"null_rate(city) <= 0.5","observed":"1 (4 of 4)","threshold":"<= 0.5","verdict":"reject"}]"#), "\(body)")
        #expect(try f.store.ingestRuns().count == runsBefore + 1)
        #expect(try f.store.ingestRuns().first?.outcome == "rejected")
        let (_, lookup) = try await f.request("POST", "/v1/features", body: #"{"entities": [{"driver_id": 10}], "features": ["driver_trips:trips"]}"#)
        #expect(lookup.contains("not_found") || lookup.contains("NOT_FOUND"), "\(lookup)")

        let (accepted, answer) = try await f.request("POST", "/push", body: pushBody(drivers: 20..<22))
        #expect(accepted == 200)
        #expect(answer.contains(#""validation":[{"expectation":"trips: between [0, 1000]""#), "\(answer)")

        var alert: String?
        for await delivered in receiver.stream { alert = delivered; break }
        let text = try #require(alert)
        #expect(text.contains(#""kind":"validation""#) && text.contains(#""verdict":"reject""#) && text.contains(#""service":"dispatch""#))
        #expect(receiver.received.count == 2, "the first attempt failed with 500 and was retried once")
        // The receiver hands the body over before it answers; the sender counts the delivery once it reads the 200.
        for _ in 0..<9600 where f.server.alerts.counts.sent == 0 { try await Task.sleep(for: .milliseconds(25)) }
        #expect(f.server.alerts.counts.sent == 1 && f.server.alerts.counts.failed == 0)
        await f.stop()
        await receiver.stop()
    }

    @Test("an alert to a webhook that refuses connections is retried, given up and counted; the server keeps serving")
    func deadWebhook() async throws {
        // A loopback port bound by a socket that never listens: connections to it are refused at once.
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0 }
        }
        try #require(bound)
        let deadPort = Int(UInt16(bigEndian: address.sin_port))
        let f = ServerFixture()
        try await start(f, webhookPort: deadPort)
        let (status, _) = try await f.request("POST", "/push", body: pushBody(drivers: 30..<32, city: { _ in "null" }))
        #expect(status == 400)
        for _ in 0..<9600 where f.server.alerts.counts.failed == 0 { try await Task.sleep(for: .milliseconds(25)) }
        #expect(f.server.alerts.counts.failed == 1 && f.server.alerts.counts.sent == 0)
        let (health, _) = try await f.request("GET", "/health")
        #expect(health == 200)
        let (accepted, _) = try await f.request("POST", "/push", body: pushBody(drivers: 40..<42))
        #expect(accepted == 200)
        await f.stop()
    }

    @Test("scheduled drift comparisons are Prometheus gauges per service, feature and method, are stored, and a drift reaches the webhook")
    func driftGauges() async throws {
        let receiver = WebhookReceiver(failures: 0)
        let webhookPort = try await receiver.start()
        let f = ServerFixture()
        try await start(f, webhookPort: webhookPort, every: "1s")
        for _ in 0..<3 {
            _ = try await f.request("POST", "/get-online-features", body: #"{"entities": {"driver_id": [1, 2]}, "feature_service": "dispatch"}"#)
        }
        // Wait for a scheduled comparison that saw the lookups (one runs every second).
        var scored: StoredDriftReport?
        for _ in 0..<4800 where scored == nil {
            scored = try f.store.driftReports(service: "dispatch").first { $0.report.features.contains { $0.score != nil } }
            if scored == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let report = try #require(scored)
        #expect(report.origin == "monitor" && report.reference == "source:..")
        // Threshold 0 makes `trips` drift once it is compared: one of two features is the default share of one half.
        var alert: String?
        for await delivered in receiver.stream where delivered.contains(#""kind":"drift""#) { alert = delivered; break }
        let text = try #require(alert)
        #expect(text.contains(#""service":"dispatch""#) && text.contains(#""feature":"driver_trips:trips","method":"l_infinity""#), "\(text)")
        let (_, metrics) = try await f.request("GET", "/metrics")
        #expect(metrics.contains(#"strata_service_drifting{service="dispatch"}"#), "\(metrics)")
        for feature in report.report.features where feature.score != nil {
            #expect(metrics.contains(#"strata_feature_drift_score{service="dispatch",feature="\#(feature.feature)",method="\#(feature.method?.rawValue ?? "")"}"#),
                    "\(metrics)")
        }
        await f.stop()
        await receiver.stop()
    }
}
