// Definitions change without losing data or going dark (issue 21), end to end through the `strata` binary on the example
// project, with the source files deleted after their ingest: metadata edits, pushes across a source edit, a new feature,
// a new nullable column, a type change the stored rows cannot take, reproduction of old training sets, and `storage`.
import Foundation
import StrataTestSupport
import Testing

@Suite struct CLIDefinitionChangeTests {
    static let at = "2026-03-02T22:30:00Z"

    /// The example project after apply, ingest, a training set and a materialization, with its data files deleted.
    struct Project {
        let dir = TemporaryDirectory()
        var path: String { dir.file("demo").path }

        init() throws {
            #expect(try CLIRunner.run(["init", "demo"], in: dir.path).exitCode == 0)
            for arguments in [["apply", "-m", "first"], ["ingest"], ["materialize", "--end", CLIDefinitionChangeTests.at]] {
                let result = try CLIRunner.run(arguments, in: path)
                #expect(result.exitCode == 0, "\(arguments): \(result.stderr)")
            }
            try FileManager.default.removeItem(at: dir.file("demo/featuresets/data/driver_stats.csv"))
            try FileManager.default.removeItem(at: dir.file("demo/featuresets/data/trips.csv"))
        }

        func run(_ arguments: [String]) throws -> CLIResult {
            try CLIRunner.run(arguments, in: path)
        }

        func edit(_ replacements: [(String, String)]) throws {
            let file = dir.file("demo/featuresets/drivers.yaml")
            var text = try String(contentsOf: file, encoding: .utf8)
            for (old, new) in replacements {
                #expect(text.contains(old), "the example no longer has `\(old)`")
                text = text.replacingOccurrences(of: old, with: new)
            }
            try text.write(to: file, atomically: true, encoding: .utf8)
        }

        func trainingSet(_ name: String, service: String = "driver_activity") throws -> String {
            let result = try run(["historical", "--entities", "featuresets/data/driver_spine.csv", "--service", service, "--out", name, "--include-status"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            return try String(contentsOf: dir.file("demo/\(name)"), encoding: .utf8)
        }

        func lookup(_ service: String = "driver_activity", keys: [String] = ["driver_id=1024", "driver_id=1001", "driver_id=9999"]) throws -> String {
            let result = try run(["get", "--service", service, "--at", CLIDefinitionChangeTests.at, "--json"] + keys.flatMap { ["--key", $0] })
            #expect(result.exitCode == 0, "\(result.stderr)")
            return result.stdout
        }
    }

    @Test("an edit of a description and an expectation's threshold is metadata only: training sets and lookups answer as before, with no ingest")
    func metadataEdit() throws {
        let p = try Project()
        let training = try p.trainingSet("before.csv")
        let served = try p.lookup()
        try p.edit([("description: Hourly driver performance; older than two hours counts as stale.", "description: Hourly driver performance."),
                    ("acc_rate: {between: [0, 1]}", "acc_rate: {between: [0, 1.5]}")])
        let plan = try p.run(["plan"])
        #expect(plan.stdout.contains("    expectations.columns.acc_rate.between: [0, 1] → [0, 1.5]\n"), "\(plan.stdout)")
        #expect(plan.stdout.contains("source `driver_stats_source`: metadata only: the 1,731 stored rows are kept as they are"), "\(plan.stdout)")
        #expect(plan.stdout.contains("feature view `driver_stats`: metadata only: training sets and lookups answer as before"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("rule."), "internal names leak into the diff: \(plan.stdout)")
        #expect(try p.run(["apply", "-m", "describe"]).exitCode == 0)
        #expect(try p.trainingSet("after.csv") == training)
        #expect(try p.lookup() == served)
    }

    @Test("a pushed value survives an edit of its source: the training set and the lookup keep it, and an ingest adds nothing")
    func pushSurvivesSourceEdit() throws {
        let p = try Project()
        try p.dir.write("demo/push.jsonl", #"{"driver_id": 1024, "event_timestamp": "2026-03-02T22:20:00Z", "created": "2026-03-02T22:21:00Z", "conv_rate": 0.123, "acc_rate": 0.5, "avg_daily_trips": 7, "rating": 4.9, "city": "Porto"}"# + "\n")
        #expect(try p.run(["push", "driver_stats", "--file", "push.jsonl"]).exitCode == 0)
        try p.dir.write("demo/spine.csv", "driver_id,event_timestamp\n1024,2026-03-02T22:30:00Z\n")
        func trained() throws -> String {
            #expect(try p.run(["historical", "--entities", "spine.csv", "--features", "driver_stats:conv_rate", "--out", "one.csv"]).exitCode == 0)
            return try String(contentsOf: p.dir.file("demo/one.csv"), encoding: .utf8)
        }
        #expect(try trained() == "driver_id,event_timestamp,driver_stats__conv_rate\n1024,2026-03-02T22:30:00Z,0.123\n")
        try p.edit([("description: Hourly driver statistics exported by the trips pipeline.", "description: Hourly driver statistics (edited).")])
        #expect(try p.run(["apply", "-m", "describe the source"]).exitCode == 0)
        #expect(try trained() == "driver_id,event_timestamp,driver_stats__conv_rate\n1024,2026-03-02T22:30:00Z,0.123\n")
        #expect(try p.lookup(keys: ["driver_id=1024"]).contains(#""value" : 0.123"#))
    }

    @Test("a new feature is computed at apply from the stored rows (the source files are gone) and served at once")
    func newFeatureFromStoredRows() throws {
        let p = try Project()
        try p.edit(CLIStorageSafetyTests.addFeature)
        let plan = try p.run(["plan"])
        #expect(plan.stdout.contains("feature view `driver_stats`: recompute 1 feature (conv_pct) from 1,731 stored rows; 9 unchanged features keep their values; "
                                     + "online values are derived at apply from the rows served now"), "\(plan.stdout)")
        let apply = try p.run(["apply", "-m", "conv_pct"])
        #expect(apply.exitCode == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("online: driver_stats: derived 40 keys from the rows served before"), "\(apply.stdout)")
        let served = try JSONSerialization.jsonObject(with: Data(try p.lookup(keys: ["driver_id=1024"]).utf8)) as? [String: Any]
        let values = ((served?["rows"] as? [[String: Any]])?.first?["values"] as? [[String: Any]]) ?? []
        #expect(values.count == 6)
        #expect(values.map { $0["status"] as? String } == Array(repeating: "present", count: 6))
        let conv = try #require(values.first?["value"] as? Double), pct = try #require(values.last?["value"] as? Double)
        #expect(abs(pct - conv * 100) < 1e-9)
        let training = try p.trainingSet("with_pct.csv")
        #expect(training.split(separator: "\n").first?.contains("driver_stats__conv_pct") == true)
    }

