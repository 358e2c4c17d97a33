/// A parsed JSON document that keeps each number as the text it was written as, so an int64 key such as
/// `9007199254740993` is read exactly instead of through a `Double`, and `true` is never mistaken for `1`.
///
/// ```swift
/// let body = try JSONTree.parse(Array(#"{"driver_id": [9007199254740993]}"#.utf8))
/// body["driver_id"]?.array?.first   // .number("9007199254740993")
/// ```
public enum JSONTree: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's text exactly as written (validated against RFC 8259's grammar).
    case number(String)
    case string(String)
    case array([JSONTree])
    /// Members in document order; a repeated name is looked up as its last occurrence.
    case object([JSONMember])

    /// The member `name` of an object (its last occurrence), nil for other values or a missing name.
    public subscript(name: String) -> JSONTree? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.name == name }?.value
    }

    /// The members of an object with repeated names collapsed to their last value, in first-appearance order.
    public var members: [JSONMember]? {
        guard case .object(let members) = self else { return nil }
        var seen: [String: Int] = [:]
        var result: [JSONMember] = []
        for member in members {
            if let index = seen[member.name] { result[index].value = member.value } else {
                seen[member.name] = result.count
                result.append(member)
            }
        }
        return result
    }

    public var array: [JSONTree]? { if case .array(let items) = self { return items } else { return nil } }
    public var string: String? { if case .string(let text) = self { return text } else { return nil } }
    public var bool: Bool? { if case .bool(let value) = self { return value } else { return nil } }
    public var isNull: Bool { self == .null }

    /// A short name of the value's kind for error messages: `true`, `a string`, `a number`, ….
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return "the number \(text)"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// Parses one JSON value from UTF-8 bytes (surrounding whitespace allowed).
    /// - Throws: `JSONTreeError` naming the byte offset of the first problem, or that nesting exceeds `depthMax`.
    public static func parse(_ bytes: some Collection<UInt8>, depthMax: Int = 64) throws(JSONTreeError) -> JSONTree {
        var parser = JSONTreeParser(bytes: Array(bytes), depthMax: depthMax)
        let value = try parser.value(depth: 0)
        parser.skipSpaces()
        guard parser.isAtEnd else { throw parser.failure("text after the JSON value") }
        return value
    }
}

/// One member of a JSON object.
public struct JSONMember: Sendable, Hashable {
    public var name: String
    public var value: JSONTree

    public init(name: String, value: JSONTree) {
        self.name = name
        self.value = value
    }
}

/// Why a text is not JSON, or is nested too deeply.
public struct JSONTreeError: StrataError, Equatable {
    /// Byte offset of the problem.
    public var offset: Int
    public var problem: String
    /// True when the text is valid so far but nested deeper than allowed.
    public var isTooDeep: Bool

    public var what: String { "not valid JSON at byte \(offset): \(problem)" }
    public var location: SourceLocation? { nil }
    public var fix: String? { isTooDeep ? "send JSON nested less deeply" : "send valid JSON (RFC 8259)" }
}
