import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Posts JSON alert bodies to webhooks (`http://` or `https://`) with AsyncHTTPClient: every address of the host is
/// tried, TLS is verified, and each exchange has a deadline. A refused connection fails the attempt at once instead of
/// being retried until the deadline: `AlertSender` spaces its own attempts. Owned by `AlertSender.run`, which shuts
/// it down.
struct WebhookClient: Sendable {
    let client: HTTPClient

    init(timeout: TimeAmount = .seconds(5)) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: timeout, read: timeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Sends the request and reads the answer. Returns nil on a 2xx answer, otherwise what went wrong (for the log).
    func post(_ url: String, body: [UInt8], timeout: TimeAmount = .seconds(10)) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "strata-alerts")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            // Read (and drop) the answer, so the connection can be reused.
            _ = try await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code) ? nil : "the webhook answered \(response.status.code)"
        } catch {
            return String(reflecting: error)
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}
