import CLMDB
import Foundation

/// One LMDB environment: transactions scoped in closures, named databases, map growth on `MDB_MAP_FULL`.
///
/// `@unchecked Sendable` because every shared piece is guarded: the environment handle is thread-safe for starting
/// transactions when opened with `MDB_NOTLS` (LMDB docs, "Caveats"), the database-handle cache sits behind `lock`,
/// and `resizeLock` keeps transactions out while the map is resized ("may only be called if no transactions are
/// active in this process", `mdb_env_set_mapsize`). LMDB serialises write transactions itself.
final class LMDBEnvironment: @unchecked Sendable {
    let path: String
    private let env: OpaquePointer
    private let lock = NSLock()
    private var databases: [String: MDB_dbi] = [:]
    private var resizeLock = pthread_rwlock_t()
    private(set) var mapSizeBytes: Int
    /// Growth stops here: a store that needs more is a configuration problem, not something to hide.
    let mapSizeMaxBytes: Int

    init(path: String, mapSizeBytes: Int, mapSizeMaxBytes: Int = 1 << 40, databasesMax: UInt32 = 256, readersMax: UInt32 = 126) throws(OnlineStoreError) {
        self.path = path
        self.mapSizeBytes = mapSizeBytes
        self.mapSizeMaxBytes = mapSizeMaxBytes
        pthread_rwlock_init(&resizeLock, nil)
        var handle: OpaquePointer?
        try Self.check(mdb_env_create(&handle), "create the environment", path)
        guard let handle else { throw .lmdb(operation: "create the environment", path: path, code: -1, message: "no handle") }
        env = handle
        do {
            try Self.check(mdb_env_set_mapsize(env, mapSizeBytes), "set the map size", path)
            try Self.check(mdb_env_set_maxdbs(env, databasesMax), "set the database count", path)
            try Self.check(mdb_env_set_maxreaders(env, readersMax), "set the reader count", path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Self.check(mdb_env_open(env, path, UInt32(MDB_NOTLS) | UInt32(MDB_WRITEMAP), 0o644), "open", path)
        } catch let error as OnlineStoreError {
            mdb_env_close(env)
            throw error
        } catch {
            mdb_env_close(env)
            throw .lmdb(operation: "create \(path)", path: path, code: -1, message: error.localizedDescription)
        }
        // Slots of readers whose process died would otherwise pin old pages forever.
        var dead: Int32 = 0
        mdb_reader_check(env, &dead)
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        self.mapSizeBytes = max(mapSizeBytes, info.me_mapsize)
    }

    deinit {
        mdb_env_close(env)
        pthread_rwlock_destroy(&resizeLock)
    }

    /// Runs `body` in a read-only transaction; nothing read may escape it except copies.
    func read<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        pthread_rwlock_rdlock(&resizeLock)
        defer { pthread_rwlock_unlock(&resizeLock) }
        let txn = try begin(readOnly: true)

        defer { mdb_txn_abort(txn) }

        return try body(LMDBTransaction(txn: txn, environment: self))
    }

    /// Runs `body` in a write transaction that commits on return and aborts on throw. When the map is full the
    /// transaction is rolled back, the map doubled, and `body` run again from the start.
    func write<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        while true {
            do {
                return try writeOnce(body)
            } catch LMDBMapFull.full {
                try grow()
            }
        }
    }

    private func writeOnce<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        pthread_rwlock_rdlock(&resizeLock)
        defer { pthread_rwlock_unlock(&resizeLock) }
        let txn = try begin(readOnly: false)
        let result: T
        do {
            result = try body(LMDBTransaction(txn: txn, environment: self))
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        let code = mdb_txn_commit(txn)
        if code == MDB_MAP_FULL { throw LMDBMapFull.full }
        try Self.check(code, "commit", path)
        return result
    }

    private func grow() throws {
        pthread_rwlock_wrlock(&resizeLock)
        defer { pthread_rwlock_unlock(&resizeLock) }
        let next = mapSizeBytes * 2
        guard next <= mapSizeMaxBytes else { throw OnlineStoreError.mapFull(path: path, mapSizeBytes: mapSizeBytes) }
        try Self.check(mdb_env_set_mapsize(env, next), "grow the map", path)
        mapSizeBytes = next
    }

    private func begin(readOnly: Bool) throws -> OpaquePointer {
        var txn: OpaquePointer?
        var code = mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if code == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size and try again.
            mdb_env_set_mapsize(env, 0)
            code = mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        }
        try Self.check(code, readOnly ? "begin a read transaction" : "begin a write transaction", path)
        guard let txn else { throw OnlineStoreError.lmdb(operation: "begin a transaction", path: path, code: -1, message: "no handle") }
        return txn
    }

    /// The handle of a named database; nil when it does not exist and `create` is false.
    func database(_ name: String, create: Bool) throws -> MDB_dbi? {
        lock.lock()
        defer { lock.unlock() }
        if let dbi = databases[name] { return dbi }
        // Handles opened in a transaction become shared only when it commits, so open them in their own.
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(env, nil, create ? 0 : UInt32(MDB_RDONLY), &txn), "open database \(name)", path)
        guard let txn else { return nil }
        var dbi: MDB_dbi = 0
        let code = mdb_dbi_open(txn, name, create ? UInt32(MDB_CREATE) : 0, &dbi)
        if code == MDB_NOTFOUND {
            mdb_txn_abort(txn)
            return nil
        }
        if code != 0 {
            mdb_txn_abort(txn)
            try Self.check(code, "open database \(name)", path)
        }
        try Self.check(mdb_txn_commit(txn), "open database \(name)", path)
        databases[name] = dbi
        return dbi
    }

    static func check(_ code: Int32, _ operation: String, _ path: String) throws(OnlineStoreError) {
        guard code != 0 else { return }
        if code == MDB_MAP_FULL { throw .mapFull(path: path, mapSizeBytes: 0) }
        throw .lmdb(operation: operation, path: path, code: code, message: String(cString: mdb_strerror(code)))
    }
}

/// Internal signal that a write hit the end of the map; `write` grows and retries.
enum LMDBMapFull: Error { case full }

/// A live transaction. Pointers handed to closures are valid only inside them.
struct LMDBTransaction {
    let txn: OpaquePointer
    let environment: LMDBEnvironment

    /// Calls `body` with the stored bytes for `key`, or returns nil when absent.
    func get<T>(_ dbi: MDB_dbi, _ key: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
        var value = MDB_val()
        let code = key.withUnsafeBytes { keyBytes -> Int32 in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_get(txn, dbi, &k, &value)
        }
        if code == MDB_NOTFOUND { return nil }
        try LMDBEnvironment.check(code, "read", environment.path)
        return try body(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }

    func put(_ dbi: MDB_dbi, _ key: [UInt8], _ value: [UInt8]) throws {
        let code = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes -> Int32 in
                var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var v = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                return mdb_put(txn, dbi, &k, &v, 0)
            }
        }
        if code == MDB_MAP_FULL { throw LMDBMapFull.full }
        try LMDBEnvironment.check(code, "write", environment.path)
    }

    /// Visits every key/value pair in key order (for checks and snapshots).
    func forEach(_ dbi: MDB_dbi, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
        var cursor: OpaquePointer?
        try LMDBEnvironment.check(mdb_cursor_open(txn, dbi, &cursor), "open a cursor", environment.path)

        defer { mdb_cursor_close(cursor) }

        var key = MDB_val(), value = MDB_val()
        var code = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
        while code == 0 {
            try body(UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size), UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
            code = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        }
        if code != MDB_NOTFOUND { try LMDBEnvironment.check(code, "iterate", environment.path) }
    }
}
