public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import StrataCore

/// Posts OpenLineage events to an HTTP endpoint (Marquez and other consumers: `POST /api/v1/lineage`), one event per
/// request, in order. A failed request is retried briefly (connection errors, 429 and 5xx); a 4xx answer is final.
/// The first event that cannot be delivered stops the run, and the error says which one and why.
///
/// ```swift
/// let emitter = try OpenLineageEmitter(url: "http://localhost:5000", token: nil)
/// try await emitter.send(try OpenLineageExport.events(store))
/// ```
public struct OpenLineageEmitter: Sendable {
    public let endpoint: URL
    public let token: String?
    /// Pauses before the second, third, … attempt at one event; one attempt more than there are delays.
    public var retryDelaysMillis: [Int] = [250, 1000]
    public var timeoutSeconds: Double = 10

    /// `url` is the server (`http://host:5000`, to which `/api/v1/lineage` is added) or the full endpoint URL.
    /// - Throws: `OpenLineageEmitError.badURL` for anything but an http or https URL with a host.
    public init(url: String, token: String?) throws(OpenLineageEmitError) {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty else {
            throw .badURL(url)
        }
        if components.path.isEmpty || components.path == "/" { components.path = "/api/v1/lineage" }
        guard let endpoint = components.url else { throw .badURL(url) }
        self.endpoint = endpoint
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Sends every event; returns how many were delivered (all of them, unless it throws).
    /// - Throws: `OpenLineageEmitError.rejected` (the endpoint answered with an error status) or `.unreachable`.
    @discardableResult
    public func send(_ events: [String]) async throws(OpenLineageEmitError) -> Int {
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        for (index, event) in events.enumerated() {
            var request = URLRequest(url: endpoint, timeoutInterval: timeoutSeconds)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            request.httpBody = Data(event.utf8)
            try await deliver(request, session: session, index: index, total: events.count)
        }
        return events.count
    }

    private func deliver(_ request: URLRequest, session: URLSession, index: Int, total: Int) async throws(OpenLineageEmitError) {
        var attempt = 0
        while true {
            attempt += 1
            let isLast = attempt > retryDelaysMillis.count
            do {
                let (body, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(status) { return }
                let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if isLast || !(status == 429 || status >= 500) {
                    throw OpenLineageEmitError.rejected(endpoint: endpoint.absoluteString, event: index + 1, total: total, status: status, body: text, attempts: attempt)
                }
            } catch let error as OpenLineageEmitError {
                throw error
            } catch {
                if isLast {
                    throw .unreachable(endpoint: endpoint.absoluteString, event: index + 1, total: total, reason: error.localizedDescription, attempts: attempt)
                }
            }
            try? await Task.sleep(nanoseconds: UInt64(retryDelaysMillis[attempt - 1]) * 1_000_000)
        }
    }
}

/// Why events could not be sent.
public enum OpenLineageEmitError: StrataError {
    case badURL(String)
    case rejected(endpoint: String, event: Int, total: Int, status: Int, body: String, attempts: Int)
    case unreachable(endpoint: String, event: Int, total: Int, reason: String, attempts: Int)

    public var what: String {
        switch self {
        case .badURL(let url):
            return "`\(url)` is not an http or https URL"
        case .rejected(let endpoint, let event, let total, let status, let body, let attempts):
            return "\(endpoint) answered HTTP \(status) to event \(event) of \(total) (after \(attempts) attempt\(attempts == 1 ? "" : "s"))"
                + (body.isEmpty ? "" : ": \(body)") + "; \(event - 1) sent"
        case .unreachable(let endpoint, let event, let total, let reason, let attempts):
            return "cannot reach \(endpoint) to send event \(event) of \(total) (\(attempts) attempts): \(reason); \(event - 1) sent"
        }
    }

    public var location: SourceLocation? { nil }

    public var fix: String? {
        switch self {
        case .badURL: return "pass the lineage server's URL, e.g. --emit http://localhost:5000"
        case .rejected(_, _, _, let status, _, _) where status == 401 || status == 403:
            return "pass the server's API key with --token or OPENLINEAGE_API_KEY"
        case .rejected: return "check the server's log for why it refused the event; events are sent in order, so re-running resends all"
        case .unreachable: return "check that the lineage server is running and the URL is right"
        }
    }
}
