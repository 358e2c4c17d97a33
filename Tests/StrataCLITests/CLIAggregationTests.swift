// Windowed aggregations end to end through the `strata` binary: a view with row features and aggregations, selected
// by `view:*`, by name and by service; every output format; status columns; reproduction after a late correction;
// plan (adding is fine, changing a window is breaking); `get` serving them online; validation errors.
import Foundation
import GRDB
import StrataTestSupport
import Testing

@Suite struct CLIAggregationTests {
    static let definitions = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: trips
        path: trips.csv
        timestamp: event_timestamp
        created: created
        id: trip_id
        schema: {trip_id: string, driver_id: int64, fare: float64, status: string}
    feature_views:
      - name: driver_trips
        entities: [driver]
        source: trips
        features:
          fare: float64
        aggregations:
          trips_1h: {function: count, window: 1h}
          fare_24h: {function: sum, column: fare, window: 24h, where: "status = 'completed'"}
    feature_services:
      - name: ranking
        features: [driver_trips:fare_24h, driver_trips:trips_1h]
    """

    static let trips = """
    trip_id,driver_id,fare,status,event_timestamp,created
    t1,1,10.5,completed,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z
    t2,1,20,completed,2026-03-01T10:17:00Z,2026-03-01T10:25:00Z
    t3,1,5,cancelled,2026-03-01T10:50:00Z,2026-03-01T10:55:00Z
    t4,2,7,completed,2026-03-01T09:00:00Z,2026-03-01T09:00:00Z

    """

    static let spine = """
    driver_id,event_timestamp
    1,2026-03-01T10:30:00Z
    1,2026-03-01T11:00:00Z
    2,2026-03-01T11:00:00Z
    2,2026-03-01T08:00:00Z
    3,2026-03-01T11:00:00Z
    1,2026-03-01T10:30:00Z

    """

    func project() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try dir.write("featuresets/f.yaml", Self.definitions)
        try dir.write("trips.csv", Self.trips)
        try dir.write("spine.csv", Self.spine)
        #expect(try CLIRunner.run(["apply"], in: dir.path).exitCode == 0)
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        return dir
    }

    @Test("view:* gives row features then aggregations, with separate status columns for the two parts")
    func allFeaturesWithStatus() throws {
        let dir = try project()
        let result = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", "t.csv", "--include-status"], in: dir.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try dir.read("t.csv") == """
        driver_id,event_timestamp,driver_trips__fare,driver_trips__trips_1h,driver_trips__fare_24h,driver_trips__status,driver_trips__event_ts,driver_trips__aggregations__status,driver_trips__aggregations__event_ts
        1,2026-03-01T10:30:00Z,20.0,2,30.5,present,2026-03-01T10:17:00.000000Z,present,2026-03-01T10:17:00.000000Z
        1,2026-03-01T11:00:00Z,5.0,2,30.5,present,2026-03-01T10:50:00.000000Z,present,2026-03-01T10:50:00.000000Z
        2,2026-03-01T11:00:00Z,7.0,0,7.0,present,2026-03-01T09:00:00.000000Z,present,2026-03-01T09:00:00.000000Z
        2,2026-03-01T08:00:00Z,,,,not_found,,not_found,
        3,2026-03-01T11:00:00Z,,,,not_found,,not_found,
        1,2026-03-01T10:30:00Z,20.0,2,30.5,present,2026-03-01T10:17:00.000000Z,present,2026-03-01T10:17:00.000000Z