    @Test("a new nullable source column reads as null for the rows stored before it existed")
    func newNullableColumn() throws {
        let p = try Project()
        try p.edit([("      city: string\n    description: Hourly", "      city: string\n      tip: float64\n    description: Hourly"),
                    ("      city: string\n      conv_x_acc:", "      city: string\n      tip: float64\n      conv_x_acc:")])
        let plan = try p.run(["plan"])
        #expect(plan.stdout.contains("source `driver_stats_source`: add column `tip` (float64): the 1,731 stored rows read it as null"), "\(plan.stdout)")
        #expect(try p.run(["apply", "-m", "tips"]).exitCode == 0)
        let rows = try p.trainingSet("tips.csv", service: "driver_everything").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let column = try #require(rows.first?.firstIndex(of: "driver_stats__tip"))
        #expect(rows.dropFirst().allSatisfy { $0[column].isEmpty })
        try p.dir.write("demo/featuresets/data/driver_stats.csv", "driver_id,event_timestamp,created,conv_rate,acc_rate,avg_daily_trips,rating,city,tip\n"
                        + "1024,2026-03-02T22:25:00Z,2026-03-02T22:26:00Z,0.5,0.5,3,4.5,Porto,2.5\n")
        #expect(try p.run(["ingest", "driver_stats_source"]).exitCode == 0)
        #expect(try p.run(["materialize", "--end", Self.at]).exitCode == 0)
        #expect(try p.lookup("driver_everything", keys: ["driver_id=1024"]).contains(#""value" : 2.5"#))
        try p.dir.write("demo/spine.csv", "driver_id,event_timestamp\n1024,2026-03-02T22:30:00Z\n1024,2026-03-02T22:10:00Z\n")
        #expect(try p.run(["historical", "--entities", "spine.csv", "--features", "driver_stats:tip", "--out", "tip.csv"]).exitCode == 0)
        #expect(try String(contentsOf: p.dir.file("demo/tip.csv"), encoding: .utf8)
                == "driver_id,event_timestamp,driver_stats__tip\n1024,2026-03-02T22:30:00Z,2.5\n1024,2026-03-02T22:10:00Z,\n")
    }

