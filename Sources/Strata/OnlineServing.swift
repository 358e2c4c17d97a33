import Foundation
import StrataCore
import StrataOffline
import StrataOnline

/// What a view's live online database serves, kept in the online store's metadata (`served/VIEW`) whenever a database
/// of the view becomes live (materialized, or derived at an `apply`). Until the database of a newer storage of the view
/// is live, lookups read the features it shares with this one from here, so serving never goes dark (issue 21).
struct ServedRows: Codable, Sendable, Hashable {
    struct Feature: Codable, Sendable, Hashable {
        var name: String
        var type: ValueType
        /// `StorageIdentity.feature`: the same fingerprint means the same value for every row.
        var fingerprint: String
    }

    var database: String
    /// The source row family whose row ids the stored lineage ids are.
    var family: Int64
    var keys: [JoinKey]
    var features: [Feature]

    init(_ spec: FeatureTableSpec) {
        database = spec.tableName
        family = spec.storage.family
        keys = spec.view.keys
        features = spec.view.features.map { Feature(name: $0.definition.name, type: $0.definition.type, fingerprint: StorageIdentity.feature(spec.view, $0)) }
    }

    /// The layout the database was written with (TTL from the view being served).
    func layout(view: String, ttlMicros: Int64?) -> OnlineViewLayout {
        OnlineViewLayout(databaseName: database, view: view, featureNames: features.map(\.name), featureTypes: features.map(\.type), ttlMicros: ttlMicros)
    }
}

/// The same for a view's aggregation tile records (`served-tiles/VIEW`).
struct ServedTiles: Codable, Sendable {
    var database: String
    var keys: [JoinKey]
    var source: SourceDefinition
    var aggregations: [AggregationDefinition]
    /// `StorageIdentity.aggregation`, per aggregation.
    var fingerprints: [String]

    init(_ spec: FeatureTableSpec) {
        database = spec.aggregationTilesName
        keys = spec.view.keys
        source = spec.view.source
        aggregations = spec.view.aggregations.map(\.definition)
        fingerprints = spec.view.aggregations.map { StorageIdentity.aggregation(spec.view, $0) }
    }

    /// The layout the records were written with; nil when the stored definitions no longer compile.
    func layout(view: String) -> OnlineAggregationLayout? {
        var compiled: [CompiledAggregation] = []
        for definition in aggregations {
            guard case .success(let aggregation) = CompiledAggregation.compile(definition, source: source) else { return nil }
            compiled.append(aggregation)
        }
        return OnlineAggregationLayout(databaseName: database, view: view, aggregations: compiled, hasEventID: source.idColumn != nil)
    }
}

extension FeatureStore {
    static func servedKey(_ view: String) -> String { "served/\(view)" }
    static func servedTilesKey(_ view: String) -> String { "served-tiles/\(view)" }
    static func watermarkKey(database: String) -> String { "watermark/\(database)" }

    /// True when an online database has been materialized (or derived): its absence of a key then means `not_found`.
    func isLive(_ database: String) throws -> Bool {
        try online.metadata(Self.watermarkKey(database: database)) != nil
    }

    /// What the view's live database serves, if one was recorded.
    func servedRows(_ view: String) throws -> ServedRows? {
        try decodedMetadata(Self.servedKey(view))
    }

    func servedTiles(_ view: String) throws -> ServedTiles? {
        try decodedMetadata(Self.servedTilesKey(view))
    }

    private func decodedMetadata<T: Decodable>(_ key: String) throws -> T? {
        guard let text = try online.metadata(key) else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw OnlineStoreError.undecodableRecord(view: key, record: "record of what it serves", cause: error)
        }
    }

    /// Makes sure each live database of `snapshot` is recorded as what its view serves, before an `apply` replaces the
    /// view's storage: a store written before these records existed (or whose views were only ever pushed to) gets
    /// them here, so the fallback and the online derivation find the rows served now.
    func recordServing(_ snapshot: AppliedSnapshot) throws {
        var missing: [(FeatureTableSpec, MaterializationWatermark)] = []
        for name in snapshot.tables.keys.sorted() {
            guard let spec = snapshot.tables[name], try servedRows(name) == nil,
                  let watermark = try materializationWatermark(database: spec.tableName, view: name) else { continue }
            missing.append((spec, watermark))
        }
        guard !missing.isEmpty else { return }
        let layouts = missing.map { onlineLayout($0.0) }
        let tiles = missing.compactMap { aggregationLayout($0.0) }
        try online.write(layouts: layouts, aggregations: tiles) { batch in
            for (spec, watermark) in missing where try batch.metadata(Self.servedKey(spec.view.definition.name)) == nil {
                try Self.recordServed(spec, watermark: watermark, batch: batch)
            }
        }
    }

    /// Records, in the caller's write transaction, that `spec`'s databases are live and what they serve.
    static func recordServed(_ spec: FeatureTableSpec, watermark: MaterializationWatermark, batch: OnlineWriteBatch) throws {
        let mark = try CanonicalJSONText.encode(watermark)
        try batch.setMetadata(watermarkKey(database: spec.tableName), mark)
        try batch.setMetadata(servedKey(spec.view.definition.name), try CanonicalJSONText.encode(ServedRows(spec)))
        if !spec.view.aggregations.isEmpty {
            try batch.setMetadata(watermarkKey(database: spec.aggregationTilesName), mark)
            try batch.setMetadata(servedTilesKey(spec.view.definition.name), try CanonicalJSONText.encode(ServedTiles(spec)))
        }
    }
}
