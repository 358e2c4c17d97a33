import Foundation
import Logging
public import StrataCore
import StrataOffline
import StrataRegistry

extension FeatureStore {
    /// Copies, per key, the best row known at `end` from the offline tables into LMDB, in one write transaction for
    /// the whole run: a killed run leaves the online store exactly as it was. A stored row is replaced only by a
    /// better one. `incremental` reads only offline rows that were not eligible at the previous run's end.
    /// When the LMDB map fills, it doubles (up to `online.map_size_max`) and the run starts again.
    ///
    /// The run is recorded in the registry when it starts and again when it ends (completed, with figures per view,
    /// or failed, with the error), so lineage export can report it; a killed run stays recorded as started.
    /// - Throws: `FeatureStoreError.unknownView`; `OnlineStoreError.mapFull` naming the setting to raise; store errors.
    public func materialize(views names: [String] = [], end: Int64 = currentMicros(), incremental: Bool = false,
                            progress: ((String, Int, Int) -> Void)? = nil) throws -> [MaterializeReport] {
        try materialize(views: names, end: end, incremental: incremental, crashAfterKeys: nil, progress: progress)
    }

    /// `materialize` with fault injection for crash tests: the process kills itself mid-transaction after `crashAfterKeys`
    /// keys, or pauses mid-transaction (holding LMDB's writer lock) until the test removes the marker file `pauseFile`.
    package func materialize(views names: [String] = [], end: Int64 = currentMicros(), incremental: Bool = false, crashAfterKeys: Int?,
                             pauseFile: String? = nil, progress: ((String, Int, Int) -> Void)? = nil) throws -> [MaterializeReport] {
        // One snapshot for the run and its record, so a concurrent apply cannot make them disagree.
        let snapshot = try preparedSnapshot()
        let tables = snapshot.tables
        func run() throws -> [MaterializeReport] {
            try materializeViews(views: names, end: end, incremental: incremental, crashAfterKeys: crashAfterKeys, pauseFile: pauseFile,
                                 snapshot: snapshot, progress: progress)
        }
        guard names.allSatisfy({ tables[$0] != nil }) else { return try run() }
        let specs = tables.keys.sorted().filter { names.isEmpty || names.contains($0) }.compactMap { tables[$0] }
        var detail = MaterializationRunDetail(end: end, isIncremental: incremental, views: specs.map { spec in
            .init(name: spec.view.definition.name, version: spec.viewVersion, source: spec.view.source.name, sourceVersion: spec.sourceVersion,
                  table: spec.tableName, rowsScanned: nil, keysWritten: nil, keysKept: nil)
        }, definitionVersions: snapshot.applied.versionsByName)
        let startDetail = try CanonicalJSONText.encode(detail)
        let runID = try registry.startJobRun(kind: "materialize", startedAtMicros: currentMicros(), detail: startDetail)
        do {
            let reports = try run()
            for report in reports {
                guard let index = detail.views.firstIndex(where: { $0.name == report.view }) else { continue }
                detail.views[index].rowsScanned = report.rowsScanned
                detail.views[index].keysWritten = report.keysWritten
                detail.views[index].keysKept = report.keysKept
            }
            try registry.finishJobRun(id: runID, finishedAtMicros: currentMicros(), outcome: .completed, error: nil, detail: try CanonicalJSONText.encode(detail))
            return reports
        } catch {
            // The figures gathered so far, or (should they not encode) the detail the run started with: never `{}`.
            let figures: String
            do {
                figures = try CanonicalJSONText.encode(detail)
            } catch let encoding {
                logger.warning("the figures of failed materialize run \(runID) cannot be written as JSON; recording its start detail: \(String(reflecting: encoding))")
                figures = startDetail
            }
            finishFailedRun(runID: runID, kind: "materialize", error, detail: figures)
            throw error
        }
    }

