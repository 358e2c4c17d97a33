public import StrataCore
public import StrataOffline
package import StrataOnline
public import StrataRegistry
import Foundation

/// Reads through the façade for the CLI, the server and the checker, so that no layer above reaches into a store.
extension FeatureStore {
    // MARK: Registry

    /// The registry's current revision (0 before the first apply).
    public func registryRevision() throws -> Int { try registry.revision() }

    /// The latest version of every live object, sorted by kind and name.
    public func registryObjects() throws -> [RegistryObject] { try registry.latestObjects() }

    /// One version of an object, or its latest when `version` is nil.
    public func registryObject(name: String, kind: DefinitionKind? = nil, version: Int? = nil) throws -> RegistryObject {
        try registry.object(name: name, kind: kind, version: version)
    }

    /// Every version of the objects called `name`, oldest first.
    public func registryHistory(name: String, kind: DefinitionKind? = nil) throws -> [RegistryObject] {
        try registry.history(name: name, kind: kind)
    }

    /// The field-level differences between two versions of an object.
    public func registryDiff(name: String, kind: DefinitionKind? = nil, from: Int, to: Int) throws -> [FieldChange] {
        try registry.diff(name: name, kind: kind, from: from, to: to)
    }

    /// Live objects whose name, description, tags or owner contain `text`.
    public func registrySearch(_ text: String) throws -> [RegistryObject] { try registry.search(text) }

    /// Every applied revision, newest first.
    public func registryRevisions() throws -> [RegistryRevision] { try registry.revisions() }

    /// Every recorded training set's manifest, newest first.
    /// - Throws: `OfflineStoreError.corruptRecord` naming the first manifest that cannot be decoded.
    public func trainingSetManifests() throws -> [TrainingSetManifest] {
        try registry.trainingSetManifestRecords().map { try TrainingSetManifest.decode($0.manifest, id: $0.id) }
    }

    /// Every recorded check report's JSON by id, newest first.
    package func checkReportRecords() throws -> [(id: String, report: String)] { try registry.checkReportRecords() }

    /// Records a check report (JSON) under `id`.
    package func recordCheckReport(id: String, createdAtMicros: Int64, report: String) throws {
        try registry.recordCheckReport(id: id, createdAtMicros: createdAtMicros, report: report)
    }

    // MARK: Offline store

    /// Quarantined rows, newest run first, optionally for one source or run.
    public func quarantinedRows(source: String? = nil, runID: Int64? = nil, limit: Int = 1000) throws -> [QuarantinedRow] {
        try offline.quarantinedRows(source: source, runID: runID, limit: limit)
    }

    /// Every ingest run, newest first.
    public func ingestRuns() throws -> [IngestRunRecord] { try offline.ingestRuns() }

    /// Builds or updates feature tables from their sources (a new view version's table starts empty).
    package func refreshFeatureTables(_ specs: [FeatureTableSpec]) throws { try offline.refresh(specs) }

    /// The offline point-in-time join of one feature table for spine keys and times.
    package func offlineJoin(keys: [KeyTuple?], times: [Int64], table: FeatureTableSpec, featureIndexes: [Int], options: JoinOptions) throws -> ViewJoinResult {
        try offline.join(keys: keys, times: times, table: table, featureIndexes: featureIndexes, options: options)
    }

    /// The offline windowed aggregations of one view for spine keys and times.
    package func offlineAggregate(keys: [KeyTuple?], times: [Int64], table: FeatureTableSpec, aggregationIndexes: [Int], options: JoinOptions) throws -> ViewJoinResult {
        try offline.aggregate(keys: keys, times: times, table: table, aggregationIndexes: aggregationIndexes, options: options)
    }

    /// Every stored aggregation event of the given keys, by key (keys without events are absent).
    package func aggregationEvents(_ spec: FeatureTableSpec, keys: [KeyTuple]) throws -> [KeyTuple: AggregationEvents] {
        var result: [KeyTuple: AggregationEvents] = [:]
        try offline.forEachAggregationKey(spec, keys: keys) { key, events in result[key] = events }
        return result
    }

    /// The lineage of source rows by id.
    package func sourceLineage(_ spec: FeatureTableSpec, rowIDs: some Sequence<Int64>) throws -> [Int64: SourceLineage] {
        try offline.lineage(source: spec.view.source.name, table: spec.sourceTableName, rowIDs: rowIDs)
    }

    /// The raw values of one source row, by column name.
    package func sourceRowValues(_ spec: FeatureTableSpec, rowID: Int64) throws -> [String: Value] {
        try offline.sourceRowValues(spec.view.source, table: spec.sourceTableName, rowID: rowID)
    }

    // MARK: Online store

    /// The online store's current map size and growth limit.
    public var onlineMapSize: (bytes: Int, maxBytes: Int) { (online.mapSizeBytes, online.mapSizeMaxBytes) }

    /// Every stored row of a view, in key order (read a page of rows per transaction: `OnlineStore.forEachRow`).
    package func onlineRows(_ layout: OnlineViewLayout) throws -> [(key: [UInt8], row: OnlineRow)] { try online.allRows(layout) }

    /// Visits every stored row of a view in key order, a page of rows per read transaction, without keeping them.
    package func forEachOnlineRow(_ layout: OnlineViewLayout, _ body: ([UInt8], OnlineRow) throws -> Void) throws {
        try online.forEachRow(layout, body)
    }

    /// Every key served online for a view (encoded, in key order, without duplicates): keys with a stored row and keys
    /// with an aggregation record, read a page per transaction and without decoding the values.
    package func onlineKeys(_ spec: FeatureTableSpec) throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        try online.forEachKey(database: onlineLayout(spec).databaseName) { key, _ in keys.append(key) }
        if let layout = aggregationLayout(spec) {
            var seen = Set(keys)
            try online.forEachKey(database: layout.databaseName) { key, _ in if seen.insert(key).inserted { keys.append(key) } }
            keys.sort { $0.lexicographicallyPrecedes($1) }
        }
        return keys
    }

    /// The stored row of one key.
    package func onlineRow(_ layout: OnlineViewLayout, key: KeyTuple) throws -> OnlineRow? { try online.lookup(layout, key: key) }

    /// Where the last materialization of a view stopped, nil before the first.
    /// - Throws: `OnlineStoreError.corruptValue` when the stored watermark cannot be decoded.
    package func materializationWatermark(_ layout: OnlineViewLayout) throws -> MaterializationWatermark? {
        try materializationWatermark(database: layout.databaseName, view: layout.view)
    }

    /// The watermark of one online database (row features or aggregation tiles).
    func materializationWatermark(database: String, view: String) throws -> MaterializationWatermark? {
        guard let json = try online.metadata(Self.watermarkKey(database: database)) else { return nil }
        do {
            return try JSONDecoder().decode(MaterializationWatermark.self, from: Data(json.utf8))
        } catch {
            throw OnlineStoreError.undecodableRecord(view: view, record: "materialization watermark", cause: error)
        }
    }
}
