// Failures that used to vanish (issue 22, item 7): a failed run the registry cannot take is logged whole, a stored
// definition that does not decode makes a diff fail instead of showing every field changed, and a NULL where the
// schema promises a value is an error naming the column instead of a trap. Real stores, damaged on purpose.
import Foundation
import GRDB
@testable import Strata
import StrataCore
import StrataOffline
import StrataRegistry
import StrataTestSupport
import Testing

@Suite struct VanishingFailureTests {
    static func project(logger: CapturedLog? = nil) throws -> (TemporaryDirectory, FeatureStore) {
        let dir = TemporaryDirectory()
        for file in ExampleProject.files() { try dir.write(file.path, file.text) }
        let store = try FeatureStore(projectPath: dir.path, logger: (logger ?? CapturedLog()).logger)
        try store.apply(try store.plan(), author: "ana", message: "first")
        return (dir, store)
    }

    @Test("a failed historical run that the registry cannot record is logged with its error, and the build's own error is thrown")
    func unrecordableFailureIsLogged() throws {
        let log = CapturedLog()
        let (dir, store) = try Self.project(logger: log)
        // A damaged registry: the table of run records is gone.
        try DatabaseQueue(path: dir.file(".strata/registry.db").path).write { try $0.execute(sql: "DROP TABLE job_runs") }
        #expect(throws: OfflineStoreError.self) {
            _ = try store.historical(HistoricalRequest(spinePath: dir.file("no-such-spine.csv").path, features: .service("driver_activity"),
                                                       outputPath: dir.file("train.csv").path))
        }
        let lines = log.entries.filter { $0.contains("failed historical run could not be recorded") }
        #expect(lines.count == 1, "\(log.entries)")
        #expect(lines.first?.hasPrefix("error: ") == true && lines.first?.contains("no-such-spine.csv") == true, "\(lines)")
        #expect(lines.first?.contains("job_runs") == true, "the log line lacks the registry's own error: \(lines)")
    }

    @Test("a diff across a stored definition that does not decode is an error naming the record, never every field changed")
    func unreadableSpecIsAnError() throws {
        let (dir, store) = try Self.project()
        var text = try String(contentsOf: dir.file("featuresets/drivers.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "ttl: 2h", with: "ttl: 3h")
        try dir.write("featuresets/drivers.yaml", text)
        try store.apply(try store.plan(), author: "ana", message: "ttl", allowsBreakingChanges: true)
        #expect(try store.registryDiff(name: "driver_stats", kind: .view, from: 1, to: 2).map(\.path) == ["ttl"])
        try DatabaseQueue(path: dir.file(".strata/registry.db").path).write {
            try $0.execute(sql: "UPDATE objects SET spec = ? WHERE name = 'driver_stats' AND version = 1", arguments: [#"{"renamed": true}"#])
        }
        #expect {
            _ = try store.registryDiff(name: "driver_stats", kind: .view, from: 1, to: 2)
        } throws: { error in
            guard case RegistryError.corruptRecord(let record, _) = error else { return false }
            return record == "feature_view `driver_stats` version 1"
        }
    }

    @Test("a NULL in a column the schema declares NOT NULL is an error naming the column, not a crash")
    func nullInDamagedFileIsAnError() throws {
        let (dir, store) = try Self.project()
        _ = try store.ingest()
        let path = dir.file(".strata/offline.db").path
        // Damage the file as a tool outside Strata could: the schema loses its NOT NULL, then a value goes missing.
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA writable_schema = ON")
            try db.execute(sql: "UPDATE sqlite_schema SET sql = replace(sql, 'source TEXT NOT NULL, source_version', 'source TEXT, source_version') WHERE name = 'ingest_runs'")
            try db.execute(sql: "PRAGMA writable_schema = OFF")
        }
        try DatabaseQueue(path: path).write { try $0.execute(sql: "UPDATE ingest_runs SET source = NULL WHERE run_id = 1") }
        let reopened = try FeatureStore(projectPath: dir.path)
        #expect {
            _ = try reopened.ingestRuns()
        } throws: { error in
            guard case OfflineStoreError.undecodable(_, let record, _) = error else { return false }
            return record == "`source`"
        }
    }
}
