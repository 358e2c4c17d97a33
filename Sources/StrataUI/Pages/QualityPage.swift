import Strata
import StrataOffline

extension WebUI {
    static let qualityRunsPerPage = 50, quarantinePerPage = 50, reasonsShown = 20

    /// Ingest runs (with failed ones), the most frequent quarantine reasons, and the quarantine a page at a time,
    /// filtered by source and reason; the validation record (expectation results) of recent runs, and the stored drift
    /// reports.
    func qualityPage(_ request: UIRequest) throws -> Page {
        let source = request.value("source"), reason = request.value("reason")
        let runs = try store.ingestRuns()
        let runsPager = Pager(page: request.page("runs"), perPage: Self.qualityRunsPerPage, total: runs.count) { page in
            "/ui/quality" + HTML.query([("source", source), ("reason", reason), ("runs", String(page))])
        }
        let failed = try store.failedIngests().reversed().prefix(10).map { run -> [String: Any] in
            ["runID": "job \(run.record.id)", "source": run.detail.source, "sourceVersion": run.detail.sourceVersion,
             "started": HTML.time(run.record.startedAtMicros), "error": run.record.error ?? "failed"]
        }
        let page = request.page()
        let quarantine = try store.quarantinePage(source: source, reasonContains: reason, offset: (page - 1) * Self.quarantinePerPage,
                                                  limit: Self.quarantinePerPage)
        let quarantinePager = Pager(page: page, perPage: Self.quarantinePerPage, total: quarantine.totalMatching) { page in
            "/ui/quality" + HTML.query([("source", source), ("reason", reason), ("page", String(page))])
        }
        let reasons = try store.quarantineReasonCounts(source: source, limit: Self.reasonsShown).map { item -> [String: Any] in
            ["reason": item.reason, "count": item.count, "href": "/ui/quality" + HTML.query([("source", source), ("reason", item.reason)])]
        }
        let sources = try registryIndex().definitions.sources.map { ["name": $0.name, "selected": $0.name == source] as [String: Any] }
        let filterText = [source.map { "source \($0)" }, reason.map { "reason containing “\($0)”" }].compactMap { $0 }.joined(separator: ", ")
        let validation = renderer.render("validation", ["validation": try validationRows(source: source, limit: Self.validationRunsShown)])
        let drift = renderer.render("driftList", ["drift": try store.driftReports(limit: Self.driftReportsShown).map(Self.driftRow)])
        let context: [String: Any] = [
            "validation": validation, "drift": drift,
            "runs": runsPager.slice(runs).map(Self.runRow), "runsPager": runsPager.html, "failed": Array(failed), "anyRun": !runs.isEmpty || !failed.isEmpty,
            "sources": sources, "reason": reason ?? "", "reasons": reasons, "quarantinePager": quarantinePager.html,
            "quarantineSummary": "\(quarantine.totalMatching) quarantined row\(quarantine.totalMatching == 1 ? "" : "s")" + (filterText.isEmpty ? "" : " with \(filterText)"),
            "quarantine": quarantine.rows.map { row -> [String: Any] in
                ["runID": row.runID, "source": row.source, "where": "\(row.file):\(row.line)" + (row.column.map { ":\($0)" } ?? ""),
                 "reason": row.reason, "raw": row.raw]
            },
        ]
        return Page(title: "Data quality", section: .quality, id: "quality", body: renderer.render("quality", context))
    }
}
