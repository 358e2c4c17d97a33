import CLMDB
import Foundation
import Synchronization

/// One LMDB environment: transactions scoped in closures, named databases, map growth on `MDB_MAP_FULL`. One per
/// folder per process, opened and closed by `LMDBEnvironmentTable`.
///
/// Threading contract (what makes the `Sendable` conformance true):
/// - The environment is opened with `MDB_NOTLS`, so a read transaction is not tied to its thread and any thread may
///   start one (LMDB "Caveats"). Reads take no lock: they enter the `TransactionGate` (one atomic compare-and-swap),
///   begin a read-only transaction, and abort it when the closure returns.
/// - LMDB serialises write transactions, across threads and processes, with its own writer mutex. `write` holds no
///   Strata lock while it waits for that mutex.
/// - Database handles are opened once per name. `mdb_dbi_open` "must not be called from multiple concurrent
///   transactions in the same process", and a transaction that opens one must not predate another's newly opened
///   handle (it would reuse its slot), so every open runs under `opening` and bumps `DatabaseTable.generation`. A read
///   transaction that opens a handle is begun under `opening` (beginning one never waits); a write transaction that
///   creates a database is begun *outside* it, because beginning one waits for LMDB's writer lock, which another
///   process may hold for minutes: it re-checks the generation under `opening` and starts again if a handle was opened
///   meanwhile. The handle table is a `Mutex`-guarded value whose critical sections never call LMDB.
/// - "Does not exist" is remembered per name with the id of the last committed transaction that showed it, so a view
///   that is not materialized yet costs lookups one atomic load and one small lock, not an LMDB transaction, until
///   some process commits a write. Lookups normally use handles resolved once (`OnlineViewHandle`) and touch neither lock.
/// - Writers of every Strata process take `writer.lock` (an `flock`) before they begin, so a writer waiting for another
///   process waits there, outside the `TransactionGate`: a resize (which needs no transaction open in the process)
///   never waits for another process's write, and so neither do the lookups that wait for the resize.
/// - The map size changes only inside `gate.whileClosed` under `resizing`, that is with no transaction open in
///   the process (`mdb_env_set_mapsize`'s rule): to grow after `MDB_MAP_FULL`, and to adopt another process's
///   growth after `MDB_MAP_RESIZED`.
/// - A closure passed to `read` or `write` must not start another transaction (no read inside a write), or a
///   resize would wait for it forever.
///
/// The environment is not opened with `MDB_WRITEMAP`: with it the data file is a sparse file written through the
/// map, and a full disk turns into SIGBUS instead of an error (`ENOSPC` from the commit).
final class LMDBEnvironment: Sendable {
    let path: String
    private let handle: EnvironmentHandle
    let databases = Mutex(DatabaseTable())
    let opening = Mutex<Void>(())
    private let resizing = Mutex<Void>(())
    let gate = TransactionGate()
    private let mapSize: Atomic<Int>
    /// Growth stops here: a store that needs more is a configuration problem, not something to hide.
    let mapSizeMaxBytes: Int

    var mapSizeBytes: Int { mapSize.load(ordering: .relaxed) }
    var env: OpaquePointer { handle.pointer }

    init(path: String, mapSizeBytes: Int, mapSizeMaxBytes: Int, databasesMax: UInt32 = 1024, readersMax: UInt32 = 126) throws(OnlineStoreError) {
        let env = try Self.open(path: path, mapSizeBytes: mapSizeBytes, databasesMax: databasesMax, readersMax: readersMax)
        // Nothing below may throw: the caller owns the open environment only once `init` returns.
        self.path = path
        handle = EnvironmentHandle(pointer: env)
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        mapSize = Atomic(max(mapSizeBytes, info.me_mapsize))
        self.mapSizeMaxBytes = max(mapSizeMaxBytes, info.me_mapsize)
    }

    /// Closes the environment; only `LMDBEnvironmentTable.release` calls it, once, when the last store using it is gone.
    func close() {
        mdb_env_close(env)
    }

