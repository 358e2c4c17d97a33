import Foundation
import GRDB
package import StrataCore

/// What a store written before the storage catalog holds, described from the registry by the façade: every source
/// version and view version, with the fingerprints their tables get in the catalog.
package struct LegacyStorage: Sendable {
    package struct SourceVersion: Sendable {
        package var name: String
        package var version: Int
        package var fingerprint: String
        package var rowShape: String
        package var columns: [StrataCore.ColumnDefinition]

        package init(_ source: SourceDefinition, version: Int) {
            name = source.name
            self.version = version
            fingerprint = StorageIdentity.source(source)
            rowShape = StorageIdentity.sourceRowShape(source)
            columns = source.columns
        }
    }

    package struct ViewVersion: Sendable {
        package var name: String
        package var version: Int
        package var source: String
        package var sourceVersion: Int
        package var features: String
        package var featureColumns: [StrataCore.ColumnDefinition]
        /// nil for a view without aggregations.
        package var aggregationEvents: String?
        package var aggregationTiles: String?

        package init(_ view: CompiledView, version: Int, sourceVersion: Int) {
            name = view.definition.name
            self.version = version
            source = view.source.name
            self.sourceVersion = sourceVersion
            features = StorageIdentity.featureTable(view)
            featureColumns = view.features.map { StrataCore.ColumnDefinition(name: $0.definition.name, type: $0.definition.type) }
            aggregationEvents = view.aggregations.isEmpty ? nil : StorageIdentity.aggregationEvents(view)
            aggregationTiles = view.aggregations.isEmpty ? nil : StorageIdentity.aggregationTiles(view)
        }
    }

    package var sources: [SourceVersion]
    package var views: [ViewVersion]

    package init(sources: [SourceVersion], views: [ViewVersion]) {
        self.sources = sources
        self.views = views
    }
}

extension OfflineStore {
    /// Registers the tables of a store written before the storage catalog under their old names, once, in one
    /// transaction (a kill leaves the store unadopted, and the next command adopts it): every source version's table
    /// becomes a storage of its own family bound to that version; every view version's tables are entered under their
    /// fingerprints (the newest version's table where two versions share one). Nothing is copied.
    package func adoptLegacy(_ legacy: LegacyStorage, now: Int64, killsBeforeCommit: Bool = false) throws {
        try write("adopt the tables of an older store") { db in
            guard try Int.fetchOne(db, sql: "SELECT legacy_adopted FROM catalog_state") == 0 else { return }
            var families: [String: Int64] = [:]
            for source in legacy.sources.sorted(by: { ($0.name, $0.version) < ($1.name, $1.version) }) {
                let table = SourceTable.legacyName(source.name, version: source.version)
                guard try db.tableExists(table) else { continue }
                try db.execute(sql: """
                    INSERT INTO storages (kind, object, fingerprint, family, table_name, columns, created_at) VALUES ('source', ?, ?, 0, ?, ?, ?)
                    """, arguments: [source.name, source.rowShape, table, try CatalogJSON.encode(source.columns), now])
                let id = db.lastInsertedRowID
                try db.execute(sql: "UPDATE storages SET family = ? WHERE storage_id = ?", arguments: [id, id])
                try db.execute(sql: "INSERT OR REPLACE INTO source_bindings (source, version, fingerprint, storage_id) VALUES (?, ?, ?, ?)",
                               arguments: [source.name, source.version, source.fingerprint, id])
                try db.execute(sql: "UPDATE source_files SET family = ? WHERE source = ? AND source_version = ?", arguments: [id, source.name, source.version])
                families["\(source.name)/\(source.version)"] = id
            }
            for view in legacy.views.sorted(by: { ($0.name, $1.version) < ($1.name, $0.version) }) {
                guard let family = families["\(view.source)/\(view.sourceVersion)"] else { continue }
                let suffix = "\(view.name)__v\(view.version)__s\(view.sourceVersion)"
                try adopt(.features, view.name, view.features, family, "fv__\(suffix)", view.featureColumns, db, now)
                if let events = view.aggregationEvents, let tiles = view.aggregationTiles {
                    try adopt(.aggregationEvents, view.name, events, family, "ag__\(suffix)", [], db, now)
                    // The online tile records of a view version used the event table's name.
                    try adopt(.aggregationTiles, view.name, tiles, family, "ag__\(suffix)", [], db, now)
                }
            }
            try db.execute(sql: "UPDATE catalog_state SET legacy_adopted = 1")
            try Self.bumpCatalogGeneration(in: db)
            if killsBeforeCommit { kill(getpid(), SIGKILL) }
        }
    }

    private func adopt(_ kind: StorageKind, _ object: String, _ fingerprint: String, _ family: Int64, _ table: String, _ columns: [StrataCore.ColumnDefinition],
                       _ db: Database, _ now: Int64) throws {
        guard try db.tableExists(table) else { return }
        try db.execute(sql: """
            INSERT OR IGNORE INTO storages (kind, object, fingerprint, family, table_name, columns, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [kind.rawValue, object, fingerprint, family, table, try CatalogJSON.encode(columns), now])
    }
}