    /// Runs one source's ingest and, when it fails, records the failed run (its transaction rolled back, so nothing
    /// else remains of it) before passing the error on.
    func recordingFailure(of request: IngestRequest, _ body: () throws -> IngestReport) throws -> IngestReport {
        do {
            return try body()
        } catch let error as FeatureStoreError where error.isRegistryMoved {
            // Not a failure: nothing was written and the write starts again on the new revision.
            throw error
        } catch {
            let detail = FailedIngestDetail(source: request.source.name, sourceVersion: request.sourceVersion, file: request.displayPath,
                                            definitionVersions: request.definitionVersions)
            recordFailedRun(kind: "ingest", startedAtMicros: request.now, detail: detail, message: Self.failureMessage(error))
            throw error
        }
    }

    /// Runs a `historical` build and, when it fails, records the failed run (it wrote no manifest) before passing the
    /// error on, so lineage export reports a FAIL.
    func recordingFailure<T>(ofHistorical request: HistoricalRequest, _ body: () throws -> T) throws -> T {
        let started = currentMicros()
        do {
            return try body()
        } catch {
            let spine = request.spineBytes == nil ? URL(fileURLWithPath: request.spinePath).path : ""
            let output = request.outputPath.isEmpty ? "" : URL(fileURLWithPath: request.outputPath).path
            recordFailedRun(kind: "historical", startedAtMicros: started, detail: FailedTrainingSetDetail(spine: spine, output: output),
                            message: Self.failureMessage(error))
            throw error
        }
    }

    /// Runs a consistency check and, when it fails before producing its report, records the failed run before passing
    /// the error on, so lineage export reports a FAIL.
    package func recordingFailure<T>(ofCheck mode: String, _ body: () throws -> T) throws -> T {
        let started = currentMicros()
        do {
            return try body()
        } catch {
            recordFailedRun(kind: "check", startedAtMicros: started, detail: FailedCheckDetail(mode: mode), message: Self.failureMessage(error))
            throw error
        }
    }

    /// What a failed run's record says: the error for people, with where and how to fix it.
    static func failureMessage(_ error: any Error) -> String {
        guard let e = error as? any StrataError else { return errorSummary(error) }
        return e.what + (e.location.map { " (at \($0))" } ?? "") + (e.fix.map { "; fix: \($0)" } ?? "")
    }

    /// Records a run that failed before its store kept anything of it. The run's own error is what the caller must see,
    /// so a registry that cannot take the record does not replace it: the record goes to the log instead, whole.
    func recordFailedRun(kind: String, startedAtMicros: Int64, detail: some Encodable, message: String) {
        let text: String
        let runID: Int64
        do {
            text = try CanonicalJSONText.encode(detail)
            runID = try registry.startJobRun(kind: kind, startedAtMicros: startedAtMicros, detail: text)
        } catch {
            logger.error("a failed \(kind) run could not be recorded in the registry: \(String(reflecting: error))",
                         metadata: ["run.kind": "\(kind)", "run.started_at": "\(startedAtMicros)", "run.error": "\(message)"])
            return
        }
        finishJobRun(runID: runID, kind: kind, message: message, detail: text)
    }

    private func finishFailedRun(runID: Int64, kind: String, _ error: any Error, detail: String) {
        finishJobRun(runID: runID, kind: kind, message: Self.failureMessage(error), detail: detail)
    }

    /// Ends a recorded run as failed; when the registry cannot take the end, the log says so (the run stays `running`
    /// in the registry, and lineage export ends it as failed: see `RunCollector`).
    private func finishJobRun(runID: Int64, kind: String, message: String, detail: String) {
        do {
            try registry.finishJobRun(id: runID, finishedAtMicros: currentMicros(), outcome: .failed, error: message, detail: detail)
        } catch {
            logger.error("the end of failed \(kind) run \(runID) could not be recorded in the registry: \(String(reflecting: error))",
                         metadata: ["run.id": "\(runID)", "run.kind": "\(kind)", "run.error": "\(message)"])
        }
    }
}
