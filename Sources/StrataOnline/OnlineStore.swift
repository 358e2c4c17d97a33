import CLMDB
import Foundation
public import StrataCore

/// How one feature view version is laid out in the online store.
public struct OnlineViewLayout: Sendable, Hashable {
    /// The LMDB database name: one per feature-view version.
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
    public var mapSizeBytes: Int
    public var readersMax: UInt32

    public init(mapSizeBytes: Int = 1 << 30, readersMax: UInt32 = 126) {
        self.mapSizeBytes = mapSizeBytes
        self.readersMax = readersMax
    }
}

/// The LMDB online store: per view version and key tuple, the single best row by the SPEC order.
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
        environment = try LMDBEnvironment(path: path, mapSizeBytes: options.mapSizeBytes, readersMax: options.readersMax)
    }

    public var path: String { environment.path }
    public var mapSizeBytes: Int { environment.mapSizeBytes }

    /// Runs `body` in one write transaction: everything it writes commits together or not at all.
    /// `body` may run more than once (after the map grows), so it must not have other side effects.
    /// The databases of `layouts` are created first: LMDB allows one write transaction at a time.
    public func write<T>(layouts: [OnlineViewLayout], _ body: (OnlineWriteBatch) throws -> T) throws -> T {
        var databases: [String: MDB_dbi] = [:]
        for name in layouts.map(\.databaseName) + [Self.metadataDatabase] {
            if let dbi = try environment.database(name, create: true) { databases[name] = dbi }
        }
        return try environment.write { txn in try body(OnlineWriteBatch(txn: txn, databases: databases)) }
    }

    /// The stored rows for `keys` (nil for a missing key or key tuple), all read in one transaction.
    public func lookup(_ layout: OnlineViewLayout, keys: [KeyTuple?]) throws -> [OnlineRow?] {
        guard let dbi = try environment.database(layout.databaseName, create: false) else { return keys.map { _ in nil } }
        return try environment.read { txn in
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
        guard let dbi = try environment.database(layout.databaseName, create: false) else { return nil }
        let encoded = OnlineKeyEncoding.encode(key)
        return try environment.read { txn in try txn.get(dbi, encoded) { bytes in try Self.decode(bytes, layout) } }
    }

    /// The resolved database of a layout, or nil when nothing was ever materialized for it. Resolving once and reusing the
    /// handle skips the handle cache's lock and name hashing on every lookup (~10% of a single-key lookup, issue 12).
    public func database(_ layout: OnlineViewLayout) throws -> OnlineDatabase? {
        try environment.database(layout.databaseName, create: false).map { OnlineDatabase(dbi: $0, layout: layout) }
    }

    /// Reads `count` keys in one read transaction. `key(i, &buffer)` writes the i-th encoded key into an emptied, reused
    /// buffer (`OnlineKeyEncoding.append`) and returns false when that row has no key; `visit(i, header, values)` gets each
    /// stored row, decoded into a reused buffer that is valid only during the call. Missing keys are not visited.
    /// - Throws: `OnlineStoreError.corruptValue` when a stored value does not decode; LMDB errors.
    public func lookup(_ database: OnlineDatabase, count: Int, key: (Int, inout [UInt8]) -> Bool,
                       visit: (Int, OnlineRowHeader, [Value]) -> Void) throws {
        let layout = database.layout
        var keyBuffer: [UInt8] = []
        keyBuffer.reserveCapacity(32)
        var values: [Value] = []
        values.reserveCapacity(layout.featureTypes.count)
        try environment.read { txn in
            for i in 0..<count {
                keyBuffer.removeAll(keepingCapacity: true)
                guard key(i, &keyBuffer) else { continue }
                let header = try txn.get(database.dbi, keyBuffer) { bytes -> OnlineRowHeader in
                    switch OnlineRowCodec.decode(bytes, expecting: layout.featureTypes, into: &values) {
                    case .failure(let failure): throw OnlineStoreError.corruptValue(view: layout.view, reason: failure.reason)
                    case .success(let header): return header
                    }
                }
                if let header { visit(i, header, values) }
            }
        }
    }

    /// Every stored row of a layout, in key order (for checks and tests).
    public func allRows(_ layout: OnlineViewLayout) throws -> [(key: [UInt8], row: OnlineRow)] {
        guard let dbi = try environment.database(layout.databaseName, create: false) else { return [] }
        return try environment.read { txn in
            var result: [(key: [UInt8], row: OnlineRow)] = []
            try txn.forEach(dbi) { key, value in result.append((Array(key), try Self.decode(value, layout))) }
            return result
        }
    }

    /// A metadata value (e.g. a view's materialization watermark).
    public func metadata(_ key: String) throws -> String? {
        guard let dbi = try environment.database(Self.metadataDatabase, create: false) else { return nil }
        return try environment.read { txn in try txn.get(dbi, Array(key.utf8)) { String(decoding: $0, as: UTF8.self) } }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, _ layout: OnlineViewLayout) throws -> OnlineRow {
        switch OnlineRowCodec.decode(bytes, expecting: layout.featureTypes) {
        case .failure(let failure): throw OnlineStoreError.corruptValue(view: layout.view, reason: failure.reason)
        case .success(let row): return row
        }
    }
}

/// A layout's LMDB database, resolved once (`OnlineStore.database(_:)`); valid for the life of the store.
public struct OnlineDatabase: Sendable {
    let dbi: MDB_dbi
    public let layout: OnlineViewLayout
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
        // A corrupt stored value is replaced rather than trusted.
        let existing = try txn.get(dbi, encodedKey) { bytes in try? OnlineStore.decode(bytes, layout) } ?? nil
        if let existing, !row.isBetter(than: existing) { return false }
        try txn.put(dbi, encodedKey, OnlineRowCodec.encode(row, types: layout.featureTypes))
        return true
    }

    /// Sets a metadata value in the same transaction.
    public func setMetadata(_ key: String, _ value: String) throws {
        try txn.put(try database(OnlineStore.metadataDatabase), Array(key.utf8), Array(value.utf8))
    }

    /// Writes raw bytes under a key (for tests that corrupt values on purpose).
    public func putRaw(_ layout: OnlineViewLayout, key: KeyTuple, bytes: [UInt8]) throws {
        try txn.put(try database(layout.databaseName), OnlineKeyEncoding.encode(key), bytes)
    }
}
