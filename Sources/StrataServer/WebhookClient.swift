import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Posts one JSON alert body to a webhook (`http://` or `https://`) with AsyncHTTPClient's shared client: every
/// address of the host is tried, TLS is verified, and the whole exchange has a deadline.
enum WebhookClient {
    /// Sends the request and reads the answer. Returns nil on a 2xx answer, otherwise what went wrong (for the log).
    static func post(_ url: String, body: [UInt8], timeout: TimeAmount = .seconds(5)) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "strata-alerts")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            // Read (and drop) the answer, so the connection can be reused.
            _ = try await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code) ? nil : "the webhook answered \(response.status.code)"
        } catch {
            return String(reflecting: error)
        }
    }
}
