// Fault tests with real processes: SIGKILL between a push's offline and online writes (a re-push repairs), a full
// disk during ingest, materialize and open (a small tmpfs), and a state folder this user may not use. Each leaves
// the stores as they were and prints a clear error.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import StrataOffline
import StrataTestSupport
import Testing

@Suite struct CLIFaultTests {
    func project(in folder: String? = nil) throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        let root = folder ?? dir.path
        try FileManager.default.createDirectory(atPath: root + "/featuresets", withIntermediateDirectories: true)
        try CLIOfflineTests.definitions.write(toFile: root + "/featuresets/f.yaml", atomically: true, encoding: .utf8)
        try CLIOfflineTests.trips.write(toFile: root + "/trips.csv", atomically: true, encoding: .utf8)
        #expect(try CLIRunner.run(["apply"], in: root).exitCode == 0)
        #expect(try CLIRunner.run(["ingest"], in: root).exitCode == 0)
        return dir
    }

    /// Counts that change when anything is written offline: runs, files, source rows, feature rows, quarantine.
    func offlineCounts(_ root: String) throws -> [Int] {
        try DatabaseQueue(path: root + "/.strata/offline.db").read { db in
            try ["ingest_runs", "source_files", "quarantine", try CLIOfflineTests.storedTable(db, .source, "trips"),
                 try CLIOfflineTests.storedTable(db, .features, "driver_trips")].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(quoted($0))") ?? -1
            }
        }
    }

    func get(_ root: String, _ key: String, at: String = "2026-03-01T12:00:00Z") throws -> String {
        try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", key, "--at", at], in: root).stdout
    }

    @Test("SIGKILL between a server push's offline and online writes: offline has the rows, online not yet; the same push again repairs")
    func killedDuringServerPush() async throws {
        let dir = try project()
        let body = #"{"push_source_name": "trips", "df": {"driver_id": [5, 6], "event_timestamp": ["2026-03-01T11:30:00Z", "2026-03-01T11:30:00Z"], "created": ["2026-03-01T11:30:00Z", "2026-03-01T11:30:00Z"], "trips": [21, 22]}}"#
        let before = try offlineCounts(dir.path)
        let doomed = try CLIRunner.start(["serve", "--port", "0"], in: dir.path, environment: ["STRATA_FAULT_BEFORE_ONLINE": "1"])
        let port = try #require(doomed.readLine()?.split(separator: ":").last.flatMap { Int($0) })
        _ = try? await post(port: port, path: "/push", body: body)
        let killed = doomed.wait()
        #expect(killed.wasKilledBySignal && killed.exitCode == SIGKILL)
        #expect(try offlineCounts(dir.path)[0] == before[0] + 1)
        #expect(try get(dir.path, "driver_id=5").contains("not_found"))

        let server = try CLIRunner.start(["serve", "--port", "0"], in: dir.path)
        let again = try #require(server.readLine()?.split(separator: ":").last.flatMap { Int($0) })
        let (status, text) = try await post(port: again, path: "/push", body: body)
        #expect(status == 200, "\(text)")
        #expect(text.contains(#""change":"unchanged""#))
        #expect(text.contains(#""online_written":2"#))
        kill(server.processIdentifier, SIGTERM)
        _ = server.wait()
        #expect(try offlineCounts(dir.path)[0] == before[0] + 1)
        #expect(try get(dir.path, "driver_id=5").contains("21     present"))
    }

    @Test("SIGKILL between a CLI push's offline and online writes; pushing the file again repairs the online side")
    func killedDuringCLIPush() throws {
        let dir = try project()
        try dir.write("rows.jsonl", #"{"driver_id": 5, "event_timestamp": "2026-03-01T11:30:00Z", "created": "2026-03-01T11:30:00Z", "trips": 21}"# + "\n")
        let killed = try CLIRunner.run(["push", "driver_trips", "--file", "rows.jsonl"], in: dir.path, environment: ["STRATA_FAULT_BEFORE_ONLINE": "1"])
        #expect(killed.wasKilledBySignal && killed.exitCode == SIGKILL)
        #expect(try get(dir.path, "driver_id=5").contains("not_found"))
        let counts = try offlineCounts(dir.path)
        let again = try CLIRunner.run(["push", "driver_trips", "--file", "rows.jsonl"], in: dir.path)
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(again.stdout.contains("unchanged); online (driver_trips): 1 written"), "\(again.stdout)")
        #expect(try offlineCounts(dir.path) == counts)
        #expect(try get(dir.path, "driver_id=5").contains("21     present"))
    }

    @Test("a full disk during ingest leaves the offline store as before, with an error that says so",
          .enabled(if: TmpfsMount.isAvailable, "needs root to mount a small tmpfs"))
    func diskFullDuringIngest() throws {
        let disk = try TmpfsMount(sizeKiB: 2048)
        let project = disk.path + "/p"
        _ = try self.project(in: project)
        let outside = TemporaryDirectory()
        let rows = (0..<100_000).map { "\($0),2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,\($0)" }
        try outside.write("big.csv", "driver_id,event_timestamp,created,trips\n" + rows.joined(separator: "\n") + "\n")
        try FileManager.default.removeItem(atPath: project + "/trips.csv")
        try FileManager.default.createSymbolicLink(atPath: project + "/trips.csv", withDestinationPath: outside.file("big.csv").path)
        let before = try offlineCounts(project)
        let result = try CLIRunner.run(["ingest"], in: project)
        #expect(!result.wasKilledBySignal, "\(result.stderr)")
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("free disk space"), "\(result.stderr)")
        #expect(try offlineCounts(project) == before)
    }

    /// Moves the project's online store onto a small tmpfs of its own (a symbolic link), so that only LMDB runs out of space.
    func onlineStoreOn(_ disk: TmpfsMount, project: String) throws {
        let online = project + "/.strata/online"
        if FileManager.default.fileExists(atPath: online) {
            try FileManager.default.moveItem(atPath: online, toPath: disk.path + "/online")
        } else {
            try FileManager.default.createDirectory(atPath: disk.path + "/online", withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(atPath: online, withDestinationPath: disk.path + "/online")
    }

    @Test("a full disk during materialize leaves the online store as before, with an error that says so",
          .enabled(if: TmpfsMount.isAvailable, "needs root to mount a small tmpfs"))
    func diskFullDuringMaterialize() throws {
        let dir = try project()
        let rows = (0..<30_000).map { "\($0),2026-03-01T11:00:00Z,2026-03-01T11:00:00Z,\($0 % 90)" }
        try dir.write("trips.csv", CLIOfflineTests.trips + rows.joined(separator: "\n") + "\n")
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        #expect(try CLIRunner.run(["materialize", "--end", "2026-03-01T10:30:00Z"], in: dir.path).exitCode == 0)
        let known = try get(dir.path, "driver_id=1", at: "2026-03-01T10:30:00Z")
        let disk = try TmpfsMount(sizeKiB: 1024)
        try onlineStoreOn(disk, project: dir.path)
        try disk.fill(leaving: 64 * 1024)
        let result = try CLIRunner.run(["materialize", "--end", "2026-03-01T12:00:00Z"], in: dir.path)
        #expect(!result.wasKilledBySignal, "\(result.stderr)")
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("free disk space on the volume holding \(dir.file(".strata/online").path)"), "\(result.stderr)")
        #expect(try get(dir.path, "driver_id=1", at: "2026-03-01T10:30:00Z") == known)
        #expect(try get(dir.path, "driver_id=29999").contains("not_found"))
    }

    @Test("a full disk when the online store is first created is an error, not a crash",
          .enabled(if: TmpfsMount.isAvailable, "needs root to mount a small tmpfs"))
    func diskFullOnOpen() throws {
        let dir = try project()
        try FileManager.default.removeItem(at: dir.file(".strata/online"))
        let disk = try TmpfsMount(sizeKiB: 256)
        try onlineStoreOn(disk, project: dir.path)
        try disk.fill(leaving: 0)
        let result = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", "driver_id=1"], in: dir.path,
                                       environment: CLIHardeningTests.mallocChecks)
        #expect(!result.wasKilledBySignal, "\(result.stderr)")
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("cannot open the online store at \(dir.file(".strata/online").path)/lock.mdb: No space left on device"), "\(result.stderr)")
        #expect(result.stderr.contains("fix: free disk space"))
    }

    @Test("a state folder this user may not use is an error naming it and the fix; the stores stay as they were")
    func stateFolderPermissionDenied() throws {
        let dir = try project()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let before = try offlineCounts(dir.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir.file(".strata").path)
        if getuid() != 0 { try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: dir.file(".strata").path) }
        for command in [["ingest"], ["materialize"], ["get", "--features", "driver_trips:trips", "--key", "driver_id=1"]] {
            let result = try CLIRunner.runAsOtherUser(command, in: dir.path, environment: CLIHardeningTests.mallocChecks)
            #expect(!result.wasKilledBySignal, "\(result.stderr)")
            #expect(result.exitCode == 1, "\(command)")
            #expect(result.stderr.contains("permission denied: this user cannot read and write the state folder \(dir.file(".strata").path)"), "\(result.stderr)")
            #expect(result.stderr.contains("fix: run as the user that owns it"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.file(".strata").path)
        #expect(try offlineCounts(dir.path) == before)
    }
}

/// POSTs a JSON body with URLSession; the status and the body text.
func post(port: Int, path: String, body: String) async throws -> (Int, String) {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    request.httpMethod = "POST"
    request.httpBody = Data(body.utf8)
    request.timeoutInterval = 30
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}
