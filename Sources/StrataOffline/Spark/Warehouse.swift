public import Foundation
import GRDB
public import StrataCore
import StrataColumnar

/// The Parquet copy of the stored source rows that Spark reads: one directory per source storage, partitioned by the
/// UTC day of `event_ts` (`event_day=2026-03-01/`), so that a join over a time range reads only its days.
///
/// ```
/// WAREHOUSE/src__drivers__3f2a…/event_day=2026-03-01/rows-1-250000.parquet
///                              /_strata_exported      ← the ledger: the last row id published, every file and its size
/// ```
///
/// Publishing is incremental and crash-safe: rows after the ledger's row id are written to new files (each to a
/// hidden temporary name, then renamed), and the ledger moves last. Files beyond the ledger (left by a killed run)
/// are removed before publishing again, so a row is never published twice. Source rows are append-only, which is
/// what makes a row-id ledger sufficient. The SQLite store stays the truth: a folder that no longer matches its
/// ledger (a file deleted, cut short or added by hand) is published again from it whole, and the publication says
/// why. One publication per table at a time (`flock` on `_strata_lock`). Names that start with `_` or `.` are
/// invisible to Spark's reader.
public struct Warehouse: Sendable {
    /// The warehouse's root folder.
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// The folder of one source storage.
    public func folder(forTable table: String) -> URL { root.appendingPathComponent(table, isDirectory: true) }

    /// The day partition of an instant: `2026-03-01`.
    public static func day(_ micros: Int64) -> String { String(Timestamp.format(micros).prefix(10)) }

    static let ledgerName = "_strata_exported"
    /// Rows per chunk read from SQLite (memory stays bounded whatever the table's size).
    static let chunkRows = 250_000

    /// The last row id published for `table` (0 when nothing is).
    public func publishedThrough(table: String) -> Int64 {
        ledger(table: table)?.through ?? 0
    }

    /// The table's ledger: empty when there is none, nil when it cannot be read (an earlier version's, or damaged).
    func ledger(table: String) -> WarehouseLedger? {
        let url = folder(forTable: table).appendingPathComponent(Self.ledgerName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return WarehouseLedger() }
        return WarehouseLedger(text: String(decoding: data, as: UTF8.self))
    }
}

/// One column of a published source table.
public struct WarehouseColumn: Sendable, Hashable, Codable {
    public var name: String
    /// The Spark type: BIGINT, DOUBLE, STRING or BOOLEAN.
    public var type: String
    var valueType: ValueType

    init(name: String, valueType: ValueType) {
        self.name = name
        // Timestamps stay int64 microseconds: Spark's TIMESTAMP would read them in the session's zone.
        self.valueType = valueType == .timestamp ? .int64 : valueType
        type = ExpressionSparkSQL.sparkType(self.valueType)
    }

    enum CodingKeys: String, CodingKey { case name, type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type)
        valueType = type == "DOUBLE" ? .float64 : type == "STRING" ? .string : type == "BOOLEAN" ? .bool : .int64
    }
}

/// What publishing one source table did.
public struct WarehousePublication: Sendable {
    public var table: String
    public var columns: [WarehouseColumn]
    public var rowsPublished: Int
    public var publishedThrough: Int64
    /// True when the table has any published rows (Spark reads the folder); false for an empty source.
    public var hasRows: Bool
    /// Why the whole table was published again, when its folder no longer matched its ledger.
    public var republishedBecause: String?
}

