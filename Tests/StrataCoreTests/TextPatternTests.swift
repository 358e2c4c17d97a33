// The `matches` pattern dialect: a table of cases, errors with offsets, and agreement with Swift's Regex
// (whole-match) on random patterns and ASCII inputs from a seeded generator.
import StrataTestSupport
import Testing
@testable import StrataCore

@Suite struct TextPatternTests {
    @Test("patterns match whole values", arguments: [
        ("[A-Z]{2}-\\d+", "PT-42", true), ("[A-Z]{2}-\\d+", "PT-42x", false), ("[A-Z]{2}-\\d+", "xPT-42", false),
        ("^lagos|porto$", "porto", true), ("lagos|porto", "lagosporto", false), ("a.c", "a\nc", true), ("a.c", "ac", false),
        ("(ab)*", "", true), ("(ab)*", "abab", true), ("(ab)*", "aba", false), ("(?:ab)+c?", "ababc", true),
        ("\\w+@\\w+\\.com", "me@example.com", true), ("[^\\s]+", "no spaces", false), ("[\\D]+", "abc", true),
        ("x{2,3}", "xx", true), ("x{2,3}", "xxxx", false), ("x{2,}", "xxxxxx", true), ("x{0}", "", true),
        ("[]a]+", "]a]", true), ("[a-]+", "-a-", true), ("\\$\\.\\(", "$.(", true), ("é+", "ééé", true), ("[à-ÿ]", "ö", true),
        ("(ab){40}c?", String(repeating: "ab", count: 40), true), ("(ab){40}", String(repeating: "ab", count: 39), false),
        ("[a-z]{70}é", String(repeating: "x", count: 70) + "é", true),
        ("colou?r", "color", true), ("colou?r", "colour", true), ("a*?b", "aab", true), ("", "", true), ("", "x", false),
    ])
    func cases(pattern: String, text: String, expected: Bool) throws {
        #expect(try TextPattern(pattern).matches(text) == expected)
    }

    @Test("unsupported or malformed patterns are refused with the offset of the problem", arguments: [
        ("[a-z", "missing `]` at offset 0"), ("(ab", "missing `)` at offset 0"), ("ab)", "unmatched `)` at offset 2"),
        ("*a", "nothing to repeat at offset 0"), ("a{3,1}", "bad repetition `{3,1}` at offset 1"), ("a{x}", "bad repetition"),
        ("(?=a)", "only `(?:…)` groups are supported (no lookaround or flags) at offset 0"), ("\\1", "unsupported escape `\\1` at offset 0"),
        ("a^b", "`^` is only allowed at the very start"), ("[z-a]", "range out of order in a class at offset 1"),
        ("a{1000}{2}", "the pattern is too long"), ("\\", "the pattern ends with a lone `\\`"),
    ])
    func errors(pattern: String, message: String) {
        #expect(throws: TextPatternError.self) { try TextPattern(pattern) }
        do {
            _ = try TextPattern(pattern)
        } catch {
            #expect(error.description.hasPrefix(message), "\(error)")
        }
    }

    @Test("a pattern that backtracks exponentially elsewhere runs in one pass")
    func linearTime() throws {
        let pattern = try TextPattern("(a*)*(a|b)*c")
        #expect(!pattern.matches(String(repeating: "a", count: 20_000)))
    }

    /// A random pattern over a tiny alphabet, written in syntax both engines read the same way.
    static func randomPattern(_ depth: Int, _ generator: inout SeededGenerator) -> String {
        let atoms = ["a", "b", ".", "[ab]", "[^a]", "\\d", "\\w", "[a-c0-2]", "1"]
        switch depth <= 0 ? 0 : Int.random(in: 0..<6, using: &generator) {
        case 0, 1: return atoms.randomElement(using: &generator) ?? "a"
        case 2: return randomPattern(depth - 1, &generator) + randomPattern(depth - 1, &generator)
        case 3: return "(" + randomPattern(depth - 1, &generator) + "|" + randomPattern(depth - 1, &generator) + ")"
        case 4: return "(" + randomPattern(depth - 1, &generator) + ")" + (["*", "+", "?", "{1,2}", "{2}"].randomElement(using: &generator) ?? "*")
        default: return "(?:" + randomPattern(depth - 1, &generator) + ")"
        }
    }

    @Test("on random patterns and inputs the engine agrees with Swift's Regex whole-match")
    func agreesWithSwiftRegex() throws {
        var generator = SeededGenerator(seed: propertyTestSeed("text pattern vs Regex"))
        for _ in 0..<300 {
            let source = Self.randomPattern(4, &generator)
            let pattern = try TextPattern(source)
            let regex = try Regex(source)
            for _ in 0..<20 {
                let text = String((0..<Int.random(in: 0..<7, using: &generator)).map { _ in "ab1c2 ".randomElement(using: &generator) ?? "a" })
                let expected = (try? regex.wholeMatch(in: text)) != nil
                #expect(pattern.matches(text) == expected, "`\(source)` on `\(text)`")
            }
        }
    }
}
