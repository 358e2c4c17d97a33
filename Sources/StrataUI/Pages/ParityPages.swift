import StrataQuality
import StrataCheck

extension WebUI {
    /// Every check report, newest first, with its verdict and worst feature.
    func parityListPage() throws -> Page {
        let reports = try runIndex().reports.map { report -> [String: Any] in
            let summary = Self.reportSummary(report)
            return ["id": report.id, "href": UIPaths.report(report.id), "created": HTML.time(report.createdAt), "mode": report.mode,
                    "rows": report.rowsReplayed, "worst": summary["worst"] ?? "—", "verdict": summary["verdict"] ?? "", "verdictClass": summary["verdictClass"] ?? ""]
        }
        return Page(title: "Parity", section: .parity, id: "parity", body: renderer.render("parityList", ["reports": reports]))
    }

    /// One report: mismatch rate per feature (as bars), reasons, and the example mismatches with their lineage ids.
    func parityReportPage(id: String) throws -> Page {
        guard let report = try runIndex().report(id) else {
            throw UIProblem.notFound("No check report has the id `\(id)`.", fix: "pick one from the parity page")
        }
        let threshold = report.maxMismatch
        let isOver = { (rate: Double) in threshold.map { rate > $0 } ?? false }
        let chart = SVGChart.horizontalBars(report.features.map { .init(label: $0.feature, value: $0.mismatchRate, isBad: isOver($0.mismatchRate),
                                                                         valueText: HTML.percent($0.mismatchRate)) })
        let features = report.features.map { f -> [String: Any] in
            let parts = f.feature.replacingOccurrences(of: "__", with: ":").split(separator: ":", maxSplits: 1).map(String.init)
            return ["feature": f.feature, "href": parts.count == 2 ? UIPaths.feature(parts[0], parts[1]) : "#",
                    "compared": f.compared, "mismatches": f.mismatches, "rate": HTML.percent(f.mismatchRate), "rateClass": isOver(f.mismatchRate) ? "bad" : "",
                    "missingOnline": f.missingOnline, "missingOffline": f.missingOffline,
                    "reasons": f.reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")]
        }
        let examples = report.examples.enumerated().map { n, e -> [String: Any] in
            ["traceHref": UIPaths.report(report.id) + "/examples/\(n + 1)", "feature": e.feature, "keys": e.keys.description, "time": HTML.time(e.requestTime), "online": e.online, "onlineStatus": e.onlineStatus,
             "offline": e.offline, "offlineStatus": e.offlineStatus, "reason": e.reason,
             "lineage": "online row \(e.onlineLineageID.map(String.init) ?? "—") · offline row \(e.offlineLineageID.map(String.init) ?? "—")"]
        }
        let summary = Self.reportSummary(report)
        let context: [String: Any] = [
            "id": report.id, "mode": report.mode, "created": HTML.time(report.createdAt), "rows": report.rowsReplayed,
            "threshold": threshold.map(HTML.percent) ?? "none", "verdict": summary["verdict"] ?? "", "verdictClass": summary["verdictClass"] ?? "",
            "chart": chart, "features": features, "examples": examples,
        ]
        return Page(title: report.id, section: .parity, id: "parity-report", body: renderer.render("parityReport", context))
    }
}