extension OfflineStore {
    /// Publishes the rows of a source table that the warehouse does not hold yet (see `Warehouse`).
    /// - Parameter types: the declared types of the source's columns (bool columns are stored as SQLite integers).
    /// - Throws: `SparkError.warehouseUnwritable` naming the folder, `OfflineStoreError` for SQLite.
    public func publish(table: String, declaredTypes: [String: ValueType], to warehouse: Warehouse,
                        progress: ((Int) -> Void)? = nil) throws -> WarehousePublication {
        let folder = warehouse.folder(forTable: table)
        let columns = try read("read the columns of \(table)") { db in
            try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", arguments: [table]).map { row -> WarehouseColumn in
                let name: String = row["name"], affinity: String = row["type"]
                let type = declaredTypes[name] ?? (affinity == "REAL" ? .float64 : affinity == "TEXT" ? .string : .int64)
                return WarehouseColumn(name: name, valueType: name.hasPrefix("strata_") ? .int64 : type)
            }
        }
        guard !columns.isEmpty else {
            return WarehousePublication(table: table, columns: [], rowsPublished: 0, publishedThrough: 0, hasRows: false)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SparkError.warehouseUnwritable(path: folder.path, reason: error.localizedDescription)
        }
        // Two runs publishing the same table at once would each remove the other's files beyond the ledger: the second
        // waits for the first, then finds the ledger moved and publishes only what is left.
        let lockPath = folder.appendingPathComponent("_strata_lock").path
        let lock = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw SparkError.warehouseUnwritable(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw SparkError.warehouseUnwritable(path: lockPath, reason: String(cString: strerror(errno))) }
        var ledger = warehouse.ledger(table: table)
        try removeUnpublished(in: folder, after: ledger?.through ?? 0)
        let damage: String?
        do {
            damage = try ledger.map { try $0.damage(in: folder) } ?? "its ledger was written by an earlier version of Strata"
        } catch {
            throw SparkError.warehouseUnwritable(path: folder.path, reason: "cannot list what is published: \(error.localizedDescription)")
        }
        if damage != nil {
            // The empty ledger goes first: a run killed while publishing again leaves only files past it, removed next time.
            ledger = WarehouseLedger()
            try writeLedger(WarehouseLedger(), in: folder)
            try removePublished(in: folder)
        }
        var current = ledger ?? WarehouseLedger()
        var through = current.through
        let schema = ColumnarSchema(columns.map { ColumnarField(name: $0.name, type: $0.valueType) })
        let selectList = columns.map { quoted($0.name) }.joined(separator: ", ")
        let eventIndex = columns.firstIndex { $0.name == "strata_event_ts" } ?? 0
        var published = 0
        while true {
            let rows = try read("read \(table) for the warehouse") { db in
                try Row.fetchAll(db, sql: "SELECT \(selectList) FROM \(quoted(table)) WHERE strata_row_id > ? ORDER BY strata_row_id LIMIT \(Warehouse.chunkRows)",
                                 arguments: [through])
            }
            guard let last = rows.last else { break }
            let first: Int64 = rows[0]["strata_row_id"], lastID: Int64 = last["strata_row_id"]
            var byDay: [String: [Row]] = [:]
            for row in rows { byDay[Warehouse.day(row[eventIndex]), default: []].append(row) }
            for (day, dayRows) in byDay.sorted(by: { $0.key < $1.key }) {
                let relative = "event_day=\(day)/rows-\(first)-\(lastID).parquet"
                current.files[relative] = try writeParquet(dayRows, columns: columns, schema: schema, to: folder.appendingPathComponent(relative))
            }
            through = lastID
            current.through = through
            try writeLedger(current, in: folder)
            published += rows.count
            progress?(published)
        }
        let hasRows = through > 0
        return WarehousePublication(table: table, columns: columns, rowsPublished: published, publishedThrough: through, hasRows: hasRows,
                                    republishedBecause: damage)
    }

    /// Writes one file and returns its size.
    private func writeParquet(_ rows: [Row], columns: [WarehouseColumn], schema: ColumnarSchema, to url: URL) throws -> Int {
        var builders = columns.map { ColumnarColumnBuilder(type: $0.valueType, capacity: rows.count) }
        for row in rows {
            for (i, column) in columns.enumerated() {
                let stored = row[i] as DatabaseValue
                switch (stored.storage, column.valueType) {
                case (.null, _): builders[i].appendNull()
                case (.int64(let v), .bool): try builders[i].append(.bool(v != 0))
                case (.int64(let v), .float64): try builders[i].append(.float(Double(v)))
                case (.int64(let v), _): try builders[i].append(.int(v))
                case (.double(let v), _): try builders[i].append(.float(v))
                case (.string(let v), _): try builders[i].append(.string(v))
                case (.blob, _): builders[i].appendNull()
                }
            }
        }
        let batch = ColumnarBatch(rowCount: rows.count, columns: builders.indices.map { builders[$0].finish() })
        var writer = try ParquetWriter(schema: schema)
        var bytes = try writer.write(batch)
        bytes += try writer.finish()
        try Self.writeAtomically(bytes, to: url)
        return bytes.count
    }

    private func writeLedger(_ ledger: WarehouseLedger, in folder: URL) throws {
        try Self.writeAtomically(Array(ledger.text.utf8), to: folder.appendingPathComponent(Warehouse.ledgerName))
    }

    /// Removes everything Spark would read in a table's folder (before publishing it again whole).
    private func removePublished(in folder: URL) throws {
        let manager = FileManager.default
        do {
            for entry in try manager.contentsOfDirectory(atPath: folder.path) where !entry.hasPrefix("_") {
                try manager.removeItem(at: folder.appendingPathComponent(entry))
            }
        } catch {
            throw SparkError.warehouseUnwritable(path: folder.path, reason: "cannot clear a damaged table to publish it again: \(error.localizedDescription)")
        }
    }

    /// Removes files a killed publication left beyond the ledger (their rows are published again). A file that stays
    /// would be read twice by Spark, so every failure here stops the publication.
    private func removeUnpublished(in folder: URL, after through: Int64) throws {
        let manager = FileManager.default
        do {
            for day in try manager.contentsOfDirectory(atPath: folder.path) where day.hasPrefix("event_day=") {
                let dayFolder = folder.appendingPathComponent(day)
                for file in try manager.contentsOfDirectory(atPath: dayFolder.path) {
                    let isStale = file.hasPrefix(".") || (WarehouseLedger.firstRowID(file) ?? 0) > through
                    if isStale { try manager.removeItem(at: dayFolder.appendingPathComponent(file)) }
                }
            }
        } catch {
            throw SparkError.warehouseUnwritable(path: folder.path, reason: "cannot remove what a killed publication left: \(error.localizedDescription)")
        }
    }

    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
            try Data(bytes).write(to: temporary)
            // rename(2) replaces the target in one step: a reader sees the old file or the new one, never a part.
            guard rename(temporary.path, url.path) == 0 else {
                throw SparkError.warehouseUnwritable(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch let error as SparkError {
            throw error
        } catch {
            throw SparkError.warehouseUnwritable(path: url.path, reason: error.localizedDescription)
        }
    }
}
