/// An entity's key values by join-key name, as stored and passed between the checker, reports and the web UI.
///
/// Its text form `encoded` is injective: a canonical JSON object with names in order, so `{"city":"a,b"}` and
/// `{"city":"a","b":…}` never collide, and an int64 key `1` differs from a string key `"1"`. `description` renders it
/// for people only (`driver_id=1001,city="a,b"`) and is never parsed back.
///
/// ```swift
/// let key = EntityKey(["driver_id": .int(1001), "city": .string("a,b")])
/// key.encoded                                    // {"city":"a,b","driver_id":1001}
/// try EntityKey(encoded: key.encoded) == key     // true
/// ```
public struct EntityKey: Hashable, Sendable, CustomStringConvertible {
    public var parts: [String: KeyPart]

    public init(_ parts: [String: KeyPart]) {
        self.parts = parts
    }

    /// The parts in name order.
    public var sortedParts: [(name: String, part: KeyPart)] { parts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    /// Canonical JSON: names sorted, int64 parts as numbers, string parts as strings.
    public var encoded: String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, (name, part)) in sortedParts.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            switch part {
            case .int(let value): out.append(contentsOf: String(value).utf8)
            case .string(let text): JSONText.appendString(text, to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads `encoded` back: a JSON object of integers and strings.
    /// - Throws: `KeyCodecError` when the text is not such an object.
    public init(encoded: String) throws(KeyCodecError) {
        let tree: JSONTree
        do { tree = try JSONTree.parse(Array(encoded.utf8), depthMax: 2) } catch {
            throw KeyCodecError(code: .badSyntax, what: "the entity key `\(encoded)` is not a JSON object: \(error.what)")
        }
        guard let members = tree.members else { throw KeyCodecError(code: .badSyntax, what: "the entity key `\(encoded)` is not a JSON object") }
        var parts: [String: KeyPart] = [:]
        for member in members {
            switch member.value {
            case .string(let text): parts[member.name] = .string(text)
            case .number(let text):
                guard case .integer(let value) = ExactInteger.read(text) else {
                    throw KeyCodecError(code: .badType, what: "the entity key `\(encoded)`: `\(member.name)` is not an int64")
                }
                parts[member.name] = .int(value)
            default: throw KeyCodecError(code: .badType, what: "the entity key `\(encoded)`: `\(member.name)` is \(member.value.kindDescription)")
            }
        }
        self.parts = parts
    }

    /// `driver_id=1001,city="a,b"`: for people only; a string part is quoted when it holds `,`, `=`, `"`, spaces or nothing.
    public var description: String {
        sortedParts.map { name, part in
            switch part {
            case .int(let value): return "\(name)=\(value)"
            case .string(let text):
                let isPlain = !text.isEmpty && !text.contains { $0 == "," || $0 == "=" || $0 == "\"" || $0.isWhitespace || $0 == "\\" }
                if isPlain { return "\(name)=\(text)" }
                var out: [UInt8] = []
                JSONText.appendString(text, to: &out)
                return "\(name)=\(String(decoding: out, as: UTF8.self))"
            }
        }.joined(separator: ",")
    }
}

extension EntityKey: Codable {
    struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A JSON object of name → integer or string. Reports written before keys were typed hold `"k=v,k=v"` text; that is
    /// read with integers where the text is one, and the view's join-key types settle it (`KeyCodec.typed`).
    public init(from decoder: any Decoder) throws {
        if let legacy = try? decoder.singleValueContainer().decode(String.self) {
            var parts: [String: KeyPart] = [:]
            for assignment in legacy.split(separator: ",") {
                let pair = assignment.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { continue }
                parts[pair[0]] = Int64(pair[1]).map(KeyPart.int) ?? .string(pair[1])
            }
            self.parts = parts
            return
        }
        let container = try decoder.container(keyedBy: Name.self)
        var parts: [String: KeyPart] = [:]
        for name in container.allKeys {
            if let value = try? container.decode(Int64.self, forKey: name) { parts[name.stringValue] = .int(value) } else {
                parts[name.stringValue] = .string(try container.decode(String.self, forKey: name))
            }
        }
        self.parts = parts
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (name, part) in sortedParts {
            switch part {
            case .int(let value): try container.encode(value, forKey: Name(stringValue: name))
            case .string(let text): try container.encode(text, forKey: Name(stringValue: name))
            }
        }
    }
}
