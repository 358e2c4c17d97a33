import ArgumentParser
import Foundation
import Strata
import StrataCore
import StrataOffline

/// Prints a run's validation table (nothing when its source declares no expectations).
func printValidation(_ report: IngestReport) {
    guard !report.validation.isEmpty else { return }
    let verdict = report.isRejected ? "rejected: nothing was written" : RunVerdict(report.validation).rawValue
    print("\nValidation of \(report.source) (\(report.file), run \(report.runID.map(String.init) ?? "-")): \(verdict)")
    print(validationTable(report.validation).render())
}

func validationTable(_ results: [ExpectationResult]) -> TextTable {
    var table = TextTable("EXPECTATION", "OBSERVED", "THRESHOLD", "VERDICT")
    for result in results { table.add(result.expectation, result.observed, result.threshold, result.verdict.rawValue) }
    return table
}

/// Exits 1 after saying which runs were rejected, when any was.
func exitIfRejected(_ reports: [IngestReport]) throws {
    let rejected = reports.filter(\.isRejected)
    guard !rejected.isEmpty else { return }
    for report in rejected {
        let failed = report.validation.filter { $0.verdict == .reject }
        printError("error: the run of `\(report.source)` from \(report.file) was rejected (run \(report.runID.map(String.init) ?? "-")): "
                   + failed.map { "\($0.expectation) (observed \($0.observed), required \($0.threshold))" }.joined(separator: "; ")
                   + "\n  fix: nothing was written; correct the data and run again, or declare the rule `on_fail: warn`")
    }
    throw ExitCode.failure
}

struct QualityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Inspect the validation results stored with every ingest and push run.",
        discussion: """
        Every run of `ingest`, `push` and HTTP `/push` stores one result per expectation of its source (expectation, observed, threshold, verdict: pass, warn, quarantine, reject or skipped) and a profile of its accepted rows. A rejected run wrote no rows but is listed with its results.
        """,
        subcommands: [Runs.self, Show.self]
    )

    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs with their verdict and how many expectations did not pass, newest first.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only runs of this source.") var source: String?
        @Option(help: "Show at most this many runs.") var limit = 50

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
        }

        func run() throws {
            try reportingErrors {
                let runs = try projectOptions.open().qualityRuns(source: source, limit: limit)
                if output.json { try printJSON(runs); return }
                guard !runs.isEmpty else { print("(no runs)"); return }
                var table = TextTable("RUN", "SOURCE", "FILE", "STARTED", "VERDICT", "READ", "ACCEPTED", "QUARANTINED", "NOT PASSED")
                for run in runs {
                    let failed = run.results.filter { $0.verdict != .pass && $0.verdict != .skipped }.count
                    table.add("\(run.runID)", run.source, run.file, formatTime(run.startedAtMicros), run.verdict.rawValue, "\(run.rowsRead)",
                              "\(run.rowsAccepted)", "\(run.rowsQuarantined)", "\(failed) of \(run.results.count)")
                }
                print(table.render())
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the validation table of one run.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The run id (printed by `strata ingest` and `strata quality runs`).") var runID: Int64

        func run() throws {
            try reportingErrors {
                let run = try projectOptions.open().qualityRun(runID)
                if output.json { try printJSON(run); return }
                print("run \(run.runID): \(run.isPush ? "push" : "ingest") of \(run.source) (version \(run.sourceVersion)) from \(run.file) at \(formatTime(run.startedAtMicros))")
                print("verdict: \(run.verdict.rawValue)\(run.verdict == .reject ? " (nothing was written)" : ""); \(run.rowsRead) rows read, \(run.rowsAccepted) accepted, \(run.rowsQuarantined) quarantined")
                if run.results.isEmpty {
                    print("the source declares no expectations")
                } else {
                    print("")
                    print(validationTable(run.results).render())
                }
            }
        }
    }
}
