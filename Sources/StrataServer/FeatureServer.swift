import Foundation
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle
public import Strata
import StrataCore

/// The HTTP feature server: Feast-compatible online API, a native row-major API, push, registry listings,
/// health, readiness, Prometheus metrics and an OpenAPI document. It reads the project's LMDB environment in-process,
/// so a materialize or push is visible to the next request.
///
/// ```swift
/// let server = try FeatureServer(store: store, configuration: .init(port: 6566))
/// try await server.run()   // until SIGTERM/SIGINT; in-flight requests finish and the feature log is flushed
/// ```
public final class FeatureServer: Sendable {
    let store: FeatureStore
    let configuration: ServerConfiguration
    let metrics = ServerMetrics()
    let featureLog: FeatureLogger
    let readers = ReaderCache()
    let logger: Logger

    public init(store: FeatureStore, configuration: ServerConfiguration, logger: Logger = Logger(label: "strata.server")) throws {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        featureLog = try FeatureLogger(path: store.folder.featureLogPath, capacity: configuration.logQueueCapacity, logger: logger)
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    /// - Parameter onServerRunning: called with the bound port (useful with port 0).
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "strata"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        app.addServices(featureLog)
        try await app.runService()
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: GuardMiddleware(server: self))
        router.get("health") { _, _ in JSONWriter.status("ok") }
        router.get("ready") { [store] _, _ in
            (try? store.registry.revision()) != nil ? JSONWriter.status("ready") : ServerError(status: .serviceUnavailable, code: "not_ready", message: "the stores are not open").response
        }
        router.get("metrics") { [self] _, _ in
            var buffer = ByteBuffer()
            buffer.writeBytes(metrics.render(store: store, logger: featureLog))
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: buffer))
        }
        router.get("openapi.json") { _, _ in
            var buffer = ByteBuffer()
            buffer.writeString(OpenAPIDocument.json)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        router.post("get-online-features") { [self] request, _ in try await handle(request) { try getOnlineFeatures($0) } }
        router.post("v1/features") { [self] request, _ in try await handle(request) { try nativeFeatures($0) } }
        router.post("push") { [self] request, _ in try await handle(request) { try push($0) } }
        addLineageRoutes(to: router)
        router.get("registry/{kind}") { [self] _, context in
            do { return try registryListing(context.parameters.get("kind") ?? "") } catch let error as ServerError { return error.response }
        }
        return router
    }

    /// Collects a bounded body, parses it, and turns every failure into a JSON error response.
    func handle(_ request: Request, _ body: ([String: Any]) throws -> Response) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: configuration.bodyBytesMax)
        } catch {
            return ServerError(status: .contentTooLarge, code: "body_too_large", message: "the request body exceeds \(configuration.bodyBytesMax) bytes").response
        }
        do {
            return try body(try JSONInput.object(buffer))
        } catch let error as ServerError {
            return error.response
        } catch let error as FeatureStoreError {
            switch error {
            case .unknownService, .unknownView: return ServerError.notFound(error.what, code: "unknown_object").response
            default: return ServerError.badRequest(error.what).response
            }
        } catch let error as Diagnostic {
            return ServerError.badRequest(error.what + (error.fix.map { "; \($0)" } ?? ""), code: "unknown_feature").response
        } catch let error as any StrataError {
            logger.error("request failed: \(error)")
            return ServerError(status: .internalServerError, code: "internal", message: "internal error").response
        }
    }
}

/// Online readers by selection, rebuilt when the registry revision changes (checked at most once a second).
final class ReaderCache: @unchecked Sendable {
    // `lock` guards both dictionaries; readers themselves are immutable and Sendable.
    private let lock = NSLock()
    private var readers: [String: OnlineFeatureReader] = [:]
    private var revision = -1
    private var checkedAt: UInt64 = 0

    func reader(_ selection: FeatureSelection, store: FeatureStore) throws -> OnlineFeatureReader {
        // A cheap key: describing the enum with string interpolation went through reflection on every request.
        let key: String
        switch selection {
        case .service(let name): key = "service:" + name
        case .references(let list): key = list.map(\.description).joined(separator: ",")
        }
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        if now - checkedAt > 1_000_000_000 {
            checkedAt = now
            let current = (try? store.registry.revision()) ?? -1
            if current != revision { readers.removeAll(); revision = current }
        }
        if let cached = readers[key] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let reader = try store.onlineReader(selection)
        lock.lock()
        readers[key] = reader
        lock.unlock()
        return reader
    }
}

extension JSONWriter {
    static func status(_ text: String) -> Response {
        var json = JSONWriter()
        json.object { o in o.key("status"); o.string(text) }
        return json.response()
    }
}
