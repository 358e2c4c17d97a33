import Foundation
import Hummingbird
public import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
public import Strata
import StrataCore
import Synchronization

/// The HTTP feature server: Feast-compatible online API, a native row-major API, push, registry listings,
/// health, readiness, Prometheus metrics and an OpenAPI document. It reads the project's LMDB environment in-process,
/// so a materialize or push is visible to the next request.
///
/// Handlers run on Swift's cooperative pool, which has one thread per core: lookups (lock-free LMDB reads) run
/// there, while store writes (push) and the feature-log flush run on `blockingPool`, so a slow write never holds
/// a cooperative thread. At most `pushesInFlightMax` pushes run at once; more get 503 with `Retry-After`.
/// Services with a `monitoring:` block get drift computed on their schedule, and alerts, by `DriftMonitor`.
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
    /// Threads for blocking store work: one per concurrent push, two per training set being built or streamed (the
    /// encoding and its content hash run side by side), one so the feature-log flush never waits, and one for drift
    /// monitoring and alerts.
    let blockingPool: NIOThreadPool
    let pushesInFlight = Atomic<Int>(0)
    let historicalInFlight = Atomic<Int>(0)
    let alerts: AlertSender
    let monitor: DriftMonitor

    public init(store: FeatureStore, configuration: ServerConfiguration, logger: Logger = Logger(label: "strata.server")) throws {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        // One more thread for drift monitoring and alerts, so they never take the log flush's thread.
        blockingPool = NIOThreadPool(numberOfThreads: configuration.pushesInFlightMax + 2 * configuration.historicalInFlightMax + 2)
        featureLog = FeatureLogger(store: try store.featureLog(), capacity: configuration.logQueueCapacity, pool: blockingPool, logger: logger)
        alerts = AlertSender(logger: logger, retryPause: configuration.alertRetryPause)
        monitor = DriftMonitor(store: store, pool: blockingPool, alerts: alerts, metrics: metrics, logger: logger,
                               pollInterval: configuration.monitorPollInterval)
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    /// - Parameter onServerRunning: called with the bound port (useful with port 0).
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        blockingPool.start()
        var app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "strata"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        app.addServices(featureLog, alerts, monitor, RegistryWatcher(store: store, pool: blockingPool, logger: logger),
                        RetentionPruner(store: store, pool: blockingPool, logger: logger, interval: configuration.retentionInterval))
        do {
            try await app.runService()
        } catch {
            try? await blockingPool.shutdownGracefully()
            throw error
        }
        try await blockingPool.shutdownGracefully()
    }

    func makeRouter() -> Router<StrataRequestContext> {
        let router = Router(context: StrataRequestContext.self)
        router.add(middleware: GuardMiddleware(server: self))
        router.get("health") { _, _ in JSONWriter.status("ok") }
        router.get("ready") { [store, logger] _, _ in
            do {
                let snapshot = try store.snapshot()
                // Which revision is served, and whether the registry can be reached (a shared one may be away while the
                // last good revision keeps serving).
                let status = store.registryStatus()
                var json = JSONWriter()
                json.object { o in
                    o.key("status"); o.string("ready")
                    o.key("revision"); o.int(Int64(snapshot.revision))
                    o.key("registry"); o.object { r in
                        r.key("location"); r.string(status.location)
                        r.key("reachable"); r.bool(status.isReachable)
                    }
                }
                return json.response()
            } catch {
                // The client learns what is wrong in a sentence; the log gets the whole chain.
                logger.warning("not ready: \(String(reflecting: error))")
                throw ServerError(status: .serviceUnavailable, code: "not_ready",
                                  message: "the stores cannot serve yet: " + ((error as? any StrataError)?.what ?? "see the server log"), retryAfterSeconds: 1)
            }
        }
        router.get("metrics") { [self] _, _ in
            var buffer = ByteBuffer()
            buffer.writeBytes(try metrics.render(store: store, logger: featureLog))
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: buffer))
        }
        router.get("openapi.json") { _, _ in
            var buffer = ByteBuffer()
            buffer.writeString(OpenAPIDocument.json)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        router.post("get-online-features") { [self] request, context in try getOnlineFeatures(try await body(request, context)) }
        router.post("v1/features") { [self] request, context in try nativeFeatures(try await body(request, context)) }
        router.post("push") { [self] request, context in try await push(try await body(request, context)) }
        addLineageRoutes(to: router)
        addHistoricalRoutes(to: router)
        addRegistryObjectRoutes(to: router)
        addUIRoutes(to: router)
        router.get("registry/{kind}") { [self] _, context in try registryListing(context.parameters.get("kind") ?? "") }
        return router
    }

    /// The request body as a JSON object, at most `bodyBytesMax` bytes.
    ///
    /// A larger body is still read to its end and dropped (up to `drainBytesMax`), and the 413 closes the
    /// connection: clients that send the whole body before reading the answer (urllib, requests, Feast's client)
    /// get the 413 at once instead of hanging. Past `drainBytesMax` the connection's input is closed instead.
    func body(_ request: Request, _ context: StrataRequestContext) async throws -> JSONTree {
        try JSONInput.object(try await bodyBytes(request, context, limit: configuration.bodyBytesMax, setting: "--body-bytes-max"))
    }

    /// The request body's bytes, at most `limit` of them (the 413 names `setting`, the server option that raises it);
    /// larger bodies are drained or cut off as `body` says.
    func bodyBytes(_ request: Request, _ context: StrataRequestContext, limit: Int, setting: String) async throws -> ByteBuffer {
        let drainMax = max(configuration.drainBytesMax, limit)
        let tooLarge = ServerError(status: .contentTooLarge, code: "body_too_large",
                                   message: "the request body exceeds \(limit) bytes; send less, or start the server with a larger \(setting)",
                                   closesConnection: true)
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > drainMax {
            context.channel.close(mode: .input, promise: nil)
            throw tooLarge
        }
        var buffer = ByteBuffer()
        var total = 0
        for try await var part in request.body {
            total += part.readableBytes
            if total <= limit {
                buffer.writeBuffer(&part)
            } else if total > drainMax {
                context.channel.close(mode: .input, promise: nil)
                throw tooLarge
            }
        }
        guard total <= limit else { throw tooLarge }
        return buffer
    }
}

