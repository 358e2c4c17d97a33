/// A recursive-descent RFC 8259 parser over a byte array; recursion is bounded by `depthMax`, so hostile input
/// cannot exhaust the stack.
struct JSONTreeParser {
    let bytes: [UInt8]
    let depthMax: Int
    var i = 0

    init(bytes: [UInt8], depthMax: Int) {
        self.bytes = bytes
        self.depthMax = depthMax
    }

    var isAtEnd: Bool { i >= bytes.count }

    func failure(_ problem: String, tooDeep: Bool = false) -> JSONTreeError {
        JSONTreeError(offset: i, problem: problem, isTooDeep: tooDeep)
    }

    mutating func skipSpaces() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func value(depth: Int) throws(JSONTreeError) -> JSONTree {
        skipSpaces()
        guard i < bytes.count else { throw failure("the text ends where a value should start") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("unexpected character `\(Unicode.Scalar(bytes[i]))`")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONTreeError) {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { throw failure("expected `\(word)`") }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] { throw failure("expected `\(word)`") }
        i += count
    }

    mutating func object(depth: Int) throws(JSONTreeError) -> JSONTree {
        guard depth <= depthMax else { throw failure("nested more than \(depthMax) levels deep", tooDeep: true) }
        i += 1
        var members: [JSONMember] = []
        skipSpaces()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpaces()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
            let name = try string()
            skipSpaces()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw failure("expected `:` after a member name") }
            i += 1
            members.append(JSONMember(name: name, value: try value(depth: depth)))
            skipSpaces()
            guard i < bytes.count else { throw failure("the text ends inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "}") else { throw failure("expected `,` or `}` in an object") }
            i += 1
            return .object(members)
        }
    }

    mutating func array(depth: Int) throws(JSONTreeError) -> JSONTree {
        guard depth <= depthMax else { throw failure("nested more than \(depthMax) levels deep", tooDeep: true) }
        i += 1
        var items: [JSONTree] = []
        skipSpaces()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            items.append(try value(depth: depth))
            skipSpaces()
            guard i < bytes.count else { throw failure("the text ends inside a list") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "]") else { throw failure("expected `,` or `]` in a list") }
            i += 1
            return .array(items)
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as written.
    mutating func number() throws(JSONTreeError) -> String {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw failure("expected a digit") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { digits() }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw failure("expected a digit after `.`") }
            digits()
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw failure("expected a digit in the exponent") }
            digits()
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func digits() { while i < bytes.count, isDigit(bytes[i]) { i += 1 } }

    /// A quoted string with its escapes resolved; the raw bytes must be valid UTF-8 without control characters.
    mutating func string() throws(JSONTreeError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw failure("the text ends inside a string") }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") { i += 1; break }
            guard byte >= 0x20 else { throw failure("a control character inside a string must be escaped") }
            if byte != UInt8(ascii: "\\") { out.append(byte); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw failure("the text ends inside an escape") }
            let escape = bytes[i]
            i += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"): out.append(contentsOf: String(try unicodeEscape()).utf8)
            default: throw failure("unknown escape `\\\(Unicode.Scalar(escape))`")
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw failure("a string is not valid UTF-8") }
        return text
    }

    /// `\uXXXX` (the `\u` already read), joining a surrogate pair into one scalar.
    mutating func unicodeEscape() throws(JSONTreeError) -> Unicode.Scalar {
        let high = try hex4()
        if (0xD800...0xDBFF).contains(high) {
            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                throw failure("a high surrogate escape must be followed by a low one")
            }
            i += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low), let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) else {
                throw failure("an invalid surrogate pair")
            }
            return scalar
        }
        guard let scalar = Unicode.Scalar(high) else { throw failure("a lone low surrogate escape") }
        return scalar
    }

    mutating func hex4() throws(JSONTreeError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw failure("expected four hex digits after `\\u`") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Self.hexValue(bytes[i]) else { throw failure("expected four hex digits after `\\u`") }
            value = value << 4 | digit
            i += 1
        }
        return value
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
