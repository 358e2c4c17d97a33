import ArgumentParser
import Foundation
import Strata
import StrataCore
import StrataQuality

struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare what a service's features look like now with a reference, feature by feature; exit 1 on drift.",
        discussion: """
        Profiles are `training-set:ID` (recorded when the set was built), `run:N` (recorded at ingest), `source:T1..T2` (offline feature values with event time in the window) or `logs:T1..T2` (served values logged with request time in the window); an end of a window may be left out. Methods follow Evidently's defaults — a reference of at most 1,000 values: Kolmogorov–Smirnov for numbers with more than 5 distinct values, else chi-squared (Z-test for two categories), drift at p < 0.05; larger: Wasserstein distance over the reference's standard deviation for numbers, else Jensen–Shannon distance, drift at ≥ 0.1 — unless the service's `monitoring:` block sets a method or threshold. The service drifts when at least half its features drift (`drift_share`). Every report is stored (`--history` lists them); `--html FILE` writes a self-contained page with a reference-vs-current histogram per feature. Exit code 1 when the service drifts, for cron and CI.
        """
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "The feature service whose features are compared.") var service: String?
    @Option(help: ArgumentHelp("The reference profile: training-set:ID, run:N, source:T1..T2 or logs:T1..T2.", valueName: "profile"))
    var reference: String?
    @Option(help: ArgumentHelp("The current profile, in the same forms (usually logs:T1..T2).", valueName: "profile")) var current: String?
    @Option(help: ArgumentHelp("Also write the report as a self-contained HTML page to this file.", valueName: "file")) var html: String?
    @Flag(help: "List stored drift reports (of --service, if given) instead of computing one.") var history = false
    @Option(help: "With --history: show at most this many reports.") var limit = 50

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if history {
            if reference != nil || current != nil || html != nil { throw ValidationError("--history lists stored reports; drop --reference, --current and --html") }
            return
        }
        guard service != nil, let reference, let current else { throw ValidationError("pass --service, --reference and --current (or --history)") }
        for (name, text) in [("--reference", reference), ("--current", current)] {
            if case .failure(let failure) = ProfileSpec.parse(text) { throw ValidationError("\(name): \(failure); write \(ProfileSpecFailure.forms)") }
        }
    }

    func run() throws {
        try reportingErrors {
            let store = try projectOptions.open()
            if history { try printHistory(store); return }
            guard let service, let reference, let current,
                  case .success(let referenceSpec) = ProfileSpec.parse(reference), case .success(let currentSpec) = ProfileSpec.parse(current) else { return }
            let stored = try store.drift(service: service, reference: referenceSpec, current: currentSpec)
            if let html {
                let page = DriftReportPage.html(stored.report, title: "Drift of \(service)", facts: Self.facts(stored), features: stored.featuresBySeverity)
                do {
                    try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
                } catch {
                    throw QualityError("cannot write the HTML report to \(html): \(error.localizedDescription)", fix: "choose a writable path for --html")
                }
            }
            if output.json { try printJSON(stored) } else { Self.printReport(stored, html: html) }
            if stored.report.isDrifting { throw ExitCode.failure }
        }
    }

    static func facts(_ stored: StoredDriftReport) -> [(name: String, value: String)] {
        [("service", stored.service), ("reference", stored.reference), ("current", stored.current),
         ("computed at", Timestamp.format(stored.createdAtMicros)), ("report", "\(stored.id)")]
    }

    static func printReport(_ stored: StoredDriftReport, html: String?) {
        let report = stored.report
        print("drift of \(stored.service): \(stored.reference) → \(stored.current)")
        var table = TextTable("FEATURE", "METHOD", "SCORE", "THRESHOLD", "VERDICT", "REFERENCE", "CURRENT", "NOTE")
        for row in stored.featuresBySeverity.map(DriftReportPage.Row.init) {
            table.add(row.feature, row.method ?? "-", row.score, row.threshold ?? "-", row.verdict, "\(row.referenceCount)", "\(row.currentCount)", row.note ?? "")
        }
        print(table.render())
        print("\n\(report.driftingCount) of \(report.features.count) features drift (\(DriftReportPage.format(report.driftingShare * 100))%; "
              + "the service drifts at \(DriftReportPage.format(report.driftShareThreshold * 100))%): \(report.isDrifting ? "DRIFT" : "stable")")
        print("stored as drift report \(stored.id)\(html.map { "; HTML report written to \($0)" } ?? "")")
    }

    func printHistory(_ store: FeatureStore) throws {
        let reports = try store.driftReports(service: service, limit: limit)
        if output.json { try printJSON(reports); return }
        guard !reports.isEmpty else { print("(no drift reports)"); return }
        var table = TextTable("REPORT", "COMPUTED", "SERVICE", "REFERENCE", "CURRENT", "BY", "DRIFTING", "VERDICT")
        for stored in reports {
            table.add("\(stored.id)", Timestamp.format(stored.createdAtMicros), stored.service, stored.reference, stored.current, stored.origin,
                      "\(stored.report.driftingCount) of \(stored.report.features.count)", stored.report.isDrifting ? "drift" : "stable")
        }
        print(table.render())
    }
}
