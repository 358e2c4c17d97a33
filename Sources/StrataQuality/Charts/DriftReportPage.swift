/// A drift report as one self-contained HTML page: a summary table and, per feature, its reference-vs-current
/// histogram as inline SVG. No scripts, no external styles, fonts or images, so it opens offline; every text from
/// the report or the caller is escaped.
///
/// ```swift
/// let html = DriftReportPage.html(report, title: "driver_activity", facts: [("reference", "training-set:ts-1"), ("current", "logs:..")])
/// ```
public enum DriftReportPage {
    /// One feature of a report as every rendering shows it (this page, `strata drift`'s table, the web UI's report
    /// page): the texts are made here once, so the three never disagree.
    package struct Row: Sendable {
        package var feature: String
        /// The element id of the feature's chart.
        package var anchor: String
        package var method: String?
        package var score: String
        package var threshold: String?
        package var verdict: String
        package var referenceCount: Int64
        package var currentCount: Int64
        package var note: String?
        /// The reference-vs-current histogram as inline SVG; nil without comparable values (`note` says why).
        package var chartSVG: String?

        package init(_ feature: FeatureDrift) {
            self.feature = feature.feature
            anchor = DriftReportPage.anchor(feature.feature)
            method = feature.method?.rawValue
            score = DriftReportPage.score(feature)
            threshold = feature.threshold.map(DriftReportPage.format)
            verdict = feature.verdict.rawValue
            referenceCount = feature.referenceCount
            currentCount = feature.currentCount
            note = feature.reason
            chartSVG = feature.chart.map { SVGChart.histogram($0, title: "\(feature.feature): share of values per \($0.edges == nil ? "category" : "bin")") }
        }
    }

    public static func html(_ report: DriftReport, title: String, facts: [(name: String, value: String)], features: [FeatureDrift]? = nil) -> String {
        let esc = SVGChart.escape
        let ordered = (features ?? report.features).map(Row.init)
        var out = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(esc(title))</title>
        <style>
        body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}
        table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
        th{background:#f3f3f3}.drift{color:#b00020;font-weight:bold}.stable{color:#1b5e20}.not_tested{color:#777}
        .feature{margin:24px 0;padding-top:8px;border-top:1px solid #ddd}
        </style></head><body>
        <h1>\(esc(title))</h1>

        """
        out += "<table>\n"
        for fact in facts { out += "<tr><th>\(esc(fact.name))</th><td>\(esc(fact.value))</td></tr>\n" }
        let verdict = report.isDrifting ? "drift" : "stable"
        out += "<tr><th>verdict</th><td class=\"\(verdict)\">\(verdict): \(report.driftingCount) of \(report.features.count) features drift "
            + "(\(esc(percent(report.driftingShare))); the service drifts at \(esc(percent(report.driftShareThreshold))))</td></tr>\n</table>\n"
        out += "<h2>Features</h2>\n<table>\n<tr><th>feature</th><th>method</th><th>score</th><th>threshold</th><th>verdict</th>"
            + "<th>reference values</th><th>current values</th><th>note</th></tr>\n"
        for row in ordered {
            out += "<tr><td><a href=\"#\(row.anchor)\">\(esc(row.feature))</a></td><td>\(esc(row.method ?? "-"))</td>"
                + "<td>\(esc(row.score))</td><td>\(esc(row.threshold ?? "-"))</td>"
                + "<td class=\"\(row.verdict)\">\(row.verdict)</td><td>\(row.referenceCount)</td>"
                + "<td>\(row.currentCount)</td><td>\(esc(row.note ?? ""))</td></tr>\n"
        }
        out += "</table>\n"
        for row in ordered {
            out += "<div class=\"feature\" id=\"\(row.anchor)\"><h3>\(esc(row.feature))</h3>\n"
            if let chart = row.chartSVG {
                out += chart + "\n"
            } else {
                out += "<p>No chart: \(esc(row.note ?? "the feature has no comparable values"))</p>\n"
            }
            out += "</div>\n"
        }
        return out + "</body></html>\n"
    }

    /// The score with its method's reading: `p = …` for tests, the distance otherwise; `±` its bound when sketched.
    public static func score(_ feature: FeatureDrift) -> String {
        guard let score = feature.score, let method = feature.method else { return "-" }
        let bound = feature.scoreErrorBound.map { $0 > 0 ? " ±" + format($0) : "" } ?? ""
        return (method.scoreIsPValue ? "p=" : "") + format(score) + bound
    }

    /// Four significant digits, without locale.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return value > 0 ? "inf" : value < 0 ? "-inf" : "nan" }
        if value == 0 { return "0" }
        if abs(value) < 1e-4 || abs(value) >= 1e6 {
            var exponent = 0
            var mantissa = abs(value)
            while mantissa >= 10 { mantissa /= 10; exponent += 1 }
            while mantissa < 1 { mantissa *= 10; exponent -= 1 }
            return (value < 0 ? "-" : "") + trimmed((mantissa * 1000).rounded() / 1000) + "e" + String(exponent)
        }
        var digits = 3
        var magnitude = abs(value)
        while magnitude >= 10, digits > 0 { magnitude /= 10; digits -= 1 }
        while magnitude < 1, digits < 8 { magnitude *= 10; digits += 1 }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return trimmed((value * scale).rounded() / scale)
    }

    static func trimmed(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func percent(_ share: Double) -> String { format(share * 100) + "%" }

    /// An element id made of letters, digits, `-` and `_` only.
    public static func anchor(_ name: String) -> String {
        "f-" + String(name.unicodeScalars.map { scalar -> Character in
            let ok = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
            return ok ? Character(scalar) : "-"
        })
    }
}
