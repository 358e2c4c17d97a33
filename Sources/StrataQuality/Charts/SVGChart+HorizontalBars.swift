extension SVGChart {
    /// One horizontal bar of `horizontalBars`.
    public struct Bar: Sendable, Hashable {
        public var label: String
        public var value: Double
        /// Drawn with the class `bar bad` (over a threshold) instead of `bar`.
        public var isBad: Bool
        /// Written after the bar (e.g. `1.25%`).
        public var valueText: String

        public init(label: String, value: Double, isBad: Bool = false, valueText: String) {
            self.label = label
            self.value = value
            self.isBad = isBad
            self.valueText = valueText
        }
    }

    /// Horizontal bars with a label on the left and the value after each bar, for long labels (parity mismatch
    /// rates per feature). Colours come from the page's stylesheet through the classes `bars`, `bar`, `bad` and
    /// `axis`, so a page with a strict CSP styles them without inline styles. `scaleMax` is the value of a full bar
    /// (the largest bar when nil).
    public static func horizontalBars(_ bars: [Bar], scaleMax: Double? = nil, labelCharactersMax: Int = 40) -> String {
        let labelWidth = 260, barWidthMax = 420, rowHeight = 20
        let top = max(scaleMax ?? 0, bars.map { $0.value.isFinite ? $0.value : 0 }.max() ?? 0)
        let width = labelWidth + barWidthMax + 90, height = max(1, bars.count) * rowHeight + 6
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"bar chart\">"
        out += "<line class=\"axis\" x1=\"\(labelWidth)\" y1=\"0\" x2=\"\(labelWidth)\" y2=\"\(height)\"/>"
        for (i, bar) in bars.enumerated() {
            let y = 3 + i * rowHeight
            let value = bar.value.isFinite ? max(0, bar.value) : 0
            let length = top > 0 ? Int((value / top * Double(barWidthMax)).rounded()) : 0
            let label = bar.label.count > labelCharactersMax ? String(bar.label.prefix(labelCharactersMax - 1)) + "…" : bar.label
            out += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 13)\" text-anchor=\"end\">\(escape(label))<title>\(escape(bar.label))</title></text>"
            out += "<rect class=\"bar\(bar.isBad ? " bad" : "")\" x=\"\(labelWidth + 1)\" y=\"\(y + 2)\" width=\"\(max(length, value > 0 ? 1 : 0))\" height=\"\(rowHeight - 6)\"/>"
            out += "<text x=\"\(labelWidth + 6 + length)\" y=\"\(y + 13)\">\(escape(bar.valueText))</text>"
        }
        return out + "</svg>"
    }
}
