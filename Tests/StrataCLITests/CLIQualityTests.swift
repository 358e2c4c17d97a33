// End to end through the `strata` binary on the example project: the validation table after ingest, expectations
// quarantining rows, a push its run rules reject (exit 1, nothing written), `quality runs/show`, `profile` of a run,
// a training set and the serving log, and `drift` with its exit code, HTML report and history.
import Foundation
import StrataTestSupport
import Testing

@Suite struct CLIQualityTests {
    /// `strata init` + apply + ingest; returns the project folder and the ingest result.
    func example() throws -> (dir: TemporaryDirectory, project: String, ingest: CLIResult) {
        let dir = TemporaryDirectory()
        #expect(try CLIRunner.run(["init", "demo"], in: dir.path).exitCode == 0)
        let project = dir.file("demo").path
        #expect(try CLIRunner.run(["apply", "--author", "test"], in: project).exitCode == 0)
        let ingest = try CLIRunner.run(["ingest", "driver_stats_source"], in: project)
        return (dir, project, ingest)
    }

    @Test("ingest prints the validation table after the run table, and the expectation is the quarantine reason")
    func ingestValidation() throws {
        let (dir, project, ingest) = try example()
        defer { withExtendedLifetime(dir) {} }
        #expect(ingest.exitCode == 0, "\(ingest.stderr)")
        let validation = try #require(ingest.stdout.components(separatedBy: "\nValidation of ").last)
        #expect(validation == """
        driver_stats_source (featuresets/data/driver_stats.csv, run 1): warn
        EXPECTATION                                         OBSERVED                       THRESHOLD        VERDICT
        --------------------------------------------------  -----------------------------  ---------------  ----------
        driver_id: not_null                                 0 of 1733 rows fail            every row        pass
        conv_rate: between [0, 1]                           1 of 1733 rows fail            every row        quarantine
        acc_rate: between [0, 1]                            0 of 1732 rows fail            every row        pass
        rating: not_null (mostly 0.99)                      0.9636 (63 of 1731 rows fail)  >= 0.99          warn
        rating: between [1, 5]                              1 of 1732 rows fail            every row        quarantine
        city: in [Delhi, Lisbon, Porto, São Paulo, Zürich]  0 of 1731 rows fail            every row        pass
        null_rate(rating) <= 0.1                            0.0364 (63 of 1731)            <= 0.1           pass
        mean(conv_rate) in [0.05, 0.95]                     0.4893                         in [0.05, 0.95]  pass

        """)
        let quarantine = try CLIRunner.run(["quarantine", "show", "1"], in: project)
        #expect(quarantine.stdout.contains("reason: column `conv_rate`: `1.7` fails expectation `between [0, 1]`"))
        #expect(quarantine.stdout.contains("reason: column `rating`: `9.5` fails expectation `between [1, 5]`"))
    }

    @Test("a push whose run rule fails is rejected: exit 1, the failed expectation on stderr, nothing written, the run listed")
    func rejectedPush() throws {
        let (dir, project, _) = try example()
        try dir.write("demo/bad.jsonl", """
        {"driver_id": 1001, "event_timestamp": "2026-03-03T00:00:00Z", "created": "2026-03-03T00:01:00Z", "conv_rate": 0.5, "acc_rate": 0.5, "avg_daily_trips": 3, "rating": null, "city": "Porto"}
        {"driver_id": 1002, "event_timestamp": "2026-03-03T00:00:00Z", "created": "2026-03-03T00:01:00Z", "conv_rate": 0.5, "acc_rate": 0.5, "avg_daily_trips": 3, "rating": null, "city": "Porto"}

        """)
        let push = try CLIRunner.run(["push", "driver_stats", "--file", "bad.jsonl"], in: project)
        #expect(push.exitCode == 1)
        #expect(push.stderr.contains("was rejected (run 2): null_rate(rating) <= 0.1 (observed 1 (2 of 2), required <= 0.1)"), "\(push.stderr)")
        #expect(push.stdout.contains("rejected: nothing was written"))
        let get = try CLIRunner.run(["get", "--service", "driver_activity", "--key", "driver_id=1001", "--at", "2026-03-03T00:30:00Z", "--json"], in: project)
        #expect(!get.stdout.contains("\"2026-03-03T00:00:00"), "the rejected row must not be served")
        let runs = try CLIRunner.run(["quality", "runs"], in: project)
        let lines = runs.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[2].hasPrefix("2    driver_stats_source  push:bad.jsonl"))
        #expect(lines[2].contains(" reject "))
        let show = try CLIRunner.run(["quality", "show", "2", "--json"], in: project)
        #expect(show.stdout.contains("\"verdict\" : \"reject\""))
        let badLimit = try CLIRunner.run(["quality", "runs", "--limit", "0"], in: project)
        #expect(badLimit.exitCode == 64 && badLimit.stderr.contains("--limit must be at least 1, got 0"), "\(badLimit.stderr)")
    }

    @Test("profile prints a run's columns, a training set's features and the serving log's")
    func profiles() throws {
        let (dir, project, _) = try example()
        defer { withExtendedLifetime(dir) {} }
        let run = try CLIRunner.run(["profile", "--run", "1"], in: project)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("profile of run:1: 1731 rows\nCOLUMN"))
        let city = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("city ") })
        #expect(city.contains("São Paulo (360)"))
        #expect(run.stdout.contains("driver_stats:conv_x_acc"))
        let historical = try CLIRunner.run(["historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activity",
                                            "--out", "train.csv", "--json"], in: project)
        #expect(historical.exitCode == 0, "\(historical.stderr)")
        let id = try #require(try CLIRunner.run(["historical", "--list", "--json"], in: project).stdout.firstMatch(of: /"id" : "(ts-[0-9a-f]+)"/)?.1)
        let training = try CLIRunner.run(["profile", "--training-set", String(id), "--json"], in: project)
        #expect(training.stdout.contains("\"name\" : \"driver_stats:is_top_rated\""))
        #expect(training.stdout.contains("\"rows\" : 201"))
        _ = try CLIRunner.run(["materialize", "--end", "2026-03-02T22:30:00Z"], in: project)
        _ = try CLIRunner.run(["get", "--service", "driver_activity", "--key", "driver_id=1001", "--key", "driver_id=1002", "--at", "2026-03-02T22:30:00Z"], in: project)
        let logs = try CLIRunner.run(["profile", "--logs", "--service", "driver_activity"], in: project)
        #expect(logs.stdout.hasPrefix("profile of logs:..: 2 rows\n"), "\(logs.stdout)\(logs.stderr)")
        let missing = try CLIRunner.run(["profile", "--run", "99"], in: project)
        #expect(missing.exitCode == 1 && missing.stderr.contains("fix: list runs with `strata quality runs`"))
    }

    @Test("drift compares a training set with offline values, writes an escaped HTML report, exits 1 on drift and is listed")
    func drift() throws {
        let (dir, project, _) = try example()
        _ = try CLIRunner.run(["historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activity", "--out", "train.csv"], in: project)
        let id = try #require(try CLIRunner.run(["historical", "--list", "--json"], in: project).stdout.firstMatch(of: /"id" : "(ts-[0-9a-f]+)"/)?.1)
        let same = try CLIRunner.run(["drift", "--service", "driver_activity", "--reference", "training-set:\(id)", "--current", "training-set:\(id)"], in: project)
        #expect(same.exitCode == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("0 of 5 features drift"))
        // The second day's offline values against the first day's: conv_rate is compared with PSI (the monitoring override).
        let days = try CLIRunner.run(["drift", "--service", "driver_activity", "--reference", "source:2026-03-01T00:00:00Z..2026-03-01T12:00:00Z",
                                      "--current", "training-set:\(id)", "--html", "drift.html"], in: project)
        #expect([0, 1].contains(days.exitCode), "\(days.stderr)")
        #expect(days.stdout.contains("driver_stats:conv_rate        psi "), "\(days.stdout)")
        #expect(days.stdout.contains("HTML report written to drift.html"))
        let html = try dir.read("demo/drift.html")
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("<script"))
        let history = try CLIRunner.run(["drift", "--history", "--service", "driver_activity"], in: project)
        #expect(history.stdout.split(separator: "\n").count == 4)
        let bad = try CLIRunner.run(["drift", "--service", "driver_activity", "--reference", "yesterday", "--current", "logs:.."], in: project)
        #expect(bad.exitCode == 64 && bad.stderr.contains("`yesterday` is not a profile"))
    }
}
