import Foundation
import Synchronization

/// Counts the LMDB transactions open in this process so the map can be resized only when none is
/// (`mdb_env_set_mapsize`: "may only be called if no transactions are active in this process"), without
/// a lock on the read path: entering and leaving are one atomic compare-and-swap and one atomic subtract.
///
/// A resize closes the gate (new transactions wait), waits for the open ones to finish, resizes, and reopens.
/// Callers never resize while they hold a transaction themselves, and never open a read transaction
/// inside a write closure, so waiting for the count to reach zero always ends.
final class TransactionGate: Sendable {
    private let state = Atomic<Int>(0)
    /// Set while a resize waits or runs; the remaining bits count open transactions.
    private static let closedBit = 1 << 62

    /// Waits while a resize is under way, then counts one more open transaction.
    func enter() {
        while true {
            let current = state.load(ordering: .acquiring)
            if current & Self.closedBit != 0 {
                Self.pause()
                continue
            }
            if state.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing).exchanged { return }
        }
    }

    /// Counts one transaction less.
    func leave() {
        state.subtract(1, ordering: .releasing)
    }

    /// Runs `body` with no transaction open in the process. Only one caller at a time (the environment's resize mutex).
    func whileClosed<T>(_ body: () throws -> T) rethrows -> T {
        state.bitwiseOr(Self.closedBit, ordering: .acquiringAndReleasing)
        defer { state.bitwiseAnd(~Self.closedBit, ordering: .releasing) }
        while state.load(ordering: .acquiring) & ~Self.closedBit != 0 { Self.pause() }
        return try body()
    }

    /// Resizes take microseconds and read transactions are short: a brief sleep beats spinning on two cores.
    private static func pause() {
        usleep(50)
    }
}
