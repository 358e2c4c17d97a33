import StrataCore
import StrataQuality

/// Escaping and small formatting helpers for markup the UI builds in Swift (SVG, pagers). Templates escape their own
/// `{{values}}`; anything placed with `{{{triple}}}` must come from here.
enum HTML {
    /// Escapes text for element content and quoted attribute values: the drift report's escaping, so the UI and
    /// `strata drift --html` treat user text the same way.
    static func escape(_ text: String) -> String { SVGChart.escape(text) }

    /// Percent-encodes a path segment or query value (RFC 3986 unreserved characters pass).
    static func urlComponent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A query string from pairs, skipping empty values.
    static func query(_ pairs: [(String, String?)]) -> String {
        let parts = pairs.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : "\(name)=\(urlComponent($0))" } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    /// An instant as RFC 3339 UTC to the second (the UI's one time format), or "—".
    static func time(_ micros: Int64?) -> String {
        guard let micros else { return "—" }
        let text = Timestamp.format(micros)
        // Drop the microseconds: `2026-03-01T12:00:00.000000Z` → `2026-03-01T12:00:00Z`.
        if let dot = text.firstIndex(of: ".") { return String(text[..<dot]) + "Z" }
        return text
    }

    /// A stored RFC 3339 text shown like `time(_:)`.
    static func time(_ text: String?) -> String {
        guard let text else { return "—" }
        if case .success(let micros) = Timestamp.parse(text) { return time(micros) }
        return text
    }

    /// A fraction as a percentage with two decimals.
    static func percent(_ fraction: Double) -> String {
        let basisPoints = Int((fraction * 10_000).rounded())
        return "\(basisPoints / 100).\(String(basisPoints % 100).leftPadded(to: 2))%"
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
