// End to end through the `strata` binary: ingest with quarantine, a historical training set that keeps the spine
// exactly, reproduce-by-id after a late correction, output formats, and SIGKILL mid-ingest leaving the store untouched.
import Foundation
import GRDB
import StrataOffline
import StrataTestSupport
import Testing

@Suite struct CLIOfflineTests {
    static let definitions = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: trips
        path: trips.csv
        timestamp: event_timestamp
        created: created
        schema: {driver_id: int64, trips: int64}
    feature_views:
      - name: driver_trips
        entities: [driver]
        source: trips
        ttl: 1h
        features:
          trips: int64
          busy: {type: bool, expr: "trips >= 10"}
    """

    static let trips = """
    driver_id,event_timestamp,created,trips
    1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5
    1,2026-03-01T11:00:00Z,2026-03-01T11:05:00Z,12
    2,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,7
    2,2026-03-01T10:30:00Z,bad,7

    """

    /// Spine: extra column, duplicates, an offset time, a TTL edge (exactly 1h), an unknown driver, an empty key.
    static let spine = """
    driver_id,event_timestamp,note
    1,2026-03-01T11:00:00Z,"exactly at the event, before it was known"
    1,2026-03-01T16:35:00+05:30,after it was known
    2,2026-03-01T11:00:00Z,ttl edge
    2,2026-03-01T11:00:00.000001Z,just past ttl
    9,2026-03-01T11:00:00Z,unknown
    ,2026-03-01T11:00:00Z,no key
    1,2026-03-01T11:00:00Z,"exactly at the event, before it was known"

    """

    func project() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try dir.write("featuresets/f.yaml", Self.definitions)
        try dir.write("trips.csv", Self.trips)
        try dir.write("spine.csv", Self.spine)
        #expect(try CLIRunner.run(["apply"], in: dir.path).exitCode == 0)
        return dir
    }

    @Test("ingest reports quarantine; historical keeps every spine row and gets the point-in-time answer")
    func ingestAndHistorical() throws {
        let dir = try project()
        let ingest = try CLIRunner.run(["ingest"], in: dir.path)
        #expect(ingest.exitCode == 0)
        #expect(ingest.stdout.contains("trips.csv:5:3  column `created`: `bad` is not an RFC 3339 timestamp"))
        let result = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", "train.csv", "--include-status"], in: dir.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try dir.read("train.csv") == """
        driver_id,event_timestamp,note,driver_trips__trips,driver_trips__busy,driver_trips__status,driver_trips__event_ts
        1,2026-03-01T11:00:00Z,"exactly at the event, before it was known",5,false,present,2026-03-01T10:00:00.000000Z
        1,2026-03-01T16:35:00+05:30,after it was known,12,true,present,2026-03-01T11:00:00.000000Z
        2,2026-03-01T11:00:00Z,ttl edge,7,false,present,2026-03-01T10:00:00.000000Z
        2,2026-03-01T11:00:00.000001Z,just past ttl,,,expired,
        9,2026-03-01T11:00:00Z,unknown,,,not_found,
        ,2026-03-01T11:00:00Z,no key,,,not_found,
        1,2026-03-01T11:00:00Z,"exactly at the event, before it was known",5,false,present,2026-03-01T10:00:00.000000Z

