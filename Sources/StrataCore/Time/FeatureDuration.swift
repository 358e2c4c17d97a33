/// Durations in definitions: `90s`, `15m`, `2h`, `7d`, `1w`, and combinations like `1d12h`.
public enum FeatureDuration {
    /// Parses a duration to microseconds, or returns a sentence saying what is wrong.
    ///
    /// `FeatureDuration.parse("1d12h")` → `.success(129_600_000_000)`.
    public static func parse(_ text: String) -> Result<Int64, DurationParseFailure> {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { return .failure(.init(text: text, reason: "it is empty")) }
        if trimmed == "0" { return .success(0) }
        var total: Int64 = 0
        var number: Int64?
        var lastUnitRank = Int.max
        for char in trimmed {
            if let digit = char.wholeNumberValue, char.isASCII {
                let (scaled, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (next, o2) = scaled.addingReportingOverflow(Int64(digit))
                guard !o1, !o2 else { return .failure(.init(text: text, reason: "it is too large")) }
                number = next
                continue
            }
            guard let (rank, micros) = unit(char) else {
                return .failure(.init(text: text, reason: "`\(char)` is not a unit (use s, m, h, d or w)"))
            }
            guard let value = number else {
                return .failure(.init(text: text, reason: "unit `\(char)` has no number before it"))
            }
            guard rank < lastUnitRank else {
                return .failure(.init(text: text, reason: "units must go from largest to smallest, each once"))
            }
            let (part, o1) = value.multipliedReportingOverflow(by: micros)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return .failure(.init(text: text, reason: "it is too large")) }
            total = sum
            lastUnitRank = rank
            number = nil
        }
        if number != nil { return .failure(.init(text: text, reason: "the last number has no unit (write e.g. `90s`)")) }
        return .success(total)
    }

    /// Renders microseconds in the largest exact units, e.g. `1d12h`.
    public static func format(_ micros: Int64) -> String {
        if micros == 0 { return "0s" }
        var rest = micros
        var out = micros < 0 ? "-" : ""
        rest = rest.magnitude > Int64.max.magnitude ? Int64.max : abs(rest)
        for (symbol, size) in [("w", week), ("d", day), ("h", hour), ("m", minute), ("s", second)] where rest >= size {
            out += "\(rest / size)\(symbol)"
            rest %= size
        }
        if rest > 0 { out += "\(rest)us" }
        return out
    }

    static let second: Int64 = 1_000_000
    static let minute: Int64 = 60 * second
    static let hour: Int64 = 60 * minute
    static let day: Int64 = 24 * hour
    static let week: Int64 = 7 * day

    private static func unit(_ char: Character) -> (Int, Int64)? {
        switch char {
        case "w": return (5, week)
        case "d": return (4, day)
        case "h": return (3, hour)
        case "m": return (2, minute)
        case "s": return (1, second)
        default: return nil
        }
    }
}

/// A duration that could not be parsed, with the reason.
public struct DurationParseFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "`\(text)` is not a duration: \(reason)" }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
