import Foundation
import GRDB
public import StrataCore

/// What a stored table holds (issue 21: storage follows semantics, not versions).
public enum StorageKind: String, Sendable, Codable, CaseIterable {
    /// Accepted rows of a source, pushes included: the one copy of what was ingested.
    case source
    /// A view's row features, computed from its source's rows.
    case features
    /// A view's evaluated aggregation inputs, computed from its source's rows.
    case aggregationEvents = "aggregation_events"
    /// A view's online aggregation tile records (an LMDB database only; no offline table).
    case aggregationTiles = "aggregation_tiles"
}

/// One stored table in the catalog: which object it belongs to, the fingerprint of what decides its contents, and the
/// source row family it was computed from.
///
/// A **family** is a line of source storages that share row ids: a storage derived from another (a column type change)
/// keeps every row's id, so tables computed from one member stay valid for the others. A derived kind's contents are a
/// function of (object, fingerprint, family); its refresh state is `view_tables.last_source_row`.
public struct StoredTable: Sendable, Hashable, Codable {
    public var id: Int64
    public var kind: StorageKind
    public var object: String
    public var fingerprint: String
    public var family: Int64
    /// The storage a source storage was copied from; nil for a family's first.
    public var parentID: Int64?
    /// The SQLite table, or for `aggregationTiles` the LMDB database.
    public var tableName: String
    /// A source storage's physical columns (a superset of what any version bound to it declares); a feature table's
    /// features, in stored order.
    public var columns: [StrataCore.ColumnDefinition]
    /// For a source storage copied from its parent: the parent's last row id it holds.
    public var syncedThrough: Int64
    public var createdAtMicros: Int64
}

/// A source version bound to the storage that holds its rows. The binding names the version's identity fingerprint,
/// so a binding written by an `apply` that then lost its race never matches the version that won.
public struct SourceBinding: Sendable, Hashable, Codable {
    public var source: String
    public var version: Int
    public var fingerprint: String
    public var storageID: Int64
}

/// The catalog as read in one transaction: cheap to read (a row per stored table), read once per registry revision.
public struct StorageCatalog: Sendable {
    public var tables: [Int64: StoredTable] = [:]
    public var bindings: [SourceBinding] = []
    /// Grows with every change to the catalog: a snapshot built from an older generation may name tables wrongly.
    public var generation: Int64 = 0

    public init(tables: [Int64: StoredTable] = [:], bindings: [SourceBinding] = []) {
        self.tables = tables
        self.bindings = bindings
    }

    /// The storage bound to a source version with the given identity fingerprint.
    public func binding(source: String, version: Int, fingerprint: String) -> StoredTable? {
        bindings.first { $0.source == source && $0.version == version && $0.fingerprint == fingerprint }.flatMap { tables[$0.storageID] }
    }

    /// The derived table of `object` with `fingerprint`, computed from `family`.
    public func derived(_ kind: StorageKind, object: String, fingerprint: String, family: Int64) -> StoredTable? {
        tables.values.first { $0.kind == kind && $0.object == object && $0.fingerprint == fingerprint && $0.family == family }
    }
}

extension OfflineStore {
    /// The catalog's tables (also registered by the migration below).
    static func registerCatalogMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3 storage catalog") { db in
            // A store written before the catalog holds tables named by registry version; `adoptLegacyTables` (run by the
            // façade, which knows the registry) registers them once. A new store has nothing to adopt.
            let hasLegacy = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name LIKE 'src\\_\\_%' ESCAPE '\\')") ?? false
            try db.execute(sql: """
                CREATE TABLE storages (
                    storage_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, object TEXT NOT NULL, fingerprint TEXT NOT NULL,
                    family INTEGER NOT NULL, parent_id INTEGER, table_name TEXT NOT NULL, columns TEXT NOT NULL,
                    synced_through INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
                CREATE UNIQUE INDEX storages_by_name ON storages (kind, table_name);
                CREATE UNIQUE INDEX storages_by_identity ON storages (kind, object, fingerprint, family) WHERE kind <> 'source';
                CREATE TABLE source_bindings (
                    source TEXT NOT NULL, version INTEGER NOT NULL, fingerprint TEXT NOT NULL,
                    storage_id INTEGER NOT NULL REFERENCES storages(storage_id), PRIMARY KEY (source, version, fingerprint));
                ALTER TABLE source_files ADD COLUMN family INTEGER;
                CREATE INDEX source_files_by_family ON source_files (family, path);
                CREATE TABLE catalog_state (id INTEGER PRIMARY KEY CHECK (id = 1), legacy_adopted INTEGER NOT NULL, generation INTEGER NOT NULL);
                """)
            try db.execute(sql: "INSERT INTO catalog_state (id, legacy_adopted, generation) VALUES (1, ?, 0)", arguments: [hasLegacy ? 0 : 1])
        }
    }

    /// Reads the whole catalog in one transaction.
    public func storageCatalog() throws -> StorageCatalog {
        try read("read the storage catalog") { db in try Self.catalog(db) }
    }

    static func catalog(_ db: Database) throws -> StorageCatalog {
        var catalog = StorageCatalog()
        catalog.generation = try Int64.fetchOne(db, sql: "SELECT generation FROM catalog_state") ?? 0
        for row in try Row.fetchAll(db, sql: "SELECT * FROM storages") {
            let table = try storedTable(row)
            catalog.tables[table.id] = table
        }
        catalog.bindings = try Row.fetchAll(db, sql: "SELECT * FROM source_bindings ORDER BY source, version").map { row in
            SourceBinding(source: try row.column("source"), version: try row.column("version"), fingerprint: try row.column("fingerprint"), storageID: try row.column("storage_id"))
        }
        return catalog
    }

    static func storedTable(_ row: Row) throws -> StoredTable {
        let id: Int64 = try row.column("storage_id"), kindText: String = try row.column("kind"), columnsText: String = try row.column("columns")
        guard let kind = StorageKind(rawValue: kindText) else {
            throw OfflineStoreError.corruptRecord(what: "the storage catalog entry", record: "\(id)", reason: "unknown kind `\(kindText)`")
        }
        let columns: [StrataCore.ColumnDefinition]
        do {
            columns = try JSONDecoder().decode([StrataCore.ColumnDefinition].self, from: Data(columnsText.utf8))
        } catch {
            throw OfflineStoreError.undecodable(what: "the columns of storage catalog entry", record: "\(id)", cause: error)
        }
        return StoredTable(id: id, kind: kind, object: try row.column("object"), fingerprint: try row.column("fingerprint"), family: try row.column("family"),
                           parentID: try row.column("parent_id"), tableName: try row.column("table_name"), columns: columns, syncedThrough: try row.column("synced_through"),
                           createdAtMicros: try row.column("created_at"))
    }

    /// The catalog's generation: one cheap read, so a long-running server can notice another process's new storage.
    public func catalogGeneration() throws -> Int64 {
        try read("read the storage catalog state") { db in try Int64.fetchOne(db, sql: "SELECT generation FROM catalog_state") ?? 0 }
    }

    static func bumpCatalogGeneration(in db: Database) throws {
        try db.execute(sql: "UPDATE catalog_state SET generation = generation + 1")
    }

    /// True when the store still holds tables from before the catalog that nothing has registered yet.
    public func needsLegacyAdoption() throws -> Bool {
        try read("read the storage catalog state") { db in
            (try Int.fetchOne(db, sql: "SELECT legacy_adopted FROM catalog_state")) == 0
        }
    }
}

/// Sorted-key JSON for catalog columns.
enum CatalogJSON {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
