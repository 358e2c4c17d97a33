// End to end through the built `strata` binary: init, validate, plan, apply, registry listings, errors and exit codes,
// `--help` on every command, and two `apply` processes racing on one registry.
import Foundation
import Strata
import StrataTestSupport
import Testing

@Suite struct CLIFoundationTests {
    func initProject() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        let result = try CLIRunner.run(["init", "demo"], in: dir.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        return dir
    }

    @Test("init writes the example, which validates, plans and applies")
    func initPlanApply() throws {
        let dir = try initProject()
        let project = dir.file("demo").path
        let validate = try CLIRunner.run(["validate"], in: project)
        #expect(validate.stdout == "ok: 1 entities, 2 sources, 2 feature views (9 features, 5 aggregations), 3 services\n")
        let plan = try CLIRunner.run(["plan"], in: project)
        #expect(plan.exitCode == 0)
        #expect(plan.stdout == """
        Registry revision 0 → 1: 8 changes

        + entity `driver` (new, v1)
        + source `driver_stats_source` (new, v1)
        + source `trips_source` (new, v1)
        + feature view `driver_stats` (new, v1)
        + feature view `driver_trips` (new, v1)
        + feature service `driver_activity` (new, v1)
        + feature service `driver_activity_windows` (new, v1)
        + feature service `driver_everything` (new, v1)

        Storage:
          source `driver_stats_source`: new source: nothing stored yet; `strata ingest` or a push stores its rows
          source `trips_source`: new source: nothing stored yet; `strata ingest` or a push stores its rows
          feature view `driver_stats`: nothing stored yet: features are computed as rows arrive
          feature view `driver_trips`: nothing stored yet: features are computed as rows arrive

        No breaking changes.

        """)
        let apply = try CLIRunner.run(["apply", "-m", "first", "--author", "ana"], in: project)
        #expect(apply.exitCode == 0)
        #expect(apply.stdout.hasSuffix("Applied revision 1.\n"))
        let again = try CLIRunner.run(["plan"], in: project)
        #expect(again.stdout == "No changes: the registry (revision 1) matches the definitions.\n")
        let list = try CLIRunner.run(["registry", "list", "--json"], in: project)
        let objects = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(objects?.compactMap { $0["name"] as? String } == ["driver", "driver_stats_source", "trips_source", "driver_stats", "driver_trips", "driver_activity",
                                                                     "driver_activity_windows", "driver_everything"])
        let history = try CLIRunner.run(["registry", "history", "driver_stats"], in: project)
        #expect(history.stdout.contains("ana"))
        #expect(history.stdout.contains("first"))
    }

    @Test("the repo's featuresets folder is exactly what `strata init` writes")
    func repoExampleMatchesInit() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for file in ExampleProject.files() {
            let committed = try String(contentsOf: repo.appendingPathComponent(file.path), encoding: .utf8)
            #expect(committed == file.text, "\(file.path) differs from ExampleProject; run `strata init --force .` at the repo root")
        }
    }

    @Test("a breaking change is refused with exit 1 and a fix, then applied with --allow-breaking")
    func breakingChange() throws {
        let dir = try initProject()
        let project = dir.file("demo").path
        _ = try CLIRunner.run(["apply"], in: project)
        let yaml = try dir.read("demo/featuresets/drivers.yaml").replacingOccurrences(of: "ttl: 2h", with: "ttl: 3h")
        try dir.write("demo/featuresets/drivers.yaml", yaml)
        let refused = try CLIRunner.run(["apply"], in: project)
        #expect(refused.exitCode == 1)
        #expect(refused.stderr == """
        error: refusing 1 breaking change:
          feature view `driver_stats`: ttl changes from 2h to 3h
          fix: pass `--allow-breaking` to create new versions (existing training-set manifests keep their old versions), or undo the change

        """)
        let allowed = try CLIRunner.run(["apply", "--allow-breaking"], in: project)
        #expect(allowed.exitCode == 0)
        let diff = try CLIRunner.run(["registry", "diff", "driver_stats", "1", "2", "--json"], in: project)
        // The diff speaks the YAML: `ttl: 2h → 3h`, not the stored JSON's `ttlMicros`.
        #expect(diff.stdout.contains(#""new" : "3h",\#n    "old" : "2h",\#n    "path" : "ttl""#), "\(diff.stdout)")
    }

    @Test("definition errors go to stderr with file:line:col and exit 1")
    func definitionErrors() throws {
        let dir = try initProject()
        let yaml = try dir.read("demo/featuresets/drivers.yaml").replacingOccurrences(of: "ttl: 2h", with: "ttl: 0")
        try dir.write("demo/featuresets/drivers.yaml", yaml)
        let result = try CLIRunner.run(["plan"], in: dir.file("demo").path)
        #expect(result.exitCode == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("--> featuresets/drivers.yaml:"))
        #expect(result.stderr.contains("ttl must be positive"))
    }

    @Test("bad usage exits 64; a missing project says how to fix it")
    func usageErrors() throws {
        let dir = TemporaryDirectory()
        #expect(try CLIRunner.run(["apply", "--no-such-flag"], in: dir.path).exitCode == 64)
        let missing = try CLIRunner.run(["plan"], in: dir.path)
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains("fix: run inside a project folder"))
    }

    @Test("every command has complete --help", arguments: [
        ["--help"], ["init", "--help"], ["validate", "--help"], ["plan", "--help"], ["apply", "--help"], ["registry", "--help"],
        ["registry", "list", "--help"], ["registry", "describe", "--help"], ["registry", "history", "--help"],
        ["registry", "diff", "--help"], ["registry", "search", "--help"], ["registry", "revisions", "--help"],
        ["materialize", "--help"], ["get", "--help"], ["push", "--help"], ["serve", "--help"], ["check", "--help"], ["lineage", "--help"], ["ingest", "--help"], ["quarantine", "--help"], ["quarantine", "list", "--help"], ["quarantine", "show", "--help"], ["historical", "--help"], ["quality", "--help"], ["quality", "runs", "--help"],
        ["quality", "show", "--help"], ["profile", "--help"], ["drift", "--help"],
    ])
    func help(arguments: [String]) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("USAGE:"))
        #expect(result.stdout.contains("OVERVIEW:"))
    }

    @Test("the plan command's help text is pinned")
    func planHelpPinned() throws {
        let result = try CLIRunner.run(["plan", "--help"])
        #expect(result.stdout == """
        OVERVIEW: Show what `apply` would change in the registry: added, changed and removed objects,
        breaking or not, and why.

        A change that alters the meaning of existing data is breaking: a join key change, a type or
        expression change, a TTL change, removing a feature a service uses, or removing an object. `apply`
        refuses breaking changes unless `--allow-breaking`. Pass the printed revision to `apply
        --expect-revision` to apply exactly this plan.

        The storage section says what `apply` costs, per source and view: "metadata only" (nothing is
        copied or computed), columns added, a conversion of stored rows, features recomputed from stored
        rows, or a materialization needed; and what a type change the stored rows cannot take would drop.

        USAGE: strata plan [--project <dir>] [--json] [--author <author>]

        OPTIONS:
          --project <dir>         The project folder (the one holding `featuresets/`). (default: .)
          --json                  Print machine-readable JSON instead of a table.
          --author <author>       Who would apply (default: $USER): changes that undo someone else's work
                                  are marked as reverts.
          --version               Show the version.
          -h, --help              Show help information.


        """)
    }

    @Test("two apply processes racing on one registry: exactly one wins, the other says re-run")
    func concurrentApply() throws {
        let dir = try initProject()
        let project = dir.file("demo").path
        let a = try CLIRunner.start(["apply", "--expect-revision", "0", "--author", "a"], in: project)
        let b = try CLIRunner.start(["apply", "--expect-revision", "0", "--author", "b"], in: project)
        let results = [a.wait(), b.wait()]
        #expect(results.filter { $0.exitCode == 0 }.count == 1)
        let loser = try #require(results.first { $0.exitCode != 0 })
        #expect(loser.stderr.contains("the registry moved to revision 1 since your plan (made against revision 0) — run `strata plan` again"))
        let revisions = try CLIRunner.run(["registry", "revisions", "--json"], in: project)
        let parsed = try JSONSerialization.jsonObject(with: Data(revisions.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 1)
    }
}
