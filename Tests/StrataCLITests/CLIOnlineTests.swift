// End to end through the binary: materialize then get (table and JSON, TTL at --at, unknown keys), push, and a
// materialize killed with SIGKILL mid-transaction leaving the online store exactly as before.
import Foundation
import StrataTestSupport
import Testing

@Suite struct CLIOnlineTests {
    func project() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try dir.write("featuresets/f.yaml", CLIOfflineTests.definitions)
        try dir.write("trips.csv", CLIOfflineTests.trips)
        #expect(try CLIRunner.run(["apply"], in: dir.path).exitCode == 0)
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        return dir
    }

    @Test("materialize --end then get --at returns values, statuses and event times")
    func materializeAndGet() throws {
        let dir = try project()
        let materialize = try CLIRunner.run(["materialize", "--end", "2026-03-01T11:30:00Z"], in: dir.path)
        #expect(materialize.exitCode == 0, "\(materialize.stderr)")
        #expect(materialize.stdout.contains("driver_trips  v1       full"))
        let get = try CLIRunner.run(["get", "--features", "driver_trips:*", "--key", "driver_id=1", "--key", "driver_id=2", "--key", "driver_id=3",
                                     "--at", "2026-03-01T11:30:00Z"], in: dir.path)
        #expect(get.exitCode == 0, "\(get.stderr)")
        #expect(get.stdout == """
        ENTITY       FEATURE             VALUE  STATUS     EVENT TIME
        -----------  ------------------  -----  ---------  ---------------------------
        driver_id=1  driver_trips:trips  12     present    2026-03-01T11:00:00.000000Z
        driver_id=1  driver_trips:busy   true   present    2026-03-01T11:00:00.000000Z
        driver_id=2  driver_trips:trips  null   expired    2026-03-01T10:00:00.000000Z
        driver_id=2  driver_trips:busy   null   expired    2026-03-01T10:00:00.000000Z
        driver_id=3  driver_trips:trips  null   not_found  
        driver_id=3  driver_trips:busy   null   not_found  

        """)
        let later = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", "driver_id=2", "--at", "2026-03-01T11:00:00.000001Z", "--json"], in: dir.path)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(later.stdout.utf8)) as? [String: Any])
        let row = try #require((json["rows"] as? [[String: Any]])?.first?["values"] as? [[String: Any]])
        #expect(row.first?["status"] as? String == "expired")
        let badKey = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", "rider_id=1"], in: dir.path)
        #expect(badKey.exitCode == 64)
        #expect(badKey.stderr.contains("`rider_id` is not a join key"))
    }

    @Test("push writes to both stores and the next get sees it")
    func push() throws {
        let dir = try project()
        try dir.write("rows.jsonl", #"{"driver_id": 5, "event_timestamp": "2026-03-01T12:00:00Z", "created": "2026-03-01T12:00:00Z", "trips": 30}"# + "\n")
        let push = try CLIRunner.run(["push", "driver_trips", "--file", "rows.jsonl"], in: dir.path)
        #expect(push.exitCode == 0, "\(push.stderr)")
        #expect(push.stdout.contains("pushed 1 row to trips (offline run 2, new); online (driver_trips): 1 written"))
        let get = try CLIRunner.run(["get", "--features", "driver_trips:busy", "--key", "driver_id=5", "--at", "2026-03-01T12:30:00Z", "--json"], in: dir.path)
        #expect(get.stdout.contains("\"value\" : true"))
    }

    @Test("SIGKILL in the middle of a materialize run leaves the online store exactly as before")
    func killMidMaterialize() throws {
        let dir = try project()
        #expect(try CLIRunner.run(["materialize", "--end", "2026-03-01T10:30:00Z"], in: dir.path).exitCode == 0)
        let before = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", "driver_id=1", "--key", "driver_id=2", "--at", "2026-03-01T10:30:00Z"], in: dir.path).stdout
        let killed = try CLIRunner.run(["materialize", "--end", "2026-03-01T12:00:00Z"], in: dir.path, environment: ["STRATA_FAULT_AFTER_ROWS": "1"])
        #expect(killed.exitCode != 0)
        let after = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", "driver_id=1", "--key", "driver_id=2", "--at", "2026-03-01T10:30:00Z"], in: dir.path).stdout
        #expect(after == before)
        #expect(try CLIRunner.run(["materialize", "--end", "2026-03-01T12:00:00Z"], in: dir.path).exitCode == 0)
        let done = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", "driver_id=1", "--at", "2026-03-01T11:30:00Z"], in: dir.path).stdout
        #expect(done.contains("12"))
    }
}
