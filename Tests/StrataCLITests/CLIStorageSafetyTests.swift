// Serving never goes dark and nothing is lost when definitions change (issue 21), with real processes: a `strata serve`
// under steady lookups while another process applies a metadata edit and then a new feature; `apply` killed at each of
// its steps; and a project folder written by the previous release (a committed fixture) upgraded in place, also when
// the upgrade is killed.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StrataTestSupport
import Synchronization
import Testing

/// A step counter shared with client tasks.
final class Phase: Sendable {
    let value = Atomic<Int>(0)
}

@Suite struct CLIStorageSafetyTests {
    typealias Project = CLIDefinitionChangeTests.Project

    static let addFeature: [(String, String)] = [("""
              stat_hour:
                type: int64
                expr: "hour(event_timestamp)"
        """, """
              stat_hour:
                type: int64
                expr: "hour(event_timestamp)"
              conv_pct:
                type: float64
                expr: "conv_rate * 100"
        """), ("driver_stats:conv_x_acc, driver_stats:is_top_rated]", "driver_stats:conv_x_acc, driver_stats:is_top_rated, driver_stats:conv_pct]")]

    /// One native lookup: feature → status, and every value.
    static func lookup(port: Int) async throws -> (status: Int, statuses: [String: String], values: [String]) {
        let body = #"{"service": "driver_activity", "entities": [{"driver_id": 1024}, {"driver_id": 1001}], "at": "2026-03-02T22:30:00Z"}"#
        let (status, text) = try await post(port: port, path: "/v1/features", body: body)
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let features = json?["features"] as? [String] ?? []
        var statuses: [String: String] = [:], values: [String] = []
        for row in json?["rows"] as? [[String: Any]] ?? [] {
            for (feature, status) in zip(features, row["statuses"] as? [String] ?? []) { statuses[feature] = statuses[feature].map { $0 == "present" ? status : $0 } ?? status }
            values += (row["values"] as? [Any] ?? []).map { "\($0)" }
        }
        return (status, statuses, values)
    }

