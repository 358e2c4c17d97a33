import Foundation
import StrataCore
public import StrataQuality

/// The profile of a source file read without storing anything (`strata profile --file`), with the records an
/// ingest of the same file would quarantine, counted and sampled.
public struct FileProfileReport: Sendable, Codable {
    /// A record that an ingest would quarantine: where, and why.
    public struct BadRow: Sendable, Hashable, Codable {
        public var line: Int
        /// 1-based column of the offending field, when one field is to blame.
        public var column: Int?
        public var reason: String
        public var raw: String
    }

    public var source: String
    public var file: String
    public var rowsRead = 0
    /// Rows in the profile: those an ingest would accept.
    public var rowsProfiled = 0
    /// Rows an ingest would quarantine (bad records and rows failing a quarantining column expectation).
    public var rowsBad = 0
    /// The first `badRowSampleMax` bad rows.
    public var badRows: [BadRow] = []
    /// Schema columns, the time columns, then every row feature of the views reading the source (as `view:feature`):
    /// the profile an ingest run of the same file records.
    public var profile: DatasetProfile

    public static let badRowSampleMax = 10
}

/// Feeds decoded rows into the run's quality state (column checks and profile) and counts bad rows, writing nothing.
struct ProfileSink: SourceRowSink {
    var quality: IngestQuality
    var report: FileProfileReport
    /// The run's time, the created time of rows of a source without a created column (as an ingest stores them).
    let now: Int64

    var rowsRead: Int { report.rowsRead }

    @inline(__always)
    mutating func accept(line: Int, event: Int64, created: Int64?, values: [Value], column: (Int) -> Int?, raw: () -> String) throws {
        if let failure = quality.check(values) {
            try quarantine(line: line, column: column(failure.columnIndex), raw: raw(), reason: failure.reason)
            return
        }
        report.rowsRead += 1
        report.rowsProfiled += 1
        quality.add(values, event: event, created: created ?? now)
    }

    mutating func quarantine(line: Int, column: Int?, raw: String, reason: String) throws {
        report.rowsRead += 1
        report.rowsBad += 1
        if report.badRows.count < FileProfileReport.badRowSampleMax {
            report.badRows.append(.init(line: line, column: column, reason: reason, raw: raw))
        }
    }
}

extension OfflineStore {
    /// Profiles a source file as `ingest` would read it — same reader, decoder, column expectations and profile —
    /// without opening the store: nothing is written, and the file is not hashed.
    ///
    /// ```swift
    /// let report = try OfflineStore.profileFile(request)   // request.input = .file(url)
    /// report.profile.columns.map(\.name)                   // ["driver_id", …, "driver_stats:conv_rate", …]
    /// ```
    /// - Throws: `OfflineStoreError.fileMissing`, `.fileUnreadable`, `.badHeader`, `.emptyFile`, `.limitExceeded`, and
    ///   `.fileChanged` when the file's size, modification time or inode changed while it was read.
    public static func profileFile(_ request: IngestRequest, progress: ((Int, Int) -> Void)? = nil) throws -> FileProfileReport {
        guard case .file(let url) = request.input else { preconditionFailure("profileFile reads files; pushed rows are profiled at push") }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw OfflineStoreError.fileMissing(source: request.source.name, path: request.displayPath)
        }
        let file = SourceFile(url: url, source: request.source.name, displayPath: request.displayPath)
        let fd = try file.open()
        defer { close(fd) }

        let before = try file.identity(fd)
        let quality = try IngestQuality(request: request)
        var sink = ProfileSink(quality: quality, report: FileProfileReport(source: request.source.name, file: request.displayPath,
                                                                           profile: DatasetProfile(columns: [], rowCount: 0)),
                               now: request.now)
        var window = SourceWindow(fd: fd, file: file, hashesContent: false)
        let reader = SourceRecordReader(request: request, progress: progress)
        switch request.source.format {
        case .csv: _ = try reader.readCSV(&window, from: IngestRun.Start(), into: &sink, sizeBytes: before.size)
        case .jsonl: _ = try reader.readJSONLines(&window, from: IngestRun.Start(), into: &sink, sizeBytes: before.size)
        }
        _ = try window.finish()
        if let change = before.change(to: try file.identity(fd)) {
            throw OfflineStoreError.fileChanged(source: request.source.name, path: request.displayPath, change: change)
        }
        sink.report.profile = sink.quality.profile()
        return sink.report
    }
}
