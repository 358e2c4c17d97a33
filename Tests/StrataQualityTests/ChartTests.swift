// The shared SVG charts and the HTML drift report: user text is escaped everywhere, charts are deterministic and
// self-contained (no scripts, no external references), and the report has one chart per feature that has counts.
import StrataCore
@testable import StrataQuality
import Testing

@Suite struct ChartTests {
    static let hostile = "<script>alert('x')</script> & \"q\""

    @Test("escape covers markup, quotes and control characters", arguments: [
        ("a<b>&c", "a&lt;b&gt;&amp;c"), ("\"'", "&quot;&#39;"), ("tab\tline\n", "tab\tline\n"), ("bell\u{07}", "bell\u{FFFD}"), ("São", "São"),
    ])
    func escapes(_ text: String, expected: String) {
        #expect(SVGChart.escape(text) == expected)
    }

    @Test("a histogram escapes its labels and title and holds two bars per category")
    func histogramEscapes() {
        let svg = SVGChart.histogram(labels: [Self.hostile, "b"], reference: [3, 1], current: [1, 3], title: Self.hostile)
        #expect(!svg.contains("<script"))
        #expect(svg.contains("&lt;script&gt;"))
        #expect(svg.components(separatedBy: "<rect").count - 1 == 4 + 2)  // four bars, two legend swatches
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        // The bars are the data (reference a, current a, reference b, current b): shares 3/4, 1/4, 1/4, 3/4, heights
        // rounded to a tenth.
        let heights = svg.components(separatedBy: "<rect").dropFirst().prefix(4).compactMap { rect in
            rect.components(separatedBy: "height=\"").dropFirst().first.flatMap { Double($0.prefix { $0 != "\"" }) }
        }
        #expect(heights.count == 4, "\(svg)")
        if heights.count == 4 {
            #expect(abs(heights[0] - 3 * heights[1]) <= 0.3 && heights[0] == heights[3] && heights[1] == heights[2] && heights[0] > 0, "\(heights)")
        }
    }

    @Test("bars are scaled to shares: equal shares give equal heights whatever the totals")
    func sharesScale() {
        let svg = SVGChart.histogram(labels: ["a", "b"], reference: [10, 30], current: [1, 3])
        let heights = svg.components(separatedBy: "height=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        // The svg's own height comes first; then reference a, current a, reference b, current b, then the legend.
        #expect(heights[1] == heights[2] && heights[3] == heights[4] && heights[1] != heights[3])
    }

    @Test("axis maxima are round numbers at or above the largest value", arguments: [(0.0, 1.0), (0.3, 0.5), (0.26, 0.5), (0.21, 0.25), (7, 10), (1200, 2000)])
    func niceMaximum(_ value: Double, expected: Double) {
        #expect(SVGChart.niceMaximum(value) == expected)
    }

    @Test("the HTML report is self-contained, escapes every text and has a chart per comparable feature")
    func reportPage() {
        var reference = ColumnProfile(name: Self.hostile, type: .string)
        var current = ColumnProfile(name: Self.hostile, type: .string)
        for index in 0..<2000 { reference.add(.string(index % 3 == 0 ? "a" : "b")) }
        for index in 0..<2000 { current.add(.string(index % 3 == 0 ? "b" : "<c>")) }
        let empty = ColumnProfile(name: "empty", type: .float64)
        let report = DriftDetector.compare(reference: [reference, empty], current: [current, empty])
        let html = DriftReportPage.html(report, title: "Drift of <svc>", facts: [("reference", Self.hostile)])
        #expect(!html.contains("<script") && !html.contains("<svc>") && !html.contains("<c>"))
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").dropFirst().allSatisfy { $0.hasPrefix("www.w3.org/2000/svg") })
        #expect(html.components(separatedBy: "<svg").count - 1 == 1)
        #expect(html.contains("class=\"drift\">drift</td>"))
        #expect(html.contains("No chart:"))
    }

    @Test("distinct counts beyond the exact range come from the HyperLogLog sketch, within its error")
    func distinctEstimate() {
        var profile = ColumnProfile(name: "x", type: .float64)
        for index in 0..<50_000 { profile.add(.float(Double(index) * 0.5)) }
        let distinct = profile.distinctCount
        #expect(distinct?.isExact == false)
        #expect(abs(Double(distinct?.value ?? 0) - 50_000) < 50_000 * 0.05)
    }
}
