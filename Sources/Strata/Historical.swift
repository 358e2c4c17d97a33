public import StrataCore
public import StrataOffline
import StrataRegistry
import Foundation

/// Which features a historical request asks for.
public enum FeatureSelection: Sendable, Hashable {
    case service(String)
    case references([FeatureReference])

    /// Parses `view:feature,view:*` as given on the command line.
    public static func parseList(_ text: String) throws -> FeatureSelection {
        var references: [FeatureReference] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            guard let reference = FeatureReference.parse(part) else { throw FeatureStoreError.badFeatureList(part) }
            references.append(reference)
        }
        guard !references.isEmpty else { throw FeatureStoreError.badFeatureList(text) }
        return .references(references)
    }
}

/// A request for a point-in-time-correct training set.
public struct HistoricalRequest: Sendable {
    public var spinePath: String
    public var features: FeatureSelection
    public var corrections: CorrectionsMode
    public var isStrict: Bool
    public var timestampColumn: String
    public var includesStatus: Bool
    public var usesBareNames: Bool
    public var outputPath: String
    public var table: String
    /// A spine handed over in memory (an HTTP body, standard input) instead of the file at `spinePath`; it is kept in
    /// the project (`FeatureStore.keepSpine`) so the training set can be reproduced, and `spinePath` is ignored.
    public var spineBytes: SpineBytes?
    /// Called with a line of progress from a long step (Spark's session start and joins).
    public var progress: (@Sendable (String) -> Void)?

    public init(spinePath: String, features: FeatureSelection, corrections: CorrectionsMode = .known, isStrict: Bool = false,
                timestampColumn: String = "event_timestamp", includesStatus: Bool = false, usesBareNames: Bool = false,
                outputPath: String, table: String = "training_set") {
        self.spinePath = spinePath
        self.features = features
        self.corrections = corrections
        self.isStrict = isStrict
        self.timestampColumn = timestampColumn
        self.includesStatus = includesStatus
        self.usesBareNames = usesBareNames
        self.outputPath = outputPath
        self.table = table
    }
}

/// What a historical retrieval produced.
public struct HistoricalResult: Sendable {
    public var manifest: TrainingSetManifest
    public var trainingSet: TrainingSet
    /// For a reproduction: whether the content hash equals the original's.
    public var matchesOriginal: Bool?
    /// For a reproduction: the original's content hash.
    public var originalContentSHA256: String?
}

extension FeatureStore {
    /// Builds a training set: joins the spine with the requested features point in time, writes it, and records its manifest.
    public func historical(_ request: HistoricalRequest, now: Int64 = currentMicros()) throws -> HistoricalResult {
        try recordingFailure(ofHistorical: request) { try run(try trainingPlan(for: request), request: request, now: now, original: nil) }
    }

    /// The feature tables, features, mode and ingest watermarks a new training set for `request` uses.
    func trainingPlan(for request: HistoricalRequest) throws -> TrainingSetPlan {
        let snapshot = try preparedSnapshot()
        let applied = snapshot.applied
        let resolved = try applied.compiled.resolve(try applied.references(for: request.features)).get()
        let tables = snapshot.tables
        var plan: [TrainingSetPlan.ViewPart] = []
        for viewName in orderedUnique(resolved.map(\.view)) {
            guard let spec = tables[viewName] else { continue }
            for isAggregation in [false, true] {
                let features = resolved.filter { $0.view == viewName && $0.isAggregation == isAggregation }
                if !features.isEmpty { plan.append(TrainingSetPlan.ViewPart(spec: spec, features: features, maxIngestSeq: nil, isAggregation: isAggregation)) }
            }
        }
        try offline.refresh(plan.map(\.spec).filter(\.hasSourceStorage))
        for i in plan.indices { plan[i].maxIngestSeq = try offline.maxIngestSeq(plan[i].spec) }
        return TrainingSetPlan(views: plan, corrections: request.corrections, isStrict: request.isStrict,
                               includesStatus: request.includesStatus, usesBareNames: request.usesBareNames)
    }

