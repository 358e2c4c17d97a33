import Synchronization

/// Limits wrong-token attempts at `/ui/login` per client address: the first `freeFailures` are free, then each
/// further failure makes the client wait twice as long as the last (1 s, 2 s, 4 s, … up to `maxDelaySeconds`) before
/// its next attempt is even checked; until then the server answers 429 with `Retry-After`. A correct token clears
/// the client's record. Guessing a token by brute force becomes impractically slow, while a person who mistypes a
/// few times is not slowed at all.
///
/// ```swift
/// let throttle = LoginThrottle()
/// if let wait = throttle.retryAfter(client: "10.0.0.7", now: now) { /* 429, Retry-After: wait */ }
/// throttle.recordFailure(client: "10.0.0.7", now: now)
/// ```
final class LoginThrottle: Sendable {
    struct Entry {
        var failures: Int
        /// No attempt is checked before this time (seconds, monotonic).
        var blockedUntil: Double
        var lastFailure: Double
    }

    let freeFailures: Int
    let maxDelaySeconds: Double
    /// Clients remembered at most; past it, entries idle for longer than the longest delay are dropped (and if that
    /// is not enough, all of them: the table is bounded whatever the number of addresses an attacker uses).
    static let clientsMax = 10_000
    private let entries = Mutex([String: Entry]())

    init(freeFailures: Int = 5, maxDelaySeconds: Double = 300) {
        self.freeFailures = freeFailures
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// Whole seconds the client must wait before its next attempt, or nil when it may try now.
    func retryAfter(client: String, now: Double) -> Int? {
        entries.withLock { entries in
            guard let entry = entries[client], entry.blockedUntil > now else { return nil }
            return max(1, Int((entry.blockedUntil - now).rounded(.up)))
        }
    }

    /// Counts a wrong token; from the `freeFailures + 1`-th on, the client is blocked for a doubling delay.
    func recordFailure(client: String, now: Double) {
        entries.withLock { entries in
            if entries.count >= Self.clientsMax, entries[client] == nil {
                entries = entries.filter { now - $0.value.lastFailure < maxDelaySeconds }
                if entries.count >= Self.clientsMax { entries.removeAll() }
            }
            var entry = entries[client] ?? Entry(failures: 0, blockedUntil: 0, lastFailure: now)
            // A client that stayed quiet for the longest delay starts over.
            if now - entry.lastFailure > maxDelaySeconds * 2 { entry.failures = 0 }
            entry.failures += 1
            entry.lastFailure = now
            let over = entry.failures - freeFailures
            if over > 0 {
                let delay = min(maxDelaySeconds, Double(1 << min(over - 1, 30)))
                entry.blockedUntil = now + delay
            }
            entries[client] = entry
        }
    }

    /// A correct token: the client's failures are forgotten.
    func recordSuccess(client: String) {
        _ = entries.withLock { $0.removeValue(forKey: client) }
    }
}

extension LoginThrottle {
    /// Clients currently remembered.
    var clientCount: Int { entries.withLock { $0.count } }
}
