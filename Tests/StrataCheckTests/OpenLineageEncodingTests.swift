// The small pieces of the OpenLineage export that need no store: JSON text (escaping, member order) and the emitter's
// endpoint rules. Delivery itself is tested against a real HTTP receiver in python/tests/test_openlineage.py.
import Foundation
@testable import StrataCheck
import Testing

@Suite struct OpenLineageEncodingTests {
    @Test("JSON text keeps member order and escapes quotes, backslashes and control characters")
    func jsonText() throws {
        let value = JSONValue.object([("b", .string("say \"hi\"\\ \n\t\u{01} é")), ("a", .array([.int(-3), .bool(true), .object([])]))])
        #expect(value.text == #"{"b":"say \"hi\"\\ \n\t\u0001 é","a":[-3,true,{}]}"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(value.text.utf8)) as? [String: Any])
        #expect(parsed["b"] as? String == "say \"hi\"\\ \n\t\u{01} é")
    }

    @Test("the emitter posts to /api/v1/lineage on a bare server URL, to a full endpoint as given, and refuses other schemes", arguments: [
        ("http://localhost:5000", "http://localhost:5000/api/v1/lineage"),
        ("http://localhost:5000/", "http://localhost:5000/api/v1/lineage"),
        ("https://lineage.example/custom/endpoint", "https://lineage.example/custom/endpoint"),
    ])
    func endpoint(url: String, expected: String) throws {
        #expect(try OpenLineageEmitter(url: url, token: "").endpoint.absoluteString == expected)
        #expect(try OpenLineageEmitter(url: url, token: "").token == nil)
    }

    @Test("a URL that is not http or https with a host is refused", arguments: ["ftp://host/x", "localhost:5000", "http://", "not a url"])
    func badURL(url: String) {
        #expect(throws: OpenLineageEmitError.self) { try OpenLineageEmitter(url: url, token: nil) }
    }
}