    @Test("a server under steady lookups answers every request with 200 and every unchanged feature present while another process applies a metadata edit, then a new feature")
    func serverUnderLoad() async throws {
        let p = try Project()
        let server = try CLIRunner.start(["serve", "--port", "0"], in: p.path)
        defer { kill(server.processIdentifier, SIGTERM); _ = server.wait() }
        let port = try #require(server.readLine()?.split(separator: ":").last.flatMap { Int($0) })
        let phase = Phase()  // 0 before, 1 after the metadata edit, 2 after the new feature is applied, 3 stop
        let unchanged = ["driver_stats:conv_rate", "driver_stats:acc_rate", "driver_stats:avg_daily_trips", "driver_stats:conv_x_acc", "driver_stats:is_top_rated"]
        let before = try await Self.lookup(port: port)
        // Each phase lasts until the clients answered a dozen more lookups in it (a signal, not a pause).
        let answers = CountSignal()
        let clients = (0..<4).map { _ in
            Task { () -> [String] in
                var problems: [String] = []
                var answered = 0
                while phase.value.load(ordering: .acquiring) < 3 {
                    let started = phase.value.load(ordering: .acquiring)
                    let answer = try await Self.lookup(port: port)
                    answered += 1
                    answers.increment()
                    if answer.status != 200 { problems.append("status \(answer.status)") }
                    for feature in unchanged where answer.statuses[feature] != "present" { problems.append("\(feature) \(answer.statuses[feature] ?? "missing") in phase \(started)") }
                    if started == 2, answer.statuses["driver_stats:conv_pct"] != "present" { problems.append("conv_pct \(answer.statuses["driver_stats:conv_pct"] ?? "missing") after its apply") }
                }
                return answered == 0 ? ["no request answered"] : problems
            }
        }
        #expect(await answers.reached(answers.count + 12), "the clients stopped answering")
        try p.edit([("description: Hourly driver performance; older than two hours counts as stale.", "description: Hourly driver performance.")])
        #expect(try p.run(["apply", "-m", "describe"]).exitCode == 0)
        phase.value.store(1, ordering: .releasing)
        #expect(await answers.reached(answers.count + 12), "the clients stopped answering")
        try p.edit(Self.addFeature)
        let applied = try p.run(["apply", "-m", "conv_pct"])
        #expect(applied.exitCode == 0, "\(applied.stderr)")
        phase.value.store(2, ordering: .releasing)
        #expect(await answers.reached(answers.count + 12), "the clients stopped answering")
        phase.value.store(3, ordering: .releasing)
        for client in clients { #expect(try await client.value == []) }
        let after = try await Self.lookup(port: port)
        #expect(after.statuses.values.allSatisfy { $0 == "present" })
        // Unchanged features answer exactly as before: the first five values of each row.
        #expect(Array(after.values.prefix(5)) == Array(before.values.prefix(5)))
        #expect(Array(after.values[6..<11]) == Array(before.values[5..<10]))
    }

    @Test("apply killed at each step leaves the previous revision serving; running apply again finishes the job", arguments: ["build", "commit", "revision", "online"])
    func killedApply(step: String) throws {
        let p = try Project()
        let served = try p.lookup()
        let training = try p.trainingSet("before.csv")
        try p.edit(Self.addFeature)
        let killed = try CLIRunner.run(["apply", "-m", "conv_pct"], in: p.path, environment: ["STRATA_FAULT_APPLY": step])
        #expect(killed.wasKilledBySignal && killed.exitCode == SIGKILL, "\(killed.stderr)")
        // Unchanged features answer as before, whichever step the kill hit.
        let during = try p.lookup()
        let unchanged = ["conv_rate", "acc_rate", "avg_daily_trips", "conv_x_acc", "is_top_rated"]
        for feature in unchanged { #expect(Self.values(during, "driver_stats:\(feature)") == Self.values(served, "driver_stats:\(feature)"), "\(step): \(feature)") }
        if step == "build" || step == "commit" {
            #expect(try p.run(["plan"]).stdout.contains("(v1 → v2)"), "\(step): the killed apply wrote a revision")
            #expect(try p.trainingSet("during.csv") == training)
        }
        let again = try p.run(["apply", "-m", "conv_pct"])
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(try p.run(["plan"]).stdout.hasPrefix("No changes: the registry (revision 2)"))
        let finished = try p.lookup()
        #expect(Self.values(finished, "driver_stats:conv_pct").allSatisfy { $0 != "null" }, "\(step): \(finished)")
        for feature in unchanged { #expect(Self.values(finished, "driver_stats:\(feature)") == Self.values(served, "driver_stats:\(feature)")) }
    }

    /// The values of one feature in a `get --json` answer, row by row.
    static func values(_ json: String, _ feature: String) -> [String] {
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        guard let index = (object?["features"] as? [String])?.firstIndex(of: feature) else { return ["no feature \(feature)"] }
        return (object?["rows"] as? [[String: Any]] ?? []).map { row in
            let value = (row["values"] as? [[String: Any]])?[index]
            return "\(value?["value"] ?? "null") \(value?["status"] ?? "?")"
        }
    }

    /// The fixture (see Fixtures/README.md) unpacked into a temporary folder, its source files deleted.
    static func legacyProject() throws -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory()
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/legacy-store-9743ba3.tar.gz")
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["xzf", fixture.path, "-C", dir.path]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        let project = dir.file("legacy").path
        for file in ["driver_stats.csv", "trips.csv"] { try FileManager.default.removeItem(atPath: project + "/featuresets/data/" + file) }
        return (dir, project)
    }

    @Test("a project folder written by the previous release keeps its data: same lookups, byte-identical reproductions, the pushed value, no re-ingest",
          arguments: [false, true])
    func legacyUpgrade(killedFirst: Bool) throws {
        let (dir, project) = try Self.legacyProject()
        if killedFirst {
            let killed = try CLIRunner.run(["registry", "list"], in: project, environment: ["STRATA_FAULT_ADOPT": "1"])
            #expect(killed.wasKilledBySignal && killed.exitCode == SIGKILL)
        }
        let expected = try String(contentsOf: dir.file("legacy/expected-get.json"), encoding: .utf8)
        let get = try CLIRunner.run(["get", "--service", "driver_activity", "--key", "driver_id=1024", "--key", "driver_id=1001",
                                     "--at", "2026-03-02T22:30:00Z", "--json"], in: project)
        #expect(get.exitCode == 0, "\(get.stderr)")
        #expect(get.stdout == expected)
        let windows = try CLIRunner.run(["get", "--service", "driver_activity_windows", "--key", "driver_id=1024", "--at", "2026-03-02T23:00:00Z", "--json"], in: project)
        #expect(windows.stdout == (try String(contentsOf: dir.file("legacy/expected-get-windows.json"), encoding: .utf8)))
        for name in ["training", "windows"] {
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("legacy/\(name).manifest.json"))) as? [String: Any]
            let id = try #require(manifest?["id"] as? String)
            let reproduced = try CLIRunner.run(["historical", "--reproduce", id, "--out", "\(name).again.csv"], in: project)
            #expect(reproduced.exitCode == 0, "\(reproduced.stderr)")
            #expect(try Data(contentsOf: dir.file("legacy/\(name).again.csv")) == (try Data(contentsOf: dir.file("legacy/\(name).csv"))))
        }
        try dir.write("legacy/spine.csv", "driver_id,event_timestamp\n1024,2026-03-02T22:30:00Z\n")
        #expect(try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_stats:conv_rate", "--out", "pushed.csv"], in: project).exitCode == 0)
        #expect(try String(contentsOf: dir.file("legacy/pushed.csv"), encoding: .utf8) == "driver_id,event_timestamp,driver_stats__conv_rate\n1024,2026-03-02T22:30:00Z,0.123\n")
        // And it evolves like a new project: a metadata edit changes nothing stored.
        let file = dir.file("legacy/featuresets/drivers.yaml")
        try (try String(contentsOf: file, encoding: .utf8)).replacingOccurrences(of: "Hourly driver performance;", with: "Hourly performance;")
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(try CLIRunner.run(["apply"], in: project).exitCode == 0)
        #expect(try CLIRunner.run(["get", "--service", "driver_activity", "--key", "driver_id=1024", "--key", "driver_id=1001",
                                   "--at", "2026-03-02T22:30:00Z", "--json"], in: project).stdout == expected)
        // A new feature is derived from what the old release materialized, and the others keep their values.
        var text = try String(contentsOf: file, encoding: .utf8)
        for (old, new) in Self.addFeature { text = text.replacingOccurrences(of: old, with: new) }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let applied = try CLIRunner.run(["apply"], in: project)
        #expect(applied.stdout.contains("online: driver_stats: derived"), "\(applied.stdout)")
        let after = try CLIRunner.run(["get", "--service", "driver_activity", "--key", "driver_id=1024", "--key", "driver_id=1001",
                                       "--at", "2026-03-02T22:30:00Z", "--json"], in: project).stdout
        for feature in ["conv_rate", "acc_rate", "avg_daily_trips", "conv_x_acc", "is_top_rated"] {
            #expect(Self.values(after, "driver_stats:\(feature)") == Self.values(expected, "driver_stats:\(feature)"))
        }
        #expect(Self.values(after, "driver_stats:conv_pct").allSatisfy { $0.hasSuffix("present") }, "\(after)")
    }
}
