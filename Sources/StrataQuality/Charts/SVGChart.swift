/// Small, self-contained SVG charts for the drift report and the web UI: grouped reference-vs-current histograms and
/// plain bar charts, with a value axis. Pure functions of their input (no I/O, no scripts, no external fonts or
/// styles), so a page that embeds them works offline.
///
/// Every label and title passes through `SVGChart.escape`, so user-provided text (feature names, category values)
/// cannot close an element or inject markup.
///
/// ```swift
/// let svg = SVGChart.histogram(labels: ["lagos", "porto"], reference: [60, 40], current: [30, 70], title: "city")
/// html += svg   // <svg …>…</svg>
/// ```
public enum SVGChart {
    /// Sizes and colours of a chart.
    public struct Style: Sendable, Hashable {
        public var width: Int
        public var height: Int
        /// Fill of the reference bars (and of a single series).
        public var referenceColor: String
        public var currentColor: String
        /// Category labels longer than this many characters are shortened with `…`.
        public var labelCharactersMax: Int

        public init(width: Int = 520, height: Int = 220, referenceColor: String = "#4c78a8", currentColor: String = "#f58518",
                    labelCharactersMax: Int = 14) {
            self.width = width
            self.height = height
            self.referenceColor = referenceColor
            self.currentColor = currentColor
            self.labelCharactersMax = labelCharactersMax
        }
    }

    /// Grouped bars of reference and current shares per category or bin, each series normalised to sum to 1 (so
    /// samples of different sizes compare), with a legend and a percentage axis.
    public static func histogram(labels: [String], reference: [Double], current: [Double], title: String? = nil,
                                 referenceName: String = "reference", currentName: String = "current", style: Style = Style()) -> String {
        let count = min(labels.count, reference.count, current.count)
        let left = shares(Array(reference.prefix(count))), right = shares(Array(current.prefix(count)))
        var body = SVGBuilder(style: style, title: title)
        let plot = body.plotArea(hasLegend: true)
        let top = niceMaximum(max(left.max() ?? 0, right.max() ?? 0))
        body.valueAxis(plot, maximum: top, format: percent)
        let slot = count > 0 ? plot.width / Double(count) : plot.width
        let bar = max(1, slot * 0.4)
        for index in 0..<count {
            let x = plot.x + Double(index) * slot + slot * 0.1
            body.bar(x: x, width: bar, value: left[index], maximum: top, plot: plot, color: style.referenceColor,
                     tooltip: "\(labels[index]) — \(referenceName): \(percent(left[index]))")
            body.bar(x: x + bar, width: bar, value: right[index], maximum: top, plot: plot, color: style.currentColor,
                     tooltip: "\(labels[index]) — \(currentName): \(percent(right[index]))")
        }
        body.categoryLabels(labels: Array(labels.prefix(count)), plot: plot, slot: slot)
        body.legend([(referenceName, style.referenceColor), (currentName, style.currentColor)])
        return body.finish()
    }

    /// One bar per label (counts or any non-negative values) with a value axis.
    public static func barChart(labels: [String], values: [Double], title: String? = nil, style: Style = Style()) -> String {
        let count = min(labels.count, values.count)
        let clean = values.prefix(count).map { $0.isFinite ? max(0, $0) : 0 }
        var body = SVGBuilder(style: style, title: title)
        let plot = body.plotArea(hasLegend: false)
        let top = niceMaximum(clean.max() ?? 0)
        body.valueAxis(plot, maximum: top, format: number)
        let slot = count > 0 ? plot.width / Double(count) : plot.width
        for index in 0..<count {
            body.bar(x: plot.x + Double(index) * slot + slot * 0.15, width: max(1, slot * 0.7), value: clean[index], maximum: top, plot: plot,
                     color: style.referenceColor, tooltip: "\(labels[index]): \(number(clean[index]))")
        }
        body.categoryLabels(labels: Array(labels.prefix(count)), plot: plot, slot: slot)
        return body.finish()
    }

    /// Escapes text for XML and HTML, in content and in quoted attribute values: `& < > " '`. Control characters
    /// other than tab and newline (invalid in XML 1.0) become U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value): out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Each value over the sum (non-finite and negative values as 0); all zeros stay zeros.
    static func shares(_ values: [Double]) -> [Double] {
        let clean = values.map { $0.isFinite ? max(0, $0) : 0 }
        let total = clean.reduce(0, +)
        return total > 0 ? clean.map { $0 / total } : clean
    }

    /// The smallest of 1, 2, 2.5 or 5 times a power of ten at or above `value` (1 for 0), so axis ticks are round.
    static func niceMaximum(_ value: Double) -> Double {
        guard value.isFinite, value > 0 else { return 1 }
        var power = 1.0
        while power * 10 < value { power *= 10 }
        while power > value { power /= 10 }
        for step in [1.0, 2, 2.5, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    static func percent(_ share: Double) -> String { number(share * 100) + "%" }

    /// A number with at most two decimals, without a trailing `.0`, without locale (the same text everywhere).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        let text = String(rounded)
        return text.contains("e") ? String(Int64(rounded.rounded())) : text
    }
}

extension SVGChart {
    /// The reference-vs-current chart of a drift result's aligned counts (categories or bins).
    public static func histogram(_ counts: AlignedCounts, title: String? = nil, style: Style = Style()) -> String {
        histogram(labels: counts.labels, reference: counts.reference, current: counts.current, title: title, style: style)
    }
}