        """)
    }

    @Test("a service of aggregations writes the same values as CSV, JSON Lines and SQLite")
    func serviceAndFormats() throws {
        let dir = try project()
        for out in ["s.csv", "s.jsonl", "s.db"] {
            let result = try CLIRunner.run(["historical", "--entities", "spine.csv", "--service", "ranking", "--out", out, "--bare-names"], in: dir.path)
            #expect(result.exitCode == 0, "\(result.stderr)")
        }
        #expect(try dir.read("s.csv").components(separatedBy: "\n")[0...2] == ["driver_id,event_timestamp,fare_24h,trips_1h",
                                                                               "1,2026-03-01T10:30:00Z,30.5,2", "1,2026-03-01T11:00:00Z,30.5,2"])
        let lines = try dir.read("s.jsonl").split(separator: "\n")
        #expect(lines[2] == #"{"driver_id":"2","event_timestamp":"2026-03-01T11:00:00Z","fare_24h":7.0,"trips_1h":0}"#)
        #expect(lines[3] == #"{"driver_id":"2","event_timestamp":"2026-03-01T08:00:00Z","fare_24h":null,"trips_1h":null}"#)
        let rows = try DatabaseQueue(path: dir.file("s.db").path).read { db in
            try Row.fetchAll(db, sql: "SELECT fare_24h, trips_1h FROM training_set ORDER BY spine_row").map { "\($0[0] as Double? ?? -1)/\($0[1] as Int? ?? -1)" }
        }
        #expect(rows == ["30.5/2", "30.5/2", "7.0/0", "-1.0/-1", "-1.0/-1", "30.5/2"])
    }

    @Test("reproducing by id ignores a later correction of a trip; a fresh request sees it")
    func reproduce() throws {
        let dir = try project()
        let first = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:fare_24h", "--out", "a.csv", "--json"], in: dir.path)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let id = try #require(manifest["id"] as? String)
        // t2 refunded, known at 10:26: the 10:30 rows no longer count it.
        try dir.write("trips.csv", Self.trips + "t2,1,20,refunded,2026-03-01T10:17:00Z,2026-03-01T10:26:00Z\n")
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        _ = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:fare_24h", "--out", "b.csv"], in: dir.path)
        #expect(try dir.read("b.csv").components(separatedBy: "\n")[1] == "1,2026-03-01T10:30:00Z,10.5")
        let again = try CLIRunner.run(["historical", "--reproduce", id, "--out", "c.csv"], in: dir.path)
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(again.stdout.contains("identical to the original"))
        #expect(try dir.read("c.csv") == dir.read("a.csv"))
    }

    @Test("adding an aggregation is not breaking; changing a window is, with the reason")
    func plan() throws {
        let dir = try project()
        try dir.write("featuresets/f.yaml", Self.definitions.replacingOccurrences(of: "feature_services:", with: "      trips_24h: {function: count, window: 24h}\nfeature_services:"))
        let plan = try CLIRunner.run(["plan"], in: dir.path)
        #expect(plan.exitCode == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("No breaking changes."))
        try dir.write("featuresets/f.yaml", Self.definitions.replacingOccurrences(of: "window: 1h}", with: "window: 2h}"))
        let refused = try CLIRunner.run(["apply"], in: dir.path)
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("feature view `driver_trips`: aggregation `trips_1h` changes window 1h → 2h"))
    }

    @Test("get serves aggregations after materialize, equal to the training set at the same instant, window edge included")
    func servedOnline() throws {
        let dir = try project()
        #expect(try CLIRunner.run(["materialize", "--end", "2026-03-01T10:30:00Z"], in: dir.path).exitCode == 0)
        // At 11:00 the 1h window is (10:00, 11:00]: t1 at exactly 10:00 has left it; t3 (created 10:55) counts.
        let online = try CLIRunner.run(["get", "--service", "ranking", "--key", "driver_id=1", "--key", "driver_id=3", "--at", "2026-03-01T11:00:00Z"], in: dir.path)
        #expect(online.exitCode == 0, "\(online.stderr)")
        let lines = online.stdout.components(separatedBy: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("driver_id=1 driver_trips:fare_24h 30.5 present 2026-03-01T10:50:00.000000Z"))
        #expect(lines.contains("driver_id=1 driver_trips:trips_1h 2 present 2026-03-01T10:50:00.000000Z"))
        #expect(lines.contains("driver_id=3 driver_trips:trips_1h null not_found"))
        _ = try CLIRunner.run(["historical", "--entities", "spine.csv", "--service", "ranking", "--out", "t.csv"], in: dir.path)
        #expect(try dir.read("t.csv").components(separatedBy: "\n")[2] == "1,2026-03-01T11:00:00Z,30.5,2")
    }

    @Test("lineage traces an aggregate to the events in its window, paged, with file:line; a wrong name suggests the right one")
    func lineage() throws {
        let dir = try project()
        #expect(try CLIRunner.run(["materialize", "--end", "2026-03-01T10:30:00Z"], in: dir.path).exitCode == 0)
        let traced = try CLIRunner.run(["lineage", "--view", "driver_trips", "--key", "driver_id=1", "--at", "2026-03-01T11:00:00Z", "--feature", "trips_1h",
                                        "--limit", "1", "--json"], in: dir.path)
        #expect(traced.exitCode == 0, "\(traced.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(traced.stdout.utf8)) as? [String: Any])
        #expect(object["eventCount"] as? Int == 2)
        #expect(object["value"] as? String == "2" && object["onlineValue"] as? String == "2")
        #expect(object["windowLower"] as? String == "2026-03-01T10:00:00.000000Z")
        let events = try #require(object["events"] as? [[String: Any]])
        #expect(events.count == 1)
        #expect(events.first?["file"] as? String == "trips.csv" && events.first?["line"] as? Int == 3)
        let text = try CLIRunner.run(["lineage", "--view", "driver_trips", "--key", "driver_id=1", "--at", "2026-03-01T11:00:00Z", "--feature", "fare_24h"], in: dir.path)
        #expect(text.stdout.contains("2 contributing events"))
        #expect(text.stdout.contains("trips.csv:2"))
        let wrong = try CLIRunner.run(["lineage", "--view", "driver_trips", "--key", "driver_id=1", "--feature", "trips_2h"], in: dir.path)
        #expect(wrong.exitCode == 1)
        #expect(wrong.stderr.contains("has no aggregation `trips_2h`; did you mean `trips_1h`?"))
    }

    @Test("validate points at an aggregation mistake")
    func errors() throws {
        let dir = try project()
        try dir.write("featuresets/f.yaml", Self.definitions.replacingOccurrences(of: "function: sum, column: fare", with: "function: sum, column: status"))
        let validate = try CLIRunner.run(["validate"], in: dir.path)
        #expect(validate.exitCode == 1)
        #expect(validate.stderr.hasPrefix("""
        error: `sum` needs a number, got string
          --> featuresets/f.yaml:19:41 (feature view `driver_trips`, aggregation `fare_24h`, field `column`)
          fix: use `count` or `approx_count_distinct` for text, or convert it with `cast(… as float64)`
        """))
    }
}
