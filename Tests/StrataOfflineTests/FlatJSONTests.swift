// The feature log's flat JSON reader: scalars, escapes and surrogate pairs decode exactly; anything else is refused.
// Table-driven against the texts the log writer produces.
import StrataCore
@testable import StrataOffline
import Testing

@Suite struct FlatJSONTests {
    @Test("arrays of scalars decode to typed values")
    func arrays() {
        #expect(FlatJSON.array(#"[1, -2.5, "a\"b\\c\n", true, false, null, 1e3, "\u00e9\ud83d\ude42"]"#) ==
                [.int(1), .float(-2.5), .string("a\"b\\c\n"), .bool(true), .bool(false), .null, .float(1000), .string("é🙂")])
        #expect(FlatJSON.array("[]") == [])
    }

    @Test("objects keep their pairs in order")
    func objects() {
        let pairs = FlatJSON.object(#"{"driver_id": 7, "city": "São Paulo"}"#)
        #expect(pairs?.map(\.0) == ["driver_id", "city"])
        #expect(pairs?.map(\.1) == [.int(7), .string("São Paulo")])
    }

    @Test("malformed or nested text is refused", arguments: ["[1,", "[[1]]", "{\"a\": {}}", "nope", "[1 2]", "{\"a\" 1}", "[\"open]", "[1] junk", "{\"a\": 1} {"])
    func refused(text: String) {
        #expect(FlatJSON.array(text) == nil && FlatJSON.object(text) == nil)
    }
}

@Suite struct FlatJSONRoundTripTests {
    @Test("what the log writes, it reads back")
    func roundTrip() {
        let values: [Value] = [.int(-3), .float(0.25), .string("q\"\\\n\u{1}é"), .bool(true), .null]
        #expect(FlatJSON.array(FlatJSON.encode(values)) == values)
        let pairs: [(String, Value)] = [("driver_id", .int(1)), ("city", .string("Zürich"))]
        #expect(FlatJSON.object(FlatJSON.encode(pairs))?.map(\.1) == pairs.map(\.1))
    }
}
