import Foundation
import GRDB
public import StrataCore
public import StrataQuality

/// The run's overall verdict: the worst of its expectation results (`pass` when it has none).
public enum RunVerdict: String, Sendable, Codable, Hashable {
    /// Nothing failed (rows an expectation quarantined do not fail the run).
    case pass
    /// An expectation declared `warn` failed; the run was kept.
    case warn
    /// An expectation rejected the run: it wrote nothing.
    case reject

    /// The worst verdict of `results`.
    public init(_ results: [ExpectationResult]) {
        if results.rejectsRun { self = .reject } else if results.contains(where: { $0.verdict == .warn }) { self = .warn } else { self = .pass }
    }
}

/// A run that its expectations rejected: its transaction rolled back, so it wrote nothing.
public struct IngestRejection: StrataError {
    public var report: IngestReport
    public var profile: DatasetProfile

    public var what: String {
        let failed = report.validation.filter { $0.verdict == .reject }
        return "the \(report.file.hasPrefix("push:") ? "push" : "ingest") of `\(report.source)` from \(report.file) was rejected by "
            + "\(failed.count) expectation\(failed.count == 1 ? "" : "s"): "
            + failed.map { "\($0.expectation) (observed \($0.observed), required \($0.threshold))" }.joined(separator: "; ")
    }

    public var location: SourceLocation? { nil }
    public var fix: String? {
        "nothing was written; correct the data and run again, or declare the expectation with `on_fail: warn` (run rules) or `action: warn` (a `mostly` rule)"
    }
}

extension RowSink {
    /// Checks a decoded row against the source's column expectations: a row failing a quarantining rule goes to
    /// quarantine with that expectation as its reason; any other row is written and profiled.
    /// `column` maps a schema position to the 1-based column of the file (nil where the format has none).
    @inline(__always)
    mutating func accept(line: Int, event: Int64, created: Int64?, values: [Value], column: (Int) -> Int?, raw: () -> String) throws {
        if let failure = quality.check(values) {
            try quarantine(line: line, column: column(failure.columnIndex), raw: raw(), reason: failure.reason)
            return
        }
        try insert(line: line, event: event, created: created, values: values)
        quality.add(values, event: event, created: created ?? request.now)
    }
}

extension IngestRun {
    /// Judges the finished run: column results, then run rules against its profile and the source's previous run of
    /// the same kind (file ingest or push). A rejected run throws `IngestRejection` (its transaction rolls back);
    /// otherwise the results and the profile are stored with the run.
    func judge(_ report: inout IngestReport, sink: RowSink) throws {
        let profile = sink.quality.profile()
        var results = sink.quality.checker?.results() ?? []
        if let expectations = request.source.expectations, !expectations.run.isEmpty {
            let metrics = RunMetrics(profile: profile, newestEventMicros: sink.quality.newestEvent,
                                     duplicateKeyRows: sink.quality.duplicates?.duplicates)
            results += RunChecker.check(expectations, run: metrics, previous: try previousRun(), now: request.now)
        }
        report.validation = results
        if results.rejectsRun {
            report.isRejected = true
            throw IngestRejection(report: report, profile: profile)
        }
        try QualityRecords.insert(db, runID: sink.runID, request: request, report: report, profile: profile)
    }

    /// The rows written by the source's previous run of the same kind, for `row_count.max_change`.
    private func previousRun() throws -> RunMetrics? {
        let isPush = request.displayPath.hasPrefix("push:")
        let rows = try Int64.fetchOne(db, sql: """
            SELECT r.rows_accepted FROM ingest_runs r JOIN source_files f ON f.run_id = r.run_id
            WHERE r.source = ? AND r.outcome IN ('new', 'appended', 'changed') AND (f.path LIKE 'push:%') = ?
            ORDER BY r.run_id DESC LIMIT 1
            """, arguments: [request.source.name, isPush])
        return rows.map { RunMetrics(rowCount: $0, newestEventMicros: nil, columns: [:]) }
    }
}

extension OfflineStore {
    /// `ingest`, except that a run its expectations reject is recorded — an ingest run with outcome `rejected` and
    /// no rows, with its validation results and profile — in a transaction of its own, and returned with
    /// `isRejected` set instead of thrown.
    /// - Throws: what `ingest` throws, other than `IngestRejection`.
    public func ingestRecordingRejection(_ request: IngestRequest, progress: ((Int, Int) -> Void)? = nil) throws -> IngestReport {
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            return try ingest(request, progress: progress)
        } catch let rejection as IngestRejection {
            var report = rejection.report
            report.runID = try write("record the rejected run of \(request.source.name)") { db in
                let versions = FlatJSON.encode(request.definitionVersions.sorted { $0.key < $1.key }.map { ($0.key, Value.int(Int64($0.value))) })
                try db.execute(sql: """
                    INSERT INTO ingest_runs (source, source_version, started_at, finished_at, rows_read, rows_accepted, rows_quarantined, outcome, definition_versions)
                    VALUES (?, ?, ?, ?, ?, 0, 0, 'rejected', ?)
                    """, arguments: [request.source.name, request.sourceVersion, request.now, currentMicros(), report.rowsRead, versions])
                let runID = db.lastInsertedRowID
                try QualityRecords.insert(db, runID: runID, request: request, report: report, profile: rejection.profile)
                return runID
            }
            report.elapsedMicros = Int64((DispatchTime.now().uptimeNanoseconds - started) / 1000)
            return report
        }
    }
}
