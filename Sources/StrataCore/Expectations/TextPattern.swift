/// A regular expression for the `matches` expectation, matched against a whole value in time linear in its length.
///
/// The dialect is a subset of POSIX ERE / RE2 over Unicode scalars: literals; `.` (any scalar, newline included);
/// classes `[abc]`, `[a-z0-9_]`, `[^…]`; escapes `\d \D \w \W \s \S` (ASCII digits, word characters `[A-Za-z0-9_]`,
/// whitespace `[ \t\n\r\f\v]`), `\t \n \r \f \v`, and `\` before any other punctuation for itself; groups `(…)`
/// and `(?:…)`; alternation `|`; quantifiers `* + ? {n} {n,} {n,m}` (a trailing `?`, for laziness, is accepted and
/// changes nothing when only the whole value is tested). The pattern must match the entire value, as if written
/// `^(…)$`; a leading `^` and a trailing `$` are accepted and redundant. There are no backreferences, lookaround,
/// flags or Unicode properties: a pattern using them is refused when definitions are loaded.
///
/// The pattern is compiled to a Glushkov automaton (one state per character position, at most 256) and run
/// bit-parallel: one pass over the scalars, no backtracking, so no pattern can take exponential time. Foundation's
/// `NSRegularExpression` and Swift's `Regex` both took about 4 µs per short value on this machine, more than a
/// whole row's ingest; this takes tens of nanoseconds.
///
/// ```swift
/// let code = try TextPattern("[A-Z]{2}-\\d+")
/// code.matches("PT-42")    // true
/// code.matches("PT-42x")   // false: the whole value must match
/// ```
public struct TextPattern: Sendable, Hashable, CustomStringConvertible {
    /// Character positions a pattern may have after `{n,m}` repetitions are expanded.
    public static let positionsMax = 256

    public let source: String
    let engine: PatternEngine

    /// Compiles a pattern.
    ///
    /// - Throws: `TextPatternError` naming the problem and its offset (in Unicode scalars).
    public init(_ source: String) throws(TextPatternError) {
        self.source = source
        var parser = TextPatternParser(Array(source.unicodeScalars))
        let tree = try parser.parse()
        engine = PatternEngine(try GlushkovAutomaton(tree))
    }

    /// True when the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        if let small = engine.small, let answer = small.matchesASCII(text) { return answer }
        return engine.automaton.matches(text.unicodeScalars)
    }

    public var description: String { source }

    public static func == (lhs: TextPattern, rhs: TextPattern) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// The compiled automata, shared by every copy of a pattern so that copying one costs a single retain.
final class PatternEngine: Sendable {
    let automaton: GlushkovAutomaton
    let small: SmallGlushkovAutomaton?

    init(_ automaton: GlushkovAutomaton) {
        self.automaton = automaton
        small = SmallGlushkovAutomaton(automaton)
    }
}

/// Why a pattern could not be compiled.
public struct TextPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    /// 0-based offset in Unicode scalars.
    public var offset: Int

    public var description: String { "\(reason) at offset \(offset)" }
}

/// A set of Unicode scalars: inclusive ranges, possibly negated.
struct ScalarSet: Sendable, Hashable {
    var ranges: [ClosedRange<UInt32>]
    var isNegated = false

    static let any = ScalarSet(ranges: [0...0x10FFFF])
    static let digits = ScalarSet(ranges: [0x30...0x39])
    static let word = ScalarSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    static let space = ScalarSet(ranges: [0x09...0x0D, 0x20...0x20])

    static func single(_ scalar: Unicode.Scalar) -> ScalarSet { ScalarSet(ranges: [scalar.value...scalar.value]) }

    func contains(_ value: UInt32) -> Bool {
        ranges.contains { $0.contains(value) } != isNegated
    }

    func negated() -> ScalarSet {
        var copy = self
        copy.isNegated.toggle()
        return copy
    }
}

/// The parsed form of a pattern.
indirect enum PatternTree: Sendable, Hashable {
    case empty
    case scalars(ScalarSet)
    case concatenation([PatternTree])
    case alternation([PatternTree])
    case zeroOrMore(PatternTree)
    case oneOrMore(PatternTree)
    case optional(PatternTree)
}