    /// Creates, configures and opens an environment; closes it again on any failure, so the caller owns it only on success.
    private static func open(path: String, mapSizeBytes: Int, databasesMax: UInt32, readersMax: UInt32) throws(OnlineStoreError) -> OpaquePointer {
        try LMDBFiles.prepareFolder(path)
        var created: OpaquePointer?
        let code = mdb_env_create(&created)
        guard code == 0, let env = created else { throw OnlineStoreError.cannotOpen(path: path, code: code, message: LMDBFiles.message(code)) }
        do throws(OnlineStoreError) {
            try check(mdb_env_set_mapsize(env, mapSizeBytes), "set the map size", path)
            try check(mdb_env_set_maxdbs(env, databasesMax), "set the database count", path)
            try check(mdb_env_set_maxreaders(env, readersMax), "set the reader count", path)
            try LMDBFiles.preallocateLockFile(path, readersMax: readersMax)
            let opened = mdb_env_open(env, path, UInt32(MDB_NOTLS), 0o644)
            guard opened == 0 else { throw OnlineStoreError.cannotOpen(path: path, code: opened, message: LMDBFiles.message(opened)) }
        } catch {
            mdb_env_close(env)
            throw error
        }
        // Slots of readers whose process died would otherwise pin old pages forever.
        var dead: Int32 = 0
        mdb_reader_check(env, &dead)
        return env
    }

    /// Runs `body` in a read-only transaction; nothing read may escape it except copies.
    func read<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        let txn = try begin(readOnly: true)

        defer { mdb_txn_abort(txn); gate.leave() }

        return try body(LMDBTransaction(txn: txn, environment: self))
    }

    /// Runs `body` in a write transaction that commits on return and aborts on throw. When the map is full the
    /// transaction is rolled back, the map doubled, and `body` run again from the start.
    func write<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        while true {
            let size = mapSizeBytes
            do {
                return try writeOnce(body)
            } catch LMDBSignal.mapFull {
                try grow(from: size)
            }
        }
    }

    private func writeOnce<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        let writer = try WriterLock(folder: path)
        defer { writer.release() }
        let txn = try begin(readOnly: false)
        defer { gate.leave() }
        let result: T
        do {
            result = try body(LMDBTransaction(txn: txn, environment: self))
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        // `mdb_txn_commit` frees the transaction whether or not it succeeds.
        let code = mdb_txn_commit(txn)
        if code == MDB_MAP_FULL { throw LMDBSignal.mapFull }
        try Self.check(code, "commit", path)
        return result
    }

    /// Begins a transaction inside the gate (the caller leaves it), adopting another process's map growth first if needed.
    func begin(readOnly: Bool) throws(OnlineStoreError) -> OpaquePointer {
        while true {
            gate.enter()
            var txn: OpaquePointer?
            let code = mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
            if code == 0, let txn { return txn }
            gate.leave()
            guard code == MDB_MAP_RESIZED else {
                throw Self.error(code, readOnly ? "begin a read transaction" : "begin a write transaction", path)
            }
            try resize(to: 0)
        }
    }

    /// Doubles the map after a write found it full at `failedSize` (unless another thread already grew it).
    func grow(from failedSize: Int) throws(OnlineStoreError) {
        let current = mapSizeBytes
        guard current == failedSize else { return }
        let (doubled, overflow) = current.multipliedReportingOverflow(by: 2)
        guard !overflow, doubled <= mapSizeMaxBytes else {
            throw OnlineStoreError.mapFull(path: path, mapSizeBytes: current, mapSizeMaxBytes: mapSizeMaxBytes)
        }
        try resize(to: doubled, unlessAlready: failedSize)
    }

    /// Sets the map size (0 adopts the size another process chose) with no transaction open in this process.
    private func resize(to bytes: Int, unlessAlready failedSize: Int? = nil) throws(OnlineStoreError) {
        let code = resizing.withLock { _ -> Int32 in
            if let failedSize, mapSizeBytes != failedSize { return 0 }
            return gate.whileClosed {
                let code = mdb_env_set_mapsize(env, bytes)
                var info = MDB_envinfo()
                mdb_env_info(env, &info)
                mapSize.store(info.me_mapsize, ordering: .relaxed)
                return code
            }
        }
        try Self.check(code, bytes == 0 ? "adopt the map size another process set" : "grow the map to \(bytes >> 20) MiB", path)
    }

    static func check(_ code: Int32, _ operation: String, _ path: String) throws(OnlineStoreError) {
        guard code != 0 else { return }
        throw error(code, operation, path)
    }

    static func error(_ code: Int32, _ operation: String, _ path: String) -> OnlineStoreError {
        .lmdb(operation: operation, path: path, code: code, message: LMDBFiles.message(code))
    }
}

/// The environment pointer. `OpaquePointer` is not `Sendable`; sharing it is safe under the threading contract above.
private struct EnvironmentHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Internal signal that a write hit the end of the map; `write` grows the map and runs the closure again.
enum LMDBSignal: Error { case mapFull }
