// A registry the whole team shares (issue 24), with real processes and a real PostgreSQL server: two clones of the
// example project applying to one registry, a stale clone refused when it would undo a teammate's change, a server that
// hears a revision applied elsewhere within a second, and keeps answering lookups while the database is away.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StrataTestSupport
import Testing

@Suite(.serialized) struct CLISharedRegistryTests {
    /// A clone of the example project whose strata.yaml points at `url`.
    struct Clone {
        let dir = TemporaryDirectory()
        let environment: [String: String]
        var path: String { dir.file("demo").path }

        init(url: String, server: PostgresServer) throws {
            environment = server.environment
            #expect(try CLIRunner.run(["init", "demo"], in: dir.path).exitCode == 0)
            try dir.write("demo/strata.yaml", "registry:\n  url: \(url)\n")
        }

        func run(_ arguments: [String]) throws -> CLIResult {
            try CLIRunner.run(arguments, in: path, environment: environment)
        }

        func edit(_ old: String, _ new: String) throws {
            let file = dir.file("demo/featuresets/drivers.yaml")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.contains(old))
            try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
        }
    }

    static func ready(_ port: Int) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/ready")!)
        request.timeoutInterval = 10
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    @Test("two clones share one PostgreSQL registry; a stale clone's revert is refused unless --allow-revert; a server sees a revision applied elsewhere within a second")
    func twoClonesAndAServer() async throws {
        let server = try PostgresServer.shared
        let url = try server.newDatabase()
        let ana = try Clone(url: url, server: server), bo = try Clone(url: url, server: server)
        let first = try ana.run(["apply", "-m", "first", "--author", "ana"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(try bo.run(["plan", "--author", "bo"]).stdout == "No changes: the registry (revision 1) matches the definitions.\n")
        try ana.edit("description: Hourly driver performance; older than two hours counts as stale.", "description: Ana's words.")
        #expect(try ana.run(["apply", "--author", "ana"]).exitCode == 0)
        // Bo's checkout is stale: applying it would set ana's change back.
        let plan = try bo.run(["plan", "--author", "bo"])
        #expect(plan.stdout.contains("REVERT: reverts ana's change of revision 2 to feature view `driver_stats`"), "\(plan.stdout)")
        let refused = try bo.run(["apply", "--author", "bo"])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("refusing to undo a teammate's change"), "\(refused.stderr)")
        #expect(try ana.run(["registry", "revisions", "--json"]).stdout.contains(#""revision" : 2"#))
        #expect(try bo.run(["apply", "--author", "bo", "--allow-revert"]).exitCode == 0)

        // Ana's machine serves; Bo applies from his: the server serves the new revision within a second.
        for arguments in [["ingest"], ["materialize", "--end", "2026-03-02T22:30:00Z"]] { #expect(try ana.run(arguments).exitCode == 0) }
        let serve = try CLIRunner.start(["serve", "--port", "0"], in: ana.path, environment: ana.environment)
        defer { kill(serve.processIdentifier, SIGTERM); _ = serve.wait() }
        let port = try #require(serve.readLine()?.split(separator: ":").last.flatMap { Int($0) })
        #expect(try await Self.ready(port)["revision"] as? Int == 3)
        try bo.edit("description: Hourly driver performance; older than two hours counts as stale.", "description: Bo's words.")
        #expect(try bo.run(["apply", "--author", "bo"]).exitCode == 0)
        let applied = ContinuousClock.now
        var seen = false
        while ContinuousClock.now - applied < .seconds(1) {
            if try await Self.ready(port)["revision"] as? Int == 4 { seen = true; break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(seen, "the server did not serve revision 4 within a second of its apply")
    }

    @Test("a server keeps answering lookups while its PostgreSQL registry is away for 5 s, says so in /ready, and reconnects")
    func registryAway() async throws {
        let database = try PostgresServer()
        defer { database.stop() }
        let clone = try Clone(url: try database.newDatabase(), server: database)
        for arguments in [["apply"], ["ingest"], ["materialize", "--end", "2026-03-02T22:30:00Z"]] { #expect(try clone.run(arguments).exitCode == 0) }
        let serve = try CLIRunner.start(["serve", "--port", "0"], in: clone.path, environment: clone.environment)
        defer { kill(serve.processIdentifier, SIGTERM); _ = serve.wait() }
        let port = try #require(serve.readLine()?.split(separator: ":").last.flatMap { Int($0) })
        let body = #"{"service": "driver_activity", "entities": [{"driver_id": 1024}], "at": "2026-03-02T22:30:00Z"}"#
        let stop = Phase()
        let clients = (0..<4).map { _ in
            Task { () -> [String] in
                var problems: [String] = [], answered = 0
                while stop.value.load(ordering: .acquiring) == 0 {
                    let (status, text) = try await post(port: port, path: "/v1/features", body: body)
                    answered += 1
                    if status != 200 || !text.contains(#""statuses":["present""#) { problems.append("\(status) \(text.prefix(200))") }
                }
                return answered < 10 ? ["only \(answered) answers"] : problems
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        database.stop()
        var sawAway = false
        let stopped = ContinuousClock.now
        while ContinuousClock.now - stopped < .seconds(5) {
            if try await Self.ready(port)["registry"].flatMap({ ($0 as? [String: Any])?["reachable"] as? Bool }) == false { sawAway = true }
            try await Task.sleep(for: .milliseconds(200))
        }
        try database.start()
        var back = false
        let restarted = ContinuousClock.now
        while ContinuousClock.now - restarted < .seconds(15), !back {
            back = try await Self.ready(port)["registry"].flatMap { ($0 as? [String: Any])?["reachable"] as? Bool } == true
            if !back { try await Task.sleep(for: .milliseconds(200)) }
        }
        stop.value.store(1, ordering: .releasing)
        for client in clients { #expect(try await client.value == []) }
        #expect(sawAway, "/ready never said the registry was unreachable")
        #expect(back, "/ready never said the registry was reachable again")
    }
}
