import CLMDB

/// The size of one named database in the online store.
public struct OnlineDatabaseStats: Sendable, Hashable, Codable {
    public var name: String
    public var entries: Int
    /// Pages the database's B-tree holds, times the page size.
    public var bytes: Int
}

extension OnlineStore {
    /// Every named database with its entry count and size (LMDB keeps the names as keys of its main database).
    public func databaseStats() throws -> [OnlineDatabaseStats] {
        let names = try environment.read { txn in
            var main: MDB_dbi = 0
            try LMDBEnvironment.check(mdb_dbi_open(txn.txn, nil, 0, &main), "open the main database", path)
            var names: [String] = []
            try txn.forEach(main) { key, _ in names.append(String(decoding: key, as: UTF8.self)) }
            return names
        }
        // Handles are opened through the environment (one open at a time, see `LMDBEnvironment`), then read together.
        var handles: [(name: String, dbi: MDB_dbi)] = []
        for name in names where name != Self.metadataDatabase {
            if let dbi = try environment.existingDatabase(name) { handles.append((name, dbi)) }
        }
        return try environment.read { txn in
            try handles.map { name, dbi in
                var stat = MDB_stat()
                try LMDBEnvironment.check(mdb_stat(txn.txn, dbi, &stat), "read the size of \(name)", path)
                let pages = stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages
                return OnlineDatabaseStats(name: name, entries: stat.ms_entries, bytes: pages * Int(stat.ms_psize))
            }
        }
    }

    /// Deletes named databases and their metadata keys in one write transaction (`strata storage prune`). Handles this
    /// process opened on them are forgotten; no other process may be reading them (prune removes only what no
    /// revision serves).
    public func drop(databases names: [String], metadataKeys: [String]) throws {
        guard !names.isEmpty || !metadataKeys.isEmpty else { return }
        var dropped: [(name: String, dbi: MDB_dbi)] = []
        for name in names {
            if let dbi = try environment.existingDatabase(name) { dropped.append((name, dbi)) }
        }
        let meta = try environment.existingDatabase(Self.metadataDatabase)
        try environment.write { txn in
            for (name, dbi) in dropped {
                try LMDBEnvironment.check(mdb_drop(txn.txn, dbi, 1), "delete \(name)", path)
            }
            if let meta {
                for key in metadataKeys {
                    let code = Array(key.utf8).withUnsafeBytes { bytes -> Int32 in
                        var k = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                        return mdb_del(txn.txn, meta, &k, nil)
                    }
                    if code != MDB_NOTFOUND { try LMDBEnvironment.check(code, "delete metadata \(key)", path) }
                }
            }
        }
        environment.forget(names)
    }
}
