import Foundation
import StrataCore
public import StrataOffline
import StrataRegistry

/// Everything needed to trust and reproduce a training set; saved as JSON beside the output and in the registry.
public struct TrainingSetManifest: Codable, Sendable {
    public struct SpineInfo: Codable, Sendable {
        public var path: String
        public var sha256: String
        public var rows: Int
        public var timestampColumn: String
    }

    public struct ViewInfo: Codable, Sendable {
        public var name: String
        public var version: Int
        public var source: String
        public var sourceVersion: Int
        public var entities: [String: Int]
        public var table: String
        public var features: [String]
        /// Rows ingested later than this are invisible to a reproduction.
        public var maxIngestSeq: Int64?
        public var ingestRuns: [Int64]
        /// Count of each status (`present`, `not_found`, `expired`) over the spine.
        public var statusCounts: [String: Int]
        /// True when `features` are the view's windowed aggregations (read from `table`, its aggregation event table).
        public var aggregations: Bool?
    }

    public struct OutputInfo: Codable, Sendable {
        public var path: String
        public var format: TrainingSetFormat
        public var table: String
        /// SHA-256 of the training set rendered as CSV (the file's hash for CSV output).
        public var contentSHA256: String
        /// SHA-256 of the output file's bytes: a reproduction of a Parquet or Arrow file has the same.
        public var fileSHA256: String?
    }

    public var id: String
    /// When the run started (the instant its id is derived from).
    public var createdAt: String
    /// When the output and manifest were written; nil in manifests written before it was recorded.
    public var finishedAt: String?
    public var reproducedFrom: String?
    /// The engine that computed the row features: `spark` (with its master), or nil for the SQLite engine.
    public var engine: String?
    public var spine: SpineInfo
    public var features: [String]
    public var columns: [String]
    public var views: [ViewInfo]
    public var corrections: String
    public var asOf: String?
    public var isStrict: Bool
    public var includesStatus: Bool
    public var usesBareNames: Bool
    public var rowCount: Int
    public var output: OutputInfo

    public var correctionsMode: CorrectionsMode {
        if corrections == "as_of", let asOf, case .success(let t) = Timestamp.parse(asOf) { return .asOf(t) }
        return corrections == "latest" ? .latest : .known
    }

    init(plan: TrainingSetPlan, spine: Spine, spinePath: String, output: String, format: TrainingSetFormat, table: String,
         contentSHA256: String, createdAt: Int64, store: FeatureStore, set: TrainingSet) throws {
        var views: [ViewInfo] = []
        let applied = try store.registry.latestObjects()
        for (index, part) in plan.views.enumerated() {
            let definition = part.spec.view.definition
            var entities: [String: Int] = [:]
            for entity in definition.entities { entities[entity] = applied.first { $0.kind == .entity && $0.name == entity }?.version ?? 0 }
            var counts: [String: Int] = [:]
            for status in set.results[index].statuses { counts[status.rawValue, default: 0] += 1 }
            views.append(ViewInfo(name: definition.name, version: part.spec.viewVersion, source: part.spec.view.source.name,
                                  sourceVersion: part.spec.sourceVersion, entities: entities,
                                  table: part.isAggregation ? part.spec.aggregationTableName : part.spec.tableName,
                                  features: part.features.map(\.feature), maxIngestSeq: part.maxIngestSeq,
                                  ingestRuns: try store.offline.visibleRuns(part.spec, maxSeq: part.maxIngestSeq ?? 0), statusCounts: counts,
                                  aggregations: part.isAggregation ? true : nil))
        }
        self.createdAt = Timestamp.format(createdAt)
        self.spine = SpineInfo(path: spinePath, sha256: spine.sha256, rows: spine.rows.count, timestampColumn: spine.timestampColumn)
        self.features = plan.views.flatMap { $0.features.map { "\($0.view):\($0.feature)" } }
        self.columns = set.header
        self.views = views
        switch plan.corrections {
        case .known: corrections = "known"
        case .latest: corrections = "latest"
        case .asOf(let t): corrections = "as_of"; asOf = Timestamp.format(t)
        }
        isStrict = plan.isStrict
        includesStatus = plan.includesStatus
        usesBareNames = plan.usesBareNames
        rowCount = spine.rows.count
        self.output = OutputInfo(path: output, format: format, table: table, contentSHA256: contentSHA256)
        var hasher = SHA256()
        hasher.update(Array("\(createdAt)|\(contentSHA256)|\(output)|\(spine.sha256)".utf8))
        id = "ts-" + hasher.finalizeHex().prefix(12)
    }

    public func json() throws -> String { try CanonicalJSON.encode(self) }

    /// Decodes a stored manifest.
    /// - Throws: `OfflineStoreError.corruptRecord` naming the training set.
    public static func decode(_ json: String, id: String) throws -> TrainingSetManifest {
        do {
            return try JSONDecoder().decode(TrainingSetManifest.self, from: Data(json.utf8))
        } catch {
            throw OfflineStoreError.undecodable(what: "the manifest of training set", record: id, cause: error)
        }
    }

    /// Writes `<output>.manifest.json` next to the output.
    func save(beside output: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let url = output.deletingPathExtension().appendingPathExtension("manifest.json")
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// The path of the manifest saved beside `output`.
    public static func path(beside output: String) -> String {
        URL(fileURLWithPath: output).deletingPathExtension().appendingPathExtension("manifest.json").path
    }
}
