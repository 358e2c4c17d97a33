import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Sends alerts (JSON POSTs to webhooks) off the request path: producers `offer` and never wait; this service
/// delivers them one by one (`WebhookClient`, non-blocking), each with at most `attemptsMax` attempts spaced by a
/// doubling pause. Failures are logged and counted; a full queue drops the alert (and counts it).
final class AlertSender: Service, Sendable {
    struct Alert: Sendable {
        var webhook: String
        var body: [UInt8]
        /// For the log: what the alert is about.
        var summary: String
    }

    private struct State {
        var pending: [Alert] = []
        var sent = 0
        var failed = 0
    }

    private let state = Mutex(State())
    let logger: Logger
    static let queueMax = 1000
    static let attemptsMax = 3
    /// The pause after the first failed attempt; it doubles after each.
    let retryPause: Duration

    init(logger: Logger, retryPause: Duration = .milliseconds(500)) {
        self.logger = logger
        self.retryPause = retryPause
    }

    /// Queues an alert; never blocks. Returns false when the queue was full and the alert was dropped.
    @discardableResult
    func offer(_ alert: Alert) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard state.pending.count < Self.queueMax else {
                state.failed += 1
                return false
            }
            state.pending.append(alert)
            return true
        }
        if !accepted { logger.error("alert queue full; dropped the alert: \(alert.summary)") }
        return accepted
    }

    /// Alerts delivered, and alerts given up (after every attempt failed, or dropped).
    var counts: (sent: Int, failed: Int) { state.withLock { ($0.sent, $0.failed) } }

    func run() async throws {
        let client = WebhookClient()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let batch = self.state.withLock { state in
                    defer { state.pending.removeAll(keepingCapacity: true) }
                    return state.pending
                }
                for alert in batch { await self.deliver(alert, client) }
                do { try await Task.sleep(for: .milliseconds(100)) } catch { break }
            }
        }
        await client.shutdown()
    }

    private func deliver(_ alert: Alert, _ client: WebhookClient) async {
        var pause = retryPause
        for attempt in 1...Self.attemptsMax {
            guard let problem = await client.post(alert.webhook, body: alert.body) else {
                state.withLock { $0.sent += 1 }
                return
            }
            logger.warning("alert to \(alert.webhook) failed (attempt \(attempt) of \(Self.attemptsMax)): \(problem)")
            if attempt == Self.attemptsMax || Task.isCancelled { break }
            try? await Task.sleep(for: pause)
            pause *= 2
        }
        state.withLock { $0.failed += 1 }
        logger.error("alert given up after \(Self.attemptsMax) attempts: \(alert.summary)")
    }
}
