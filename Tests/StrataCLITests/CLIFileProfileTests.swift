// `strata profile --file PATH --source NAME` end to end on real files: its profile equals the recorded profile of an
// ingest run of the same file (CSV and JSON Lines), bad rows are counted and listed as quarantine would, nothing is stored.
import Foundation
import StrataTestSupport
import Testing

@Suite struct CLIFileProfileTests {
    /// `strata init` + apply; returns the project folder.
    func example() throws -> (dir: TemporaryDirectory, project: String) {
        let dir = TemporaryDirectory()
        #expect(try CLIRunner.run(["init", "demo"], in: dir.path).exitCode == 0)
        let project = dir.file("demo").path
        #expect(try CLIRunner.run(["apply", "--author", "test"], in: project).exitCode == 0)
        return (dir, project)
    }

    func json(_ text: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    @Test("profile --file of the example CSV equals the profile of its ingest run, and stores nothing")
    func equalsIngestRun() throws {
        let (dir, project) = try example()
        defer { withExtendedLifetime(dir) {} }
        let file = try CLIRunner.run(["profile", "--file", "featuresets/data/driver_stats.csv", "--source", "driver_stats_source", "--json"], in: project)
        #expect(file.exitCode == 0, "\(file.stderr)")
        let runs = try CLIRunner.run(["quality", "runs", "--json"], in: project)
        #expect(runs.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || !runs.stdout.contains("runID"), "\(runs.stdout)")
        #expect(try CLIRunner.run(["profile", "--run", "1"], in: project).exitCode == 1, "profile --file must not record a run")
        #expect(try CLIRunner.run(["ingest", "driver_stats_source"], in: project).exitCode == 0)
        let run = try CLIRunner.run(["profile", "--run", "1", "--json"], in: project)
        let fileProfile = try #require(try json(file.stdout)["profile"] as? NSDictionary)
        #expect(fileProfile == (try json(run.stdout)))
        let columns = try #require(fileProfile["columns"] as? [NSDictionary])
        #expect(columns.count == 17)
        #expect(columns.contains { $0["name"] as? String == "driver_stats:conv_x_acc" })
    }

    @Test("bad rows are counted and listed with the line, column and reason quarantine would give")
    func badRows() throws {
        let (dir, project) = try example()
        defer { withExtendedLifetime(dir) {} }
        let result = try CLIRunner.run(["profile", "--file", "featuresets/data/driver_stats.csv", "--source", "driver_stats_source"], in: project)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("""
        profile of featuresets/data/driver_stats.csv as source `driver_stats_source` (nothing stored): 1739 rows read, 1731 profiled, \
        8 bad (an ingest would quarantine them)
        COLUMN
        """))
        let bad = try #require(result.stdout.components(separatedBy: "\nbad rows:\n").last)
        #expect(bad == """
          line 1733, column 2: column `event_timestamp`: `2026-03-01T25:00:00Z` is not an RFC 3339 timestamp such as 2026-03-01T12:00:00Z
          line 1734, column 2: column `event_timestamp`: `2026-03-01 05:00:00` has no time zone (add `Z` or an offset such as +05:30, or declare `timezone: UTC` on the source)
          line 1735, column 4: column `conv_rate`: `high` is not a float64
          line 1736, column 1: column `driver_id`: the join key is missing
          line 1737: has 5 fields, the header has 8
          line 1738, column 6: column `avg_daily_trips`: `ten` is not an int64
          line 1739, column 4: column `conv_rate`: `1.7` fails expectation `between [0, 1]`
          line 1740, column 7: column `rating`: `9.5` fails expectation `between [1, 5]`

        """)
        let ingest = try CLIRunner.run(["ingest", "driver_stats_source", "--json"], in: project)
        #expect(ingest.stdout.contains("\"rowsQuarantined\" : 8"), "\(ingest.stdout)")
        let json = try CLIRunner.run(["profile", "--file", "featuresets/data/driver_stats.csv", "--source", "driver_stats_source", "--json"], in: project)
        let object = try self.json(json.stdout)
        #expect(object["rowsRead"] as? Int == 1739 && object["rowsProfiled"] as? Int == 1731 && object["rowsBad"] as? Int == 8)
        #expect((object["badRows"] as? [NSDictionary])?.first?["line"] as? Int == 1733)
    }

    @Test("a JSON Lines source is read as JSON Lines; its profile equals its ingest run's, a bad line counted")
    func jsonLines() throws {
        let (dir, project) = try example()
        defer { withExtendedLifetime(dir) {} }
        try dir.write("demo/featuresets/notes.yaml", """
        sources:
          - name: notes_source
            path: notes.jsonl
            timestamp: at
            schema: {driver_id: int64, score: float64, note: string}

        """)
        #expect(try CLIRunner.run(["apply", "--author", "test"], in: project).exitCode == 0)
        try dir.write("demo/notes.jsonl", """
        {"driver_id": 1, "at": "2026-03-01T00:00:00Z", "score": 0.5, "note": "a"}
        {"driver_id": 2, "at": "2026-03-01T01:00:00Z", "score": 1.5, "note": "b"}
        {"driver_id": 3, "at": "not a time", "score": 1.5, "note": "b"}
        {"driver_id": 4, "at": "2026-03-01T02:00:00Z", "score": null, "note": "a"}

        """)
        let file = try CLIRunner.run(["profile", "--file", "notes.jsonl", "--source", "notes_source", "--json"], in: project)
        #expect(file.exitCode == 0, "\(file.stderr)")
        let object = try json(file.stdout)
        #expect(object["rowsRead"] as? Int == 4 && object["rowsProfiled"] as? Int == 3 && object["rowsBad"] as? Int == 1)
        #expect((object["badRows"] as? [NSDictionary])?.first?["line"] as? Int == 3)
        #expect(try CLIRunner.run(["ingest", "notes_source"], in: project).exitCode == 0)
        let run = try CLIRunner.run(["profile", "--run", "1", "--json"], in: project)
        #expect(object["profile"] as? NSDictionary == (try json(run.stdout)), "\(run.stdout)")
    }

    @Test("--file needs --source; a missing file and an unknown source are errors that say what to do", arguments: [
        (["profile", "--file", "x.csv"], Int32(64), "--file needs --source NAME"),
        (["profile", "--source", "driver_stats_source"], Int32(64), "--source goes with --file"),
        (["profile", "--file", "x.csv", "--run", "1", "--source", "driver_stats_source"], Int32(64), "pass exactly one of --run, --training-set, --logs or --file"),
        (["profile", "--file", "x.csv", "--source", "driver_stats_source"], Int32(1), "file x.csv does not exist"),
        (["profile", "--file", "featuresets/data/driver_stats.csv", "--source", "driver_stats_sourc"], Int32(1), "unknown source `driver_stats_sourc`"),
    ])
    func usage(arguments: [String], exitCode: Int32, message: String) throws {
        let (dir, project) = try example()
        defer { withExtendedLifetime(dir) {} }
        let result = try CLIRunner.run(arguments, in: project)
        #expect(result.exitCode == exitCode)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}

@Suite struct CLIFileProfileHelpTests {
    @Test("profile --help names --file and --source and what they do")
    func help() throws {
        let result = try CLIRunner.run(["profile", "--help"])
        #expect(result.exitCode == 0)
        let text = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("[--file <path>] [--source <name>]"))
        #expect(text.contains("--file <path> Profile this file (relative to the current directory; CSV or JSON Lines, as the source declares), storing nothing; with --source."))
        #expect(text.contains("--source <name> With --file: the applied source whose schema, expectations and views read the file."))
        #expect(text.contains("`--file PATH --source NAME` reads a file as that applied source would ingest it"))
    }
}
