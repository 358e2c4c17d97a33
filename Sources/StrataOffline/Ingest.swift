public import Foundation
import GRDB
import GRDBSQLite
public import StrataCore

/// What to ingest: one source file, with the definition versions in force and the views to refresh.
public struct IngestRequest: Sendable {
    public var source: SourceDefinition
    public var sourceVersion: Int
    /// Columns that are join keys of some view: a row without them is quarantined.
    public var keyColumns: Set<String>
    public var file: URL
    /// The path as the user wrote it (relative to the project), for lineage and messages.
    public var displayPath: String
    /// Fail the run on the first bad row instead of quarantining it.
    public var isStrict: Bool
    /// The run's ingest time: `created_ts` for sources without a created column.
    public var now: Int64
    public var definitionVersions: [String: Int]
    public var views: [FeatureTableSpec]
    /// Fault injection for crash tests: the process kills itself after this many rows, mid-transaction.
    public var crashAfterRows: Int?

    public init(source: SourceDefinition, sourceVersion: Int, keyColumns: Set<String>, file: URL, displayPath: String, isStrict: Bool,
                now: Int64, definitionVersions: [String: Int], views: [FeatureTableSpec], crashAfterRows: Int? = nil) {
        self.source = source
        self.sourceVersion = sourceVersion
        self.keyColumns = keyColumns
        self.file = file
        self.displayPath = displayPath
        self.isStrict = isStrict
        self.now = now
        self.definitionVersions = definitionVersions
        self.views = views
        self.crashAfterRows = crashAfterRows
    }
}

/// What an ingest run did.
public struct IngestReport: Sendable, Codable {
    public enum FileChange: String, Sendable, Codable { case new, unchanged, appended, changed }

    public var runID: Int64?
    public var source: String
    public var file: String
    public var change: FileChange
    public var fileVersion: Int
    public var contentSHA256: String
    public var rowsRead = 0
    public var rowsAccepted = 0
    public var rowsQuarantined = 0
    public var featureRowsAdded: [String: Int] = [:]
    /// The first few quarantined rows, for the run summary.
    public var quarantineSample: [QuarantinedRow] = []
    public var elapsedMicros: Int64 = 0
}

extension OfflineStore {
    /// Ingests one source file in one transaction: rows with lineage, quarantine, the run record and the
    /// incremental refresh of the feature tables all commit together or not at all.
    ///
    /// - Throws: `OfflineStoreError.fileMissing`, `.badHeader`, `.emptyFile` before anything is written;
    ///   `.strictRowRejected` in strict mode (nothing is written).
    public func ingest(_ request: IngestRequest, progress: ((Int, Int) -> Void)? = nil) throws -> IngestReport {
        let started = DispatchTime.now().uptimeNanoseconds
        guard FileManager.default.fileExists(atPath: request.file.path) else {
            throw OfflineStoreError.fileMissing(source: request.source.name, path: request.displayPath)
        }
        let data: Data
        do {
            data = try Data(contentsOf: request.file, options: .alwaysMapped)
        } catch {
            throw OfflineStoreError.sqlite(operation: "read \(request.displayPath)", path: request.displayPath, underlying: error.localizedDescription)
        }
        var report = try data.withUnsafeBytes { bytes in
            try write("ingest \(request.source.name)") { db in
                try IngestRun(request: request, bytes: bytes, db: db, progress: progress).run()
            }
        }
        report.elapsedMicros = Int64((DispatchTime.now().uptimeNanoseconds - started) / 1000)
        return report
    }
}

/// One ingest run inside its transaction.
struct IngestRun {
    let request: IngestRequest
    let bytes: UnsafeRawBufferPointer
    let db: Database
    let progress: ((Int, Int) -> Void)?

