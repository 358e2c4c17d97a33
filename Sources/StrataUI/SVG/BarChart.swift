/// Horizontal bars with labels, drawn as SVG in Swift (parity mismatch rates; the same drawing suits a profile's
/// histogram or a drift report's reference-vs-current bars). Every label is escaped here.
struct BarChart {
    struct Bar {
        var label: String
        var value: Double
        /// Drawn in the "bad" colour (over a threshold).
        var isBad: Bool
        var valueText: String
    }

    var bars: [Bar]
    /// The value of a full-width bar; the largest bar when nil.
    var scaleMax: Double?

    static let labelWidth = 260, barWidthMax = 420, rowHeight = 20, labelCharactersMax = 40

    var svg: String {
        let top = max(scaleMax ?? 0, bars.map(\.value).max() ?? 0)
        let width = Self.labelWidth + Self.barWidthMax + 90, height = max(1, bars.count) * Self.rowHeight + 6
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"bar chart\">"
        out += "<line class=\"axis\" x1=\"\(Self.labelWidth)\" y1=\"0\" x2=\"\(Self.labelWidth)\" y2=\"\(height)\"/>"
        for (i, bar) in bars.enumerated() {
            let y = 3 + i * Self.rowHeight
            let length = top > 0 ? Int((bar.value / top * Double(Self.barWidthMax)).rounded()) : 0
            let label = bar.label.count > Self.labelCharactersMax ? String(bar.label.prefix(Self.labelCharactersMax - 1)) + "…" : bar.label
            out += "<text x=\"\(Self.labelWidth - 6)\" y=\"\(y + 13)\" text-anchor=\"end\">\(HTML.escape(label))</text>"
            out += "<rect class=\"bar\(bar.isBad ? " bad" : "")\" x=\"\(Self.labelWidth + 1)\" y=\"\(y + 2)\" width=\"\(max(length, bar.value > 0 ? 1 : 0))\" height=\"\(Self.rowHeight - 6)\"/>"
            out += "<text x=\"\(Self.labelWidth + 6 + length)\" y=\"\(y + 13)\">\(HTML.escape(bar.valueText))</text>"
        }
        return out + "</svg>"
    }
}
