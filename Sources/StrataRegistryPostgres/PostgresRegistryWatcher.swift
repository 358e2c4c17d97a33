import Logging
import PostgresNIO
public import StrataRegistry

/// How a server hears of changes: `LISTEN strata_registry` on a connection of its own, which every apply and every
/// token change notifies on commit. The connection is pinged every two seconds, so a registry that went away is noticed
/// even when no notification comes; the watcher then reconnects with exponential backoff (100 ms doubling to 5 s) and,
/// once connected, reads the revision again, so nothing applied while it was away is missed.
extension PostgresRegistryStore {
    public func watch(_ handler: @escaping @Sendable (RegistryEvent) -> Void) async {
        var pause: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                try await listenOnce(handler) { pause = .milliseconds(100) }
                handler(.unreachable("the registry closed the connection"))
            } catch is CancellationError {
                return
            } catch {
                handler(.unreachable(Self.describe(error)))
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                return
            }
            pause = min(pause * 2, .seconds(5))
        }
    }

    private func listenOnce(_ handler: @escaping @Sendable (RegistryEvent) -> Void, connected: () -> Void) async throws {
        let connection = try await PostgresConnection.connect(on: Self.eventLoops.next(), configuration: configuration, id: 2, logger: logger)
        do {
            try await connection.listen(on: "strata_registry") { notifications in
                // Read after LISTEN: a revision applied in between is either in this answer or notified afterwards.
                var revision = 0
                for try await row in try await connection.query("SELECT revision FROM registry_state", logger: logger) { revision = try row.decode(Int.self) }
                connected()
                handler(.reachable(revision: revision))
                let logger = self.logger
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await notification in notifications {
                            if notification.payload == "tokens" {
                                handler(.tokens)
                            } else if notification.payload.hasPrefix("revision:"), let next = Int(notification.payload.dropFirst("revision:".count)) {
                                handler(.revision(next))
                            }
                        }
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: .seconds(2))
                            // A ping unanswered in time counts as a lost connection (a half-open socket never fails).
                            try await withThrowingTaskGroup(of: Void.self) { ping in
                                ping.addTask { for try await _ in try await connection.query("SELECT 1", logger: logger) {} }
                                ping.addTask {
                                    try await Task.sleep(for: .seconds(Self.answerTimeoutSeconds))
                                    throw NoAnswer()
                                }
                                try await ping.next()
                                ping.cancelAll()
                            }
                        }
                    }
                    // Whichever ends first (the notifications stop, or a ping fails) ends this connection.
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }
}
