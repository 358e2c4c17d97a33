import GRDB
public import StrataCore

/// Names and DDL of the per-source and per-view tables. Every identifier goes through `quoted(_:)`;
/// names come from validated definitions (`[A-Za-z_][A-Za-z0-9_]*`).
enum SourceTable {
    static func name(_ source: String, version: Int) -> String { "src__\(source)__v\(version)" }

    static func createSQL(_ source: SourceDefinition, version: Int) -> String {
        let columns = source.columns.map { "\(quoted($0.name)) \(affinity($0.type))" }.joined(separator: ", ")
        return """
            CREATE TABLE IF NOT EXISTS \(quoted(name(source.name, version: version))) (
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

/// Identifies the offline feature table of one view version computed from one source version.
public struct FeatureTableSpec: Sendable {
    public var view: CompiledView
    public var viewVersion: Int
    public var sourceVersion: Int

    public init(view: CompiledView, viewVersion: Int, sourceVersion: Int) {
        self.view = view
        self.viewVersion = viewVersion
        self.sourceVersion = sourceVersion
    }

    public var tableName: String { "fv__\(view.definition.name)__v\(viewVersion)__s\(sourceVersion)" }
    var sourceTableName: String { SourceTable.name(view.source.name, version: sourceVersion) }

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
        try db.execute(sql: SourceTable.createSQL(spec.view.source, version: spec.sourceVersion))
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
