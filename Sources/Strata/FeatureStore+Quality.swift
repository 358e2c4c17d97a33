import Foundation
public import StrataCore
public import StrataOffline
public import StrataQuality
import StrataRegistry

/// A data-quality request that cannot be answered: a profile that does not exist, a window with no data.
public struct QualityError: StrataError, Hashable {
    public var what: String
    public var fix: String?
    public var location: SourceLocation? { nil }

    public init(_ what: String, fix: String?) {
        self.what = what
        self.fix = fix
    }
}

/// Data quality through the façade: validation results and profiles of runs, training sets and serving logs, for the
/// CLI, the server and the web UI.
extension FeatureStore {
    /// Runs one ingest or push; a run its expectations reject is recorded (offline, and as a failed run in the
    /// registry for lineage) and returned with `isRejected` set.
    func judgedIngest(_ request: IngestRequest, progress: ((Int, Int) -> Void)? = nil) throws -> IngestReport {
        let report = try offline.ingestRecordingRejection(request, progress: progress)
        if report.isRejected {
            let detail = FailedIngestDetail(source: request.source.name, sourceVersion: request.sourceVersion, file: request.displayPath,
                                            definitionVersions: request.definitionVersions)
            let failed = report.validation.filter { $0.verdict == .reject }.map(\.expectation).joined(separator: "; ")
            // The offline record of the rejection is already committed: the registry's record is for lineage.
            recordFailedRun(kind: "ingest", startedAtMicros: request.now, detail: detail, message: "rejected by expectations: \(failed)")
        }
        return report
    }

    /// Validation records of ingest and push runs, newest first (optionally of one source).
    public func qualityRuns(source: String? = nil, limit: Int = 100) throws -> [QualityRunRecord] {
        try offline.qualityRuns(source: source, limit: limit)
    }

    /// The validation record of one run.
    /// - Throws: `QualityError` when the run has no record.
    public func qualityRun(_ id: Int64) throws -> QualityRunRecord {
        guard let record = try offline.qualityRun(id: id) else {
            throw QualityError("ingest run \(id) has no validation record", fix: "list runs with `strata quality runs`")
        }
        return record
    }

    /// The newest validation record's run id (0 when there is none).
    public func latestQualityRunID() throws -> Int64 { try offline.latestQualityRunID() }

    /// Validation records after run `afterID` with verdict `warn` or `reject`, oldest first.
    public func failedQualityRuns(after afterID: Int64) throws -> [QualityRunRecord] { try offline.failedQualityRuns(after: afterID) }

    /// The profile of a run, a training set, a window of offline feature values or of the serving log. Columns are
    /// named `view:feature` (runs also have their source and time columns); `service` limits windows to its features.
    ///
    /// ```swift
    /// let summary = ProfileSummary(try store.profile(of: .run(1)))          // what `strata profile --run 1` prints
    /// let served = try store.profile(of: .logs(since: nil, until: nil), service: "driver_activity")
    /// ```
    /// - Throws: `QualityError` when there is no such run or training set, or no such profile was recorded;
    ///   `FeatureStoreError.unknownService`; store errors.
    public func profile(of spec: ProfileSpec, service: String? = nil) throws -> DatasetProfile {
        switch spec {
        case .run(let id):
            guard let profile = try offline.runProfile(id: id) else {
                throw QualityError("ingest run \(id) has no profile", fix: "list runs with `strata quality runs`; runs that changed nothing have none")
            }
            return profile
        case .trainingSet(let id):
            return try trainingSetProfile(id: id)
        case .logs(let since, let until):
            return try logProfile(since: since, until: until, service: service)
        case .source(let since, let until):
            return try sourceWindowProfile(since: since, until: until, service: service)
        }
    }

    /// The profile recorded for a training set when it was built (its feature columns, as `view:feature`).
    public func trainingSetProfile(id: String) throws -> DatasetProfile {
        guard let text = try registry.trainingSetProfile(id: id) else {
            _ = try trainingSetManifest(id: id)
            throw QualityError("training set \(id) has no recorded profile (it was built before profiles were recorded)",
                               fix: "reproduce it with `strata historical --reproduce \(id)` and use the new id")
        }
        do {
            return try QualityJSON.decoder().decode(DatasetProfile.self, from: Data(text.utf8))
        } catch {
            throw OfflineStoreError.undecodable(what: "the profile of training set", record: id, cause: error)
        }
    }

