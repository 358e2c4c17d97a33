import Strata
import StrataCore
import StrataQuality

extension WebUI {
    static let histogramBins = 10, categoriesShown = 10

    /// The distribution of a feature's values in the online store (one value per key, as of the last materialization),
    /// as SVG bars (`SVGChart.barChart`, shared with the profile and drift charts): ten equal-width bins for numbers,
    /// the most frequent values for text and booleans. Computed once per
    /// materialization watermark; nil before the view is materialized or for an aggregation (not stored online yet).
    func onlineHistogram(view: String, feature: String) throws -> String? {
        let snapshot = try store.snapshot()
        guard let layout = snapshot.layouts[view], let index = layout.featureNames.firstIndex(of: feature),
              let watermark = try store.materializationWatermark(layout) else { return nil }
        let key = "\(view):\(feature)", stamp = "\(layout.databaseName)/\(watermark.lastSeq)/\(watermark.end)"
        if let cached = caches.withLock({ $0.histograms[key] }), cached.stamp == stamp { return cached.svg }
        var values: [Value] = []
        try store.forEachOnlineRow(layout) { _, row in values.append(row.values[index]) }
        let bars = Self.histogramBars(values)
        let svg = bars.isEmpty ? nil : SVGChart.barChart(labels: bars.map(\.label), values: bars.map(\.value), title: "\(key): online values")
        caches.withLock { caches in
            if caches.histograms.count >= Self.cachedPagesMax { caches.histograms.removeAll() }
            caches.histograms[key] = (stamp, svg)
        }
        return svg
    }

    /// The bars of a histogram of `values`; empty when every value is null.
    static func histogramBars(_ values: [Value]) -> [SVGChart.Bar] {
        let present = values.filter { !$0.isNull }
        guard !present.isEmpty else { return [] }
        let nulls = values.count - present.count
        var bars: [SVGChart.Bar] = []
        if case .string = present[0] {
            bars = categories(present.map(\.description))
        } else if case .bool = present[0] {
            bars = categories(present.map(\.description))
        } else {
            let numbers = present.compactMap(\.doubleValue)
            guard let low = numbers.min(), let high = numbers.max() else { return [] }
            let width = (high - low) / Double(histogramBins)
            var counts = Array(repeating: 0, count: width > 0 ? histogramBins : 1)
            for x in numbers { counts[width > 0 ? min(histogramBins - 1, Int((x - low) / width)) : 0] += 1 }
            bars = counts.enumerated().map { i, n in
                let from = low + Double(i) * width, to = i == counts.count - 1 ? high : from + width
                let label = width > 0 ? "\(short(from)) – \(short(to))" : short(low)
                return .init(label: label, value: Double(n), isBad: false, valueText: String(n))
            }
        }
        if nulls > 0 { bars.append(.init(label: "null", value: Double(nulls), isBad: true, valueText: String(nulls))) }
        return bars
    }

    private static func categories(_ texts: [String]) -> [SVGChart.Bar] {
        var counts: [String: Int] = [:]
        for text in texts { counts[text, default: 0] += 1 }
        let sorted = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        var bars = sorted.prefix(categoriesShown).map { SVGChart.Bar(label: $0.key, value: Double($0.value), isBad: false, valueText: String($0.value)) }
        let rest = sorted.dropFirst(categoriesShown).reduce(0) { $0 + $1.value }
        if rest > 0 { bars.append(.init(label: "\(sorted.count - categoriesShown) other values", value: Double(rest), isBad: false, valueText: String(rest))) }
        return bars
    }

    /// A bin edge with at most four significant decimals.
    private static func short(_ x: Double) -> String {
        let rounded = (x * 10_000).rounded() / 10_000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : String(rounded)
    }
}
