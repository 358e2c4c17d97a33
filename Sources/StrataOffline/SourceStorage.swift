import Foundation
import GRDB
import GRDBSQLite
public import StrataCore

/// The first stored value a type change cannot take, and how many there are.
public struct ConversionProblem: Sendable, Hashable, Codable {
    public var source: String
    public var column: String
    public var from: ValueType
    public var to: ValueType
    /// Values of the column that cannot be converted exactly.
    public var count: Int
    public var rowID: Int64
    public var value: String
    /// Where the first such row came from (`push:…` for a pushed row).
    public var file: String
    public var line: Int
}

/// The source-storage side of the catalog: creating storages, growing them, copying them with converted columns, and
/// binding source versions to them. Every method runs inside the caller's write transaction (`OfflineStore.storageWrite`).
package struct SourceStorageWriter {
    let db: Database
    let path: String

    /// A new, empty storage starting a new row family.
    package func create(_ source: SourceDefinition, now: Int64) throws -> StoredTable {
        try insert(source.name, shape: StorageIdentity.sourceRowShape(source), parent: nil, family: nil, columns: source.columns, syncedThrough: 0, now: now)
    }

    /// Adds columns; the rows already stored read them as null (SQLite's `ADD COLUMN` rewrites nothing).
    package func addColumns(_ columns: [StrataCore.ColumnDefinition], to storage: StoredTable) throws -> StoredTable {
        var grown = storage
        for column in columns where !grown.columns.contains(where: { $0.name == column.name }) {
            try db.execute(sql: "ALTER TABLE \(quoted(storage.tableName)) ADD COLUMN \(quoted(column.name)) \(SourceTable.affinity(column.type))")
            grown.columns.append(column)
        }
        try db.execute(sql: "UPDATE storages SET columns = ? WHERE storage_id = ?", arguments: [try CatalogJSON.encode(grown.columns), storage.id])
        try OfflineStore.bumpCatalogGeneration(in: db)
        return grown
    }

    /// A copy of `parent` in the same family (row ids kept), with `conversions` applied and the source's new columns added.
    /// Values that cannot be converted become null and are recorded in the quarantine under a conversion run.
    package func derive(from parent: StoredTable, _ source: SourceDefinition, conversions: [ColumnConversion], version: Int, now: Int64) throws -> StoredTable {
        var columns = parent.columns
        for conversion in conversions {
            if let index = columns.firstIndex(where: { $0.name == conversion.column }) { columns[index].type = conversion.to }
        }
        for column in source.columns where !columns.contains(where: { $0.name == column.name }) { columns.append(column) }
        let derived = try insert(source.name, shape: parent.fingerprint, parent: parent.id, family: parent.family, columns: columns,
                                 syncedThrough: 0, now: now)
        return try catchUp(derived, from: parent, conversions: conversions, version: version, now: now)
    }

    /// Copies the rows `parent` received after `derived` was last synced (a writer of the previous revision may have
    /// added some while the copy was made).
    package func catchUp(_ derived: StoredTable, from parent: StoredTable, conversions: [ColumnConversion], version: Int, now: Int64) throws -> StoredTable {
        let newest = try Int64.fetchOne(db, sql: "SELECT MAX(strata_row_id) FROM \(quoted(parent.tableName))") ?? 0
        guard newest > derived.syncedThrough else { return derived }
        let shared = derived.columns.filter { column in parent.columns.contains { $0.name == column.name } }
        let names = ["strata_row_id", "strata_run_id", "strata_file_id", "strata_line", "strata_event_ts", "strata_created_ts"] + shared.map { quoted($0.name) }
        let select = try db.makeStatement(sql: "SELECT \(names.joined(separator: ", ")) FROM \(quoted(parent.tableName)) WHERE strata_row_id > ? ORDER BY strata_row_id")
        select.setUncheckedArguments([derived.syncedThrough])
        let insert = try db.makeStatement(sql: """
            INSERT INTO \(quoted(derived.tableName)) (\(names.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))
            """)
        let plans = shared.map { column -> (stored: ValueType, conversion: ColumnConversion?) in
            let stored = parent.columns.first { $0.name == column.name }?.type ?? column.type
            return (stored, conversions.first { $0.column == column.name })
        }
        var dropped: [(rowID: Int64, column: String, raw: String, reason: String)] = []
        try withExtendedLifetime((select, insert)) {
            let reader = select.sqliteStatement, writer = insert.sqliteStatement
            while true {
                let code = sqlite3_step(reader)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw AggregationEventTable.failure(db, "copy \(parent.tableName)") }
                sqlite3_reset(writer)
                for i in 0..<6 { sqlite3_bind_int64(writer, Int32(i + 1), sqlite3_column_int64(reader, Int32(i))) }
                for (i, plan) in plans.enumerated() {
                    let stored = FeatureTableScan.readValue(reader, Int32(i + 6), plan.stored)
                    var value = stored
                    if let conversion = plan.conversion {
                        if conversion.from == nil {
                            value = .null
                        } else if let converted = SourceStorageChange.convert(stored, from: conversion.stored, to: conversion.to) {
                            value = converted
                        } else {
                            value = .null
                            dropped.append((sqlite3_column_int64(reader, 0), conversion.column, Self.text(stored),
                                            "column `\(conversion.column)`: `\(Self.text(stored))` is not \(SourceRowDecoder.article(conversion.to)) \(conversion.to) (type changed from \(conversion.stored) to \(conversion.to) by source version \(version); the value was set to null)"))
                        }
                    }
                    SQLiteBinding.bind(value, at: Int32(i + 7), writer)
                }
                guard sqlite3_step(writer) == SQLITE_DONE else { throw AggregationEventTable.failure(db, "write \(derived.tableName)") }
            }
        }
        if !dropped.isEmpty { try quarantine(dropped, source: derived.object, table: derived.tableName, version: version, now: now) }
        try db.execute(sql: "UPDATE storages SET synced_through = ? WHERE storage_id = ?", arguments: [newest, derived.id])
        var synced = derived
        synced.syncedThrough = newest
        return synced
    }

    /// The catalog as this transaction sees it.
    package func catalog() throws -> StorageCatalog { try OfflineStore.catalog(db) }

    /// Brings a view's feature and aggregation event tables up to date with its source storage.
    @discardableResult
    package func refresh(_ spec: FeatureTableSpec) throws -> Int { try OfflineStore.refresh(spec, in: db) }

    /// A converted copy of `parent` an earlier, interrupted `apply` made for the same definition: it is caught up rather
    /// than copied again.
    package func existingCopy(of parent: StoredTable, for source: SourceDefinition, conversions: [ColumnConversion]) throws -> StoredTable? {
        let wanted = Dictionary(source.columns.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        for row in try Row.fetchAll(db, sql: "SELECT * FROM storages WHERE kind = 'source' AND parent_id = ? ORDER BY storage_id DESC", arguments: [parent.id]) {
            let copy = try OfflineStore.storedTable(row)
            let matches = copy.columns.allSatisfy { column in wanted[column.name].map { $0 == column.type } ?? true }
                && source.columns.allSatisfy { column in copy.columns.contains(column) }
            if matches { return copy }
        }
        return nil
    }

    /// The first value each conversion cannot take, with counts; empty when every stored value converts.
    package func problems(in storage: StoredTable, conversions: [ColumnConversion]) throws -> [ConversionProblem] {
        try Self.problems(db, in: storage, conversions: conversions)
    }

    static func problems(_ db: Database, in storage: StoredTable, conversions: [ColumnConversion]) throws -> [ConversionProblem] {
        var problems: [ConversionProblem] = []
        for conversion in conversions where conversion.from != nil {
            let select = try db.makeStatement(sql: """
                SELECT strata_row_id, \(quoted(conversion.column)) FROM \(quoted(storage.tableName))
                WHERE \(quoted(conversion.column)) IS NOT NULL ORDER BY strata_row_id
                """)
            var first: (Int64, Value)?
            var count = 0
            withExtendedLifetime(select) {
                let reader = select.sqliteStatement
                while sqlite3_step(reader) == SQLITE_ROW {
                    let value = FeatureTableScan.readValue(reader, 1, conversion.stored)
                    guard SourceStorageChange.convert(value, from: conversion.stored, to: conversion.to) == nil else { continue }
                    count += 1
                    if first == nil { first = (sqlite3_column_int64(reader, 0), value) }
                }
            }
            guard let (rowID, value) = first else { continue }
            let origin = try Row.fetchOne(db, sql: """
                SELECT f.path, s.strata_line FROM \(quoted(storage.tableName)) s JOIN source_files f ON f.file_id = s.strata_file_id WHERE s.strata_row_id = ?
                """, arguments: [rowID])
            problems.append(ConversionProblem(source: storage.object, column: conversion.column, from: conversion.stored, to: conversion.to, count: count,
                                              rowID: rowID, value: Self.text(value), file: origin?["path"] ?? "?", line: origin?["strata_line"] ?? 0))
        }
        return problems
    }

    /// Binds a source version (with its identity fingerprint) to a storage.
    package func bind(source: String, version: Int, fingerprint: String, to storage: StoredTable) throws {
        try db.execute(sql: """
            INSERT INTO source_bindings (source, version, fingerprint, storage_id) VALUES (?, ?, ?, ?)
            ON CONFLICT (source, version, fingerprint) DO UPDATE SET storage_id = excluded.storage_id
            """, arguments: [source, version, fingerprint, storage.id])
        try OfflineStore.bumpCatalogGeneration(in: db)
    }

    private func insert(_ source: String, shape: String, parent: Int64?, family: Int64?, columns: [StrataCore.ColumnDefinition], syncedThrough: Int64,
                        now: Int64) throws -> StoredTable {
        let id = (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(storage_id), 0) + 1 FROM storages")) ?? 1
        let table = "src__\(source)__s\(id)"
        let family = family ?? id
        try db.execute(sql: """
            INSERT INTO storages (storage_id, kind, object, fingerprint, family, parent_id, table_name, columns, synced_through, created_at)
            VALUES (?, 'source', ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, source, shape, family, parent, table, try CatalogJSON.encode(columns), syncedThrough, now])
        try db.execute(sql: SourceTable.createSQL(table: table, columns: columns))
        try OfflineStore.bumpCatalogGeneration(in: db)
        return StoredTable(id: id, kind: .source, object: source, fingerprint: shape, family: family, parentID: parent, tableName: table,
                           columns: columns, syncedThrough: syncedThrough, createdAtMicros: now)
    }

    /// Values set to null by a conversion go to the quarantine, with the file and line the row came from, under a run
    /// that records the conversion.
    private func quarantine(_ dropped: [(rowID: Int64, column: String, raw: String, reason: String)], source: String, table: String,
                            version: Int, now: Int64) throws {
        try db.execute(sql: """
            INSERT INTO ingest_runs (source, source_version, started_at, finished_at, rows_read, rows_accepted, rows_quarantined, outcome, definition_versions)
            VALUES (?, ?, ?, ?, 0, 0, ?, 'converted', '{}')
            """, arguments: [source, version, now, now, dropped.count])
        let runID = db.lastInsertedRowID
        let origin = try db.makeStatement(sql: """
            SELECT f.path, s.strata_line FROM \(quoted(table)) s JOIN source_files f ON f.file_id = s.strata_file_id WHERE s.strata_row_id = ?
            """)
        for row in dropped {
            let found = try Row.fetchOne(origin, arguments: [row.rowID])
            try db.execute(sql: "INSERT INTO quarantine (run_id, source, file, line, column_number, raw, reason) VALUES (?, ?, ?, ?, NULL, ?, ?)",
                           arguments: [runID, source, found?["path"] ?? "?", found?["strata_line"] ?? 0, row.raw, row.reason])
        }
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case .int(let v): return String(v)
        case .float(let v): return "\(v)"
        case .bool(let v): return v ? "true" : "false"
        case .string(let s): return s
        }
    }
}

extension OfflineStore {
    /// The first stored value each conversion cannot take (read only: what `plan` reports).
    package func conversionProblems(in storage: StoredTable, conversions: [ColumnConversion]) throws -> [ConversionProblem] {
        try read("check a type change of \(storage.object)") { db in try SourceStorageWriter.problems(db, in: storage, conversions: conversions) }
    }

    /// The number of rows a source storage holds.
    package func storedRowCount(_ table: String) throws -> Int {
        try read("count stored rows") { db in
            guard !table.isEmpty, try db.tableExists(table) else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(quoted(table))") ?? 0
        }
    }

    /// Runs `body` in one write transaction with the source-storage writer: catalog changes commit together or not at all.
    package func storageWrite<T>(_ operation: String, _ body: (SourceStorageWriter) throws -> T) throws -> T {
        try write(operation) { db in try body(SourceStorageWriter(db: db, path: path)) }
    }
}

extension OfflineStore {
    /// The tables of `view` when the offline store is used on its own (tests, tools): its source's storage, created
    /// and bound to `sourceVersion` on first use, and the view's tables on it.
    package func standaloneTable(_ view: CompiledView, viewVersion: Int = 1, sourceVersion: Int = 1) throws -> (spec: FeatureTableSpec, storage: StoredTable) {
        try storageWrite("prepare a standalone storage") { writer in
            let fingerprint = StorageIdentity.source(view.source)
            let storage = try writer.catalog().binding(source: view.source.name, version: sourceVersion, fingerprint: fingerprint)
                ?? writer.create(view.source, now: currentMicros())
            try writer.bind(source: view.source.name, version: sourceVersion, fingerprint: fingerprint, to: storage)
            let spec = FeatureTableSpec(view: view, viewVersion: viewVersion, sourceVersion: sourceVersion,
                                        storage: ViewStorage.resolve(view, source: storage, catalog: try writer.catalog()))
            return (spec, storage)
        }
    }
}
