import Foundation
import Synchronization

/// Counts the LMDB transactions open in this process so the map can be resized only when none is
/// (`mdb_env_set_mapsize`: "may only be called if no transactions are active in this process"), without
/// a lock on the read path: entering and leaving are one atomic compare-and-swap and one atomic subtract.
///
/// A resize holds `resizing` for its whole length, closes the gate, waits for the open transactions to finish,
/// resizes, and reopens. A transaction that finds the gate closed blocks on `resizing` (a futex wait, not a sleep
/// loop) and tries again when the resize is over. Callers never resize while they hold a transaction themselves,
/// never open a read transaction inside a write closure, and wait for another process's writer outside the gate
/// (`WriterLock`), so waiting for the count to reach zero always ends, and soon.
final class TransactionGate: Sendable {
    private let state = Atomic<Int>(0)
    private let resizing = Mutex<Void>(())
    /// Set while a resize waits or runs; the remaining bits count open transactions.
    private static let closedBit = 1 << 62

    /// Waits while a resize is under way, then counts one more open transaction.
    func enter() {
        while true {
            let current = state.load(ordering: .acquiring)
            if current & Self.closedBit != 0 {
                resizing.withLock { _ in }
                continue
            }
            if state.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing).exchanged { return }
        }
    }

    /// Counts one transaction less.
    func leave() {
        state.subtract(1, ordering: .releasing)
    }

    /// Runs `body` with no transaction open in the process; transactions that try to begin meanwhile wait for it.
    func whileClosed<T>(_ body: () throws -> T) rethrows -> T {
        try resizing.withLock { _ in
            state.bitwiseOr(Self.closedBit, ordering: .acquiringAndReleasing)
            defer { state.bitwiseAnd(~Self.closedBit, ordering: .releasing) }
            // Only the resizing thread polls, for transactions already open (lookups are microseconds long).
            while state.load(ordering: .acquiring) & ~Self.closedBit != 0 { usleep(50) }
            return try body()
        }
    }
}
