public import Strata
import StrataCore

/// The jobs Strata runs, as `strata lineage --job` names them.
public enum OpenLineageJobKind: String, Sendable, CaseIterable {
    case ingest, materialize, push, historical, check
}

/// What to export and how to name it.
public struct OpenLineageExportOptions: Sendable {
    /// The job namespace; nil for the project's own, `strata://HOST/ABSOLUTE/PROJECT/PATH`.
    public var jobNamespace: String?
    /// Only events at or after this instant (microseconds since the epoch).
    public var since: Int64?
    /// Only runs of these jobs; empty for all.
    public var jobs: Set<OpenLineageJobKind>
    /// The host in dataset namespaces; nil for this machine's name.
    public var host: String?

    public init(jobNamespace: String? = nil, since: Int64? = nil, jobs: Set<OpenLineageJobKind> = [], host: String? = nil) {
        self.jobNamespace = jobNamespace
        self.since = since
        self.jobs = jobs
        self.host = host
    }
}

/// OpenLineage run events (spec 2-0-2) for every run Strata recorded: ingest, push, materialize, historical
/// (training sets) and check. Each run gives a START event and, once it ended, a COMPLETE or FAIL event, at the times
/// its record holds; run ids are version-5 UUIDs of the run's own id, so exporting again gives the same events.
///
/// ```swift
/// for line in try OpenLineageExport.events(store, options: .init(jobs: [.ingest])) { print(line) }
/// ```
public enum OpenLineageExport {
    /// The events as JSON objects, one per element, ordered by event time (a run's START before its end).
    /// - Throws: a store error, or a decoding error naming a stored record that cannot be read.
    public static func events(_ store: FeatureStore, options: OpenLineageExportOptions = .init()) throws -> [String] {
        let naming = OpenLineageNaming(host: options.host ?? OpenLineageNaming.localHost(), folder: store.folder)
        let namespace = options.jobNamespace ?? naming.projectNamespace
        var collector = try RunCollector(store: store, builder: DatasetBuilder(naming: naming))
        let runs = try collector.runs(of: options.jobs.isEmpty ? Set(OpenLineageJobKind.allCases) : options.jobs)
        var events: [(time: Int64, phase: Int, index: Int, text: String)] = []
        for (index, run) in runs.enumerated() {
            for event in run.events(jobNamespace: namespace) where event.time >= (options.since ?? .min) {
                events.append((event.time, event.phase, index, event.json.text))
            }
        }
        events.sort { ($0.time, $0.phase, $0.index) < ($1.time, $1.phase, $1.index) }
        return events.map(\.text)
    }
}

/// One run of a Strata job, with what it read and wrote.
struct LineageRun {
    var kind: OpenLineageJobKind
    var jobName: String
    /// The run's own id within its kind: an ingest run number, a training-set id, ….
    var localID: String
    var startedAt: Int64
    /// Nil while the run has no recorded end (it is running, or was killed).
    var endedAt: Int64?
    /// Set for a failed run: what went wrong.
    var failure: String?
    var inputs: [LineageDataset]
    var outputs: [LineageDataset]

    /// START, then COMPLETE or FAIL when the run ended.
    func events(jobNamespace: String) -> [(time: Int64, phase: Int, json: JSONValue)] {
        var result = [(startedAt, 0, event("START", at: startedAt, jobNamespace: jobNamespace))]
        if let endedAt {
            let end = max(endedAt, startedAt)
            result.append((end, 1, event(failure == nil ? "COMPLETE" : "FAIL", at: end, jobNamespace: jobNamespace)))
        }
        return result
    }

    private func event(_ type: String, at time: Int64, jobNamespace: String) -> JSONValue {
        var runFacets: [(String, JSONValue)] = [("processing_engine", Facet.processingEngine())]
        if type == "FAIL", let failure { runFacets.append(("errorMessage", Facet.errorMessage(failure))) }
        return .object([
            ("eventType", .string(type)),
            ("eventTime", .string(Timestamp.format(time))),
            ("run", .object([("runId", .string(OpenLineageNaming.runID(jobNamespace: jobNamespace, kind: kind, localID: localID))),
                             ("facets", .object(runFacets))])),
            ("job", .object([("namespace", .string(jobNamespace)), ("name", .string(jobName)), ("facets", .object([("jobType", Facet.jobType(kind))]))])),
            ("inputs", .array(inputs.map { $0.json(asOutput: false, eventType: type) })),
            ("outputs", .array(outputs.map { $0.json(asOutput: true, eventType: type) })),
            ("producer", .string(Facet.producer)),
            ("schemaURL", .string(Facet.runEventSchemaURL)),
        ])
    }
}
