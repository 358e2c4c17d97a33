import Foundation
public import Strata
public import StrataCore
public import StrataOffline

/// Where one value came from: the feature row, the source file line and run, and the definition that computed it.
public struct ValueLineage: Sendable, Codable {
    public var view: String
    public var viewVersion: Int
    public var keys: String
    public var at: String
    public var status: String
    /// Feature name → value (as text) of the winning row.
    public var values: [String: String]
    /// Feature name → expression of the view version used.
    public var expressions: [String: String]
    public var eventTs: String?
    public var createdTs: String?
    public var lineageID: Int64?
    public var source: SourceLineage?
    /// The source row's own columns, as stored.
    public var sourceValues: [String: String]
    /// What the online store serves for the key right now, for comparison.
    public var onlineLineageID: Int64?
    public var onlineEventTs: String?
}

/// A training set's upstream graph: sources → views → services → this training set, plus materializations and check reports.
public struct TrainingSetGraph: Sendable, Codable {
    public var manifest: TrainingSetManifest
    public var sources: [String]
    public var views: [String]
    public var services: [String]
    public var materializations: [String]
    public var checkReports: [String]
}

public enum LineageTracer {
    /// Traces the value of `view` for `keys` at `at` (the offline join in `known` mode, as serving could have seen it).
    public static func trace(_ store: FeatureStore, view: String, keys: [String: KeyPart], at: Int64) throws -> ValueLineage {
        guard let spec = try store.featureTables()[view] else {
            throw FeatureStoreError.unknownView(view, suggestion: nearMiss(view, in: try store.featureTables().keys))
        }
        return try trace(store, spec: spec, keys: keys, at: at, options: JoinOptions(corrections: .known))
    }

    /// Traces one value of a recorded training set: spine row `row` (1-based) and feature `feature` (`view:feature` or `view__feature`).
    public static func trace(_ store: FeatureStore, trainingSet id: String, row: Int, feature: String) throws -> ValueLineage {
        let manifest = try store.trainingSetManifest(id: id)
        let viewName = String(feature.replacingOccurrences(of: "__", with: ":").split(separator: ":").first ?? "")
        guard let info = manifest.views.first(where: { $0.name == viewName }) else {
            throw FeatureStoreError.unknownView(viewName, suggestion: nearMiss(viewName, in: manifest.views.map(\.name)))
        }
        let spine = try Spine.read(url: URL(fileURLWithPath: manifest.spine.path), displayPath: manifest.spine.path, timestampColumn: manifest.spine.timestampColumn)
        guard row >= 1, row <= spine.rows.count else {
            throw OfflineStoreError.spineProblem(what: "the training set has rows 1…\(spine.rows.count), not \(row)", file: manifest.spine.path, line: 0,
                                                 fix: "pass --row between 1 and \(spine.rows.count)")
        }
        let spec = try store.recordedFeatureTable(info)
        var keys: [String: KeyPart] = [:]
        if let tuple = try spine.keyTuples(spec.view.keys)[row - 1] {
            for (key, part) in zip(spec.view.keys, tuple.parts) { keys[key.name] = part }
        }
        let options = JoinOptions(corrections: manifest.correctionsMode, isStrict: manifest.isStrict, maxIngestSeq: info.maxIngestSeq)
        return try trace(store, spec: spec, keys: keys, at: spine.times[row - 1], options: options)
    }

    package static func trace(_ store: FeatureStore, spec: FeatureTableSpec, keys: [String: KeyPart], at: Int64, options: JoinOptions) throws -> ValueLineage {
        var parts: [KeyPart] = []
        for key in spec.view.keys {
            guard let part = keys[key.name] else { throw FeatureStoreError.badFeatureList("missing key `\(key.name)`") }
            parts.append(part)
        }
        let tuple = KeyTuple(parts)
        let result = try store.offlineJoin(keys: [tuple], times: [at], table: spec, featureIndexes: Array(spec.view.features.indices), options: options)
        let names = spec.view.features.map(\.definition.name)
        let lineageID = result.lineageIDs[0]
        let source = try lineageID.flatMap { try store.sourceLineage(spec, rowIDs: [$0])[$0] }
        let sourceValues = try lineageID.map { try store.sourceRowValues(spec, rowID: $0) } ?? [:]
        let online = try store.onlineRow(store.onlineLayout(spec), key: tuple)
        return ValueLineage(view: spec.view.definition.name, viewVersion: spec.viewVersion,
                            keys: keys.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","), at: Timestamp.format(at),
                            status: result.statuses[0].rawValue,
                            values: Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, result.values[$0][0].description) }),
                            expressions: Dictionary(uniqueKeysWithValues: spec.view.features.map { ($0.definition.name, $0.definition.expression) }),
                            eventTs: result.eventTimes[0].map(Timestamp.format), createdTs: result.createdTimes[0].map(Timestamp.format), lineageID: lineageID,
                            source: source, sourceValues: sourceValues.mapValues(\.description),
                            onlineLineageID: online?.lineageID, onlineEventTs: online.map { Timestamp.format($0.eventTs) })
    }

    /// A training set's manifest and upstream graph.
    public static func graph(_ store: FeatureStore, trainingSet id: String) throws -> TrainingSetGraph {
        let manifest = try store.trainingSetManifest(id: id)
        let applied = try store.appliedProject()
        let viewNames = manifest.views.map(\.name)
        let services = applied.compiled.definitions.services.filter { $0.features.contains { viewNames.contains($0.view) } }.map(\.name)
        var materializations: [String] = []
        for info in manifest.views {
            let layout = store.onlineLayout(try store.recordedFeatureTable(info))
            if let mark = try store.materializationWatermark(layout) {
                materializations.append("\(info.name) v\(info.version): end \(Timestamp.format(mark.end)), last seq \(mark.lastSeq)")
            }
        }
        let checks = try store.checkReports().filter { report in report.features.contains { viewNames.contains(String($0.feature.split(separator: ":").first ?? "")) } }.map(\.id)
        return TrainingSetGraph(manifest: manifest, sources: orderedUnique(manifest.views.map { "\($0.source) v\($0.sourceVersion)" }),
                                views: manifest.views.map { "\($0.name) v\($0.version)" }, services: services,
                                materializations: materializations, checkReports: checks)
    }
}
