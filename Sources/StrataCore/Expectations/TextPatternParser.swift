/// Parses the `TextPattern` dialect into a `PatternTree`, expanding `{n,m}` into copies.
struct TextPatternParser {
    static let repetitionMax = 1000

    let scalars: [Unicode.Scalar]
    var index = 0
    var end: Int

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
        end = scalars.count
    }

    mutating func parse() throws(TextPatternError) -> PatternTree {
        if scalars.first == "^" { index = 1 }
        if end > index, scalars[end - 1] == "$", !isEscaped(end - 1) { end -= 1 }
        let tree = try alternation()
        if index < end { throw fail(scalars[index] == ")" ? "unmatched `)`" : "unexpected `\(scalars[index])`") }
        return tree
    }

    /// True when the scalar at `position` is preceded by an odd number of backslashes.
    func isEscaped(_ position: Int) -> Bool {
        var count = 0
        var cursor = position - 1
        while cursor >= 0, scalars[cursor] == "\\" {
            count += 1
            cursor -= 1
        }
        return count % 2 == 1
    }

    func fail(_ reason: String, at offset: Int? = nil) -> TextPatternError {
        TextPatternError(reason: reason, offset: offset ?? index)
    }

    var current: Unicode.Scalar? { index < end ? scalars[index] : nil }

    mutating func alternation() throws(TextPatternError) -> PatternTree {
        var branches = [try concatenation()]
        while current == "|" {
            index += 1
            branches.append(try concatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func concatenation() throws(TextPatternError) -> PatternTree {
        var items: [PatternTree] = []
        while let scalar = current, scalar != "|", scalar != ")" {
            items.append(try repetition())
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concatenation(items)
    }

    mutating func repetition() throws(TextPatternError) -> PatternTree {
        let start = index
        var tree = try atom()
        while let scalar = current, "*+?{".unicodeScalars.contains(scalar) {
            if case .empty = tree { throw fail("nothing to repeat", at: start) }
            index += 1
            switch scalar {
            case "*": tree = .zeroOrMore(tree)
            case "+": tree = .oneOrMore(tree)
            case "?": tree = .optional(tree)
            default: tree = try bounded(tree)
            }
            if current == "?" { index += 1 }
        }
        return tree
    }

    /// `{n}`, `{n,}` or `{n,m}` after its `{`.
    mutating func bounded(_ tree: PatternTree) throws(TextPatternError) -> PatternTree {
        let start = index - 1
        let low = number()
        var high = low
        if current == "," {
            index += 1
            high = current == "}" ? nil : number()
        }
        guard current == "}", let low, low <= Self.repetitionMax else { throw fail("bad repetition; write `{n}`, `{n,}` or `{n,m}` with n ≤ 1000", at: start) }
        index += 1
        if let high, high < low || high > Self.repetitionMax { throw fail("bad repetition `{\(low),\(high)}`", at: start) }
        var items = Array(repeating: tree, count: low)
        if let high {
            var optional = PatternTree.empty
            for _ in 0..<(high - low) { optional = .optional(optional == .empty ? tree : .concatenation([tree, optional])) }
            if optional != .empty { items.append(optional) }
        } else {
            items.append(.zeroOrMore(tree))
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concatenation(items)
    }

    mutating func number() -> Int? {
        var value: Int?
        while let scalar = current, let digit = Int(String(scalar)), scalar.isASCII {
            value = min((value ?? 0) * 10 + digit, 1_000_000)
            index += 1
        }
        return value
    }

    mutating func atom() throws(TextPatternError) -> PatternTree {
        guard let scalar = current else { return .empty }
        let start = index
        index += 1
        switch scalar {
        case "(":
            if current == "?" {
                guard index + 1 < end, scalars[index + 1] == ":" else { throw fail("only `(?:…)` groups are supported (no lookaround or flags)", at: start) }
                index += 2
            }
            let inner = try alternation()
            guard current == ")" else { throw fail("missing `)`", at: start) }
            index += 1
            return inner
        case "[": return .scalars(try characterClass(start))
        case ".": return .scalars(.any)
        case "\\": return .scalars(try escape(inClass: false))
        case "*", "+", "?", "{": throw fail("nothing to repeat", at: start)
        case "^", "$": throw fail("`\(scalar)` is only allowed at the very start (`^`) or end (`$`); the whole value is matched anyway", at: start)
        default: return .scalars(.single(scalar))
        }
    }

    /// The set after a `\`.
    mutating func escape(inClass: Bool) throws(TextPatternError) -> ScalarSet {
        guard let scalar = current else { throw fail("the pattern ends with a lone `\\`") }
        index += 1
        switch scalar {
        case "d": return .digits
        case "D": return ScalarSet.digits.negated()
        case "w": return .word
        case "W": return ScalarSet.word.negated()
        case "s": return .space
        case "S": return ScalarSet.space.negated()
        case "t": return .single("\t")
        case "n": return .single("\n")
        case "r": return .single("\r")
        case "f": return .single("\u{0C}")
        case "v": return .single("\u{0B}")
        default:
            guard scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else {
                throw fail("unsupported escape `\\\(scalar)`\(inClass ? " in a class" : "")", at: index - 2)
            }
            return .single(scalar)
        }
    }

    /// `[…]` after its `[`.
    mutating func characterClass(_ start: Int) throws(TextPatternError) -> ScalarSet {
        var set = ScalarSet(ranges: [])
        if current == "^" {
            set.isNegated = true
            index += 1
        }
        var first = true
        while let scalar = current, scalar != "]" || first {
            first = false
            let itemStart = index
            index += 1
            var low: UInt32
            if scalar == "\\" {
                let escaped = try escape(inClass: true)
                guard escaped.ranges.count == 1, !escaped.isNegated, let only = escaped.ranges.first, only.count == 1 else {
                    set.ranges += escaped.isNegated ? complement(escaped.ranges) : escaped.ranges
                    continue
                }
                low = only.lowerBound
            } else {
                low = scalar.value
            }
            if current == "-", index + 1 < end, scalars[index + 1] != "]" {
                index += 1
                guard let upperScalar = current else { break }
                index += 1
                var high = upperScalar.value
                if upperScalar == "\\" {
                    let escaped = try escape(inClass: true)
                    guard escaped.ranges.count == 1, let only = escaped.ranges.first, only.count == 1, !escaped.isNegated else {
                        throw fail("a range cannot end in a class escape", at: itemStart)
                    }
                    high = only.lowerBound
                }
                guard low <= high else { throw fail("range out of order in a class", at: itemStart) }
                set.ranges.append(low...high)
            } else {
                set.ranges.append(low...low)
            }
        }
        guard current == "]" else { throw fail("missing `]`", at: start) }
        index += 1
        return set
    }

    /// The scalars outside some ranges (for `[\D]` and the like).
    func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = max(next, range.upperBound + 1)
        }
        if next <= 0x10FFFF { result.append(next...0x10FFFF) }
        return result
    }
}
