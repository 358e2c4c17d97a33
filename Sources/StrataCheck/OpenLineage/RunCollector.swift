import Foundation
import Strata
import StrataCore
import StrataOffline
import StrataRegistry

/// Turns Strata's run records into `LineageRun`s: ingest and push runs from the offline store, materializations and
/// failed ingests from the registry's job runs, training sets from their manifests, checks from their reports.
/// Definitions are read at the versions each record names, so an old run keeps the lineage it had.
struct RunCollector {
    let store: FeatureStore
    let builder: DatasetBuilder
    let history: RunHistory
    let viewNames: Set<String>
    private var tables: [String: FeatureTableSpec] = [:]
    private var sources: [String: SourceDefinition] = [:]

    init(store: FeatureStore, builder: DatasetBuilder) throws {
        self.store = store
        self.builder = builder
        history = try store.runHistory()
        viewNames = try store.viewNamesEverApplied()
    }

    mutating func runs(of kinds: Set<OpenLineageJobKind>) throws -> [LineageRun] {
        var runs: [LineageRun] = []
        for detail in history.ingests where kinds.contains(detail.isPush ? .push : .ingest) { runs.append(try ingest(detail)) }
        for failed in history.failedIngests where kinds.contains(failed.detail.file.hasPrefix("push:") ? .push : .ingest) {
            runs.append(try failedIngest(failed))
        }
        if kinds.contains(.materialize) { for run in history.materializations { runs += try materialization(run) } }
        if kinds.contains(.historical) {
            for manifest in history.trainingSets { runs.append(try trainingSet(manifest)) }
            for failed in history.failedTrainingSets { runs.append(failedTrainingSet(failed)) }
        }
        if kinds.contains(.check) {
            for stored in history.checkReports { runs.append(try check(try CheckReport.decode(stored: stored.json, id: stored.id))) }
            for failed in history.failedChecks { runs.append(failedCheck(failed)) }
        }
        return runs
    }

    mutating func table(_ view: String, version: Int, _ versions: [String: Int]) throws -> FeatureTableSpec {
        let key = "\(view)/\(version)/" + versions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        if let cached = tables[key] { return cached }
        let spec = try store.recordedFeatureTable(view: view, version: version, definitionVersions: versions)
        tables[key] = spec
        return spec
    }

    mutating func source(_ name: String, version: Int) throws -> SourceDefinition {
        if let cached = sources["\(name)/\(version)"] { return cached }
        let source = try store.recordedSource(name, version: version)
        sources["\(name)/\(version)"] = source
        return source
    }

    /// The feature tables an ingest of `source` refreshed: every view applied at the run's versions that reads it.
    mutating func tablesReading(_ source: String, version: Int, _ versions: [String: Int]) throws -> [FeatureTableSpec] {
        var result: [FeatureTableSpec] = []
        for (name, viewVersion) in versions.sorted(by: { $0.key < $1.key }) where viewNames.contains(name) {
            let spec = try table(name, version: viewVersion, versions)
            if spec.view.source.name == source, spec.sourceVersion == version { result.append(spec) }
        }
        return result
    }

    mutating func ingest(_ detail: IngestRunDetail) throws -> LineageRun {
        let run = detail.run
        let source = try source(run.source, version: run.sourceVersion)
        var input = detail.isPush ? builder.pushedRows(source) : builder.sourceFile(source, path: detail.file)
        input.inputFacets = [("inputStatistics", Facet.inputStatistics(rowCount: run.rowsRead, size: detail.bytesRead))]
        var table = builder.sourceTable(source, table: try store.sourceTableName(run.source, version: run.sourceVersion), from: input.name)
        table.outputFacets = [("outputStatistics", Facet.outputStatistics(rowCount: run.rowsAccepted))]
        let specs = try tablesReading(run.source, version: run.sourceVersion, detail.definitionVersions)
        var outputs = [table] + specs.map(builder.featureTable)
        if detail.isPush { outputs += specs.map { builder.onlineTable($0, origin: .pushed) } }
        if run.rowsQuarantined > 0 {
            var quarantine = LineageDataset(name: builder.naming.offlineTable(StoredSchema.quarantineTable))
            quarantine.facets = [("schema", Facet.schema(StoredSchema.quarantineColumns.map(Facet.Field.init))),
                                 ("dataSource", builder.naming.dataSource(builder.naming.offlineNamespace))]
            quarantine.outputFacets = [("outputStatistics", Facet.outputStatistics(rowCount: run.rowsQuarantined))]
            outputs.append(quarantine)
        }
        let kind: OpenLineageJobKind = detail.isPush ? .push : .ingest
        return LineageRun(kind: kind, jobName: "\(kind.rawValue).\(run.source)", localID: String(run.runID), startedAt: run.startedAtMicros,
                          endedAt: run.finishedAtMicros, failure: nil, inputs: [input], outputs: outputs)
    }

