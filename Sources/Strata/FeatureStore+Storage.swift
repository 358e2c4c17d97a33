import Foundation
import StrataCore
import StrataOffline
import StrataRegistry

extension FeatureStore {
    /// Runs a write of rows (ingest, push) against the current revision's storage, preparing it first when the revision
    /// is newer than what this store has bound (an `apply` in another process, or one that was killed), and starting
    /// again on the new revision when an `apply` lands while the write waits for the lock.
    func writingToCurrentStorage<T>(_ body: (AppliedSnapshot) throws -> T) throws -> T {
        var attempts = 0
        while true {
            let snapshot = try preparedSnapshot()
            do {
                return try body(snapshot)
            } catch let error as FeatureStoreError where error.isRegistryMoved && attempts < 5 {
                attempts += 1
                forgetSnapshot()
            }
        }
    }

    /// The current snapshot, with every source version bound to its storage.
    func preparedSnapshot() throws -> AppliedSnapshot {
        let snapshot = try snapshot()
        guard !snapshot.isPrepared else { return snapshot }
        try offline.storageWrite("prepare the storage of revision \(snapshot.revision)") { writer in
            let current = AppliedSnapshot(revision: snapshot.revision, applied: snapshot.applied,
                                              resolver: StorageResolver(history: try StorageResolver.history(registry), catalog: try writer.catalog()),
                                              store: self)
            try prepare(current, writer, now: currentMicros())
            try refreshTables(current.applied, history: try StorageResolver.history(registry), writer)
        }
        forgetSnapshot()
        return try self.snapshot()
    }

    /// Binds every unbound source version of `snapshot` to its storage, inside the caller's transaction: the storage
    /// its predecessor uses (grown by new columns), a converted copy of it, or a new one.
    func prepare(_ snapshot: AppliedSnapshot, _ writer: SourceStorageWriter, now: Int64) throws {
        for (name, resolution) in snapshot.sources.sorted(by: { $0.key < $1.key }) where !resolution.isBound {
            let storage = try prepared(resolution, writer, now: now)
            try writer.bind(source: name, version: resolution.version, fingerprint: resolution.fingerprint, to: storage)
        }
    }

    /// The storage a source version's rows go to, made ready.
    func prepared(_ resolution: SourceResolution, _ writer: SourceStorageWriter, now: Int64) throws -> StoredTable {
        switch (resolution.change, resolution.storage) {
        case (.none, let storage?): return storage
        case (.addColumns(let columns), let storage?): return try writer.addColumns(columns, to: storage)
        case (.convert(let conversions), let parent?):
            if let copy = try writer.existingCopy(of: parent, for: resolution.definition, conversions: conversions) {
                return try writer.catchUp(copy, from: parent, conversions: conversions, version: resolution.version, now: now)
            }
            return try writer.derive(from: parent, resolution.definition, conversions: conversions, version: resolution.version, now: now)
        default: return try writer.create(resolution.definition, now: now)
        }
    }

    /// Re-resolves the applied project with the transaction's catalog and brings every feature table up to date.
    func refreshTables(_ applied: AppliedProject, history: [String: [(version: Int, definition: SourceDefinition?)]], _ writer: SourceStorageWriter) throws {
        let snapshot = AppliedSnapshot(revision: 0, applied: applied, resolver: StorageResolver(history: history, catalog: try writer.catalog()), store: self)
        for name in snapshot.tables.keys.sorted() {
            if let spec = snapshot.tables[name] { try writer.refresh(spec) }
        }
    }

    /// A check for an ingest's transaction: the registry is still at `revision`.
    func revisionCheck(_ revision: Int) -> @Sendable () throws -> Void {
        let registry = self.registry
        return {
            let current = try registry.revision()
            if current != revision { throw FeatureStoreError.registryMoved(from: revision, to: current) }
        }
    }

    /// Registers the tables of a store written before the storage catalog (`OfflineStore.adoptLegacy`).
    func adoptLegacyStorage() throws {
        var sources: [LegacyStorage.SourceVersion] = []
        var definitions: [String: [Int: SourceDefinition]] = [:]
        for object in try registry.allVersions(of: .source) {
            guard let spec = object.spec, case .source(let source) = try CanonicalJSON.decode(kind: .source, spec, name: object.name, version: object.version) else { continue }
            sources.append(.init(source, version: object.version))
            definitions[object.name, default: [:]][object.version] = source
        }
        var entities = ProjectDefinitions()
        for object in try registry.allVersions(of: .entity) {
            guard let spec = object.spec, case .entity(let entity) = try CanonicalJSON.decode(kind: .entity, spec, name: object.name, version: object.version) else { continue }
            // Keys of an entity do not change without a new version that is breaking; the latest version's keys name them.
            entities.entities.removeAll { $0.name == entity.name }
            entities.entities.append(entity)
        }
        var views: [LegacyStorage.ViewVersion] = []
        for object in try registry.allVersions(of: .view) {
            guard let spec = object.spec, case .view(let view) = try CanonicalJSON.decode(kind: .view, spec, name: object.name, version: object.version) else { continue }
            // A view version was computed from whichever source version was applied when it was used: every source
            // version it could have read is described, and only tables that exist are adopted.
            for (sourceVersion, source) in definitions[view.source] ?? [:] {
                var project = entities
                project.sources = [source]
                project.views = [view]
                guard case .success(let compiled) = CompiledProject.compile(definitions: project), let compiledView = compiled.views[view.name] else { continue }
                views.append(.init(compiledView, version: object.version, sourceVersion: sourceVersion))
            }
        }
        // STRATA_FAULT_ADOPT=1 kills the process inside the adoption's transaction (the upgrade's crash test).
        try offline.adoptLegacy(LegacyStorage(sources: sources, views: views), now: currentMicros(),
                                killsBeforeCommit: ProcessInfo.processInfo.environment["STRATA_FAULT_ADOPT"] == "1")
    }
}
