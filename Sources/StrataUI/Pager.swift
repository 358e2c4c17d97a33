/// Splits a list into pages and renders the "previous / next" links (markup built here, so values are escaped here).
struct Pager {
    var page: Int
    var perPage: Int
    var total: Int
    /// The link for page `n`, given as a complete query-carrying path.
    var link: (Int) -> String

    var pageCount: Int { max(1, (total + perPage - 1) / perPage) }
    var offset: Int { (min(page, pageCount) - 1) * perPage }

    /// The slice of `items` on this page.
    func slice<T>(_ items: [T]) -> ArraySlice<T> {
        let start = min(offset, items.count)
        return items[start..<min(items.count, start + perPage)]
    }

    var html: String {
        guard pageCount > 1 else { return "" }
        let current = min(page, pageCount)
        var out = "<div class=\"pager\">"
        if current > 1 { out += "<a rel=\"prev\" href=\"\(HTML.escape(link(current - 1)))\">← previous</a>" }
        out += "<span class=\"muted\">page \(current) of \(pageCount) (\(total) in all)</span>"
        if current < pageCount { out += "<a rel=\"next\" href=\"\(HTML.escape(link(current + 1)))\">next →</a>" }
        return out + "</div>"
    }
}
