import CLMDB
import Foundation
public import StrataCore
import Synchronization

/// How one view's row features are laid out in the online store.
public struct OnlineViewLayout: Sendable, Hashable {
    /// The LMDB database name: the view's feature table, so one per stored feature table (not per registry version).
    public var databaseName: String
    public var view: String
    public var featureNames: [String]
    public var featureTypes: [ValueType]
    public var ttlMicros: Int64?

    public init(databaseName: String, view: String, featureNames: [String], featureTypes: [ValueType], ttlMicros: Int64?) {
        self.databaseName = databaseName
        self.view = view
        self.featureNames = featureNames
        self.featureTypes = featureTypes
        self.ttlMicros = ttlMicros
    }
}

/// Explicit LMDB settings (LMDB's own default map is only 10 MiB).
public struct OnlineStoreOptions: Sendable {
    /// The initial map size (`online.map_size`); the map doubles when a write fills it.
    public var mapSizeBytes: Int
    /// The map never grows past this (`online.map_size_max`).
    public var mapSizeMaxBytes: Int
    public var readersMax: UInt32

    public static let defaultMapSizeBytes = 1 << 30
    public static let defaultMapSizeMaxBytes = 1 << 40

    public init(mapSizeBytes: Int = defaultMapSizeBytes, mapSizeMaxBytes: Int = defaultMapSizeMaxBytes, readersMax: UInt32 = 126) {
        self.mapSizeBytes = mapSizeBytes
        self.mapSizeMaxBytes = mapSizeMaxBytes
        self.readersMax = readersMax
    }
}

/// A view's database, resolved on first use and then read without any lock: lookups through a handle never wait
/// for a writer or for another thread opening a database.
public final class OnlineViewHandle: Sendable {
    public let layout: OnlineViewLayout
    /// 0 until resolved: LMDB's own databases take handles 0 and 1, so a named database never has 0.
    let resolved = Atomic<UInt32>(0)

    init(_ layout: OnlineViewLayout) {
        self.layout = layout
    }
}

/// The LMDB online store: per feature table and key tuple, the single best row by the SPEC order.
///
/// ```swift
/// let online = try OnlineStore(path: ".strata/online", options: .init(mapSizeBytes: 1 << 30))
/// try online.write { batch in try batch.upsert(layout, key: key, row: row) }
/// let rows = try online.lookup(layout, keys: [key])
/// ```
public final class OnlineStore: Sendable {
    let environment: LMDBEnvironment
    static let metadataDatabase = "strata_meta"

    public init(path: String, options: OnlineStoreOptions = .init()) throws(OnlineStoreError) {
        environment = try LMDBEnvironmentTable.acquire(path: path, mapSizeBytes: options.mapSizeBytes, mapSizeMaxBytes: options.mapSizeMaxBytes,
                                                       readersMax: options.readersMax)
    }

    deinit {
        LMDBEnvironmentTable.release(environment)
    }

    public var path: String { environment.path }
    public var mapSizeBytes: Int { environment.mapSizeBytes }
    public var mapSizeMaxBytes: Int { environment.mapSizeMaxBytes }

    /// Runs `body` in one write transaction: everything it writes commits together or not at all.
    /// `body` may run more than once (after the map grows), so it must not have other side effects.
    /// The databases of `layouts` are created first: LMDB allows one write transaction at a time.
    public func write<T>(layouts: [OnlineViewLayout], _ body: (OnlineWriteBatch) throws -> T) throws -> T {
        try write(layouts: layouts, aggregations: [], body)
    }

    /// The stored rows for `keys` (nil for a missing key or key tuple), all read in one transaction.
    public func lookup(_ layout: OnlineViewLayout, keys: [KeyTuple?]) throws -> [OnlineRow?] {
        guard let dbi = try environment.existingDatabase(layout.databaseName) else { return keys.map { _ in nil } }
        return try read(dbi, layout, keys)
    }

    private func read(_ dbi: MDB_dbi, _ layout: OnlineViewLayout, _ keys: [KeyTuple?]) throws -> [OnlineRow?] {
        try environment.read { txn in
            var rows: [OnlineRow?] = []
            rows.reserveCapacity(keys.count)
            for key in keys {
                guard let key else { rows.append(nil); continue }
                rows.append(try txn.get(dbi, OnlineKeyEncoding.encode(key)) { bytes in try Self.decode(bytes, layout) })
            }
            return rows
        }
    }

    /// The stored row for one key: the single-key read path, with no intermediate arrays.
    public func lookup(_ layout: OnlineViewLayout, key: KeyTuple) throws -> OnlineRow? {
        guard let dbi = try environment.existingDatabase(layout.databaseName) else { return nil }
        let encoded = OnlineKeyEncoding.encode(key)
        return try environment.read { txn in try txn.get(dbi, encoded) { bytes in try Self.decode(bytes, layout) } }
    }

    /// A handle for `layout`'s database in this store (valid with this store only).
    public func handle(for layout: OnlineViewLayout) -> OnlineViewHandle {
        OnlineViewHandle(layout)
    }

