/// The one reader of entity key values, typed by the join keys: the CLI's `--key`, the online HTTP routes, `/push`,
/// the web UI's lookup page and the checker all go through it, so a key means the same thing everywhere.
///
/// int64 keys are read from the number's text exactly (`9007199254740993` works; `1679.0` is 1679); booleans,
/// strings and numbers with a fractional part are refused. string keys take strings only.
///
/// ```swift
/// let codec = KeyCodec(keys: [JoinKey(name: "driver_id", type: .int64)])
/// try codec.row(text: "driver_id=1001")                          // ["driver_id": .int(1001)]
/// try codec.part(.number("9007199254740993"), key: "driver_id")  // .int(9007199254740993)
/// try codec.part(.bool(true), key: "driver_id")                  // throws: must be an int64 integer, got true
/// ```
public struct KeyCodec: Sendable {
    /// The join keys in their declared order.
    public let keys: [JoinKey]
    let types: [String: ValueType]

    public init(keys: [JoinKey]) {
        self.keys = keys
        types = Dictionary(keys.map { ($0.name, $0.type) }) { first, _ in first }
    }

    /// A codec for keys known only by name and type; their order is by name.
    public init(types: [String: ValueType]) {
        self.init(keys: types.sorted { $0.key < $1.key }.map { JoinKey(name: $0.key, type: $0.value) })
    }

    /// A codec for the keys `names` (in that order) typed by `types`, as an online reader describes its keys; a name
    /// without a type is left out.
    public init(names: [String], types: [String: ValueType]) {
        self.init(keys: names.compactMap { name in types[name].map { JoinKey(name: name, type: $0) } })
    }

    public var names: [String] { keys.map(\.name) }

    /// A JSON value as a part of key `name`; nil for JSON null (a row without that key is `not_found`).
    /// - Throws: `KeyCodecError` (`.unknownKey`, or `.badType` naming what was sent and what is expected).
    public func part(_ value: JSONTree, key name: String, at place: String? = nil) throws(KeyCodecError) -> KeyPart? {
        let type = try type(of: name, at: place)
        switch (value, type) {
        case (.null, _): return nil
        case (.string(let text), .string): return .string(text)
        case (.number(let text), .int64): return try integer(text, key: name, at: place)
        case (_, .string): throw badType(name, at: place, expected: "a string", got: value.kindDescription)
        default: throw badType(name, at: place, expected: "an int64 integer", got: value.kindDescription)
        }
    }

    /// Text typed by a person (a flag, a form field) as a part of key `name`; an int64 key's text may have spaces around it.
    /// - Throws: `KeyCodecError` (`.unknownKey`, or `.badType` when an int64 key's text is not an integer).
    public func part(text: String, key name: String, at place: String? = nil) throws(KeyCodecError) -> KeyPart {
        switch try type(of: name, at: place) {
        case .string: return .string(text)
        default:
            let trimmed = text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
            return try integer(String(trimmed), key: name, at: place)
        }
    }

    /// A JSON object of key name → value as one entity row; null values leave the key out.
    /// - Throws: `KeyCodecError` for a value that is not an object, an unknown name or a value of the wrong type.
    public func row(_ object: JSONTree, at place: String? = nil) throws(KeyCodecError) -> [String: KeyPart] {
        guard let members = object.members else {
            throw KeyCodecError(code: .badSyntax, what: "\(Self.prefix(place))an entity row must be an object like {\"\(names.first ?? "key")\": …}, got \(object.kindDescription)")
        }
        var row: [String: KeyPart] = [:]
        for member in members {
            if let part = try part(member.value, key: member.name, at: place) { row[member.name] = part }
        }
        return row
    }

    /// `name=value[,name=value]`, or a JSON object `{"name": value}` for string values that hold `,` or `=`.
    /// - Throws: `KeyCodecError` for a malformed assignment, an unknown name or a value of the wrong type.
    public func row(text: String) throws(KeyCodecError) -> [String: KeyPart] {
        if text.first == "{" {
            let tree: JSONTree
            do { tree = try JSONTree.parse(Array(text.utf8), depthMax: 2) } catch {
                throw KeyCodecError(code: .badSyntax, what: "the key `\(text)` is not a JSON object: \(error.what)")
            }
            return try row(tree, at: "the key `\(text)`")
        }
        var row: [String: KeyPart] = [:]
        for assignment in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2, !pair[0].isEmpty else {
                throw KeyCodecError(code: .badSyntax, what: "the key `\(text)` is not `name=value[,name=value]`",
                                    fix: "write e.g. `\(names.first ?? "driver_id")=1001`, or a JSON object such as `{\"city\": \"a,b\"}` for values with `,` or `=`")
            }
            row[pair[0]] = try part(text: pair[1], key: pair[0], at: "the key `\(text)`")
        }
        return row
    }

    /// An entity key checked against these join keys: every name known, each part of its key's type. A part of
    /// another type (from a report written before keys were typed) is converted when its text fits.
    /// - Throws: `KeyCodecError` for an unknown name or a part that does not fit its key's type.
    public func typed(_ key: EntityKey) throws(KeyCodecError) -> [String: KeyPart] {
        var row: [String: KeyPart] = [:]
        for (name, part) in key.parts {
            switch (part, try type(of: name, at: nil)) {
            case (.string(let text), .int64): row[name] = try integer(text, key: name, at: nil)
            case (.int(let value), .string): row[name] = .string(String(value))
            default: row[name] = part
            }
        }
        return row
    }

    func type(of name: String, at place: String?) throws(KeyCodecError) -> ValueType {
        guard let type = types[name] else {
            throw KeyCodecError(code: .unknownKey, what: "\(Self.prefix(place))`\(name)` is not a join key of these features (keys: \(names.joined(separator: ", ")))")
        }
        return type
    }

    func integer(_ text: String, key name: String, at place: String?) throws(KeyCodecError) -> KeyPart {
        switch ExactInteger.read(text) {
        case .integer(let value): return .int(value)
        case .fractional: throw badType(name, at: place, expected: "an int64 integer", got: "\(text), which has a fractional part")
        case .outOfRange: throw badType(name, at: place, expected: "an int64 integer", got: "\(text), outside -9223372036854775808…9223372036854775807")
        case .notANumber: throw badType(name, at: place, expected: "an int64 integer", got: "`\(text)`")
        }
    }

    func badType(_ name: String, at place: String?, expected: String, got: String) -> KeyCodecError {
        KeyCodecError(code: .badType, what: "\(Self.prefix(place))`\(name)` must be \(expected), got \(got)")
    }

    static func prefix(_ place: String?) -> String { place.map { "\($0): " } ?? "" }
}

/// A key value that does not fit the join keys: an unknown name, the wrong type, or malformed key text.
public struct KeyCodecError: StrataError, Equatable {
    /// What kind of problem; a struct so kinds can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public static let unknownKey = Code(name: "unknown_key")
        public static let badType = Code(name: "bad_key_type")
        public static let badSyntax = Code(name: "bad_key")
        public var description: String { name }
    }

    public var code: Code
    public var what: String
    public var fix: String?
    public var location: SourceLocation? { nil }

    public init(code: Code, what: String, fix: String? = nil) {
        self.code = code
        self.what = what
        self.fix = fix
    }
}