    func run() throws -> IngestReport {
        let source = request.source
        let sha = sha256(bytes)
        let previous = try Row.fetchOne(db, sql: """
            SELECT * FROM source_files WHERE source = ? AND source_version = ? AND path = ? ORDER BY file_id DESC LIMIT 1
            """, arguments: [source.name, request.sourceVersion, request.displayPath])
        var report = IngestReport(runID: nil, source: source.name, file: request.displayPath, change: .new, fileVersion: 1, contentSHA256: sha)
        var startOffset = 0
        var startLine = 1
        var recordsBefore = 0
        if let previous {
            let oldSHA: String = previous["content_sha256"], oldSize: Int = previous["size_bytes"], oldVersion: Int = previous["file_version"]
            if oldSHA == sha {
                report.change = .unchanged
                report.fileVersion = oldVersion
                for spec in request.views { report.featureRowsAdded[spec.view.definition.name] = try OfflineStore.refresh(spec, in: db) }
                return report
            }
            if bytes.count > oldSize, oldSize > 0, bytes[oldSize - 1] == UInt8(ascii: "\n"),
               sha256(UnsafeRawBufferPointer(rebasing: bytes[0..<oldSize])) == oldSHA {
                report.change = .appended
                report.fileVersion = oldVersion
                startOffset = oldSize
                startLine = previous["lines"]
                recordsBefore = previous["records"]
            } else {
                report.change = .changed
                report.fileVersion = oldVersion + 1
            }
        }
        try db.execute(sql: SourceTable.createSQL(source, version: request.sourceVersion))
        let versions = String(decoding: (try? JSONEncoder().encode(request.definitionVersions)) ?? Data("{}".utf8), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO ingest_runs (source, source_version, started_at, finished_at, rows_read, rows_accepted, rows_quarantined, outcome, definition_versions)
            VALUES (?, ?, ?, 0, 0, 0, 0, 'running', ?)
            """, arguments: [source.name, request.sourceVersion, request.now, versions])
        let runID = db.lastInsertedRowID
        report.runID = runID
        try db.execute(sql: """
            INSERT INTO source_files (source, source_version, path, content_sha256, size_bytes, records, lines, file_version, run_id)
            VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)
            """, arguments: [source.name, request.sourceVersion, request.displayPath, sha, bytes.count, report.fileVersion, runID])
        let fileID = db.lastInsertedRowID
        var sink = try RowSink(request: request, db: db, runID: runID, fileID: fileID)
        let lines: Int
        switch source.format {
        case .csv: lines = try readCSV(from: startOffset, line: startLine, into: &sink)
        case .jsonl: lines = try readJSONLines(from: startOffset, line: startLine, into: &sink)
        }
        report.rowsRead = sink.rowsRead
        report.rowsAccepted = sink.rowsAccepted
        report.rowsQuarantined = sink.rowsQuarantined
        report.quarantineSample = sink.sample
        try db.execute(sql: "UPDATE source_files SET records = ?, lines = ? WHERE file_id = ?", arguments: [recordsBefore + sink.rowsRead, lines, fileID])
        for spec in request.views { report.featureRowsAdded[spec.view.definition.name] = try OfflineStore.refresh(spec, in: db) }
        try db.execute(sql: """
            UPDATE ingest_runs SET finished_at = ?, rows_read = ?, rows_accepted = ?, rows_quarantined = ?, outcome = ? WHERE run_id = ?
            """, arguments: [currentMicros(), sink.rowsRead, sink.rowsAccepted, sink.rowsQuarantined, report.change.rawValue, runID])
        return report
    }

    /// Reads CSV records from `offset` (after the header when 0); returns the line number after the last record.
    func readCSV(from offset: Int, line: Int, into sink: inout RowSink) throws -> Int {
        var headerReader = CSVReader(bytes: bytes)
        var fields: [CSVReader.Field] = []
        guard headerReader.next(into: &fields) != nil else {
            throw OfflineStoreError.emptyFile(source: request.source.name, path: request.displayPath)
        }
        let header = fields.map { headerReader.string($0).trimmingCharacters(in: .whitespaces) }
        var decoder = try SourceRowDecoder(source: request.source, header: header, keyColumns: request.keyColumns, path: request.displayPath)
        var reader = offset == 0 ? headerReader : CSVReader(bytes: bytes, startingAt: offset, line: line)
        while let record = reader.next(into: &fields) {
            if let problem = record.problem {
                try sink.quarantine(line: record.line, column: nil, raw: raw(record), reason: "malformed CSV: \(problem)")
                continue
            }
            switch decoder.decode(fields, reader) {
            case .success(let times):
                try sink.insert(line: record.line, event: times.event, created: times.created, values: decoder.values)
            case .failure(let failure):
                try sink.quarantine(line: record.line, column: failure.column, raw: raw(record), reason: failure.reason)
            }
            if sink.rowsRead & 0xFFFF == 0 { progress?(reader.position, bytes.count) }
        }
        progress?(bytes.count, bytes.count)
        return reader.line
    }

    func raw(_ record: CSVReader.Record) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[record.start..<record.end]), as: UTF8.self)
    }

    func sha256(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }
}

