import GRDB
import GRDBSQLite
import StrataCore

/// The events a view's aggregations read: one row per source row, clustered by (keys, event_ts, created_ts,
/// ingest_seq) so that the training-set sweep reads one key's events after another in event order, with each distinct
/// aggregation input (`in_N`) and `where` condition (`where_N`, 1 when true) already evaluated.
///
/// Inputs and conditions are evaluated by `ExpressionEvaluator` — the Swift code the online path runs — never by
/// SQL, so offline and online fold the very same values.
struct AggregationEventTable {
    let spec: FeatureTableSpec
    /// Distinct input expressions and conditions, in first-use order (shared with the online tile store).
    let columns: AggregationInputs
    var inputs: [TypedExpr] { columns.inputs }
    var filters: [TypedExpr] { columns.filters }
    /// Per aggregation of the view: which input and which condition column it reads.
    var slots: [AggregationInputs.Slot] { columns.slots }

    init(_ spec: FeatureTableSpec) {
        self.spec = spec
        columns = AggregationInputs(spec.view.aggregations)
    }

    var name: String { spec.aggregationTableName }
    var hasEventID: Bool { spec.view.source.idColumn != nil }

    var createSQL: String {
        let source = spec.view.source
        let keys = spec.view.keys.map { "\(quoted($0.name)) \(SourceTable.affinity($0.type)) NOT NULL" }
        var columns = keys + ["event_ts INTEGER NOT NULL", "created_ts INTEGER NOT NULL", "ingest_seq INTEGER NOT NULL"]
        if let id = source.idColumn, let type = source.columns.first(where: { $0.name == id })?.type {
            columns.append("event_id \(SourceTable.affinity(type))")
        }
        columns += inputs.enumerated().map { "in_\($0.offset) \(SourceTable.affinity($0.element.type))" }
        columns += filters.indices.map { "where_\($0) INTEGER NOT NULL" }
        let primary = (spec.view.keys.map { quoted($0.name) } + ["event_ts", "created_ts", "ingest_seq"]).joined(separator: ", ")
        return "CREATE TABLE IF NOT EXISTS \(quoted(name)) (\(columns.joined(separator: ", ")), PRIMARY KEY (\(primary))) WITHOUT ROWID"
    }

    /// Evaluates the source rows added since the last refresh into the table, inside the caller's transaction.
    func refresh(in db: Database) throws {
        try OfflineStore.registerDerived(.aggregationEvents, spec, table: name, fingerprint: StorageIdentity.aggregationEvents(spec.view), columns: [], in: db)
        // The online tile records built from these events are catalogued beside them (they have no offline table).
        try OfflineStore.registerDerived(.aggregationTiles, spec, table: spec.aggregationTilesName, fingerprint: StorageIdentity.aggregationTiles(spec.view),
                                         columns: [], in: db)
        try db.execute(sql: createSQL)
        let last = try Int64.fetchOne(db, sql: "SELECT last_source_row FROM view_tables WHERE table_name = ?", arguments: [name]) ?? 0
        let newest = try Int64.fetchOne(db, sql: "SELECT MAX(strata_row_id) FROM \(quoted(spec.sourceTableName))") ?? 0
        if newest > last { try copy(after: last, in: db) }
        try db.execute(sql: """
            INSERT INTO view_tables (table_name, view, view_version, source, source_version, last_source_row) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(table_name) DO UPDATE SET last_source_row = excluded.last_source_row
            """, arguments: [name, spec.view.definition.name, spec.viewVersion, spec.view.source.name, spec.sourceVersion, max(last, newest)])
    }

    /// Rows are evaluated in ingest order and inserted in chunks sorted by the table's key, so each chunk walks the
    /// clustered B-tree once instead of jumping between keys on every row (ingest order is usually time order).
    static let chunkRowsMax = 65_536

