/// A left-to-right graph in columns (sources and runs → view versions → training set → services), drawn as SVG in
/// Swift: no script, no outside library, and every label escaped here. Nodes may link to their page.
struct LayeredGraph {
    struct Node {
        var id: String
        var label: String
        /// A CSS class: `run`, `view`, `ts`, `svc` (colours in the stylesheet, since the CSP forbids inline styles).
        var kind: String
        var href: String?
        /// The hover text; the label when nil.
        var detail: String? = nil
    }

    var columns: [[Node]]
    var edges: [(from: String, to: String)]

    static let nodeWidth = 190, nodeHeight = 30, columnGap = 44, rowGap = 12, labelCharactersMax = 27

    var svg: String {
        let w = Self.nodeWidth, h = Self.nodeHeight
        let rowsMax = max(1, columns.map(\.count).max() ?? 1)
        let width = columns.count * w + max(0, columns.count - 1) * Self.columnGap + 2
        let height = rowsMax * (h + Self.rowGap) + Self.rowGap
        var position: [String: (x: Int, y: Int)] = [:]
        for (c, column) in columns.enumerated() {
            // Centre shorter columns vertically so edges fan out evenly.
            let top = (height - column.count * (h + Self.rowGap) + Self.rowGap) / 2
            for (r, node) in column.enumerated() { position[node.id] = (1 + c * (w + Self.columnGap), top + r * (h + Self.rowGap)) }
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lineage\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"lineage graph\">"
        for edge in edges {
            guard let a = position[edge.from], let b = position[edge.to] else { continue }
            let x1 = a.x + w, y1 = a.y + h / 2, x2 = b.x, y2 = b.y + h / 2, mid = (x1 + x2) / 2
            out += "<path class=\"edge\" d=\"M\(x1),\(y1) C\(mid),\(y1) \(mid),\(y2) \(x2),\(y2)\"/>"
        }
        for column in columns {
            for node in column {
                guard let p = position[node.id] else { continue }
                let label = node.label.count > Self.labelCharactersMax ? String(node.label.prefix(Self.labelCharactersMax - 1)) + "…" : node.label
                var shape = "<g class=\"node \(HTML.escape(node.kind))\"><title>\(HTML.escape(node.detail ?? node.label))</title>"
                shape += "<rect x=\"\(p.x)\" y=\"\(p.y)\" width=\"\(w)\" height=\"\(h)\" rx=\"5\"/>"
                shape += "<text x=\"\(p.x + 8)\" y=\"\(p.y + h / 2 + 4)\">\(HTML.escape(label))</text></g>"
                out += node.href.map { "<a href=\"\(HTML.escape($0))\">\(shape)</a>" } ?? shape
            }
        }
        return out + "</svg>"
    }
}
