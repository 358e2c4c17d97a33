// The stored layout lineage export names (issue 22, item 8) is the real one: `StoredSchema`, which StrataOffline keeps
// beside its tables, matches `PRAGMA table_info` of a project's actual source, feature, quarantine and feature-log tables.
import Foundation
import GRDB
@testable import Strata
import StrataOffline
import StrataTestSupport
import Testing

@Suite struct StoredSchemaTests {
    static func columns(_ path: String, _ table: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in try db.columns(in: table).map(\.name) }
    }

    @Test("StoredSchema names the columns SQLite holds, for every kind of stored table")
    func schemaMatchesTheTables() throws {
        let (dir, store) = try VanishingFailureTests.project()
        _ = try store.ingest()
        _ = try store.featureLog()
        let offline = dir.file(".strata/offline.db").path
        #expect(try Self.columns(offline, StoredSchema.quarantineTable) == StoredSchema.quarantineColumns.map(\.name))
        #expect(try Self.columns(dir.file(".strata/feature_log.db").path, StoredSchema.featureLogTable) == StoredSchema.featureLogColumns.map(\.name))
        for spec in try store.featureTables().values where spec.hasSourceStorage {
            #expect(try Self.columns(offline, spec.sourceTableName) == StoredSchema.sourceTable(spec.view.source).map(\.name), "\(spec.view.source.name)")
            let feature = try Self.columns(offline, spec.tableName)
            if !feature.isEmpty { #expect(feature == StoredSchema.featureRow(spec).map(\.name), "\(spec.tableName)") }
        }
    }
}
