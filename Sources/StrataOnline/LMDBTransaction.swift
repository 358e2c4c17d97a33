import CLMDB

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
        if code == MDB_MAP_FULL { throw LMDBSignal.mapFull }
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

    /// Visits at most `limit` pairs in key order, starting after `after` (from the first key when nil). Returns the last
    /// key visited, or nil when none was left: the next page starts after it, in another transaction.
    func forEach(_ dbi: MDB_dbi, after: [UInt8]?, limit: Int,
                 _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws -> [UInt8]? {
        var cursor: OpaquePointer?
        try LMDBEnvironment.check(mdb_cursor_open(txn, dbi, &cursor), "open a cursor", environment.path)

        defer { mdb_cursor_close(cursor) }

        var key = MDB_val(), value = MDB_val()
        var code: Int32
        if let after {
            code = after.withUnsafeBytes { bytes in
                key = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                return mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
            }
            // SET_RANGE lands on the first key >= `after`: skip `after` itself when it is still there.
            if code == 0, UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size).elementsEqual(after) {
                code = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
            }
        } else {
            code = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
        }
        var last: [UInt8]?
        var visited = 0
        while code == 0, visited < limit {
            let keyBytes = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
            try body(keyBytes, UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
            last = Array(keyBytes)
            visited += 1
            if visited < limit { code = mdb_cursor_get(cursor, &key, &value, MDB_NEXT) }
        }
        if code != 0, code != MDB_NOTFOUND { try LMDBEnvironment.check(code, "iterate", environment.path) }
        return last
    }
}