/// The request context: Hummingbird's basic one plus the channel, which the body limit closes.
struct StrataRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Online readers by selection for the registry's current revision and storage catalog. Both are checked on every
/// request, so after an `apply` (or a first ingest that creates a view's storage) the next request uses the new tables;
/// a reader built for an older snapshot is never stored.
final class ReaderCache: Sendable {
    private struct State {
        var stamp = (revision: -1, catalog: Int64(-1))
        var readers: [String: OnlineFeatureReader] = [:]
    }

    private let state = Mutex(State())
    /// Distinct feature lists are client input: past this many, the cache starts over rather than grow.
    static let entriesMax = 1000

    func reader(_ selection: FeatureSelection, store: FeatureStore) throws -> OnlineFeatureReader {
        // A cheap key: describing the enum with string interpolation went through reflection on every request.
        let key: String
        switch selection {
        case .service(let name): key = "service:" + name
        case .references(let list): key = list.map(\.description).joined(separator: ",")
        }
        let snapshot = try store.snapshot()
        let stamp = (revision: snapshot.revision, catalog: snapshot.catalogGeneration)
        if let cached = state.withLock({ $0.stamp == stamp ? $0.readers[key] : nil }) { return cached }
        let reader = try store.onlineReader(selection, snapshot: snapshot)
        state.withLock { state in
            if stamp > state.stamp { state = State(stamp: stamp) }
            guard stamp == state.stamp else { return }
            if state.readers.count >= Self.entriesMax { state.readers.removeAll() }
            state.readers[key] = reader
        }
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
