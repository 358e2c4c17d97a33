import Synchronization

/// A count that tasks wait on instead of sleeping: clients `increment()` after each answer, and the test
/// `await answers.reached(answers.count + 8)` to know that eight more requests were answered since.
public final class CountSignal: Sendable {
    private struct Waiter {
        var id: Int
        var target: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private let state = Mutex<(count: Int, nextID: Int, waiters: [Waiter])>((0, 0, []))

    public init() {}

    /// How many times `increment` was called.
    public var count: Int { state.withLock { $0.count } }

    /// Counts one more and wakes the waiters whose target is reached.
    public func increment() {
        let ready = state.withLock { state -> [Waiter] in
            state.count += 1
            let ready = state.waiters.filter { $0.target <= state.count }
            state.waiters.removeAll { $0.target <= state.count }
            return ready
        }
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }

    /// Returns true once the count is at least `target`, or false after `limit` (so a test whose clients all failed
    /// reports it instead of hanging).
    @discardableResult
    public func reached(_ target: Int, within limit: Duration = .seconds(120)) async -> Bool {
        await withCheckedContinuation { continuation in
            let id = state.withLock { state -> Int? in
                if state.count >= target { return nil }
                state.nextID += 1
                state.waiters.append(Waiter(id: state.nextID, target: target, continuation: continuation))
                return state.nextID
            }
            guard let id else { return continuation.resume(returning: true) }
            Task {
                try? await Task.sleep(for: limit)
                let expired = state.withLock { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index)
                }
                expired?.continuation.resume(returning: false)
            }
        }
    }
}
