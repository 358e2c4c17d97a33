// The OpenAPI document describes the router that serves (issue 22, item 13): every route is in the spec and every spec
// path is routed, with the same methods; the browser UI (`/ui/…`, HTML pages) is outside the API and listed as such.
import Foundation
import Hummingbird
import Strata
@testable import StrataServer
import StrataTestSupport
import Testing

@Suite struct OpenAPIRouterTests {
    /// `METHOD /path` with path parameters written `{name}`, as OpenAPI writes them.
    static func routed(_ server: FeatureServer) -> Set<String> {
        Set(server.makeRouter().routes.map { route in
            let path = route.path.description.split(separator: "/", omittingEmptySubsequences: true).map { part in
                part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
            }
            return "\(route.method) /" + path.joined(separator: "/")
        })
    }

    static func specified() throws -> Set<String> {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return Set(paths.flatMap { path, operations in
            operations.keys.filter { ["get", "post", "put", "delete", "patch", "head"].contains($0) }.map { "\($0.uppercased()) \(path)" }
        })
    }

    @Test("every route but the browser UI's is in the OpenAPI document, and every documented operation is routed")
    func specMatchesRouter() throws {
        let dir = TemporaryDirectory()
        for file in ExampleProject.files() { try dir.write(file.path, file.text) }
        let server = try FeatureServer(store: try FeatureStore(projectPath: dir.path), configuration: ServerConfiguration(port: 0))
        let routes = Self.routed(server).filter { route in !(route.split(separator: " ")[1] == "/ui" || route.split(separator: " ")[1].hasPrefix("/ui/")) }
        let spec = try Self.specified()
        #expect(routes.count >= 14 && routes.contains("POST /get-online-features") && routes.contains("GET /v1/registry/objects/{name}"), "\(routes.sorted())")
        #expect(routes.subtracting(spec).sorted() == [], "routed but not documented")
        #expect(spec.subtracting(routes).sorted() == [], "documented but not routed")
    }
}

@Suite struct RegistryJSONTests {
    @Test("registry records over HTTP use snake_case keys, exactly as `strata registry describe --json` prints them")
    func snakeCase() async throws {
        let f = ServerFixture()
        try await f.start()
        let (status, text) = try await f.request("GET", "/v1/registry/objects/driver_trips")
        await f.stop()
        #expect(status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object.keys.allSatisfy { $0 == $0.lowercased() }, "\(object.keys.sorted())")
        #expect(object["applied_at_micros"] is NSNumber && object["is_removed"] as? Bool == false)
        let cli = try CLIRunner.run(["registry", "describe", "driver_trips", "--json"], in: f.dir.path)
        let printed = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])
        #expect(Set(printed.keys) == Set(object.keys), "\(cli.stderr)")
    }
}
