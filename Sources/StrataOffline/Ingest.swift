public import Foundation
import GRDB
public import StrataCore

/// Where the rows of an ingest run come from.
public enum IngestInput: Sendable {
    /// A source file, read in bounded chunks and checked for changes during the run.
    case file(URL)
    /// Rows decoded in memory (an HTTP push): no file is written or read.
    case rows(PushedRows)
}

/// What to ingest: one source file or pushed batch, with the definition versions in force and the views to refresh.
public struct IngestRequest: Sendable {
    public var source: SourceDefinition
    public var sourceVersion: Int
    /// The storage the rows go to: the one bound to `sourceVersion` (see `StorageCatalog`).
    public var storage: StoredTable
    /// Columns that are join keys of some view: a row without them is quarantined.
    public var keyColumns: Set<String>
    public var input: IngestInput
    /// The path as the user wrote it (relative to the project), or `push:REQUEST` for a push: for lineage and messages.
    public var displayPath: String
    /// Fail the run on the first bad row instead of quarantining it.
    public var isStrict: Bool
    /// The run's ingest time: `created_ts` for sources without a created column.
    public var now: Int64
    public var definitionVersions: [String: Int]
    public var views: [FeatureTableSpec]
    /// Called inside the run's transaction before anything is written: the façade checks there that the registry has not
    /// moved to a revision whose storage is elsewhere (an `apply` in another process); throwing writes nothing.
    public var checkBeforeWriting: (@Sendable () throws -> Void)?
    /// Fault injection for crash tests: the process kills itself after this many rows, mid-transaction.
    package var crashAfterRows: Int?
    /// Fault injection for change tests: the run pauses after hashing the file (see `FaultPause`).
    package var pauseAfterHashing: String?

    public init(source: SourceDefinition, sourceVersion: Int, storage: StoredTable, keyColumns: Set<String>, input: IngestInput, displayPath: String,
                isStrict: Bool, now: Int64, definitionVersions: [String: Int], views: [FeatureTableSpec]) {
        self.source = source
        self.sourceVersion = sourceVersion
        self.storage = storage
        self.keyColumns = keyColumns
        self.input = input
        self.displayPath = displayPath
        self.isStrict = isStrict
        self.now = now
        self.definitionVersions = definitionVersions
        self.views = views
    }

    public init(source: SourceDefinition, sourceVersion: Int, storage: StoredTable, keyColumns: Set<String>, file: URL, displayPath: String,
                isStrict: Bool, now: Int64, definitionVersions: [String: Int], views: [FeatureTableSpec]) {
        self.init(source: source, sourceVersion: sourceVersion, storage: storage, keyColumns: keyColumns, input: .file(file), displayPath: displayPath,
                  isStrict: isStrict, now: now, definitionVersions: definitionVersions, views: views)
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
    /// One result per expectation of the source (empty when it declares none): the validation table.
    public var validation: [ExpectationResult] = []
    /// True when an expectation rejected the run: it wrote nothing (see `OfflineStore.ingestRecordingRejection`).
    public var isRejected = false
    /// The stored file (or push) record whose rows this content is: for an unchanged push, the earlier identical one.
    package var fileID: Int64?

    enum CodingKeys: String, CodingKey {
        case runID, source, file, change, fileVersion, contentSHA256, rowsRead, rowsAccepted, rowsQuarantined, featureRowsAdded, quarantineSample, elapsedMicros, validation, isRejected
    }
}

extension OfflineStore {
    /// Ingests one source file or pushed batch in one transaction: rows with lineage, quarantine, the run record and
    /// the incremental refresh of the feature tables all commit together or not at all.
    ///
    /// A file is read with `read(2)` in bounded chunks (memory stays flat whatever its size); if it changes while
    /// it is read (size, modification time or content), the run is refused and nothing is written. A batch of
    /// pushed rows whose content an earlier push of the same source version already stored adds nothing.
    ///
    /// - Throws: `OfflineStoreError.fileMissing`, `.badHeader`, `.emptyFile`, `.fileUnreadable` before anything is
    ///   written; `.fileChanged` and `.strictRowRejected` (nothing is written).
    public func ingest(_ request: IngestRequest, progress: ((Int, Int) -> Void)? = nil) throws -> IngestReport {
        let started = DispatchTime.now().uptimeNanoseconds
        var report: IngestReport
        switch request.input {
        case .file(let url):
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw OfflineStoreError.fileMissing(source: request.source.name, path: request.displayPath)
            }
            let file = SourceFile(url: url, source: request.source.name, displayPath: request.displayPath)
            let fd = try file.open()
            defer { close(fd) }
            report = try write("ingest \(request.source.name)") { db in
                try Self.withIngestPageCache(db) { try IngestRun(request: request, db: db, progress: progress).run(file, fd) }
            }
        case .rows(let rows):
            // A push touches a random leaf of the clustered feature and event tables per row: the larger cache keeps a
            // batch's dirty pages from spilling to the WAL and being read back (benchmarks/findings.md).
            report = try write("ingest a push to \(request.source.name)") { db in
                try Self.withIngestPageCache(db) { try IngestRun(request: request, db: db, progress: progress).run(rows) }
            }
        }
        report.elapsedMicros = Int64((DispatchTime.now().uptimeNanoseconds - started) / 1000)
        return report
    }
}

