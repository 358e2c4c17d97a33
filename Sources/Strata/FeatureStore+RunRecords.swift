import Foundation
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
            recordFailure(runID: runID, error, detail: (try? CanonicalJSONText.encode(detail)) ?? startDetail)
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
            // The record is best effort: if the registry cannot take it either, the ingest error is the one to report.
            if let text = try? CanonicalJSONText.encode(detail),
               let runID = try? registry.startJobRun(kind: "ingest", startedAtMicros: request.now, detail: text) {
                recordFailure(runID: runID, error, detail: text)
            }
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
            // Best effort, as for ingest: the build's own error is what the caller must see.
            if let text = try? CanonicalJSONText.encode(FailedTrainingSetDetail(spine: spine, output: output)),
               let runID = try? registry.startJobRun(kind: "historical", startedAtMicros: started, detail: text) {
                recordFailure(runID: runID, error, detail: text)
            }
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
            if let text = try? CanonicalJSONText.encode(FailedCheckDetail(mode: mode)),
               let runID = try? registry.startJobRun(kind: "check", startedAtMicros: started, detail: text) {
                recordFailure(runID: runID, error, detail: text)
            }
            throw error
        }
    }

    private func recordFailure(runID: Int64, _ error: any Error, detail: String) {
        let message = (error as? any StrataError).map { e in e.what + (e.location.map { " (at \($0))" } ?? "") + (e.fix.map { "; fix: \($0)" } ?? "") }
            ?? "\(error)"
        // Best effort, as above: the run's own error is what the caller must see.
        try? registry.finishJobRun(id: runID, finishedAtMicros: currentMicros(), outcome: .failed, error: message, detail: detail)
    }
}
