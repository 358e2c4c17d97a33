import Strata
import StrataCore
import StrataOffline
import StrataQuality

/// The data-quality records in the UI: validation results of ingest and push runs, stored drift reports and their
/// reference-vs-current histograms (drawn by `StrataQuality`'s `SVGChart`, the code behind `strata drift --html`).
extension WebUI {
    static let validationRunsShown = 50, driftReportsShown = 50, cachedProfilesMax = 4

    /// A feature's profile histogram as the feature page shows it.
    struct ProfileChart: Sendable {
        var svg: String
        var runID: Int64
        var started: Int64
        var count: Int64
        var nulls: Int64

        var context: [String: Any] { ["svg": svg, "runID": runID, "started": HTML.time(started), "count": count, "nulls": nulls] }
    }

    /// Rows of the validation table: one per run, its expectation results beneath.
    func validationRows(source: String?, limit: Int) throws -> [[String: Any]] {
        try store.qualityRuns(source: source, limit: limit).map(Self.validationRow)
    }

    static func validationRow(_ record: QualityRunRecord) -> [String: Any] {
        let failing = record.results.filter { $0.verdict != .pass && $0.verdict != .skipped }.count
        let summary = record.results.isEmpty ? "no expectation"
            : "\(record.results.count) expectation\(record.results.count == 1 ? "" : "s")" + (failing > 0 ? ", \(failing) not passing" : ", all passing or skipped")
        return ["runID": record.runID, "source": record.source, "sourceVersion": record.sourceVersion, "sourceHref": UIPaths.object(.source, record.source),
                "file": record.file, "started": HTML.time(record.startedAtMicros), "read": record.rowsRead, "accepted": record.rowsAccepted,
                "quarantined": record.rowsQuarantined, "verdict": record.verdict.rawValue, "verdictClass": verdictClass(record.verdict.rawValue),
                "open": record.verdict.rawValue != "pass", "expectationSummary": summary,
                "results": record.results.map { result -> [String: Any] in
                    ["expectation": result.expectation, "observed": result.observed, "threshold": result.threshold,
                     "verdict": result.verdict.rawValue, "verdictClass": verdictClass(result.verdict.rawValue)]
                }]
    }

    /// `good` for passing verdicts, `warn` for warnings and quarantines, `bad` for rejections and drift.
    static func verdictClass(_ verdict: String) -> String {
        switch verdict {
        case "pass", "stable": return "good"
        case "warn", "quarantine": return "warn"
        case "skipped", "not_tested": return "muted"
        default: return "bad"
        }
    }

    static func driftRow(_ stored: StoredDriftReport) -> [String: Any] {
        let report = stored.report
        let verdict = report.isDrifting ? "drift" : "stable"
        return ["id": stored.id, "href": UIPaths.drift(stored.id), "service": stored.service, "serviceHref": UIPaths.object(.service, stored.service),
                "created": HTML.time(stored.createdAtMicros), "reference": stored.reference, "current": stored.current, "origin": stored.origin,
                "verdict": verdict, "verdictClass": verdictClass(verdict),
                "detail": "\(report.driftingCount) of \(report.features.count) features drift (service drifts at \(HTML.percent(report.driftShareThreshold)))"]
    }

    /// The newest report of each service, newest first.
    func latestDriftPerService() throws -> [StoredDriftReport] {
        var seen = Set<String>()
        return try store.driftReports(limit: Self.driftReportsShown).filter { seen.insert($0.service).inserted }
    }

