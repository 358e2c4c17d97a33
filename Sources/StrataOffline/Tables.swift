import GRDB
public import StrataCore

/// DDL of source tables. Every identifier goes through `quoted(_:)`; names come from validated definitions
/// (`[A-Za-z_][A-Za-z0-9_]*`) and the storage catalog.
enum SourceTable {
    /// The table name a store written before the storage catalog gave a source version (adopted as it is).
    static func legacyName(_ source: String, version: Int) -> String { "src__\(source)__v\(version)" }

    static func createSQL(table: String, columns: [StrataCore.ColumnDefinition]) -> String {
        let columns = columns.map { "\(quoted($0.name)) \(affinity($0.type))" }.joined(separator: ", ")
        return """
            CREATE TABLE IF NOT EXISTS \(quoted(table)) (
                strata_row_id INTEGER PRIMARY KEY, strata_run_id INTEGER NOT NULL, strata_file_id INTEGER NOT NULL,
                strata_line INTEGER NOT NULL, strata_event_ts INTEGER NOT NULL, strata_created_ts INTEGER NOT NULL\(columns.isEmpty ? "" : ", " + columns))
            """
    }

    static func affinity(_ type: ValueType) -> String {
        switch type {
        case .int64, .bool, .timestamp: return "INTEGER"
        case .float64: return "REAL"
        case .string: return "TEXT"
        }
    }
}

/// The stored tables one view version reads and writes, resolved through the storage catalog: the source storage bound
/// to its source version, and the tables derived from that storage's row family for its fingerprints.
public struct ViewStorage: Sendable, Hashable {
    /// The source table (empty when nothing has been stored for the source yet).
    public var source: String
    /// The source storage's row family (0 when nothing has been stored yet).
    public var family: Int64
    /// The feature table, which is also the online database of the row features.
    public var features: String
    /// The aggregation event table.
    public var aggregationEvents: String
    /// The online database of the aggregation tile records.
    public var aggregationTiles: String

    public init(source: String, family: Int64, features: String, aggregationEvents: String, aggregationTiles: String) {
        self.source = source
        self.family = family
        self.features = features
        self.aggregationEvents = aggregationEvents
        self.aggregationTiles = aggregationTiles
    }

    /// The tables of `view` computed from the source storage `source` (nil when nothing is stored yet): the catalog's
    /// entries where they exist (tables adopted from an older store keep their names), else the names they get when built.
    public static func resolve(_ view: CompiledView, source: StoredTable?, catalog: StorageCatalog) -> ViewStorage {
        let family = source?.family ?? 0
        let name = view.definition.name
        func table(_ kind: StorageKind, _ fingerprint: String, _ prefix: String) -> String {
            catalog.derived(kind, object: name, fingerprint: fingerprint, family: family)?.tableName
                ?? "\(prefix)__\(name)__\(fingerprint.prefix(12))f\(family)"
        }
        return ViewStorage(source: source?.tableName ?? "", family: family,
                           features: table(.features, StorageIdentity.featureTable(view), "fv"),
                           aggregationEvents: table(.aggregationEvents, StorageIdentity.aggregationEvents(view), "ag"),
                           aggregationTiles: table(.aggregationTiles, StorageIdentity.aggregationTiles(view), "at"))
    }
}

/// The offline feature table of one view version: its compiled definition, its versions (for reports) and its storage.
public struct FeatureTableSpec: Sendable {
    public var view: CompiledView
    public var viewVersion: Int
    public var sourceVersion: Int
    public var storage: ViewStorage

    public init(view: CompiledView, viewVersion: Int, sourceVersion: Int, storage: ViewStorage) {
        self.view = view
        self.viewVersion = viewVersion
        self.sourceVersion = sourceVersion
        self.storage = storage
    }

    public var tableName: String { storage.features }
    public var sourceTableName: String { storage.source }
    /// The table of the view's aggregation events.
    public var aggregationTableName: String { storage.aggregationEvents }
    /// The online database of the view's aggregation tile records.
    public var aggregationTilesName: String { storage.aggregationTiles }
    /// True when the source has a storage to read (something was ingested or pushed, or a storage was prepared).
    public var hasSourceStorage: Bool { !storage.source.isEmpty }

    /// Clustered on (keys, event_ts, created_ts, ingest_seq): the point-in-time join reads it in that order
    /// sequentially, with no lookups back into a rowid table.
    var createSQL: String {
        let keys = view.keys.map { "\(quoted($0.name)) \(SourceTable.affinity($0.type)) NOT NULL" }
        let features = view.features.map { "\(quoted($0.definition.name)) \(SourceTable.affinity($0.definition.type))" }
        let primary = (view.keys.map { quoted($0.name) } + ["event_ts", "created_ts", "ingest_seq"]).joined(separator: ", ")
        return """
            CREATE TABLE IF NOT EXISTS \(quoted(tableName)) (
                \((keys + ["event_ts INTEGER NOT NULL", "created_ts INTEGER NOT NULL", "ingest_seq INTEGER NOT NULL", "lineage_id INTEGER NOT NULL"] + features).joined(separator: ",\n    ")),
                PRIMARY KEY (\(primary))) WITHOUT ROWID
            """
    }

