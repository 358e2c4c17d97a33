import CLMDB
package import StrataCore
import Synchronization

/// A view's aggregation database, resolved on first use and then read without any lock (like `OnlineViewHandle`).
public final class OnlineAggregationHandle: Sendable {
    public let layout: OnlineAggregationLayout
    /// 0 until resolved (LMDB's own databases take handles 0 and 1).
    let resolved = Atomic<UInt32>(0)

    init(_ layout: OnlineAggregationLayout) {
        self.layout = layout
    }
}

/// The size of a view's aggregation records: what `materialize` reports as online bytes per key.
public struct AggregationStoreStats: Sendable, Codable, Hashable {
    public var keys: Int
    /// The records' own bytes.
    public var valueBytes: Int
    /// The LMDB pages of the database (branch, leaf and overflow), in bytes.
    public var pageBytes: Int
}

extension OnlineStore {
    /// A handle for `layout`'s database in this store.
    public func handle(for layout: OnlineAggregationLayout) -> OnlineAggregationHandle {
        OnlineAggregationHandle(layout)
    }

    /// Runs `body` in one write transaction, after creating the databases of `layouts` and `aggregations`.
    /// `body` may run more than once (after the map grows), so it must not have other side effects.
    public func write<T>(layouts: [OnlineViewLayout], aggregations: [OnlineAggregationLayout], _ body: (OnlineWriteBatch) throws -> T) throws -> T {
        var databases: [String: MDB_dbi] = [:]
        for name in layouts.map(\.databaseName) + aggregations.map(\.databaseName) + [Self.metadataDatabase] {
            databases[name] = try environment.createdDatabase(name)
        }
        return try environment.write { txn in try body(OnlineWriteBatch(txn: txn, databases: databases)) }
    }

    /// Reads the records of `count` keys in one read transaction. `key(i, &buffer)` writes the i-th encoded key into an
    /// emptied, reused buffer and returns false when that row has no key; `visit(i, record)` gets each stored record,
    /// read in place and valid only during the call. Missing keys are not visited.
    /// - Throws: `OnlineStoreError.corruptValue` when a record does not decode; LMDB errors; what `visit` throws.
    package func lookupAggregations(_ handle: OnlineAggregationHandle, count: Int, key: (Int, inout [UInt8]) -> Bool,
                                    visit: (Int, AggregationTileRecordView) throws -> Void) throws {
        guard let dbi = try database(handle) else { return }
        let layout = handle.layout
        var keyBuffer: [UInt8] = []
        keyBuffer.reserveCapacity(32)
        try environment.read { txn in
            for i in 0..<count {
                keyBuffer.removeAll(keepingCapacity: true)
                guard key(i, &keyBuffer) else { continue }
                _ = try txn.get(dbi, keyBuffer) { bytes in
                    let record: AggregationTileRecordView
                    do throws(AggregationDecodingError) {
                        record = try AggregationTileRecordView(bytes, layout: layout)
                    } catch {
                        throw OnlineStoreError.corruptValue(view: layout.view, reason: error.what)
                    }
                    try visit(i, record)
                }
            }
        }
    }

    /// Every stored key of a view's aggregations and the size of its record, in key order, read page by page (`forEachRow`).
    public func aggregationKeys(_ layout: OnlineAggregationLayout) throws -> [(key: [UInt8], valueBytes: Int)] {
        var keys: [(key: [UInt8], valueBytes: Int)] = []
        try forEachKey(database: layout.databaseName) { key, bytes in keys.append((key, bytes)) }
        return keys
    }

    /// How many keys a view's aggregation database holds and how many bytes they take.
    public func aggregationStats(_ layout: OnlineAggregationLayout) throws -> AggregationStoreStats {
        var stats = AggregationStoreStats(keys: 0, valueBytes: 0, pageBytes: 0)
        try forEachKey(database: layout.databaseName) { _, bytes in
            stats.keys += 1
            stats.valueBytes += bytes
        }
        guard let dbi = try environment.existingDatabase(layout.databaseName) else { return stats }
        return try environment.read { txn in
            var stat = MDB_stat()
            try LMDBEnvironment.check(mdb_stat(txn.txn, dbi, &stat), "read the statistics of \(layout.databaseName)", path)
            stats.pageBytes = Int(stat.ms_psize) * (stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages)
            return stats
        }
    }

    private func database(_ handle: OnlineAggregationHandle) throws -> MDB_dbi? {
        let known = handle.resolved.load(ordering: .acquiring)
        if known != 0 { return known }
        guard let dbi = try environment.existingDatabase(handle.layout.databaseName) else { return nil }
        handle.resolved.store(dbi, ordering: .releasing)
        return dbi
    }
}

/// A stored record as the write path finds it.
package enum StoredAggregationRecord {
    case missing
    /// Bytes that do not decode (damaged, or written by another version): rebuild the key from its events.
    case unreadable
    case record(AggregationTileRecord)
}

extension OnlineWriteBatch {
    /// The stored record of one key (an encoded key tuple), decoded for an update.
    package func aggregationRecord(_ layout: OnlineAggregationLayout, key: [UInt8]) throws -> StoredAggregationRecord {
        let dbi = try database(layout.databaseName)
        let found = try txn.get(dbi, key) { bytes -> StoredAggregationRecord in
            do {
                return .record(try AggregationTileRecord(bytes: bytes, layout: layout))
            } catch {
                return .unreadable
            }
        }
        return found ?? .missing
    }

    /// Adds new versions that lie after the stored record's horizon (a source without `id`) to one key's record in place
    /// (`AggregationTileRecord.insertingAfterHorizon`: tiles are copied, not decoded). False, changing nothing, when
    /// there is no record or a version does not lie after its horizon: the caller takes the general path.
    /// - Throws: `AggregationDecodingError` when the stored record is damaged (never silently rebuilt over).
    package func insertAfterHorizon(_ layout: OnlineAggregationLayout, key: [UInt8], events: AggregationEvents) throws -> Bool {
        let dbi = try database(layout.databaseName)
        let updated = try txn.get(dbi, key) { bytes in try AggregationTileRecord.insertingAfterHorizon(bytes, events, layout: layout) }
        guard let bytes = updated ?? nil else { return false }
        try txn.put(dbi, key, bytes)
        return true
    }

    /// Stores one key's record, replacing what was there.
    package func putAggregationRecord(_ layout: OnlineAggregationLayout, key: [UInt8], record: AggregationTileRecord) throws -> Int {
        let bytes = record.bytes(layout: layout)
        try txn.put(try database(layout.databaseName), key, bytes)
        return bytes.count
    }

    /// Every stored key of a view's aggregations, in key order.
    package func aggregationKeys(_ layout: OnlineAggregationLayout) throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        try txn.forEach(try database(layout.databaseName)) { key, _ in keys.append(Array(key)) }
        return keys
    }
}
