import Foundation
import GRDB
import StrataCore

/// The rows and bytes of one SQLite table.
public struct TableUsage: Sendable, Hashable, Codable {
    public var rows: Int
    /// Bytes of the table's pages (SQLite's `dbstat`); nil when the SQLite library lacks it.
    public var bytes: Int?
}

/// A store that grows with traffic: how much it holds and how far back.
public struct GrowingStoreUsage: Sendable, Hashable, Codable {
    public var rows: Int
    public var bytes: Int?
    /// The oldest row's time (request time for the log, run start for the quarantine); nil when empty.
    public var oldestMicros: Int64?
    public var retentionMicros: Int64
}

extension OfflineStore {
    /// Rows and bytes of each named table that exists.
    package func tableUsage(_ tables: [String]) throws -> [String: TableUsage] {
        try read("measure stored tables") { db in
            var result: [String: TableUsage] = [:]
            for table in tables where try db.tableExists(table) {
                let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(quoted(table))") ?? 0
                result[table] = TableUsage(rows: rows, bytes: Self.bytes(db, table))
            }
            return result
        }
    }

    /// Every table whose name marks it as stored data (`src__`, `fv__`, `ag__`), catalogued or not.
    package func storedTableNames() throws -> [String] {
        try read("list stored tables") { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table'
                AND (name LIKE 'src\\_\\_%' ESCAPE '\\' OR name LIKE 'fv\\_\\_%' ESCAPE '\\' OR name LIKE 'ag\\_\\_%' ESCAPE '\\') ORDER BY name
                """)
        }
    }

    /// The quarantine's size and oldest run.
    package func quarantineUsage(retentionMicros: Int64) throws -> GrowingStoreUsage {
        try read("measure the quarantine") { db in
            let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantine") ?? 0
            let oldest = try Int64.fetchOne(db, sql: "SELECT MIN(r.started_at) FROM quarantine q JOIN ingest_runs r ON r.run_id = q.run_id")
            return GrowingStoreUsage(rows: rows, bytes: Self.bytes(db, "quarantine"), oldestMicros: oldest, retentionMicros: retentionMicros)
        }
    }

    /// Removes the quarantined rows of runs that started before `cutoff`; returns how many.
    package func pruneQuarantine(before cutoff: Int64) throws -> Int {
        try write("prune the quarantine") { db in
            try db.execute(sql: "DELETE FROM quarantine WHERE run_id IN (SELECT run_id FROM ingest_runs WHERE started_at < ?)", arguments: [cutoff])
            return db.changesCount
        }
    }

    /// Drops stored tables and their catalog entries, bindings and refresh state in one transaction.
    package func dropStoredTables(_ tables: [String]) throws {
        guard !tables.isEmpty else { return }
        try write("remove stored tables") { db in
            for table in tables {
                let ids = try Int64.fetchAll(db, sql: "SELECT storage_id FROM storages WHERE table_name = ? AND kind <> 'aggregation_tiles'", arguments: [table])
                for id in ids { try db.execute(sql: "DELETE FROM source_bindings WHERE storage_id = ?", arguments: [id]) }
                try db.execute(sql: "DELETE FROM storages WHERE table_name = ? AND kind <> 'aggregation_tiles'", arguments: [table])
                try db.execute(sql: "DELETE FROM view_tables WHERE table_name = ?", arguments: [table])
                try db.execute(sql: "DROP TABLE IF EXISTS \(quoted(table))")
            }
            try Self.bumpCatalogGeneration(in: db)
        }
    }

    /// Removes catalog entries of online tile databases.
    package func forgetTiles(_ names: [String]) throws {
        guard !names.isEmpty else { return }
        try write("forget online tile databases") { db in
            for name in names { try db.execute(sql: "DELETE FROM storages WHERE kind = 'aggregation_tiles' AND table_name = ?", arguments: [name]) }
            try Self.bumpCatalogGeneration(in: db)
        }
    }

    static func bytes(_ db: Database, _ table: String) -> Int? {
        // `dbstat` is an optional SQLite module: without it the size is unknown rather than an error.
        try? Int.fetchOne(db, sql: "SELECT SUM(pgsize) FROM dbstat WHERE name = ?", arguments: [table])
    }
}

extension FeatureLogStore {
    /// The log's size and oldest request.
    public func usage(retentionMicros: Int64) throws -> GrowingStoreUsage {
        try dbQueue.read { db in
            GrowingStoreUsage(rows: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM feature_log") ?? 0, bytes: OfflineStore.bytes(db, "feature_log"),
                              oldestMicros: try Int64.fetchOne(db, sql: "SELECT MIN(request_ts) FROM feature_log"), retentionMicros: retentionMicros)
        }
    }

    /// Removes served rows logged before `cutoff`, in batches of 10,000 so a running server's appends never wait long;
    /// returns how many.
    public func prune(before cutoff: Int64) throws -> Int {
        var removed = 0
        while true {
            let count = try dbQueue.write { db -> Int in
                try db.execute(sql: "DELETE FROM feature_log WHERE id IN (SELECT id FROM feature_log WHERE request_ts < ? LIMIT 10000)", arguments: [cutoff])
                return db.changesCount
            }
            removed += count
            if count < 10_000 { return removed }
        }
    }
}

extension OfflineStore {
    /// Quarantined rows of runs that started before `cutoff`.
    package func quarantineCount(before cutoff: Int64) throws -> Int {
        try read("count old quarantined rows") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantine WHERE run_id IN (SELECT run_id FROM ingest_runs WHERE started_at < ?)",
                             arguments: [cutoff]) ?? 0
        }
    }
}

extension FeatureLogStore {
    /// Served rows logged before `cutoff`.
    public func count(before cutoff: Int64) throws -> Int {
        try dbQueue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM feature_log WHERE request_ts < ?", arguments: [cutoff]) ?? 0 }
    }
}