    /// The compiled transform: source rows after `lastRow` → feature rows, in SQL.
    var insertSQL: SQLFragment {
        let source = view.source
        let columnSQL: (String) -> String = { name in
            if name == source.timestamp.column { return "strata_event_ts" }
            if name == source.created?.column { return "strata_created_ts" }
            return quoted(name)
        }
        var select = SQLFragment(unsafeSQL: view.keys.map { quoted($0.name) }.joined(separator: ", ") + ", strata_event_ts, strata_created_ts, strata_row_id, strata_row_id")
        for feature in view.features {
            select = select + SQLFragment(unsafeSQL: ", ") + ExpressionSQL.lower(feature.typed, column: columnSQL)
        }
        // Sorted by the primary key: sources arrive in event-time order with entities interleaved, and inserting them
        // in that order touched a random leaf page per row (60% of ingest in the kernel copying spilled pages, issue 12).
        // In key order the B-tree is appended to, pages end full, and SQLite's external sorter keeps memory bounded.
        let order = (view.keys.map { quoted($0.name) } + ["strata_event_ts", "strata_created_ts", "strata_row_id"]).joined(separator: ", ")
        let targets = (view.keys.map { quoted($0.name) } + ["event_ts", "created_ts", "ingest_seq", "lineage_id"] + view.features.map { quoted($0.definition.name) })
        return SQLFragment(unsafeSQL: "INSERT INTO \(quoted(tableName)) (\(targets.joined(separator: ", "))) SELECT ")
            + select + SQLFragment(unsafeSQL: " FROM \(quoted(sourceTableName)) WHERE strata_row_id > ? ORDER BY \(order)")
    }
}

extension OfflineStore {
    /// Brings a view's feature table up to date with its source table, inside the caller's transaction.
    /// New source rows are transformed incrementally; a new view version starts from an empty table.
    /// - Returns: the number of feature rows added.
    @discardableResult
    static func refresh(_ spec: FeatureTableSpec, in db: Database) throws -> Int {
        // Nothing stored for the source yet: there is nothing to compute, and the tables appear with the first rows.
        guard spec.hasSourceStorage else { return 0 }
        try registerDerived(.features, spec, table: spec.tableName, fingerprint: StorageIdentity.featureTable(spec.view),
                            columns: spec.view.features.map { StrataCore.ColumnDefinition(name: $0.definition.name, type: $0.definition.type) }, in: db)
        try db.execute(sql: spec.createSQL)
        try refreshAggregationEvents(spec, in: db)
        let recorded = try Int64.fetchOne(db, sql: "SELECT last_source_row FROM view_tables WHERE table_name = ?", arguments: [spec.tableName])
        let last = recorded ?? 0
        let newest = try Int64.fetchOne(db, sql: "SELECT MAX(strata_row_id) FROM \(quoted(spec.sourceTableName))") ?? 0
        guard newest > last else {
            // An up-to-date table is not written again: rewriting the same row made every historical, materialize and
            // check a write transaction with WAL syncs and a checkpoint at exit (strace, issue 12).
            if recorded == nil { try recordViewTable(spec, last: last, in: db) }
            return 0
        }
        let insert = spec.insertSQL
        try db.execute(sql: insert.text, arguments: StatementArguments(insert.arguments + [last.databaseValue]))
        let added = db.changesCount
        try recordViewTable(spec, last: newest, in: db)
        return added
    }

    /// Registers a table derived from a source family in the catalog, unless it is there (it may have been adopted from
    /// an older store under another name, which `ViewStorage.resolve` then uses).
    static func registerDerived(_ kind: StorageKind, _ spec: FeatureTableSpec, table: String, fingerprint: String, columns: [StrataCore.ColumnDefinition],
                                in db: Database) throws {
        let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM storages WHERE kind = ? AND table_name = ?)",
                                       arguments: [kind.rawValue, table]) ?? false
        guard !exists else { return }
        try db.execute(sql: """
            INSERT INTO storages (kind, object, fingerprint, family, table_name, columns, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [kind.rawValue, spec.view.definition.name, fingerprint, spec.storage.family, table,
                             try CatalogJSON.encode(columns), currentMicros()])
        try bumpCatalogGeneration(in: db)
    }

    private static func recordViewTable(_ spec: FeatureTableSpec, last: Int64, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO view_tables (table_name, view, view_version, source, source_version, last_source_row) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(table_name) DO UPDATE SET last_source_row = excluded.last_source_row
            """, arguments: [spec.tableName, spec.view.definition.name, spec.viewVersion, spec.view.source.name, spec.sourceVersion, last])
    }

    /// Refreshes several feature tables in one transaction.
    public func refresh(_ specs: [FeatureTableSpec]) throws {
        try write("refresh feature tables") { db in
            for spec in specs { try Self.refresh(spec, in: db) }
        }
    }
}
