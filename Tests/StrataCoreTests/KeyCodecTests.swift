// The shared key codec (issue 22, items 1 and 2): exact integer reading from number text, the JSON tree it reads
// from, typed key rows from flags and JSON, and the injective text form of an entity key. Tables of cases, no I/O.
import StrataCore
import Testing

@Suite struct KeyCodecTests {
    static let codec = KeyCodec(keys: [JoinKey.int("driver_id"), JoinKey.string("city")])

    @Test("number text is read as an int64 exactly, never through a Double", arguments: [
        ("9007199254740993", ExactInteger.integer(9_007_199_254_740_993)), ("-9223372036854775808", .integer(Int64.min)),
        ("9223372036854775807", .integer(Int64.max)), ("9223372036854775808", .outOfRange), ("-9223372036854775809", .outOfRange),
        ("1679.0", .integer(1679)), ("1.679e3", .integer(1679)), ("16790e-1", .integer(1679)), ("2.5", .fractional), ("1e-400", .fractional),
        ("0.000", .integer(0)), ("-0", .integer(0)), ("1e19", .outOfRange), ("9.223372036854775807e18", .integer(Int64.max)),
        ("1e100000000000", .outOfRange), ("0e100000000000", .integer(0)), ("true", .notANumber), ("", .notANumber), ("1.", .notANumber),
        ("0x10", .notANumber), ("1e", .notANumber), ("--1", .notANumber), ("12a", .notANumber),
    ])
    func exactIntegers(text: String, expected: ExactInteger) {
        #expect(ExactInteger.read(text) == expected, "\(text)")
    }

    @Test("JSON values become key parts by the key's type; everything else is refused by name", arguments: [
        (#"9007199254740993"#, "driver_id", "9007199254740993"), (#"1679.0"#, "driver_id", "1679"), (#""Porto""#, "city", "Porto"),
        (#"true"#, "driver_id", "`driver_id` must be an int64 integer, got true"), (#""7""#, "driver_id", "`driver_id` must be an int64 integer, got a string"),
        (#"2.5"#, "driver_id", "`driver_id` must be an int64 integer, got 2.5, which has a fractional part"),
        (#"7"#, "city", "`city` must be a string, got the number 7"), (#"1"#, "rider_id", "`rider_id` is not a join key of these features (keys: driver_id, city)"),
    ])
    func jsonParts(json: String, key: String, expected: String) throws {
        let tree = try JSONTree.parse(Array(json.utf8))
        do {
            let part = try Self.codec.part(tree, key: key)
            #expect(part?.description == expected)
        } catch {
            #expect(error.what == expected)
        }
    }

    @Test("--key text: assignments, or a JSON object for string values with `,` or `=`")
    func textRows() throws {
        #expect(try Self.codec.row(text: "driver_id=-9223372036854775808,city=Porto") == ["driver_id": .int(Int64.min), "city": .string("Porto")])
        #expect(try Self.codec.row(text: #"{"city": "a,b=c", "driver_id": 7}"#) == ["driver_id": .int(7), "city": .string("a,b=c")])
        #expect(try Self.codec.row(text: "city=a=b") == ["city": .string("a=b")])
        #expect(throws: KeyCodecError.self) { try Self.codec.row(text: "driver_id=true") }
        #expect(throws: KeyCodecError.self) { try Self.codec.row(text: "driver_id") }
        #expect(throws: KeyCodecError.self) { try Self.codec.row(text: #"{"driver_id": 1.5}"#) }
    }

    @Test("an entity key's text is injective: keys holding `,` `=` `\"` or digits-as-text round-trip and never collide")
    func injectiveText() throws {
        let keys: [EntityKey] = [
            EntityKey(["city": .string("a,b=c")]), EntityKey(["city": .string("a"), "b": .string("c")]), EntityKey(["city": .string("a,b"), "x": .string("c")]),
            EntityKey(["city": .string("1")]), EntityKey(["city": .int(1)]), EntityKey(["city": .string("\"q\"\\\n")]), EntityKey(["city": .string("")]),
            EntityKey(["driver_id": .int(Int64.min), "city": .string("=")]),
        ]
        #expect(Set(keys.map(\.encoded)).count == keys.count)
        for key in keys { #expect(try EntityKey(encoded: key.encoded) == key, "\(key.encoded)") }
        #expect(EntityKey(["city": .string("a,b=c"), "driver_id": .int(7)]).description == #"city="a,b=c",driver_id=7"#)
    }

    @Test("a JSON tree keeps number text and refuses what is not JSON", arguments: [
        "{", "[1,]", #"{"a" 1}"#, "01", "1.", "-", "tru", #""\x""#, "\"\u{01}\"", "[1] 2", #""\ud800""#,
    ])
    func malformedJSON(text: String) {
        #expect(throws: JSONTreeError.self) { try JSONTree.parse(Array(text.utf8)) }
    }

    @Test("nesting past the limit is refused as too deep")
    func depth() throws {
        #expect(try JSONTree.parse(Array((String(repeating: "[", count: 3) + String(repeating: "]", count: 3)).utf8), depthMax: 3) == .array([.array([.array([])])]))
        do {
            _ = try JSONTree.parse(Array((String(repeating: "[", count: 4) + String(repeating: "]", count: 4)).utf8), depthMax: 3)
            Issue.record("four levels parsed with a limit of three")
        } catch {
            #expect(error.isTooDeep)
        }
        let tree = try JSONTree.parse(Array(#"{"a": [9007199254740993, "x\u00e9\ud83d\ude00", null, true], "a": 2}"#.utf8))
        #expect(tree["a"] == .number("2"))
        #expect(tree.members?.count == 1)
        let first = try JSONTree.parse(Array(#"[9007199254740993, "x\u00e9\ud83d\ude00"]"#.utf8))
        #expect(first == .array([.number("9007199254740993"), .string("xé😀")]))
    }
}

extension JoinKey {
    static func int(_ name: String) -> JoinKey { JoinKey.decoded(name, .int64) }
    static func string(_ name: String) -> JoinKey { JoinKey.decoded(name, .string) }

    /// Join keys have no public initializer; `KeyCodec(types:)` builds them.
    static func decoded(_ name: String, _ type: ValueType) -> JoinKey {
        KeyCodec(types: [name: type]).keys[0]
    }
}