    /// The stored row for one key through a handle: the hot read path, without locks once the handle is resolved.
    public func lookup(_ handle: OnlineViewHandle, key: KeyTuple) throws -> OnlineRow? {
        guard let dbi = try database(handle) else { return nil }
        let encoded = OnlineKeyEncoding.encode(key)
        return try environment.read { txn in try txn.get(dbi, encoded) { bytes in try Self.decode(bytes, handle.layout) } }
    }

    /// The stored rows for `keys` through a handle, all read in one transaction.
    public func lookup(_ handle: OnlineViewHandle, keys: [KeyTuple?]) throws -> [OnlineRow?] {
        guard let dbi = try database(handle) else { return keys.map { _ in nil } }
        return try read(dbi, handle.layout, keys)
    }

    private func database(_ handle: OnlineViewHandle) throws -> MDB_dbi? {
        let known = handle.resolved.load(ordering: .acquiring)
        if known != 0 { return known }
        guard let dbi = try environment.existingDatabase(handle.layout.databaseName) else { return nil }
        handle.resolved.store(dbi, ordering: .releasing)
        return dbi
    }

    /// Reads `count` keys in one read transaction. `key(i, &buffer)` writes the i-th encoded key into an emptied, reused
    /// buffer (`OnlineKeyEncoding.append`) and returns false when that row has no key; `visit(i, header, values)` gets each
    /// stored row, decoded into a reused buffer that is valid only during the call. Missing keys are not visited.
    /// - Throws: `OnlineStoreError.corruptValue` when a stored value does not decode; LMDB errors.
    public func lookup(_ handle: OnlineViewHandle, count: Int, key: (Int, inout [UInt8]) -> Bool,
                       visit: (Int, OnlineRowHeader, [Value]) -> Void) throws {
        guard let dbi = try database(handle) else { return }
        let layout = handle.layout
        var keyBuffer: [UInt8] = []
        keyBuffer.reserveCapacity(32)
        var values: [Value] = []
        values.reserveCapacity(layout.featureTypes.count)
        try environment.read { txn in
            for i in 0..<count {
                keyBuffer.removeAll(keepingCapacity: true)
                guard key(i, &keyBuffer) else { continue }
                let header = try txn.get(dbi, keyBuffer) { bytes -> OnlineRowHeader in
                    switch OnlineRowCodec.decode(bytes, expecting: layout.featureTypes, into: &values) {
                    case .failure(let failure): throw OnlineStoreError.corruptValue(view: layout.view, reason: failure.reason)
                    case .success(let header): return header
                    }
                }
                if let header { visit(i, header, values) }
            }
        }
    }

    /// A metadata value (e.g. a view's materialization watermark).
    public func metadata(_ key: String) throws -> String? {
        guard let dbi = try environment.existingDatabase(Self.metadataDatabase) else { return nil }
        return try environment.read { txn in try txn.get(dbi, Array(key.utf8)) { String(decoding: $0, as: UTF8.self) } }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, _ layout: OnlineViewLayout) throws -> OnlineRow {
        switch OnlineRowCodec.decode(bytes, expecting: layout.featureTypes) {
        case .failure(let failure): throw OnlineStoreError.corruptValue(view: layout.view, reason: failure.reason)
        case .success(let row): return row
        }
    }
}

/// Writes inside one online write transaction.
public struct OnlineWriteBatch {
    let txn: LMDBTransaction
    let databases: [String: MDB_dbi]

    func database(_ name: String) throws -> MDB_dbi {
        guard let dbi = databases[name] else {
            throw OnlineStoreError.lmdb(operation: "write \(name)", path: txn.environment.path, code: -1, message: "database not prepared for this transaction")
        }
        return dbi
    }

    /// Stores `row` for `key` unless the stored row is at least as good (SPEC order), so out-of-order and
    /// shuffled writes end in the same state. Returns true when it wrote.
    @discardableResult
    public func upsert(_ layout: OnlineViewLayout, key: KeyTuple, row: OnlineRow) throws -> Bool {
        let dbi = try database(layout.databaseName)
        let encodedKey = OnlineKeyEncoding.encode(key)
        // A corrupt stored value is replaced rather than trusted: the new row is the only valid one for the key.
        let existing = try txn.get(dbi, encodedKey) { bytes in OnlineRowCodec.decode(bytes, expecting: layout.featureTypes) }
        if case .success(let stored) = existing, !row.isBetter(than: stored) { return false }
        try txn.put(dbi, encodedKey, OnlineRowCodec.encode(row, types: layout.featureTypes))
        return true
    }

    /// A metadata value as this transaction sees it (a check under the writer lock).
    public func metadata(_ key: String) throws -> String? {
        try txn.get(try database(OnlineStore.metadataDatabase), Array(key.utf8)) { String(decoding: $0, as: UTF8.self) }
    }

    /// Sets a metadata value in the same transaction.
    public func setMetadata(_ key: String, _ value: String) throws {
        try txn.put(try database(OnlineStore.metadataDatabase), Array(key.utf8), Array(value.utf8))
    }

    /// Writes raw bytes under a key (for tests that corrupt values on purpose).
    package func putRaw(_ layout: OnlineViewLayout, key: KeyTuple, bytes: [UInt8]) throws {
        try txn.put(try database(layout.databaseName), OnlineKeyEncoding.encode(key), bytes)
    }
}
