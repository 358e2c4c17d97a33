import CLMDB

/// The named-database handles this process opened, and the names it found missing (see `LMDBEnvironment`).
struct DatabaseTable {
    var handles: [String: MDB_dbi] = [:]
    /// A missing name with the id of the snapshot that showed it missing: true while no write has committed since.
    var missing: [String: Int] = [:]
    /// Counts handle opens: a write transaction begun before an open must not open a handle itself.
    var generation = 0
}

extension LMDBEnvironment {
    /// Forgets the handles of databases that were deleted (`mdb_drop` closed them).
    func forget(_ names: [String]) {
        databases.withLock { table in
            for name in names {
                table.handles[name] = nil
                table.missing[name] = nil
            }
        }
    }

    /// The handle of an existing named database; nil when it does not exist yet. Never waits for a writer: the handle is
    /// opened in a read-only transaction, and a name found missing is not looked up again until a write commits.
    func existingDatabase(_ name: String) throws(OnlineStoreError) -> MDB_dbi? {
        let (known, missingAt) = databases.withLock { ($0.handles[name], $0.missing[name]) }
        if let known { return known }
        if let missingAt, missingAt == lastCommittedTransaction() { return nil }
        return try opening.withLock { _ throws(OnlineStoreError) -> MDB_dbi? in
            if let dbi = databases.withLock({ $0.handles[name] }) { return dbi }
            // Begun under `opening`: a transaction that opens a handle must not predate another's newly opened one.
            let txn = try begin(readOnly: true)
            defer { gate.leave() }
            var dbi: MDB_dbi = 0
            let code = mdb_dbi_open(txn, name, 0, &dbi)
            guard code == 0 else {
                let snapshot = mdb_txn_id(txn)
                mdb_txn_abort(txn)
                guard code == MDB_NOTFOUND else { throw Self.error(code, "open database \(name)", path) }
                databases.withLock { $0.missing[name] = snapshot }
                return nil
            }
            // Committing a read-only transaction makes the handle usable by every later transaction.
            try Self.check(mdb_txn_commit(txn), "open database \(name)", path)
            databases.withLock { table in
                table.handles[name] = dbi
                table.missing[name] = nil
                table.generation += 1
            }
            return dbi
        }
    }

    /// The handle of a named database, created if needed in a write transaction of its own (handles opened in a
    /// transaction become shared only when it commits). Only the creation waits for LMDB's writer lock, and it waits
    /// holding no lock that a lookup takes.
    func createdDatabase(_ name: String) throws(OnlineStoreError) -> MDB_dbi {
        if let dbi = try existingDatabase(name) { return dbi }
        while true {
            let size = mapSizeBytes
            let generation = databases.withLock { $0.generation }
            let writer = try WriterLock(folder: path)
            defer { writer.release() }
            let txn = try begin(readOnly: false)
            let created = opening.withLock { _ -> CreatedDatabase in
                let (known, current) = databases.withLock { ($0.handles[name], $0.generation) }
                guard known == nil, current == generation else {
                    mdb_txn_abort(txn)
                    return known.map(CreatedDatabase.opened) ?? .stale
                }
                var dbi: MDB_dbi = 0
                var code = mdb_dbi_open(txn, name, UInt32(MDB_CREATE), &dbi)
                if code == 0 { code = mdb_txn_commit(txn) } else { mdb_txn_abort(txn) }
                guard code == 0 else { return .failed(code) }
                databases.withLock { table in
                    table.handles[name] = dbi
                    table.missing[name] = nil
                    table.generation += 1
                }
                return .opened(dbi)
            }
            gate.leave()
            switch created {
            case .opened(let dbi): return dbi
            case .stale: continue
            case .failed(let code) where code == MDB_MAP_FULL: try grow(from: size)
            case .failed(let code): throw Self.error(code, "create database \(name)", path)
            }
        }
    }

    /// The id of the last committed write transaction, from the meta pages; read inside the gate because a resize remaps them.
    private func lastCommittedTransaction() -> Int {
        gate.enter()
        defer { gate.leave() }
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return info.me_last_txnid
    }
}

private enum CreatedDatabase {
    case opened(MDB_dbi)
    /// Another handle was opened after the write transaction began: begin again.
    case stale
    case failed(Int32)
}
