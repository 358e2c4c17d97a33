// Through the `strata` binary: what used to crash or answer wrongly now fails cleanly or answers right — an online
// store that cannot be opened (a file in its place, no permission; checked with glibc's double-free detector on),
// LMDB map growth through materialize and push, reproductions that never touch the original, infinite values,
// and corrupt stored records.
import Foundation
import GRDB
import StrataTestSupport
import Testing

@Suite struct CLIHardeningTests {
    /// glibc aborts on a double free only when its checks are on; the old code freed the LMDB environment twice.
    static let mallocChecks = ["GLIBC_TUNABLES": "glibc.malloc.check=3", "MALLOC_CHECK_": "3"]

    func project(ingested: Bool = true) throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try dir.write("featuresets/f.yaml", CLIOfflineTests.definitions)
        try dir.write("trips.csv", CLIOfflineTests.trips)
        #expect(try CLIRunner.run(["apply"], in: dir.path).exitCode == 0)
        if ingested { #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0) }
        return dir
    }

    @Test("a file where the online store's folder should be is an error naming the path and the fix, never a double free")
    func onlineStoreIsAFile() throws {
        let dir = try project()
        try FileManager.default.removeItem(at: dir.file(".strata/online"))
        try dir.write(".strata/online", "not a folder")
        let result = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", "driver_id=1"], in: dir.path, environment: Self.mallocChecks)
        #expect(!result.wasKilledBySignal, "\(result.stderr)")
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("cannot open the online store at \(dir.file(".strata/online").path)"), "\(result.stderr)")
        #expect(result.stderr.contains("fix: \(dir.file(".strata/online").path) must be a folder that Strata manages: move the file that is in the way"))
    }

    @Test("an online store this user may not open is an error naming the path and the fix")
    func onlineStoreUnreadable() throws {
        let dir = try project()
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
        if getuid() == 0 { try chown(dir.path, to: 65534) }
        try FileManager.default.setAttributes([.posixPermissions: 0o000, .ownerAccountID: 0], ofItemAtPath: dir.file(".strata/online").path)
        let result = try CLIRunner.runAsOtherUser(["get", "--features", "driver_trips:trips", "--key", "driver_id=1"], in: dir.path,
                                                  environment: Self.mallocChecks)
        #expect(!result.wasKilledBySignal, "\(result.stderr)")
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("cannot open the online store at \(dir.file(".strata/online").path)"), "\(result.stderr)")
        #expect(result.stderr.contains("fix: give this user read and write access to"))
        if getuid() == 0 { try chown(dir.path, to: 0) }
    }

    @Test("materialize grows a 64 KiB map to hold 20,000 keys; push grows it too")
    func mapGrowthThroughMaterializeAndPush() throws {
        let dir = try project(ingested: false)
        let rows = (0..<20_000).map { "\($0),2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,\($0 % 40)" }
        try dir.write("trips.csv", "driver_id,event_timestamp,created,trips\n" + rows.joined(separator: "\n") + "\n")
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        let materialize = try CLIRunner.run(["materialize", "--end", "2026-03-01T10:30:00Z", "--map-size", "64KiB", "--json"], in: dir.path)
        #expect(materialize.exitCode == 0, "\(materialize.stderr)")
        let reports = try JSONSerialization.jsonObject(with: Data(materialize.stdout.utf8)) as? [[String: Any]]
        #expect(reports?.first?["keysWritten"] as? Int == 20_000, "\(materialize.stdout)")
        let get = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", "driver_id=19999", "--at", "2026-03-01T10:30:00Z"], in: dir.path)
        #expect(get.stdout.contains("driver_id=19999  driver_trips:trips  39     present"), "\(get.stdout)")

        let other = try project(ingested: true)
        let pushed = (0..<20_000).map { #"{"driver_id": \#($0), "event_timestamp": "2026-03-01T12:00:00Z", "created": "2026-03-01T12:00:00Z", "trips": 1}"# }
        try other.write("rows.jsonl", pushed.joined(separator: "\n") + "\n")
        let push = try CLIRunner.run(["push", "driver_trips", "--file", "rows.jsonl", "--map-size", "64KiB"], in: other.path)
        #expect(push.exitCode == 0, "\(push.stderr)")
        #expect(push.stdout.contains("20000 written"), "\(push.stdout)")
    }

    @Test("a map that may not grow far enough is an error naming online.map_size_max")
    func mapSizeLimit() throws {
        let dir = try project(ingested: false)
        try dir.write("strata.yaml", "online:\n  map_size: 64KiB\n  map_size_max: 128KiB\n")
        let rows = (0..<20_000).map { "\($0),2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,1" }
        try dir.write("trips.csv", "driver_id,event_timestamp,created,trips\n" + rows.joined(separator: "\n") + "\n")
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        let result = try CLIRunner.run(["materialize", "--end", "2026-03-01T10:30:00Z"], in: dir.path)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("may not grow past `online.map_size_max` (128 KiB)"), "\(result.stderr)")
        #expect(result.stderr.contains("fix: raise `online.map_size_max` in strata.yaml"))
        try dir.write("strata.yaml", "online:\n  map_size: lots\n")
        let bad = try CLIRunner.run(["materialize"], in: dir.path)
        #expect(bad.exitCode == 1)
        #expect(bad.stderr.contains("strata.yaml:2:13"), "\(bad.stderr)")
    }

    @Test("--reproduce writes beside the original and never touches it; an --out onto it is refused; differing bytes exit 1")
    func reproduceNeverOverwrites() throws {
        let dir = try project()
        try dir.write("spine.csv", CLIOfflineTests.spine)
        #expect(try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", "train.csv"], in: dir.path).exitCode == 0)
        let manifest = try JSONSerialization.jsonObject(with: Data(try dir.read("train.manifest.json").utf8)) as? [String: Any]
        let id = try #require(manifest?["id"] as? String)
        let original = try dir.read("train.csv"), originalManifest = try dir.read("train.manifest.json")
        let reproduced = try CLIRunner.run(["historical", "--reproduce", id], in: dir.path)
        #expect(reproduced.exitCode == 0, "\(reproduced.stderr)")
        #expect(reproduced.stdout.contains("train.reproduced.csv"))
        #expect(try dir.read("train.reproduced.csv") == original)
        #expect(try dir.read("train.csv") == original)
        #expect(try dir.read("train.manifest.json") == originalManifest)
        for target in ["train.csv", "./train.manifest.json", "train.jsonl"] {
            let refused = try CLIRunner.run(["historical", "--reproduce", id, "--out", target], in: dir.path)
            #expect(refused.exitCode == 1, "\(target)")
            #expect(refused.stderr.contains("would overwrite the original training set"), "\(refused.stderr)")
        }
        #expect(try dir.read("train.manifest.json") == originalManifest)
        // A manifest whose recorded hash no longer matches: the reproduction differs, and says so with exit 1.
        try DatabaseQueue(path: dir.file(".strata/registry.db").path).write { db in
            try db.execute(sql: "UPDATE training_sets SET manifest = replace(manifest, ?, ?)",
                           arguments: [(manifest?["output"] as? [String: Any])?["contentSHA256"] as? String ?? "", String(repeating: "0", count: 64)])
        }
        let differs = try CLIRunner.run(["historical", "--reproduce", id, "--out", "again.csv"], in: dir.path)
        #expect(differs.exitCode == 1)
        #expect(differs.stderr.contains("differs from the original"), "\(differs.stderr)")
    }

    @Test("an infinite computed value is null in get --json, tables, training sets and HTTP-shaped output, exit 0")
    func infiniteIsNull() throws {
        let dir = try project(ingested: false)
        try dir.write("featuresets/f.yaml", CLIOfflineTests.definitions + "\n      huge: {type: float64, expr: \"exp(trips * 100.0)\"}\n")
        #expect(try CLIRunner.run(["apply"], in: dir.path).exitCode == 0)
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        #expect(try CLIRunner.run(["materialize", "--end", "2026-03-01T11:30:00Z"], in: dir.path).exitCode == 0)
        let get = try CLIRunner.run(["get", "--features", "driver_trips:huge", "--key", "driver_id=1", "--at", "2026-03-01T11:30:00Z", "--json"], in: dir.path)
        #expect(get.exitCode == 0, "\(get.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(get.stdout.utf8)) as? [String: Any], "\(get.stdout)")
        let value = try #require((json["rows"] as? [[String: Any]])?.first?["values"] as? [[String: Any]])
        #expect(value.first?["value"] is NSNull)
        #expect(value.first?["status"] as? String == "present")
        try dir.write("spine.csv", "driver_id,event_timestamp\n1,2026-03-01T11:30:00Z\n")
        let historical = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:huge", "--out", "t.jsonl"], in: dir.path)
        #expect(historical.exitCode == 0, "\(historical.stderr)")
        #expect(try dir.read("t.jsonl").contains(#""driver_trips__huge":null"#))
    }

    @Test("a corrupt feature-log record makes check fail naming it, not crash")
    func corruptFeatureLog() throws {
        let dir = try project()
        try dir.write("featuresets/f.yaml", CLIOfflineTests.definitions + "\n" + """
        feature_services:
          - name: logged
            features: [driver_trips:trips]
            logging: {sample_rate: 1.0}

        """)
        #expect(try CLIRunner.run(["apply"], in: dir.path).exitCode == 0)
        #expect(try CLIRunner.run(["materialize", "--end", "2026-03-01T11:30:00Z"], in: dir.path).exitCode == 0)
        #expect(try CLIRunner.run(["get", "--service", "logged", "--key", "driver_id=1", "--key", "driver_id=2"], in: dir.path).exitCode == 0)
        try DatabaseQueue(path: dir.file(".strata/feature_log.db").path).write { db in
            try db.execute(sql: "UPDATE feature_log SET statuses = '[]' WHERE id = 2")
        }
        let check = try CLIRunner.run(["check", "--logs"], in: dir.path)
        #expect(!check.wasKilledBySignal, "\(check.stderr)")
        #expect(check.exitCode == 1)
        #expect(check.stderr.contains("feature log record 2 is corrupt: `statuses` has 0 entries for 1 features"), "\(check.stderr)")
        // The check that failed is recorded, so lineage export reports it as FAIL.
        let export = try CLIRunner.run(["lineage", "--export", "openlineage", "--job", "check"], in: dir.path)
        #expect(export.exitCode == 0, "\(export.stderr)")
        let events = export.stdout.split(separator: "\n").map(String.init)
        #expect(events.count == 2 && events[0].contains(#""eventType":"START""#) && events[1].contains(#""eventType":"FAIL""#), "\(export.stdout)")
        #expect(events.last?.contains("feature log record 2 is corrupt") == true)
    }

    @Test("an unknown registry kind, or a manifest that cannot be decoded, is an error naming the record")
    func corruptRegistryRecords() throws {
        let dir = try project()
        try dir.write("spine.csv", CLIOfflineTests.spine)
        #expect(try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", "train.csv"], in: dir.path).exitCode == 0)
        let registry = try DatabaseQueue(path: dir.file(".strata/registry.db").path)
        let id = try registry.read { db in try String.fetchOne(db, sql: "SELECT id FROM training_sets") } ?? ""
        try registry.write { db in try db.execute(sql: "UPDATE training_sets SET manifest = '{\"id\": 1}'") }
        let list = try CLIRunner.run(["historical", "--list"], in: dir.path)
        #expect(list.exitCode == 1)
        #expect(list.stderr.contains("the manifest of training set \(id) is corrupt"), "\(list.stderr)")
        try registry.write { db in try db.execute(sql: "UPDATE objects SET kind = 'bogus' WHERE name = 'driver'") }
        let objects = try CLIRunner.run(["registry", "list"], in: dir.path)
        #expect(objects.exitCode == 1)
        #expect(objects.stderr.contains("registry record object `driver` version 1 is corrupt: unknown kind `bogus`"), "\(objects.stderr)")
    }
}

/// Changes the owner of `path` and everything under it.
func chown(_ path: String, to user: uid_t) throws {
    let enumerator = FileManager.default.enumerator(atPath: path)
    for item in [path] + (enumerator?.allObjects as? [String] ?? []).map({ path + "/" + $0 }) {
        guard lchown(item, user, user) == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }
}
