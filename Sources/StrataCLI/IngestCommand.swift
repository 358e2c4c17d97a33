import ArgumentParser
import Foundation
import Strata
import StrataOffline

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read source files into the offline store, with lineage, quarantine and incremental feature tables.",
        discussion: """
        Each source is one atomic run: a killed run leaves nothing behind. The source's expectations are checked on every row and on the whole run, and a validation table (expectation, observed, threshold, verdict) follows the run table: a row failing a row rule goes to quarantine with the expectation as its reason (or is kept and counted with `action: warn`); a failing run rule rejects the run — it writes nothing, and the command exits 1 — unless declared `on_fail: warn`. Results and a profile of the accepted rows are stored with the run (`strata quality show RUN`, `strata profile --run RUN`). An unchanged file is a no-op (detected by its SHA-256); an appended file ingests only the new records; a changed file becomes a new file version. Bad rows (unparseable or zoneless timestamps, wrong types, missing keys, wrong column counts, invalid UTF-8) go to quarantine with file, line, column and reason, and the run continues; `--strict` fails the run instead and writes nothing. Uses the applied definitions (`strata apply` first).
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Sources to ingest (default: all).")
    var sources: [String] = []

    @Flag(name: .long, help: "Fail the run on the first bad row instead of quarantining it; nothing is written.")
    var strict = false

    func run() throws {
        try reportingErrors {
            let store = try projectOptions.open()
            let progress = ProgressBar()
            // STRATA_FAULT_AFTER_ROWS makes the process kill itself mid-run; the crash-safety tests use it.
            let crashAfter = ProcessInfo.processInfo.environment["STRATA_FAULT_AFTER_ROWS"].flatMap(Int.init)
            let pause = ProcessInfo.processInfo.environment["STRATA_FAULT_PAUSE_FILE"]
            let reports = try store.ingest(sources: sources, isStrict: strict, crashAfterRows: crashAfter, pauseFile: pause) { source, done, total in
                progress.update("ingest \(source)", done: done, total: total)
            }
            if output.json {
                try printJSON(reports)
                try exitIfRejected(reports)
                return
            }
            var table = TextTable("SOURCE", "FILE", "CHANGE", "READ", "ACCEPTED", "QUARANTINED", "RUN", "TIME")
            for r in reports {
                table.add(r.source, r.file, r.isRejected ? "rejected" : r.change.rawValue, "\(r.rowsRead)", "\(r.rowsAccepted)", "\(r.rowsQuarantined)",
                          r.runID.map { "\($0)" } ?? "-", String(format: "%.2fs", Double(r.elapsedMicros) / 1e6))
            }
            print(table.render())
            for r in reports where r.rowsQuarantined > 0 && !r.isRejected {
                print("\n\(r.rowsQuarantined) row\(r.rowsQuarantined == 1 ? "" : "s") of \(r.source) quarantined\(r.rowsQuarantined > r.quarantineSample.count ? " (first \(r.quarantineSample.count) shown)" : ""):")
                for q in r.quarantineSample {
                    print("  \(q.file):\(q.line)\(q.column.map { ":\($0)" } ?? "")  \(q.reason)")
                }
                print("See them all with `strata quarantine show \(r.runID ?? 0)`.")
            }
            for r in reports { printValidation(r) }
            try exitIfRejected(reports)
        }
    }
}

struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Inspect rows that ingest refused, with where they were and why.",
        subcommands: [List.self, Show.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantined rows: run, source, file:line:column and reason.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only rows of this source.") var source: String?
        @Option(name: .customLong("run"), help: "Only rows of this ingest run.") var runID: Int64?
        @Option(help: "Show at most this many rows.") var limit = 100

        func run() throws {
            try reportingErrors {
                let rows = try projectOptions.open().quarantinedRows(source: source, runID: runID, limit: limit)
                if output.json { try printJSON(rows); return }
                guard !rows.isEmpty else { print("(no quarantined rows)"); return }
                var table = TextTable("RUN", "SOURCE", "WHERE", "REASON")
                for q in rows { table.add("\(q.runID)", q.source, "\(q.file):\(q.line)\(q.column.map { ":\($0)" } ?? "")", q.reason) }
                print(table.render())
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every quarantined row of one ingest run, with its raw text.")
        @OptionGroup var projectOptions: ProjectOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The ingest run id (printed by `strata ingest`).") var runID: Int64

        func run() throws {
            try reportingErrors {
                let rows = try projectOptions.open().quarantinedRows(runID: runID, limit: Int.max)
                if output.json { try printJSON(rows); return }
                guard !rows.isEmpty else { print("run \(runID) quarantined no rows"); return }
                for q in rows {
                    print("\(q.file):\(q.line)\(q.column.map { ":\($0)" } ?? "") (\(q.source), run \(q.runID))")
                    print("  reason: \(q.reason)")
                    print("  raw:    \(q.raw)")
                }
            }
        }
    }
}
