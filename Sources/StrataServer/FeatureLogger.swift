import Foundation
import StrataOffline
import Logging
import NIOPosix
import ServiceLifecycle
import Strata
import StrataCore
import Synchronization

/// Feature logging off the request path: requests `offer` records to a bounded buffer and never wait;
/// a background service drains it into SQLite in batches, on the server's blocking pool (never on the cooperative
/// pool). When the buffer is full the record is dropped and counted.
final class FeatureLogger: Service, Sendable {
    private struct State {
        var buffer: [FeatureLogRecord] = []
        var isClosed = false
        var dropped = 0
        var written = 0
    }

    private let state = Mutex(State())
    let capacity: Int
    let store: FeatureLogStore
    let pool: NIOThreadPool
    let logger: Logger

    /// Buffers records for `store`, the feature store's own handle to the log (`FeatureStore.featureLog()`).
    init(store: FeatureLogStore, capacity: Int, pool: NIOThreadPool, logger: Logger) {
        self.capacity = capacity
        self.pool = pool
        self.logger = logger
        self.store = store
    }

    /// Adds a record if there is room; never blocks. Returns false when it was dropped.
    @discardableResult
    func offer(_ record: FeatureLogRecord) -> Bool {
        state.withLock { state in
            guard !state.isClosed, state.buffer.count < capacity else {
                state.dropped += 1
                return false
            }
            state.buffer.append(record)
            return true
        }
    }

    var counts: (written: Int, dropped: Int) {
        state.withLock { ($0.written, $0.dropped) }
    }

    /// Drains every 50 ms until graceful shutdown, then flushes what is left.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.pool.runIfActive { self.flush() }
                    try await Task.sleep(for: .milliseconds(50))
                } catch {
                    break
                }
            }
        }
        state.withLock { $0.isClosed = true }
        flush()
    }

    /// Writes everything buffered now, in one transaction (blocking: call it off the cooperative pool).
    func flush() {
        let batch = state.withLock { state in
            defer { state.buffer.removeAll(keepingCapacity: true) }
            return state.buffer
        }
        guard !batch.isEmpty else { return }
        do {
            try store.append(batch)
            state.withLock { $0.written += batch.count }
        } catch {
            state.withLock { $0.dropped += batch.count }
            logger.error("feature log write failed; \(batch.count) records dropped: \(String(reflecting: error))")
        }
    }
}
