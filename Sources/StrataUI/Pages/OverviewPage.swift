import Strata
import StrataCheck
import StrataCore
import StrataOffline

extension WebUI {
    /// Views per page of the freshness table: a registry of a thousand views stays within the page-weight budget.
    static let freshnessPerPage = 50

    /// Project, revision, counts, latest ingest runs, online freshness per view, the last check, the latest validation
    /// verdict per source and the last drift verdict per service.
    func overviewPage(_ request: UIRequest) throws -> Page {
        let index = try registryIndex()
        let runs = try runIndex()
        let d = index.definitions
        let featureCount = d.views.reduce(0) { $0 + $1.features.count + $1.aggregations.count }
        let counts: [[String: Any]] = [
            ["label": "entities", "value": d.entities.count, "href": "/ui/registry?kind=entity"],
            ["label": "sources", "value": d.sources.count, "href": "/ui/registry?kind=source"],
            ["label": "feature views", "value": d.views.count, "href": "/ui/registry?kind=feature_view"],
            ["label": "features", "value": featureCount, "href": "/ui/registry?kind=feature_view"],
            ["label": "services", "value": d.services.count, "href": "/ui/registry?kind=feature_service"],
            ["label": "training sets", "value": runs.trainingSets.count, "href": "/ui/training-sets"],
            ["label": "check reports", "value": runs.reports.count, "href": "/ui/parity"],
        ]
        let ingestRows: [[String: Any]] = try store.ingestRuns().prefix(10).map(Self.runRow)
        let views = d.views.map(\.name).sorted()
        let pager = Pager(page: request.page("views"), perPage: Self.freshnessPerPage, total: views.count) { "/ui?views=\($0)" }
        let freshness = try pager.slice(views).map { try freshnessRow(view: $0) }
        var context: [String: Any] = [
            "project": store.folder.root.lastPathComponent, "revision": index.revision, "counts": counts, "runs": ingestRows,
            "freshness": freshness, "freshnessPager": pager.html,
            "validation": try latestValidationPerSource(), "drift": try latestDriftPerService().map(Self.driftRow),
        ]
        if let apply = index.lastApply {
            context["lastApply"] = ["at": HTML.time(apply.appliedAtMicros), "author": apply.author, "message": Self.optional(apply.message)] as [String: Any]
        }
        if let report = runs.reports.first { context["check"] = Self.reportSummary(report) }
        return Page(title: "Overview", section: .overview, id: "overview", body: renderer.render("overview", context))
    }

    /// The newest validation record of each source (among recent runs), with its expectations that did not pass.
    func latestValidationPerSource() throws -> [[String: Any]] {
        var seen = Set<String>()
        return try store.qualityRuns(limit: Self.validationRunsShown).filter { seen.insert($0.source).inserted }.map { record in
            var row = Self.validationRow(record)
            let failing = record.results.filter { $0.verdict != .pass && $0.verdict != .skipped }.map(\.expectation)
            row["failing"] = failing.isEmpty ? "—" : failing.joined(separator: "; ")
            return row
        }
    }

    static func runRow(_ run: IngestRunRecord) -> [String: Any] {
        let quarantined = run.rowsQuarantined
        return ["runID": run.runID, "source": run.source, "sourceVersion": run.sourceVersion, "finished": HTML.time(run.finishedAtMicros),
                "started": HTML.time(run.startedAtMicros), "read": run.rowsRead, "accepted": run.rowsAccepted,
                "quarantined": quarantined, "hasQuarantine": quarantined > 0, "quarantineHref": "/ui/quality" + HTML.query([("source", run.source)]),
                "sourceHref": UIPaths.object(.source, run.source), "outcome": run.outcome,
                "verdictClass": quarantined > 0 ? "warn" : "good"]
    }

    static func reportSummary(_ report: CheckReport) -> [String: Any] {
        let worst = report.features.max { $0.mismatchRate < $1.mismatchRate }
        return ["id": report.id, "href": UIPaths.report(report.id), "mode": report.mode, "at": HTML.time(report.createdAt),
                "rows": report.rowsReplayed, "verdict": verdict(report), "verdictClass": report.maxMismatch == nil ? "warn" : report.passed ? "good" : "bad",
                "worst": worst.map { "\(HTML.percent($0.mismatchRate)) (\($0.feature))" } ?? "—"]
    }

    /// A check run without `--max-mismatch` judges nothing: saying "passed" beside a high mismatch rate would mislead.
    static func verdict(_ report: CheckReport) -> String {
        guard let threshold = report.maxMismatch else { return "no threshold" }
        return (report.passed ? "passed" : "failed") + " (threshold \(HTML.percent(threshold)))"
    }

    /// The watermark of a view's current version and the newest event time stored online, counted once per watermark.
    func freshnessRow(view: String) throws -> [String: Any] {
        let snapshot = try store.snapshot()
        var row: [String: Any] = ["view": view, "href": UIPaths.object(.view, view), "version": snapshot.applied.version(.view, view),
                                  "watermark": "never materialized", "newest": "—", "keys": "—"]
        guard let layout = snapshot.layouts[view], let watermark = try store.materializationWatermark(layout) else { return row }
        row["watermark"] = HTML.time(watermark.end)
        let stamp = "\(layout.databaseName)/\(watermark.lastSeq)/\(watermark.end)"
        let newest: (micros: Int64?, keys: Int)
        if let cached = caches.withLock({ $0.newestEvent[view] }), cached.stamp == stamp {
            newest = (cached.micros, cached.keys)
        } else {
            var counted: (micros: Int64?, keys: Int) = (nil, 0)
            try store.forEachOnlineRow(layout) { _, row in counted = (max(counted.micros ?? row.eventTs, row.eventTs), counted.keys + 1) }
            newest = counted
            caches.withLock { $0.newestEvent[view] = (stamp, newest.micros, newest.keys) }
        }
        row["newest"] = HTML.time(newest.micros)
        row["keys"] = newest.keys
        return row
    }
}