        """)
        let latest = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:trips", "--corrections", "latest",
                                        "--bare-names", "--out", "latest.csv"], in: dir.path)
        #expect(latest.exitCode == 0)
        #expect(try dir.read("latest.csv").components(separatedBy: "\n")[1] == "1,2026-03-01T11:00:00Z,\"exactly at the event, before it was known\",12")
        let strict = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:trips", "--strict", "--out", "strict.csv"], in: dir.path)
        #expect(strict.exitCode == 0)
        #expect(try dir.read("strict.csv").components(separatedBy: "\n")[3] == "2,2026-03-01T11:00:00Z,ttl edge,7")
    }

    @Test("reproduce by id gives byte-identical output after a late correction is ingested")
    func reproduce() throws {
        let dir = try project()
        _ = try CLIRunner.run(["ingest"], in: dir.path)
        let first = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", "a.csv", "--json"], in: dir.path)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let id = try #require(manifest["id"] as? String)
        #expect(FileManager.default.fileExists(atPath: dir.file("a.manifest.json").path))
        // A correction for 10:00, known at 10:30: visible to the 11:00 spine rows in a fresh request.
        try dir.write("trips.csv", Self.trips + "1,2026-03-01T10:00:00Z,2026-03-01T10:30:00Z,50\n")
        _ = try CLIRunner.run(["ingest"], in: dir.path)
        _ = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", "b.csv"], in: dir.path)
        #expect(try dir.read("b.csv") != dir.read("a.csv"))
        let again = try CLIRunner.run(["historical", "--reproduce", id, "--out", "c.csv"], in: dir.path)
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(again.stdout.contains("identical to the original"))
        #expect(try dir.read("c.csv") == dir.read("a.csv"))
        let unknown = try CLIRunner.run(["historical", "--reproduce", "ts-nope"], in: dir.path)
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("no training set with id `ts-nope`"))
    }

    @Test("JSON Lines and SQLite outputs hold the same rows as CSV")
    func outputFormats() throws {
        let dir = try project()
        _ = try CLIRunner.run(["ingest"], in: dir.path)
        for out in ["t.csv", "t.jsonl", "t.db"] {
            #expect(try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:trips", "--out", out], in: dir.path).exitCode == 0)
        }
        let lines = try dir.read("t.jsonl").split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines[1] == #"{"driver_id":"1","event_timestamp":"2026-03-01T16:35:00+05:30","note":"after it was known","driver_trips__trips":12}"#)
        let values = try DatabaseQueue(path: dir.file("t.db").path).read { try Int?.fetchAll($0, sql: "SELECT driver_trips__trips FROM training_set ORDER BY spine_row") }
        #expect(values == [5, 12, 7, nil, nil, nil, 5])
    }

    @Test("spine problems are errors naming the line; unknown features get a suggestion")
    func badRequests() throws {
        let dir = try project()
        try dir.write("bad.csv", "driver_id,event_timestamp\n1,2026-03-01T11:00:00Z\nabc,2026-03-01T11:00:00Z\n")
        let badKey = try CLIRunner.run(["historical", "--entities", "bad.csv", "--features", "driver_trips:trips", "--out", "x.csv"], in: dir.path)
        #expect(badKey.exitCode == 1)
        #expect(badKey.stderr.contains("spine column `driver_id`: `abc` is not an int64"))
        #expect(badKey.stderr.contains("--> bad.csv:3"))
        let unknown = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:trip", "--out", "x.csv"], in: dir.path)
        #expect(unknown.stderr.contains("did you mean `trips`?"))
        let usage = try CLIRunner.run(["historical", "--entities", "spine.csv", "--out", "x.csv"], in: dir.path)
        #expect(usage.exitCode == 64)
    }

    @Test("SIGKILL in the middle of an ingest run leaves the offline store exactly as before")
    func killMidIngest() throws {
        let dir = try project()
        _ = try CLIRunner.run(["ingest"], in: dir.path)
        let before = try snapshot(dir)
        var big = Self.trips
        for i in 0..<5000 { big += "\(i % 50 + 3),2026-03-02T00:00:00Z,2026-03-02T00:00:00Z,\(i)\n" }
        try dir.write("trips.csv", big)
        let killed = try CLIRunner.run(["ingest"], in: dir.path, environment: ["STRATA_FAULT_AFTER_ROWS": "2500"])
        #expect(killed.exitCode != 0)
        #expect(try snapshot(dir) == before)
        let retry = try CLIRunner.run(["ingest"], in: dir.path)
        #expect(retry.exitCode == 0)
        #expect(retry.stdout.contains("appended"))
        #expect(try snapshot(dir) != before)
    }

    func snapshot(_ dir: TemporaryDirectory) throws -> [String] {
        try DatabaseQueue(path: dir.file(".strata/offline.db").path).read { db in
            try ["ingest_runs", "source_files", "quarantine", "view_tables", try Self.storedTable(db, .source, "trips"),
                 try Self.storedTable(db, .features, "driver_trips")].map { table in
                "\(table): \(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(quoted(table))") ?? -1)"
            }
        }
    }

    /// The newest stored table of an object in the storage catalog.
    static func storedTable(_ db: Database, _ kind: StorageKind, _ object: String) throws -> String {
        try String.fetchOne(db, sql: "SELECT table_name FROM storages WHERE kind = ? AND object = ? ORDER BY storage_id DESC LIMIT 1",
                            arguments: [kind.rawValue, object]) ?? "no stored table"
    }
}
