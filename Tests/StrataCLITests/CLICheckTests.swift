// End to end: a logged lookup, a backdated correction ingested later, `strata check --logs` failing with late_write,
// and `strata lineage` tracing the value back to its CSV line, a training-set cell, and OpenLineage events.
import Foundation
import StrataTestSupport
import Testing

@Suite struct CLICheckTests {
    @Test("check finds an injected late write and lineage traces the value to its file and line")
    func checkAndLineage() throws {
        let dir = TemporaryDirectory()
        try dir.write("featuresets/f.yaml", CLIOfflineTests.definitions + """

        feature_services:
          - name: dispatch
            features: ["driver_trips:trips"]
            logging: {sample_rate: 1.0}
        """)
        try dir.write("trips.csv", CLIOfflineTests.trips)
        try dir.write("spine.csv", CLIOfflineTests.spine)
        for command in [["apply"], ["ingest"], ["materialize", "--end", "2026-03-01T11:30:00Z"]] {
            #expect(try CLIRunner.run(command, in: dir.path).exitCode == 0)
        }
        _ = try CLIRunner.run(["get", "--service", "dispatch", "--key", "driver_id=1", "--at", "2026-03-01T11:30:00Z"], in: dir.path)
        let clean = try CLIRunner.run(["check", "--logs", "--max-mismatch", "0"], in: dir.path)
        #expect(clean.exitCode == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("PASS"))
        try dir.write("trips.csv", CLIOfflineTests.trips + "1,2026-03-01T11:00:00Z,2026-03-01T11:20:00Z,99\n")
        _ = try CLIRunner.run(["ingest"], in: dir.path)
        let skewed = try CLIRunner.run(["check", "--logs", "--max-mismatch", "0"], in: dir.path)
        #expect(skewed.exitCode == 1)
        #expect(skewed.stdout.contains("late_write=1"))
        #expect(skewed.stdout.contains("FAIL"))
        let json = try CLIRunner.run(["check", "--logs", "--json"], in: dir.path)
        #expect(json.stdout.contains("\"reason\" : \"late_write\""))
        let lineage = try CLIRunner.run(["lineage", "--view", "driver_trips", "--key", "driver_id=1", "--at", "2026-03-01T11:30:00Z"], in: dir.path)
        #expect(lineage.stdout.contains("source:      trips.csv:6"), "\(lineage.stdout)")
        #expect(lineage.stdout.contains("busy     true   trips >= 10"))
        _ = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", "t.csv", "--json"], in: dir.path)
        let list = try CLIRunner.run(["historical", "--list", "--json"], in: dir.path).stdout
        let id = try #require((try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]])?.first?["id"] as? String)
        let cell = try CLIRunner.run(["lineage", "--training-set", id, "--row", "2", "--feature", "driver_trips:trips"], in: dir.path)
        #expect(cell.stdout.contains("source:      trips.csv:3"), "\(cell.stdout)\(cell.stderr)")
        let graph = try CLIRunner.run(["lineage", "--training-set", id], in: dir.path)
        #expect(graph.stdout.contains("sources trips v1 → views driver_trips v1"))
        let events = try CLIRunner.run(["lineage", "--export", "openlineage"], in: dir.path).stdout.split(separator: "\n")
        let types = events.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.map { $0["eventType"] as? String ?? "" }
        // Two ingests, a materialization, three checks (the second over its threshold) and a training set: START and an end each.
        #expect(types.filter { $0 == "START" }.count == 7)
        #expect(types.filter { $0 == "COMPLETE" }.count == 6)
        #expect(types.filter { $0 == "FAIL" }.count == 1)
        let checks = try CLIRunner.run(["lineage", "--export", "openlineage", "--job", "check", "--since", "2000-01-01T00:00:00Z"], in: dir.path)
        #expect(checks.stdout.split(separator: "\n").count == 6)
        let misuse = try CLIRunner.run(["lineage", "--view", "driver_trips", "--key", "driver_id=1", "--job", "check"], in: dir.path)
        #expect(misuse.exitCode == 64)
        #expect(misuse.stderr.contains("go with --export openlineage"))
    }
}
