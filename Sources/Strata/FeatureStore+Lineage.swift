import Foundation
public import StrataCore
public import StrataOffline
public import StrataRegistry

/// What Strata recorded about the runs of its jobs, oldest first within each kind: the inputs of lineage export.
public struct RunHistory: Sendable {
    /// Ingest and push runs (a push is recorded as an ingest of `push:FILE`).
    public var ingests: [IngestRunDetail]
    public var materializations: [MaterializationRun]
    /// Ingest runs that failed: their transaction rolled back, so only this record remains.
    public var failedIngests: [FailedIngest]
    public var trainingSets: [TrainingSetManifest]
    /// `historical` runs that failed: they wrote no manifest, so only this record remains.
    public var failedTrainingSets: [FailedTrainingSet] = []
    /// Consistency checks that failed before producing a report.
    public var failedChecks: [FailedCheck] = []
    /// Consistency-check reports as stored (JSON by id; StrataCheck decodes them).
    public var checkReports: [(id: String, json: String)]
}

/// One materialization run: when it ran, how it ended, and per view what it read and wrote.
public struct MaterializationRun: Sendable {
    public var record: JobRunRecord
    public var detail: MaterializationRunDetail
}

/// The stored detail of a materialization run.
public struct MaterializationRunDetail: Sendable, Codable {
    public struct View: Sendable, Codable {
        public var name: String
        public var version: Int
        public var source: String
        public var sourceVersion: Int
        public var table: String
        /// Nil until the run completes.
        public var rowsScanned: Int?
        public var keysWritten: Int?
        public var keysKept: Int?
    }

    public var end: Int64
    public var isIncremental: Bool
    public var views: [View]
    public var definitionVersions: [String: Int]
}

/// A consistency check that failed before producing a report (a report over its threshold is a report, not this).
public struct FailedCheck: Sendable {
    public var record: JobRunRecord
    public var detail: FailedCheckDetail
}

/// The stored detail of a failed check.
public struct FailedCheckDetail: Sendable, Codable {
    /// `logs` or `snapshot`.
    public var mode: String
}

/// A `historical` run that failed, with what it was reading and where it was to write.
public struct FailedTrainingSet: Sendable {
    public var record: JobRunRecord
    public var detail: FailedTrainingSetDetail
}

/// The stored detail of a failed `historical` run.
public struct FailedTrainingSetDetail: Sendable, Codable {
    /// The spine's path as given (empty when the spine came as bytes).
    public var spine: String
    /// The output path as given (empty for a streamed training set).
    public var output: String
}

/// An ingest run that failed, with what it was reading.
public struct FailedIngest: Sendable {
    public var record: JobRunRecord
    public var detail: FailedIngestDetail
}

/// The stored detail of a failed ingest run.
public struct FailedIngestDetail: Sendable, Codable {
    public var source: String
    public var sourceVersion: Int
    /// The path relative to the project, as the source declares it.
    public var file: String
    public var definitionVersions: [String: Int]
}

extension FeatureStore {
    /// Every recorded run of every job, for lineage export.
    /// - Throws: a store error, or a decoding error naming a stored record that cannot be read.
    public func runHistory() throws -> RunHistory {
        var history = RunHistory(ingests: try offline.ingestRunDetails(), materializations: [], failedIngests: [],
                                 trainingSets: try registry.trainingSetManifestRecords().reversed().map { try TrainingSetManifest.decode($0.manifest, id: $0.id) },
                                 checkReports: try registry.checkReportRecords().reversed().map { ($0.id, $0.report) })
        for record in try registry.jobRuns() {
            switch record.kind {
            case "materialize": history.materializations.append(MaterializationRun(record: record, detail: try decodeDetail(record)))
            case "ingest": history.failedIngests.append(FailedIngest(record: record, detail: try decodeDetail(record)))
            case "historical": history.failedTrainingSets.append(FailedTrainingSet(record: record, detail: try decodeDetail(record)))
            case "check": history.failedChecks.append(FailedCheck(record: record, detail: try decodeDetail(record)))
            default: continue
            }
        }
        return history
    }

    /// The feature table of a view at `version`, with its source and entities at the versions a run recorded.
    /// - Throws: `RegistryError` when a recorded version is missing from the registry.
    public func recordedFeatureTable(view: String, version: Int, definitionVersions: [String: Int]) throws -> FeatureTableSpec {
        guard let text = try registry.object(name: view, kind: .view, version: version).spec,
              case .view(let definition) = try CanonicalJSON.decode(kind: .view, text) else {
            throw RegistryError.unknownVersion(name: view, version: version, latest: version)
        }
        var entities: [String: Int] = [:]
        for entity in definition.entities { entities[entity] = definitionVersions[entity] ?? 1 }
        return try FeatureTableSpec.recorded(view: view, version: version, source: definition.source,
                                             sourceVersion: definitionVersions[definition.source] ?? 1, entities: entities, registry: registry,
                                             resolver: try storageResolver())
    }

    /// A source's definition at `version`.
    /// - Throws: `RegistryError` when the registry has no such version.
    public func recordedSource(_ name: String, version: Int) throws -> SourceDefinition {
        guard let text = try registry.object(name: name, kind: .source, version: version).spec,
              case .source(let definition) = try CanonicalJSON.decode(kind: .source, text) else {
            throw RegistryError.unknownVersion(name: name, version: version, latest: version)
        }
        return definition
    }

    /// The table holding a source version's rows (empty when nothing was stored for it).
    package func sourceTableName(_ name: String, version: Int) throws -> String {
        try storageResolver().resolveSource(try recordedSource(name, version: version), version: version).storage?.tableName ?? ""
    }

    /// The names of every feature view the registry has ever held, removed ones included.
    public func viewNamesEverApplied() throws -> Set<String> {
        Set(try registry.latestObjects(includingRemoved: true).filter { $0.kind == .view }.map(\.name))
    }

    func decodeDetail<T: Decodable>(_ record: JobRunRecord) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(record.detail.utf8))
        } catch {
            throw FeatureStoreError.undecodableRecord(what: "the detail of \(record.kind) run", record: "\(record.id)", cause: error)
        }
    }
}