    func run(_ plan: TrainingSetPlan, request: HistoricalRequest, now: Int64, original: TrainingSetManifest?) throws -> HistoricalResult {
        let (spine, spinePath) = try loadSpine(request, original: original)
        let set = try join(plan, spine: spine, progress: request.progress)
        guard let format = TrainingSetFormat.forPath(request.outputPath) else { throw FeatureStoreError.badOutput(path: request.outputPath) }
        let outputURL = URL(fileURLWithPath: request.outputPath)
        let hashes = try TrainingSetWriter.writeWithHashes(set, to: outputURL, format: format, table: request.table)
        let hash = hashes.content
        var manifest = try TrainingSetManifest(plan: plan, spine: spine, spinePath: spinePath, output: outputURL.path, format: format,
                                               table: request.table, contentSHA256: hash, createdAt: now, store: self, set: set)
        if let original { manifest.reproducedFrom = original.id }
        if let spark = try sparkRunner(), plan.views.contains(where: { !$0.isAggregation }) { manifest.engine = "spark (\(spark.settings.master))" }
        manifest.finishedAt = Timestamp.format(max(now, currentMicros()))
        manifest.output.fileSHA256 = hashes.file
        try manifest.save(beside: outputURL)
        try registry.recordTrainingSet(id: manifest.id, createdAtMicros: now, manifest: try manifest.json())
        try recordTrainingSetProfile(id: manifest.id, plan: plan, set: set)
        return HistoricalResult(manifest: manifest, trainingSet: set, matchesOriginal: original.map { $0.output.contentSHA256 == hash },
                                originalContentSHA256: original?.output.contentSHA256)
    }

    /// The request's spine (read from its file, or from its bytes, which are kept in the project first) and the path the
    /// manifest records; for a reproduction, checked against the original's hash.
    func loadSpine(_ request: HistoricalRequest, original: TrainingSetManifest?) throws -> (Spine, String) {
        let spine: Spine, path: String
        if let given = request.spineBytes {
            path = try keepSpine(given)
            spine = try Spine.columnar(bytes: given.bytes, format: given.format, displayPath: given.displayName,
                                       timestampColumn: request.timestampColumn, rowsMax: given.rowsMax)
        } else {
            path = URL(fileURLWithPath: request.spinePath).path
            spine = try Spine.read(url: URL(fileURLWithPath: request.spinePath), displayPath: request.spinePath, timestampColumn: request.timestampColumn)
        }
        if let original, original.spine.sha256 != spine.sha256 {
            throw OfflineStoreError.spineChanged(path: request.spinePath, expected: original.spine.sha256, found: spine.sha256)
        }
        return (spine, path)
    }

    /// Joins the spine with every part of the plan, point in time: row features on the project's offline engine
    /// (SQLite, or Spark in one session for every view), aggregations on SQLite.
    func join(_ plan: TrainingSetPlan, spine: Spine, progress: (@Sendable (String) -> Void)? = nil) throws -> TrainingSet {
        let columns = try plan.columns()
        var sparkResults: [Int: ViewJoinResult] = [:]
        if let spark = try sparkRunner() {
            var parts: [SparkJoinPart] = [], indexes: [Int] = []
            for (index, part) in plan.views.enumerated() where !part.isAggregation {
                let options = JoinOptions(corrections: plan.corrections, isStrict: plan.isStrict, maxIngestSeq: part.maxIngestSeq)
                parts.append(SparkJoinPart(spec: part.spec, keys: try spine.keyTuples(part.spec.view.keys), featureIndexes: part.features.map(\.featureIndex),
                                           options: options))
                indexes.append(index)
            }
            let computed = try spark.join(parts, times: spine.times, store: offline, progress: progress, warn: { [logger] in logger.warning("\($0)") })
            for (index, result) in zip(indexes, computed) { sparkResults[index] = result }
        }
        var results: [ViewJoinResult] = []
        for (index, part) in plan.views.enumerated() {
            if let computed = sparkResults[index] { results.append(computed); continue }
            let keys = try spine.keyTuples(part.spec.view.keys)
            let options = JoinOptions(corrections: plan.corrections, isStrict: plan.isStrict, maxIngestSeq: part.maxIngestSeq)
            let indexes = part.features.map(\.featureIndex)
            results.append(part.isAggregation ? try offline.aggregate(keys: keys, times: spine.times, table: part.spec, aggregationIndexes: indexes, options: options)
                                              : try offline.join(keys: keys, times: spine.times, table: part.spec, featureIndexes: indexes, options: options))
        }
        var set = TrainingSet(spine: spine, columns: columns, results: results, statusViews: plan.includesStatus ? plan.statusPrefixes : [])
        for part in plan.views { for key in part.spec.view.keys { set.spineKeyTypes[key.name] = key.type } }
        return set
    }

