// The web UI's HTTP helpers as pure functions: form and query decoding, the sign-in redirect target (never outside
// /ui), and the session cookie value. (The routes themselves run against a real server in python/tests/test_ui.py.)
@testable import StrataServer
import Testing

@Suite struct UIRouteHelperTests {
    @Test("form bodies and queries decode + as space and %XX as bytes (Hummingbird's decoder); malformed ones are a 400")
    func formDecoding() throws {
        #expect(try UIForm.decode("token=a+b%2Bc&next=%2Fui%2Fregistry%3Fq%3D%C3%A9") == ["token": "a b+c", "next": "/ui/registry?q=é"])
        #expect(try UIForm.decode("service=driver_activity&key.driver_id=1024") == ["service": "driver_activity", "key.driver_id": "1024"])
        #expect(try UIForm.decode("") == [:])
        for malformed in ["a=%zz", "x=1&x=2"] {
            #expect(throws: ServerError.self, "\(malformed)") { try UIForm.decode(malformed) }
        }
        #expect(UIForm.percentDecode(UIForm.percentEncode("/ui/registry?q=a b&kind=é")) == "/ui/registry?q=a b&kind=é")
    }

    @Test("after signing in, only a path inside /ui is a redirect target", arguments: [
        ("/ui/registry?q=x", "/ui/registry?q=x"), ("/ui", "/ui"), ("https://evil.example/", "/ui"), ("//evil.example/ui", "/ui"),
        ("/uix", "/ui"), ("/ui/..//evil", "/ui"), ("/ui\\evil", "/ui"), ("", "/ui"),
    ])
    func safeNext(given: String, expected: String) {
        #expect(FeatureServer.safeNext(given) == expected)
    }

    @Test("the session cookie is a hash of the token, stable per token and never the token itself")
    func sessionValue() {
        let value = FeatureServer.sessionValue("s3cret")
        #expect(value == FeatureServer.sessionValue("s3cret"))
        #expect(value != FeatureServer.sessionValue("s3cret2"))
        #expect(!value.contains("s3cret") && value.count == 64)
    }
}
