/// Writes the elements of one chart: frame, axis, bars, labels, legend. Every text goes through `SVGChart.escape`.
struct SVGBuilder {
    /// The plotting rectangle inside the margins.
    struct Plot {
        var x: Double
        var y: Double
        var width: Double
        var height: Double
    }

    let style: SVGChart.Style
    let title: String?
    private var parts: [String] = []

    init(style: SVGChart.Style, title: String?) {
        self.style = style
        self.title = title
        let width = max(120, style.width), height = max(80, style.height)
        parts.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
                     + "font-family=\"sans-serif\" font-size=\"11\" role=\"img\"\(title.map { " aria-label=\"\(SVGChart.escape($0))\"" } ?? "")>")
        if let title {
            parts.append("<title>\(SVGChart.escape(title))</title>")
            parts.append("<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(SVGChart.escape(title))</text>")
        }
    }

    /// Margins: room for the title, the axis labels on the left and the category labels below.
    mutating func plotArea(hasLegend: Bool) -> Plot {
        let width = Double(max(120, style.width)), height = Double(max(80, style.height))
        let top = title == nil ? 10.0 : 26.0
        let right = hasLegend ? 96.0 : 12.0
        // Category labels are rotated -30° and end at their bar, so a label of `labelCharactersMax` characters reaches
        // about 5.5 px × cos 30° per character to the left and 5.5 px × sin 30° below: the margins leave room for it.
        let reach = Double(max(1, style.labelCharactersMax)) * 5.5
        let left = max(44, (reach * 0.87).rounded(.up) - 4)
        let bottom = max(40, (reach * 0.5).rounded(.up) + 18)
        return Plot(x: left, y: top, width: max(10, width - left - right), height: max(10, height - top - bottom))
    }

    /// Four gridlines with labels from 0 to `maximum`.
    mutating func valueAxis(_ plot: Plot, maximum: Double, format: (Double) -> String) {
        parts.append(line(plot.x, plot.y, plot.x, plot.y + plot.height, color: "#333"))
        parts.append(line(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height, color: "#333"))
        for tick in 1...4 {
            let value = maximum * Double(tick) / 4
            let y = plot.y + plot.height - plot.height * Double(tick) / 4
            parts.append(line(plot.x, y, plot.x + plot.width, y, color: "#ddd"))
            parts.append("<text x=\"\(f(plot.x - 4))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(SVGChart.escape(format(value)))</text>")
        }
        parts.append("<text x=\"\(f(plot.x - 4))\" y=\"\(f(plot.y + plot.height + 4))\" text-anchor=\"end\">0</text>")
    }

    /// A bar from the axis up to `value`, with a hover tooltip.
    mutating func bar(x: Double, width: Double, value: Double, maximum: Double, plot: Plot, color: String, tooltip: String) {
        let clamped = value.isFinite ? min(max(0, value), maximum) : 0
        let height = maximum > 0 ? plot.height * clamped / maximum : 0
        parts.append("<rect x=\"\(f(x))\" y=\"\(f(plot.y + plot.height - height))\" width=\"\(f(width))\" height=\"\(f(height))\" "
                     + "fill=\"\(SVGChart.escape(color))\"><title>\(SVGChart.escape(tooltip))</title></rect>")
    }

    /// Category labels under the plot, rotated when crowded, every n-th when there are many.
    mutating func categoryLabels(labels: [String], plot: Plot, slot: Double) {
        guard !labels.isEmpty else { return }
        let every = max(1, Int((Double(labels.count) * 40 / plot.width).rounded(.up)))
        let y = plot.y + plot.height + 14
        for (index, label) in labels.enumerated() where index % every == 0 {
            let x = plot.x + (Double(index) + 0.5) * slot
            let shown = label.count > style.labelCharactersMax ? String(label.prefix(max(1, style.labelCharactersMax - 1))) + "…" : label
            parts.append("<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"end\" transform=\"rotate(-30 \(f(x)) \(f(y)))\">"
                         + "\(SVGChart.escape(shown))<title>\(SVGChart.escape(label))</title></text>")
        }
    }

    /// A legend in the top-right corner.
    mutating func legend(_ entries: [(String, String)]) {
        let x = Double(max(120, style.width)) - 90
        for (index, entry) in entries.enumerated() {
            let y = (title == nil ? 12.0 : 28.0) + Double(index) * 16
            parts.append("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"10\" height=\"10\" fill=\"\(SVGChart.escape(entry.1))\"/>")
            parts.append("<text x=\"\(f(x + 14))\" y=\"\(f(y + 9))\">\(SVGChart.escape(entry.0))</text>")
        }
    }

    func finish() -> String { (parts + ["</svg>"]).joined(separator: "\n") }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(color)\" stroke-width=\"1\"/>"
    }

    /// Coordinates with one decimal.
    private func f(_ value: Double) -> String { SVGChart.number((value * 10).rounded() / 10) }
}