    /// A failed ingest or push (a push is recorded with the file `push:REQUEST`).
    mutating func failedIngest(_ failed: FailedIngest) throws -> LineageRun {
        let detail = failed.detail
        let source = try source(detail.source, version: detail.sourceVersion)
        let isPush = detail.file.hasPrefix("push:")
        let input = isPush ? builder.pushedRows(source) : builder.sourceFile(source, path: detail.file)
        let specs = try tablesReading(detail.source, version: detail.sourceVersion, detail.definitionVersions)
        let kind: OpenLineageJobKind = isPush ? .push : .ingest
        return LineageRun(kind: kind, jobName: "\(kind.rawValue).\(detail.source)", localID: "failed/\(failed.record.id)", startedAt: failed.record.startedAtMicros,
                          endedAt: Self.failureEnd(failed.record), failure: failed.record.error ?? "failed",
                          inputs: [input], outputs: [builder.sourceTable(source, table: try store.sourceTableName(detail.source, version: detail.sourceVersion), from: input.name)]
                            + specs.map(builder.featureTable))
    }

    /// One run per view: a materialization writes each view's LMDB database from its own feature table.
    mutating func materialization(_ run: MaterializationRun) throws -> [LineageRun] {
        try run.detail.views.map { view in
            let spec = try table(view.name, version: view.version, run.detail.definitionVersions)
            var input = builder.featureTable(spec)
            if let scanned = view.rowsScanned { input.inputFacets = [("inputStatistics", Facet.inputStatistics(rowCount: scanned))] }
            var output = builder.onlineTable(spec, origin: .materialized)
            if let written = view.keysWritten { output.outputFacets = [("outputStatistics", Facet.outputStatistics(rowCount: written))] }
            let failure = run.record.outcome == .failed ? (run.record.error ?? "failed") : nil
            return LineageRun(kind: .materialize, jobName: "materialize.\(view.name)", localID: "\(run.record.id)/\(view.name)",
                              startedAt: run.record.startedAtMicros, endedAt: run.record.finishedAtMicros, failure: failure, inputs: [input], outputs: [output])
        }
    }

    mutating func trainingSet(_ manifest: TrainingSetManifest) throws -> LineageRun {
        let specs = try manifest.views.map { try store.recordedFeatureTable($0) }
        let columns = builder.columns(of: manifest, specs: specs)
        let started = try Self.instant(manifest.createdAt, "training set \(manifest.id)")
        let ended = try manifest.finishedAt.map { try Self.instant($0, "training set \(manifest.id)") } ?? started
        return LineageRun(kind: .historical, jobName: "historical." + URL(fileURLWithPath: manifest.output.path).lastPathComponent, localID: manifest.id,
                          startedAt: started, endedAt: ended, failure: nil,
                          inputs: [builder.spine(manifest, columns: columns)] + specs.map(builder.featureTable),
                          outputs: [builder.trainingSet(manifest, specs: specs, columns: columns)])
    }

    /// A failed `historical` run: it read a spine and wrote nothing; the datasets carry only their names.
    func failedTrainingSet(_ failed: FailedTrainingSet) -> LineageRun {
        let detail = failed.detail
        let inputs = detail.spine.isEmpty ? [] : [builder.plainFile(detail.spine)]
        let outputs = detail.output.isEmpty ? [] : [builder.plainFile(detail.output)]
        let name = detail.output.isEmpty ? "stream" : URL(fileURLWithPath: detail.output).lastPathComponent
        return LineageRun(kind: .historical, jobName: "historical.\(name)", localID: "failed/\(failed.record.id)",
                          startedAt: failed.record.startedAtMicros, endedAt: Self.failureEnd(failed.record),
                          failure: failed.record.error ?? "failed", inputs: inputs, outputs: outputs)
    }

    /// A check that failed before its report: it read the feature log (logs mode) and wrote nothing.
    func failedCheck(_ failed: FailedCheck) -> LineageRun {
        var inputs: [LineageDataset] = []
        if failed.detail.mode == "logs" {
            var log = LineageDataset(name: builder.naming.featureLog)
            log.facets = [("dataSource", builder.naming.dataSource(log.name.namespace))]
            inputs.append(log)
        }
        return LineageRun(kind: .check, jobName: "check.\(failed.detail.mode)", localID: "failed/\(failed.record.id)",
                          startedAt: failed.record.startedAtMicros, endedAt: Self.failureEnd(failed.record),
                          failure: failed.record.error ?? "failed", inputs: inputs, outputs: [])
    }

    /// When a failure-only record (a failed ingest, `historical` or check: nothing else is ever recorded of them) ended.
    /// Such a run never runs on after its record is written, so one the registry could not finish (see
    /// `FeatureStore.recordFailedRun`) ends at its start: its START always gets a FAIL.
    static func failureEnd(_ record: JobRunRecord) -> Int64 {
        record.finishedAtMicros ?? record.startedAtMicros
    }

    static func instant(_ text: String, _ what: String) throws -> Int64 {
        switch Timestamp.parse(text) {
        case .success(let micros): return micros
        case .failure(let failure): throw OfflineStoreError.failed(operation: "read the times of \(what)", path: "", cause: failure)
        }
    }
}
