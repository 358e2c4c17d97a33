import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Strata
import StrataCore
import StrataRegistry

extension FeatureServer {
    /// `GET /v1/registry/objects[?kind=K]` and `GET /v1/registry/objects/{name}[?kind=K&version=N]`: registry objects
    /// with their canonical definitions, the same JSON as `strata registry list --json` and `registry describe --json`
    /// (the Python client reads either). Registry reads are SQLite work, so they run on the blocking pool.
    func addRegistryObjectRoutes(to router: Router<StrataRequestContext>) {
        router.get("v1/registry/objects") { [self] request, _ in
            let kind = try Self.definitionKind(request.uri.queryParameters)
            let objects = try await blockingPool.runIfActive { [store] in try store.registryObjects().filter { kind == nil || $0.kind == kind } }
            return try Self.encoded(objects)
        }
        router.get("v1/registry/objects/{name}") { [self] request, context in
            let name = context.parameters.get("name") ?? ""
            let query = request.uri.queryParameters
            let kind = try Self.definitionKind(query)
            var version: Int?
            if let text = query["version"] {
                guard let number = Int(text), number > 0 else { throw ServerError.badRequest("`version` must be a positive integer, not `\(text)`", code: "bad_option") }
                version = number
            }
            let object = try await blockingPool.runIfActive { [store, version] in try store.registryObject(name: name, kind: kind, version: version) }
            return try Self.encoded(object)
        }
    }

    static func definitionKind(_ query: FlatDictionary<Substring, Substring>) throws -> DefinitionKind? {
        guard let text = query["kind"] else { return nil }
        guard let kind = DefinitionKind(rawValue: String(text)) else {
            throw ServerError.badRequest("`kind` must be entity, source, feature_view or feature_service, not `\(text)`", code: "bad_option")
        }
        return kind
    }

    /// Registry records as `PublicJSON` (snake_case keys, as the CLI prints them; a rare, small answer: the
    /// hand-written `JSONWriter` is for the lookup routes).
    static func encoded(_ value: some Encodable) throws -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(try PublicJSON.encode(value))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