extension OfflineStore {
    /// Pages of the ingest transaction's page cache (64 MiB). With SQLite's default 2 MiB, a run that dirties more
    /// pages than that spills them to the WAL and reads them back for every later insert into the same B-tree; the
    /// cache is allocated only as pages are touched, and is set back to the default when the run ends.
    static let ingestCacheKiB = 65_536

    static func withIngestPageCache<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA cache_size = -\(ingestCacheKiB)")
        defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
        return try body()
    }
}

/// One ingest run inside its transaction.
struct IngestRun {
    let request: IngestRequest
    let db: Database
    let progress: ((Int, Int) -> Void)?

    /// Where parsing starts: after what an earlier run of an appended file already read.
    struct Start {
        var offset = 0
        var line = 1
        var recordsBefore = 0
    }

    func run(_ file: SourceFile, _ fd: Int32) throws -> IngestReport {
        let source = request.source
        let before = try file.identity(fd)
        let previous = try Row.fetchOne(db, sql: """
            SELECT * FROM source_files WHERE family = ? AND path = ? ORDER BY file_id DESC LIMIT 1
            """, arguments: [request.storage.family, request.displayPath])
        let oldSize: Int? = previous?["size_bytes"]
        let fingerprint = try file.fingerprint(fd, prefixBytes: oldSize)
        FaultPause.wait(at: request.pauseAfterHashing)
        var report = IngestReport(runID: nil, source: source.name, file: request.displayPath, change: .new, fileVersion: 1, contentSHA256: fingerprint.sha256)
        var start = Start()
        if let previous, let oldSize {
            let oldSHA: String = previous["content_sha256"], oldVersion: Int = previous["file_version"]
            if oldSHA == fingerprint.sha256 {
                report.change = .unchanged
                report.fileVersion = oldVersion
                report.fileID = previous["file_id"]
                try refreshViews(&report)
                return report
            }
            if fingerprint.size > oldSize, oldSize > 0, fingerprint.prefixEndsWithNewline, fingerprint.prefixSHA256 == oldSHA {
                report.change = .appended
                report.fileVersion = oldVersion
                start = Start(offset: oldSize, line: previous["lines"], recordsBefore: previous["records"])
            } else {
                report.change = .changed
                report.fileVersion = oldVersion + 1
            }
        }
        var sink = try beginRun(&report, sizeBytes: fingerprint.size)
        var window = SourceWindow(fd: fd, file: file)
        let lines: Int
        let reader = SourceRecordReader(request: request, progress: progress)
        switch source.format {
        case .csv: lines = try reader.readCSV(&window, from: start, into: &sink, sizeBytes: fingerprint.size)
        case .jsonl: lines = try reader.readJSONLines(&window, from: start, into: &sink, sizeBytes: fingerprint.size)
        }
        let parsedSHA = try window.finish()
        let after = try file.identity(fd)
        if let change = before.change(to: after) ?? (parsedSHA != fingerprint.sha256 ? "its content changed" : nil) {
            throw OfflineStoreError.fileChanged(source: source.name, path: request.displayPath, change: change)
        }
        try finishRun(&report, sink: sink, records: start.recordsBefore + sink.rowsRead, lines: lines)
        return report
    }

    /// Inserts the source file record and the run record; returns the sink that writes the run's rows.
    func beginRun(_ report: inout IngestReport, sizeBytes: Int) throws -> RowSink {
        let source = request.source
        try request.checkBeforeWriting?()
        let versions = FlatJSON.encode(request.definitionVersions.sorted { $0.key < $1.key }.map { ($0.key, Value.int(Int64($0.value))) })
        try db.execute(sql: """
            INSERT INTO ingest_runs (source, source_version, started_at, finished_at, rows_read, rows_accepted, rows_quarantined, outcome, definition_versions)
            VALUES (?, ?, ?, 0, 0, 0, 0, 'running', ?)
            """, arguments: [source.name, request.sourceVersion, request.now, versions])
        let runID = db.lastInsertedRowID
        report.runID = runID
        try db.execute(sql: """
            INSERT INTO source_files (source, source_version, path, content_sha256, size_bytes, records, lines, file_version, run_id, family)
            VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, ?)
            """, arguments: [source.name, request.sourceVersion, request.displayPath, report.contentSHA256, sizeBytes, report.fileVersion, runID,
                             request.storage.family])
        let fileID = db.lastInsertedRowID
        report.fileID = fileID
        return try RowSink(request: request, db: db, runID: runID, fileID: fileID)
    }

    /// Records the counts, refreshes every view of the source and closes the run record.
    func finishRun(_ report: inout IngestReport, sink: RowSink, records: Int, lines: Int) throws {
        report.rowsRead = sink.rowsRead
        report.rowsAccepted = sink.rowsAccepted
        report.rowsQuarantined = sink.rowsQuarantined
        report.quarantineSample = sink.sample
        try judge(&report, sink: sink)
        try db.execute(sql: "UPDATE source_files SET records = ?, lines = ? WHERE file_id = ?", arguments: [records, lines, sink.fileID])
        try refreshViews(&report)
        try db.execute(sql: """
            UPDATE ingest_runs SET finished_at = ?, rows_read = ?, rows_accepted = ?, rows_quarantined = ?, outcome = ? WHERE run_id = ?
            """, arguments: [currentMicros(), sink.rowsRead, sink.rowsAccepted, sink.rowsQuarantined, report.change.rawValue, sink.runID])
    }

    func refreshViews(_ report: inout IngestReport) throws {
        for spec in request.views { report.featureRowsAdded[spec.view.definition.name] = try OfflineStore.refresh(spec, in: db) }
    }
}