    @Test("a type change the stored rows cannot take is refused naming the first offending row; --allow-breaking nulls those values and quarantines them")
    func typeChangeRefused() throws {
        let p = try Project()
        try p.edit([("      city: string\n    description: Hourly", "      city: int64\n    description: Hourly"),
                    ("      city: string\n      conv_x_acc:", "      city: int64\n      conv_x_acc:"),
                    ("city: {in: [Delhi, Lisbon, Porto, São Paulo, Zürich]}", "city: {between: [0, 100]}")])
        let plan = try p.run(["plan"])
        #expect(plan.stdout.contains("Refused without --allow-breaking:\n  - source `driver_stats_source`: column `city` cannot change from string to int64: stored row 1 "
                                     + "(featuresets/data/driver_stats.csv, line 2) holds `"), "\(plan.stdout)")
        let refused = try p.run(["apply"])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("column `city` cannot change from string to int64: stored row 1 (featuresets/data/driver_stats.csv, line 2)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("`city` becomes null in 1,731 stored rows of `driver_stats_source`"), "\(refused.stderr)")
        #expect(try p.run(["plan"]).stdout.contains("(v1 → v2)"), "the refused apply wrote a revision")
        let applied = try p.run(["apply", "--allow-breaking", "-m", "city ids"])
        #expect(applied.exitCode == 0, "\(applied.stderr)")
        let quarantine = try p.run(["quarantine", "list", "--source", "driver_stats_source", "--json"])
        #expect(quarantine.stdout.contains("type changed from string to int64 by source version 2"), "\(quarantine.stdout)")
        let training = try p.trainingSet("cities.csv", service: "driver_everything").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let column = try #require(training.first?.firstIndex(of: "driver_stats__city"))
        #expect(training.dropFirst().allSatisfy { $0[column].isEmpty })
    }

    @Test("a training set built before any edit reproduces byte for byte after metadata edits and a new feature")
    func reproduceAfterEdits() throws {
        let p = try Project()
        _ = try p.trainingSet("original.csv")
        let list = try p.run(["historical", "--list", "--json"])
        let id = try #require((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])?.last?["id"] as? String)
        try p.edit([("owner: mobility-ml@example.com\n    tags: [core, hourly]", "owner: ranking@example.com\n    tags: [core, hourly]")])
        #expect(try p.run(["apply"]).exitCode == 0)
        try p.edit([("        expr: \"hour(event_timestamp)\"", "        expr: \"hour(event_timestamp)\"\n      rating_x2:\n        type: float64\n        expr: \"rating * 2\"")])
        #expect(try p.run(["apply"]).exitCode == 0)
        let reproduced = try p.run(["historical", "--reproduce", id, "--out", "again.csv"])
        #expect(reproduced.exitCode == 0, "\(reproduced.stderr)")
        #expect(try Data(contentsOf: p.dir.file("demo/again.csv")) == (try Data(contentsOf: p.dir.file("demo/original.csv"))))
    }

    @Test("storage lists every table with the versions and training sets that use it; prune is a dry run unless --apply")
    func storageAndPrune() throws {
        let p = try Project()
        try p.edit([("        expr: \"hour(event_timestamp)\"", "        expr: \"hour(event_timestamp)\"\n      rating_x2:\n        type: float64\n        expr: \"rating * 2\"")])
        #expect(try p.run(["apply"]).exitCode == 0)
        let listed = try p.run(["storage", "--json"])
        #expect(listed.exitCode == 0, "\(listed.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let tables = report["tables"] as? [[String: Any]] ?? []
        let features = tables.filter { $0["kind"] as? String == "features" && $0["object"] as? String == "driver_stats" }
        #expect(features.count == 2)
        #expect(features.filter { $0["isCurrent"] as? Bool == true }.count == 1)
        let old = try #require(features.first { $0["isCurrent"] as? Bool == false })
        #expect(old["isNeeded"] as? Bool == false)
        #expect((report["featureLog"] as? [String: Any])?["retentionMicros"] as? Int == 30 * 86_400_000_000)
        let dry = try p.run(["storage", "prune"])
        #expect(dry.stdout.contains("would remove table \(old["table"] as? String ?? "?")"), "\(dry.stdout)")
        #expect(dry.stdout.contains("(dry run: pass --apply to remove them)"))
        #expect(try p.run(["storage", "--json"]).stdout == listed.stdout)
        let pruned = try p.run(["storage", "prune", "--apply"])
        #expect(pruned.stdout.contains("removed table \(old["table"] as? String ?? "?")"), "\(pruned.stdout)")
        #expect(!(try p.run(["storage"]).stdout.contains(old["table"] as? String ?? "?")))
        #expect(try p.lookup().contains("present"))
    }
}