    /// The Spark engine, when strata.yaml selects it (`offline.engine: spark`).
    /// - Throws: `SparkError.warehouseNotLocal`.
    func sparkRunner() throws -> SparkRunner? {
        guard settings.offlineEngine == .spark else { return nil }
        return try SparkRunner(settings: settings.spark ?? SparkSettings(), projectRoot: folder.root)
    }

    /// A recorded training set's manifest.
    /// - Throws: `OfflineStoreError.unknownTrainingSet`, `.corruptRecord` naming the training set.
    public func trainingSetManifest(id: String) throws -> TrainingSetManifest {
        guard let json = try registry.trainingSetManifest(id: id) else { throw OfflineStoreError.unknownTrainingSet(id: id) }
        return try TrainingSetManifest.decode(json, id: id)
    }

    /// The feature table a manifest's view used, at its recorded versions.
    public func recordedFeatureTable(_ info: TrainingSetManifest.ViewInfo) throws -> FeatureTableSpec {
        try FeatureTableSpec.recorded(view: info.name, version: info.version, source: info.source, sourceVersion: info.sourceVersion,
                                      entities: info.entities, registry: registry, resolver: try storageResolver())
    }

    /// Regenerates a recorded training set from its manifest: same spine, definition versions, mode and ingest watermark,
    /// so later ingests and corrections do not change it. The original and its manifest are never touched: without
    /// `outputPath` the reproduction goes beside it (`train.csv` → `train.reproduced.csv`). `matchesOriginal` says
    /// whether the bytes are the same.
    /// - Throws: `FeatureStoreError.wouldOverwriteOriginal` when `outputPath` (or its manifest) is the original's;
    ///   `OfflineStoreError.unknownTrainingSet`, `.spineChanged`.
    public func reproduce(id: String, outputPath: String? = nil, now: Int64 = currentMicros(),
                          progress: (@Sendable (String) -> Void)? = nil) throws -> HistoricalResult {
        let original = try trainingSetManifest(id: id)
        if outputPath == nil, original.output.format == .arrowStream { throw FeatureStoreError.needsOutputPath(id: id) }
        let output = outputPath ?? Self.besideOriginal(original.output.path)
        let protected = [original.output.path, TrainingSetManifest.path(beside: original.output.path)].map(Self.canonicalPath)
        guard !protected.contains(Self.canonicalPath(output)), !protected.contains(Self.canonicalPath(TrainingSetManifest.path(beside: output))) else {
            throw FeatureStoreError.wouldOverwriteOriginal(path: original.output.path)
        }
        let plan = try TrainingSetPlan(manifest: original, registry: registry, resolver: try storageResolver())
        var request = HistoricalRequest(spinePath: locateSpine(original.spine.path), features: .references([]), corrections: plan.corrections,
                                        isStrict: plan.isStrict, timestampColumn: original.spine.timestampColumn,
                                        includesStatus: plan.includesStatus, usesBareNames: plan.usesBareNames,
                                        outputPath: output, table: original.output.table)
        request.progress = progress
        return try run(plan, request: request, now: now, original: original)
    }

    /// The recorded spine path, or, when nothing is there any more (the project folder moved, or came from another
    /// machine), the same trailing path inside this project (`featuresets/data/spine.csv` of `/old/place/featuresets/…`).
    /// The spine's SHA-256 is checked after reading, so a different file of that name is refused, never used.
    func locateSpine(_ recorded: String) -> String {
        guard !FileManager.default.fileExists(atPath: recorded), recorded.hasPrefix("/") else { return recorded }
        let parts = recorded.split(separator: "/").map(String.init)
        for start in parts.indices.dropFirst() {
            let candidate = folder.url(forRelative: parts[start...].joined(separator: "/")).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return recorded
    }

    /// `dir/train.csv` → `dir/train.reproduced.csv`.
    static func besideOriginal(_ path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingPathExtension().appendingPathExtension("reproduced").appendingPathExtension(url.pathExtension).path
    }

    static func canonicalPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// The items in first-seen order, without repeats.
package func orderedUnique(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
}