    /// Profiles a built training set's feature columns and records it beside the manifest.
    func recordTrainingSetProfile(id: String, plan: TrainingSetPlan, set: TrainingSet) throws {
        let columns = set.columns.map { column -> ColumnProfile in
            let feature = plan.views[column.viewIndex].features[column.featureIndex]
            var profile = ColumnProfile(name: "\(feature.view):\(feature.feature)", type: column.type)
            for value in set.results[column.viewIndex].values[column.featureIndex] { profile.add(value) }
            return profile
        }
        let profile = DatasetProfile(columns: columns, rowCount: Int64(set.spine.rows.count))
        try registry.recordTrainingSetProfile(id: id, profile: String(decoding: try QualityJSON.encoder().encode(profile), as: UTF8.self))
    }

    /// The profile of the served values logged with `since <= request time <= until` (optionally of one service),
    /// one column per `view:feature`, read page by page (memory stays bounded whatever the window).
    public func logProfile(since: Int64?, until: Int64?, service: String? = nil) throws -> DatasetProfile {
        let types = Self.featureTypes(try appliedProject())
        let log = try featureLog()
        var columns: [ColumnProfile] = []
        var indexByName: [String: Int] = [:]
        var rows: Int64 = 0
        var afterID: Int64 = 0
        while true {
            let page = try log.replayPage(since: since, until: until, service: service, afterID: afterID, limit: 20_000)
            guard page.count > 0 else { break }
            let slots = page.featureLists.map { names in
                names.map { name -> Int in
                    if let index = indexByName[name] { return index }
                    indexByName[name] = columns.count
                    columns.append(ColumnProfile(name: name, type: types[name] ?? .string))
                    return columns.count - 1
                }
            }
            for record in 0..<page.count {
                let start = page.offsets[record]
                for (offset, column) in slots[page.featureListIDs[record]].enumerated() { columns[column].add(page.values[start + offset]) }
            }
            rows += Int64(page.count)
            afterID = page.lastID
        }
        return DatasetProfile(columns: columns, rowCount: rows)
    }

    /// Offline feature values of every row feature of the service's views (all views without a service) with
    /// `since <= event_ts <= until`.
    func sourceWindowProfile(since: Int64?, until: Int64?, service: String?) throws -> DatasetProfile {
        let snapshot = try snapshot()
        let wanted = try service.map { try serviceFeatures($0, applied: snapshot.applied).map(\.name) }
        var columns: [ColumnProfile] = []
        var rows: Int64 = 0
        for name in snapshot.tables.keys.sorted() {
            guard let spec = snapshot.tables[name] else { continue }
            let indexes = spec.view.features.indices.filter { wanted?.contains("\(name):\(spec.view.features[$0].definition.name)") ?? true }
            guard !indexes.isEmpty else { continue }
            try offline.refresh([spec])
            let profile = try offline.profileFeatureTable(spec, featureIndexes: indexes, since: since, until: until)
            columns += profile.columns
            rows = max(rows, profile.rowCount)
        }
        return DatasetProfile(columns: columns, rowCount: rows)
    }

    /// `view:feature` → type, for every row feature and aggregation of the applied project.
    static func featureTypes(_ applied: AppliedProject) -> [String: ValueType] {
        var types: [String: ValueType] = [:]
        for (name, view) in applied.compiled.views {
            for feature in view.features { types["\(name):\(feature.definition.name)"] = feature.definition.type }
            for aggregation in view.aggregations { types["\(name):\(aggregation.definition.name)"] = aggregation.resultType }
        }
        return types
    }

    /// The features of a service, expanded (`view:*`), as `view:feature` with their types.
    func serviceFeatures(_ service: String, applied: AppliedProject) throws -> [(name: String, type: ValueType)] {
        let definitions = applied.compiled.definitions
        guard definitions.service(service) != nil else {
            throw FeatureStoreError.unknownService(service, suggestion: nearMiss(service, in: definitions.services.map(\.name)))
        }
        let resolved = try applied.compiled.resolve(try applied.references(for: .service(service))).get()
        return resolved.map { (name: "\($0.view):\($0.feature)", type: $0.type) }
    }
}
