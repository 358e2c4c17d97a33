/// Decimal number text read as an int64 exactly, never through a `Double`: `9007199254740993` stays itself and
/// `1679.0` or `1.679e3` (how pandas writes an integer column that holds nulls) is 1679, while `2.5` is refused.
public enum ExactInteger: Equatable, Sendable {
    case integer(Int64)
    /// A number with a non-zero fractional part, such as `2.5`.
    case fractional
    /// An integral number outside −2⁶³…2⁶³−1.
    case outOfRange
    /// Not decimal number text.
    case notANumber

    /// Reads `-?digits(.digits)?([eE][+-]?digits)?`; leading zeros are allowed (`007` is 7).
    public static func read(_ text: some StringProtocol) -> ExactInteger {
        var utf8 = Array(text.utf8)[...]
        let isNegative = utf8.first == UInt8(ascii: "-")
        if isNegative { utf8 = utf8.dropFirst() }
        let integral = utf8.prefix { isDigit($0) }
        utf8 = utf8.dropFirst(integral.count)
        var fraction: ArraySlice<UInt8> = []
        if utf8.first == UInt8(ascii: ".") {
            fraction = utf8.dropFirst().prefix { isDigit($0) }
            guard !fraction.isEmpty else { return .notANumber }
            utf8 = utf8.dropFirst(1 + fraction.count)
        }
        guard !integral.isEmpty else { return .notANumber }
        var exponent = 0
        if let first = utf8.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") {
            utf8 = utf8.dropFirst()
            let isNegativeExponent = utf8.first == UInt8(ascii: "-")
            if utf8.first == UInt8(ascii: "-") || utf8.first == UInt8(ascii: "+") { utf8 = utf8.dropFirst() }
            let digits = utf8.prefix { isDigit($0) }
            guard !digits.isEmpty else { return .notANumber }
            utf8 = utf8.dropFirst(digits.count)
            // Any exponent past 400 already decides the answer (all zeros, fractional or out of range) for text this size.
            for digit in digits { exponent = min(exponent * 10 + Int(digit - UInt8(ascii: "0")), 100_000) }
            if isNegativeExponent { exponent = -exponent }
        }
        guard utf8.isEmpty else { return .notANumber }
        return value(digits: Array(integral) + Array(fraction), scale: exponent - fraction.count, isNegative: isNegative)
    }

    /// The integer `digits × 10^scale` with its sign, or why it is not an int64.
    static func value(digits: [UInt8], scale: Int, isNegative: Bool) -> ExactInteger {
        var significant = digits.drop { $0 == UInt8(ascii: "0") }
        guard !significant.isEmpty else { return .integer(0) }
        if scale < 0 {
            let dropped = significant.suffix(min(-scale, significant.count))
            guard dropped.allSatisfy({ $0 == UInt8(ascii: "0") }), -scale <= significant.count else { return .fractional }
            significant = significant.dropLast(-scale)
            guard !significant.isEmpty else { return .integer(0) }
        } else if scale > 0 {
            guard significant.count + scale <= 20 else { return .outOfRange }
            significant.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale))
        }
        guard significant.count <= 20 else { return .outOfRange }
        var magnitude: UInt64 = 0
        for digit in significant {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return .outOfRange }
            magnitude = sum
        }
        if isNegative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return .outOfRange }
            return .integer(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { return .outOfRange }
        return .integer(Int64(magnitude))
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
