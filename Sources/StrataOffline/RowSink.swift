import Foundation
import GRDB
import GRDBSQLite
import StrataCore

/// Writes accepted rows (bound straight to a prepared statement) and quarantined rows for one run.
struct RowSink {
    let request: IngestRequest
    let db: Database
    let runID: Int64
    let fileID: Int64
    let insert: Statement
    var rowsRead = 0
    var rowsAccepted = 0
    var rowsQuarantined = 0
    var sample: [QuarantinedRow] = []
    /// Expectations, profile and duplicate counter of the run (`accept`, in Ingest+Quality.swift).
    var quality: IngestQuality

    /// `sqlite3_bind_text` must copy: the Swift string's buffer does not outlive the call.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(request: IngestRequest, db: Database, runID: Int64, fileID: Int64) throws {
        self.request = request
        self.db = db
        self.runID = runID
        self.fileID = fileID
        quality = try IngestQuality(request: request)
        let columns = ["strata_run_id", "strata_file_id", "strata_line", "strata_event_ts", "strata_created_ts"] + request.source.columns.map { quoted($0.name) }
        let table = quoted(request.storage.tableName)
        insert = try db.makeStatement(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))")
    }

    /// Inserts one accepted row. Binding through the raw handle is ~3× faster than GRDB's boxed arguments
    /// (STYLE §10); the `Statement` is kept alive by `self` for as long as the handle is used.
    mutating func insert(line: Int, event: Int64, created: Int64?, values: [Value]) throws {
        rowsRead += 1
        let handle = insert.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, runID)
        sqlite3_bind_int64(handle, 2, fileID)
        sqlite3_bind_int64(handle, 3, Int64(line))
        sqlite3_bind_int64(handle, 4, event)
        sqlite3_bind_int64(handle, 5, created ?? request.now)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 6)
            switch value {
            case .null: sqlite3_bind_null(handle, index)
            case .int(let v): sqlite3_bind_int64(handle, index, v)
            case .float(let v): sqlite3_bind_double(handle, index, v)
            case .bool(let v): sqlite3_bind_int64(handle, index, v ? 1 : 0)
            case .string(let v): sqlite3_bind_text(handle, index, v, -1, Self.transient)
            }
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let connection = db.sqliteConnection
            throw OfflineStoreError.database(operation: "insert a row of \(request.source.name) from \(request.displayPath)",
                                             path: String(cString: sqlite3_db_filename(connection, "main")),
                                             code: sqlite3_extended_errcode(connection), message: String(cString: sqlite3_errmsg(connection)))
        }
        rowsAccepted += 1
        if let crash = request.crashAfterRows, rowsAccepted >= crash { kill(getpid(), SIGKILL) }
    }

    mutating func quarantine(line: Int, column: Int?, raw: String, reason: String) throws {
        rowsRead += 1
        rowsQuarantined += 1
        let row = QuarantinedRow(runID: runID, source: request.source.name, file: request.displayPath, line: line, column: column, raw: raw, reason: reason)
        if request.isStrict { throw OfflineStoreError.strictRowRejected(row) }
        if sample.count < 10 { sample.append(row) }
        try db.execute(sql: "INSERT INTO quarantine (run_id, source, file, line, column_number, raw, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [runID, row.source, row.file, line, column, raw, reason])
    }
}

extension RowSink: SourceRowSink {}
