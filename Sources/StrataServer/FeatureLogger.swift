import Foundation
import StrataOffline
import Logging
import ServiceLifecycle
import Strata
import StrataCore

/// Feature logging off the request path: requests `offer` records to a bounded buffer and never wait;
/// a background service drains it into SQLite in batches. When the buffer is full the record is dropped and counted.
final class FeatureLogger: Service, @unchecked Sendable {
    // `lock` guards `buffer`, `dropped` and `isClosed`; the database queue serialises its own access.
    private let lock = NSLock()
    private var buffer: [FeatureLogRecord] = []
    private var isClosed = false
    private(set) var droppedCount = 0
    private(set) var writtenCount = 0
    let capacity: Int
    let store: FeatureLogStore
    let logger: Logger

    init(path: String, capacity: Int, logger: Logger) throws {
        self.capacity = capacity
        self.logger = logger
        store = try FeatureLogStore(path: path)
    }

    /// Adds a record if there is room; never blocks. Returns false when it was dropped.
    @discardableResult
    func offer(_ record: FeatureLogRecord) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed, buffer.count < capacity else {
            droppedCount += 1
            return false
        }
        buffer.append(record)
        return true
    }

    var counts: (written: Int, dropped: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (writtenCount, droppedCount)
    }

    private func take() -> [FeatureLogRecord] {
        lock.lock()
        defer { lock.unlock() }
        let batch = buffer
        buffer.removeAll(keepingCapacity: true)
        return batch
    }

    /// Drains every 50 ms until graceful shutdown, then flushes what is left.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.flush()
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        lock.withLock { isClosed = true }
        flush()
    }

    /// Writes everything buffered now, in one transaction.
    func flush() {
        let batch = take()
        guard !batch.isEmpty else { return }
        do {
            try store.append(batch)
            lock.lock()
            writtenCount += batch.count
            lock.unlock()
        } catch {
            lock.lock()
            droppedCount += batch.count
            lock.unlock()
            logger.error("feature log write failed; \(batch.count) records dropped: \(error)")
        }
    }
}
