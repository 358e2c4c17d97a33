import ArgumentParser
import Foundation
import Strata
import StrataOffline
import StrataCore
import StrataQuality

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Summarise the data of an ingest run, a training set, a window of serving logs or a source file, column by column.",
        discussion: """
        Per column: count, nulls, min, max, mean, sample standard deviation, p50 and p95 (from a KLL sketch beyond 1,000 values; rank error shown as ±), distinct values (exact or a HyperLogLog estimate, marked ~), and the most frequent values. Run profiles are recorded at ingest (source columns, time columns and each view's row features as `view:feature`); training-set profiles when the set is built; log profiles are computed from the feature log on demand, page by page. `--file PATH --source NAME` reads a file as that applied source would ingest it (its format, schema, column expectations and views) and stores nothing: the profile equals that of an ingest run of the file, and the rows an ingest would quarantine are counted and listed (the first 10). Definitions of every statistic: docs/semantics.md, "Data quality".
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("run"), help: ArgumentHelp("The ingest or push run (see `strata quality runs`).", valueName: "id")) var runID: Int64?
    @Option(name: .customLong("training-set"), help: ArgumentHelp("A training set id (see `strata historical --list`).", valueName: "id"))
    var trainingSet: String?
    @Flag(help: "Profile the serving log (with --since, --until, --service).") var logs = false
    @Option(help: ArgumentHelp("Profile this file (relative to the current directory; CSV or JSON Lines, as the source declares), storing nothing; with --source.", valueName: "path"))
    var file: String?
    @Option(help: ArgumentHelp("With --file: the applied source whose schema, expectations and views read the file.", valueName: "name"))
    var source: String?
    @Option(help: ArgumentHelp("With --logs: lookups at or after this time (RFC 3339).", valueName: "time")) var since: InstantArgument?
    @Option(help: ArgumentHelp("With --logs: lookups at or before this time (RFC 3339).", valueName: "time")) var until: InstantArgument?
    @Option(help: "With --logs: only lookups of this feature service.") var service: String?
    @Option(help: "How many frequent values to show per column.") var top = 3

    func validate() throws {
        if file == nil, source != nil { throw ValidationError("--source goes with --file") }
        let chosen = [runID != nil, trainingSet != nil, logs, file != nil].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("pass exactly one of --run, --training-set, --logs or --file") }
        if file != nil, source == nil { throw ValidationError("--file needs --source NAME: the source whose schema reads the file") }
        if !logs, since != nil || until != nil || service != nil { throw ValidationError("--since, --until and --service go with --logs") }
        guard top >= 0 else { throw ValidationError("--top must be 0 or more") }
    }

    func run() throws {
        try reportingErrors {
            let store = try projectOptions.open()
            if let file, let source {
                try profileFile(store, file, source)
                return
            }
            let spec: ProfileSpec
            if let runID { spec = .run(runID) } else if let trainingSet { spec = .trainingSet(trainingSet) } else {
                spec = .logs(since: since?.micros, until: until?.micros)
            }
            let summary = ProfileSummary(try store.profile(of: spec, service: service), topCount: top)
            if output.json { try printJSON(summary); return }
            print("profile of \(spec): \(summary.rows) rows")
            guard !summary.columns.isEmpty else { print("(no columns)"); return }
            print(Self.table(summary).render())
        }
    }

    /// `--file`: the profile, then the rows an ingest would quarantine.
    private func profileFile(_ store: FeatureStore, _ path: String, _ source: String) throws {
        let report = try store.profile(file: URL(fileURLWithPath: path), displayPath: path, source: source)
        let summary = ProfileSummary(report.profile, topCount: top)
        if output.json {
            try printJSON(FileProfileOutput(source: report.source, file: report.file, rowsRead: report.rowsRead, rowsProfiled: report.rowsProfiled,
                                            rowsBad: report.rowsBad, badRows: report.badRows, profile: summary))
            return
        }
        print("profile of \(path) as source `\(source)` (nothing stored): \(report.rowsRead) rows read, \(report.rowsProfiled) profiled, "
              + "\(report.rowsBad) bad (an ingest would quarantine them)")
        if !summary.columns.isEmpty { print(Self.table(summary).render()) }
        guard !report.badRows.isEmpty else { return }
        print("bad rows\(report.rowsBad > report.badRows.count ? " (first \(report.badRows.count) of \(report.rowsBad))" : ""):")
        for row in report.badRows { print("  line \(row.line)\(row.column.map { ", column \($0)" } ?? ""): \(row.reason)") }
    }

    static func table(_ summary: ProfileSummary) -> TextTable {
        var table = TextTable("COLUMN", "TYPE", "COUNT", "NULLS", "MIN", "MAX", "MEAN", "STDDEV", "P50", "P95", "DISTINCT", "TOP VALUES")
        for column in summary.columns {
            let isTime = column.type == .timestamp
            func number(_ value: Double?) -> String {
                guard let value else { return "-" }
                return isTime ? Timestamp.format(Int64(value.rounded())) : DriftReportPage.format(value)
            }
            let quantileNote = column.quantileRankError > 0 ? "±" : ""
            let top = column.topValues.map { "\($0.value) (\($0.count))" }.joined(separator: ", ")
            table.add(column.name, column.type.rawValue, "\(column.count - column.nulls)", "\(column.nulls)", number(column.minimum),
                      number(column.maximum), isTime ? "-" : number(column.mean), isTime ? "-" : number(column.standardDeviation),
                      column.p50.map { number($0) + quantileNote } ?? "-", column.p95.map { number($0) + quantileNote } ?? "-",
                      column.distinct.map { (column.distinctIsExact ? "" : "~") + "\($0)" } ?? "-", top.isEmpty ? "-" : top)
        }
        return table
    }
}

/// `strata profile --file … --json`.
struct FileProfileOutput: Encodable {
    var source: String
    var file: String
    var rowsRead: Int
    var rowsProfiled: Int
    var rowsBad: Int
    var badRows: [FileProfileReport.BadRow]
    var profile: ProfileSummary
}
