import Foundation
public import StrataCore
public import StrataOffline
import StrataOnline
import StrataRegistry

/// Every stored table, what uses it, and the stores that grow with traffic (`strata storage`).
public struct StorageReport: Sendable, Codable {
    public struct Table: Sendable, Codable, Hashable {
        /// `source`, `features`, `aggregation_events`, `aggregation_tiles` (online only), or `unregistered` for a table no
        /// catalog entry names (left over from an older store).
        public var kind: String
        public var object: String
        public var table: String
        public var rows: Int?
        public var bytes: Int?
        /// The online database of the same name (row features, tile records), when there is one.
        public var onlineEntries: Int?
        public var onlineBytes: Int?
        /// True when the applied revision reads or serves it.
        public var isCurrent: Bool
        /// Registry versions that used it (`feature_view driver_stats v2`).
        public var versions: [String]
        /// Training sets whose reproduction reads it.
        public var trainingSets: [String]

        /// Needed: the current revision uses it, a training set needs it to reproduce, or lineage needs its rows.
        public var isNeeded: Bool
    }

    public var tables: [Table]
    public var featureLog: GrowingStoreUsage
    public var quarantine: GrowingStoreUsage
}

/// What `strata storage prune` removed (or, in a dry run, would remove).
public struct PruneReport: Sendable, Codable {
    public var isDryRun: Bool
    public var tables: [String]
    public var onlineDatabases: [String]
    public var bytes: Int
    public var featureLogRows: Int
    public var quarantineRows: Int
}

extension FeatureStore {
    /// Lists every stored table with its size and users, and the feature log and quarantine with their retention.
    public func storageReport() throws -> StorageReport {
        let settings = try folder.settings()
        let catalog = try offline.storageCatalog()
        let current = try currentSnapshot()
        let uses = try storageUses(catalog: catalog)
        let online = Dictionary(try self.online.databaseStats().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var tables: [StorageReport.Table] = []
        var named = Set<String>()
        let currentNames = Set(current.map { snapshot in
            snapshot.tables.values.flatMap { [$0.tableName, $0.sourceTableName, $0.aggregationTableName, $0.aggregationTilesName] }
        } ?? [])
        let served = try servedDatabases()
        let offlineNames = catalog.tables.values.filter { $0.kind != .aggregationTiles }.map(\.tableName) + (try offline.storedTableNames())
        let usage = try offline.tableUsage(Array(Set(offlineNames)))
        for stored in catalog.tables.values.sorted(by: { ($0.object, $0.kind.rawValue, $0.id) < ($1.object, $1.kind.rawValue, $1.id) }) {
            named.insert(stored.tableName)
            let key = "\(stored.kind.rawValue)/\(stored.tableName)"
            let isOnline = stored.kind == .features || stored.kind == .aggregationTiles
            tables.append(.init(kind: stored.kind.rawValue, object: stored.object, table: stored.tableName,
                                rows: stored.kind == .aggregationTiles ? nil : usage[stored.tableName]?.rows,
                                bytes: stored.kind == .aggregationTiles ? nil : usage[stored.tableName]?.bytes,
                                onlineEntries: isOnline ? online[stored.tableName]?.entries : nil, onlineBytes: isOnline ? online[stored.tableName]?.bytes : nil,
                                isCurrent: currentNames.contains(stored.tableName) || served.contains(stored.tableName),
                                versions: uses.versions[key, default: []].sorted(), trainingSets: uses.trainingSets[stored.tableName, default: []].sorted(),
                                isNeeded: false))
        }
        for name in try offline.storedTableNames() where !named.contains(name) {
            tables.append(.init(kind: "unregistered", object: "", table: name, rows: usage[name]?.rows, bytes: usage[name]?.bytes,
                                onlineEntries: online[name]?.entries, onlineBytes: online[name]?.bytes, isCurrent: false, versions: [],
                                trainingSets: uses.trainingSets[name, default: []].sorted(), isNeeded: false))
        }
        let neededFamilies = Set(tables.filter { $0.isCurrent || !$0.trainingSets.isEmpty }.compactMap { table in
            catalog.tables.values.first { $0.tableName == table.table }?.family
        })
        for index in tables.indices {
            let table = tables[index]
            let family = catalog.tables.values.first { $0.tableName == table.table && $0.kind.rawValue == table.kind }?.family
            // A source storage holds the rows lineage traces to: kept while anything computed from its family is kept.
            let isLineage = table.kind == StorageKind.source.rawValue && family.map(neededFamilies.contains) == true && !table.versions.isEmpty
            tables[index].isNeeded = table.isCurrent || !table.trainingSets.isEmpty || isLineage
        }
        return StorageReport(tables: tables,
                             featureLog: try featureLog().usage(retentionMicros: settings.featureLogRetentionMicros),
                             quarantine: try offline.quarantineUsage(retentionMicros: settings.quarantineRetentionMicros))
    }

    /// Removes stored tables and online databases nothing needs, and feature-log and quarantine rows past their
    /// retention. A dry run (the default of `strata storage prune`) only reports.
    public func pruneStorage(dryRun: Bool, now: Int64 = currentMicros()) throws -> PruneReport {
        let report = try storageReport()
        let settings = try folder.settings()
        let unneeded = report.tables.filter { !$0.isNeeded }
        let offlineTables = unneeded.filter { $0.kind != StorageKind.aggregationTiles.rawValue }.map(\.table)
        let keptOnline = Set(report.tables.filter(\.isCurrent).map(\.table))
        let onlineDatabases = report.tables.filter { !keptOnline.contains($0.table) && $0.onlineEntries != nil }.map(\.table)
        let bytes = unneeded.reduce(0) { $0 + ($1.bytes ?? 0) } + report.tables.filter { onlineDatabases.contains($0.table) }.reduce(0) { $0 + ($1.onlineBytes ?? 0) }
        var result = PruneReport(isDryRun: dryRun, tables: offlineTables, onlineDatabases: onlineDatabases, bytes: bytes, featureLogRows: 0, quarantineRows: 0)
        let log = try featureLog()
        if dryRun {
            result.featureLogRows = try log.count(before: now - settings.featureLogRetentionMicros)
            result.quarantineRows = try offline.quarantineCount(before: now - settings.quarantineRetentionMicros)
            return result
        }
        try online.drop(databases: onlineDatabases, metadataKeys: onlineDatabases.map { Self.watermarkKey(database: $0) })
        try offline.dropStoredTables(offlineTables)
        try offline.forgetTiles(unneeded.filter { $0.kind == StorageKind.aggregationTiles.rawValue }.map(\.table))
        (result.featureLogRows, result.quarantineRows) = try pruneRetained(now: now)
        forgetSnapshot()
        return result
    }

    /// Prunes the feature log and the quarantine to their retention (`retention:` in strata.yaml); returns the rows removed.
    public func pruneRetained(now: Int64 = currentMicros()) throws -> (featureLogRows: Int, quarantineRows: Int) {
        let settings = try folder.settings()
        let log = try featureLog().prune(before: now - settings.featureLogRetentionMicros)
        return (log, try offline.pruneQuarantine(before: now - settings.quarantineRetentionMicros))
    }

    /// The databases the online store's fallback pointers name (`served/…`): kept while a newer storage is pending.
    private func servedDatabases() throws -> Set<String> {
        var result = Set<String>()
        for view in try viewNamesEverApplied() {
            if let rows = try servedRows(view) { result.insert(rows.database) }
            if let tiles = try servedTiles(view) { result.insert(tiles.database) }
        }
        return result
    }
}