    private func copy(after last: Int64, in db: Database) throws {
        let source = spec.view.source
        let columns = source.columns.map { quoted($0.name) }
        let select = try db.makeStatement(sql: """
            SELECT strata_row_id, strata_event_ts, strata_created_ts\(columns.isEmpty ? "" : ", " + columns.joined(separator: ", "))
            FROM \(quoted(spec.sourceTableName)) WHERE strata_row_id > ? ORDER BY strata_row_id
            """)
        select.setUncheckedArguments([last])
        let width = spec.view.keys.count + 3 + (hasEventID ? 1 : 0) + inputs.count + filters.count
        let insert = try db.makeStatement(sql: "INSERT INTO \(quoted(name)) VALUES (\(Array(repeating: "?", count: width).joined(separator: ", ")))")
        let types = source.columns.map(\.type)
        let keyIndexes = spec.view.keys.compactMap { key in source.columns.firstIndex { $0.name == key.name } }
        let idIndex = source.idColumn.flatMap { id in source.columns.firstIndex { $0.name == id } }
        var values: [Value] = []
        var chunk: [[Value]] = []
        try withExtendedLifetime((select, insert)) {
            let reader = select.sqliteStatement
            while true {
                let code = sqlite3_step(reader)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw Self.failure(db, "read \(spec.sourceTableName)") }
                values.removeAll(keepingCapacity: true)
                for (i, type) in types.enumerated() { values.append(FeatureTableScan.readValue(reader, Int32(i + 3), type)) }
                var cells = keyIndexes.map { values[$0] }
                // Rows without a key are quarantined at ingest; a key that is still null never matches a spine row.
                if cells.contains(where: \.isNull) { continue }
                let seq = sqlite3_column_int64(reader, 0), event = sqlite3_column_int64(reader, 1), created = sqlite3_column_int64(reader, 2)
                let id = idIndex.map { values[$0] }
                let row = source.expressionRow(values: values, eventTs: event, createdTs: created)
                cells += [.int(event), .int(created), .int(seq)]
                if let id { cells.append(id) }
                for input in inputs { cells.append(ExpressionEvaluator.evaluate(input, row: row)) }
                for filter in filters { cells.append(.int(ExpressionEvaluator.evaluate(filter, row: row) == .bool(true) ? 1 : 0)) }
                chunk.append(cells)
                if chunk.count >= Self.chunkRowsMax { try write(&chunk, insert.sqliteStatement, db) }
            }
            try write(&chunk, insert.sqliteStatement, db)
        }
    }

    /// Inserts a chunk in key order (keys, event time, created time, ingest sequence) and empties it.
    private func write(_ chunk: inout [[Value]], _ writer: OpaquePointer, _ db: Database) throws {
        let orderWidth = spec.view.keys.count + 3
        chunk.sort { a, b in
            for i in 0..<orderWidth {
                let order = ScalarOperations.compare(a[i], b[i]) ?? 0
                if order != 0 { return order < 0 }
            }
            return false
        }
        for cells in chunk {
            sqlite3_reset(writer)
            for (i, cell) in cells.enumerated() { SQLiteBinding.bind(cell, at: Int32(i + 1), writer) }
            guard sqlite3_step(writer) == SQLITE_DONE else { throw Self.failure(db, "write \(name)") }
        }
        chunk.removeAll(keepingCapacity: true)
    }

    static func failure(_ db: Database, _ operation: String) -> OfflineStoreError {
        .database(operation: operation, path: "", code: sqlite3_extended_errcode(db.sqliteConnection), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
}

/// Binds a value to a raw statement parameter (STYLE §10: ~3× faster than boxed GRDB arguments); bools as 0/1.
enum SQLiteBinding {
    /// `sqlite3_bind_text` must copy: the Swift string's buffer does not outlive the call.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func bind(_ value: Value, at index: Int32, _ handle: OpaquePointer) {
        switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .int(let v): sqlite3_bind_int64(handle, index, v)
        case .float(let v): sqlite3_bind_double(handle, index, v)
        case .bool(let v): sqlite3_bind_int64(handle, index, v ? 1 : 0)
        case .string(let v): sqlite3_bind_text(handle, index, v, -1, transient)
        }
    }
}

extension OfflineStore {
    /// Brings a view's aggregation events up to date with its source table, inside the caller's transaction.
    static func refreshAggregationEvents(_ spec: FeatureTableSpec, in db: Database) throws {
        guard !spec.view.aggregations.isEmpty else { return }
        try AggregationEventTable(spec).refresh(in: db)
    }
}