    /// One stored drift report: its summary, the feature table by severity, a histogram per feature.
    func driftReportPage(id text: String) throws -> Page {
        guard let id = Int64(text) else {
            throw UIProblem.notFound("`\(text)` is not a drift report number.", fix: "pick a report on the Data quality page")
        }
        let stored: StoredDriftReport
        do {
            stored = try store.driftReport(id: id)
        } catch let error as QualityError {
            throw UIProblem.notFound(error.what, fix: "pick a report on the Data quality page")
        }
        var context = Self.driftRow(stored)
        // The rows `strata drift --html` renders, in this site's frame.
        context["features"] = stored.featuresBySeverity.map(DriftReportPage.Row.init).map { row -> [String: Any] in
            let parts = row.feature.split(separator: ":", maxSplits: 1).map(String.init)
            return ["feature": row.feature, "anchor": row.anchor, "method": row.method ?? "—", "score": row.score, "threshold": row.threshold ?? "—",
                    "verdict": row.verdict, "verdictClass": Self.verdictClass(row.verdict), "referenceCount": row.referenceCount,
                    "currentCount": row.currentCount, "reason": row.note ?? "", "chart": Self.optional(row.chartSVG),
                    "featureHref": parts.count == 2 ? UIPaths.feature(parts[0], parts[1]) : "#"]
        }
        return Page(title: "Drift report #\(id)", section: .quality, id: "drift-report", body: renderer.render("driftReport", context))
    }

    /// The latest stored profile of the feature's column, drawn as a histogram (bins for numbers, the most frequent
    /// values otherwise), with where it came from: the newest validation record of the view's source that profiled
    /// it. A run's profile holds every column of every view of its source (10,000 in the UI benchmark, ~0.7 s to
    /// decode), so decoded profiles are kept by run and charts by run and column.
    func latestProfileChart(view: String, feature: String, source: String) throws -> [String: Any]? {
        let column = "\(view):\(feature)"
        guard let record = try store.qualityRuns(source: source, limit: 1).first else { return nil }
        let key = "\(record.runID)/\(column)"
        if let cached = caches.withLock({ $0.profileCharts[key] }) { return cached?.context }
        var profile = caches.withLock { $0.profiles[record.runID] }
        if profile == nil {
            let decoded = try store.profile(of: .run(record.runID))
            profile = decoded
            caches.withLock { caches in
                if caches.profiles.count >= Self.cachedProfilesMax { caches.profiles.removeAll() }
                caches.profiles[record.runID] = decoded
            }
        }
        var chart: ProfileChart?
        if let match = profile?.columns.first(where: { $0.name == column }) {
            let summary = ColumnSummary(match, topCount: Self.categoriesShown, bins: Self.histogramBins)
            var labels: [String] = [], values: [Double] = []
            if let histogram = summary.histogram, !histogram.counts.isEmpty {
                labels = histogram.counts.indices.map { "\(DriftReportPage.format(histogram.edges[$0]))–\(DriftReportPage.format(histogram.edges[$0 + 1]))" }
                values = histogram.counts
            } else if !summary.topValues.isEmpty {
                labels = summary.topValues.map(\.value)
                values = summary.topValues.map { Double($0.count) }
            }
            if !labels.isEmpty {
                chart = ProfileChart(svg: SVGChart.barChart(labels: labels, values: values, title: "\(column): values in run \(record.runID)"),
                                     runID: record.runID, started: record.startedAtMicros, count: summary.count - summary.nulls, nulls: summary.nulls)
            }
        }
        caches.withLock { caches in
            if caches.profileCharts.count >= Self.cachedPagesMax { caches.profileCharts.removeAll() }
            caches.profileCharts[key] = .some(chart)
        }
        return chart?.context
    }

    /// The feature's result in the newest drift report that compared it.
    func latestDriftStatus(view: String, feature: String) throws -> [String: Any]? {
        let column = "\(view):\(feature)"
        for stored in try store.driftReports(limit: Self.driftReportsShown) {
            guard let drift = stored.report.features.first(where: { $0.feature == column }) else { continue }
            return ["id": stored.id, "href": UIPaths.drift(stored.id) + "#" + DriftReportPage.anchor(column), "service": stored.service,
                    "created": HTML.time(stored.createdAtMicros), "verdict": drift.verdict.rawValue, "verdictClass": Self.verdictClass(drift.verdict.rawValue),
                    "score": DriftReportPage.score(drift), "method": drift.method?.rawValue ?? "—"]
        }
        return nil
    }
}

extension UIPaths {
    static func drift(_ id: Int64) -> String { "/ui/quality/drift/\(id)" }
}
