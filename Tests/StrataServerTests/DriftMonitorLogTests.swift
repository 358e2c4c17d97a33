// The drift monitor never skips a round silently (issue 22, item 7): a registry it cannot read gives a log line with
// the cause, once a minute while the problem lasts; an empty registry (nothing to monitor yet) gives none.
import Foundation
import GRDB
import Strata
import StrataCore
@testable import StrataServer
import StrataTestSupport
import Testing

@Suite struct DriftMonitorLogTests {
    @Test("a damaged registry makes the drift monitor log why it skipped the round, once a minute; an empty one logs nothing")
    func damagedRegistryIsLogged() throws {
        let dir = TemporaryDirectory()
        for file in ExampleProject.files() { try dir.write(file.path, file.text) }
        let log = CapturedLog()
        let empty = try FeatureServer(store: try FeatureStore(projectPath: dir.path), configuration: ServerConfiguration(port: 0), logger: log.logger)
        empty.monitor.tick(now: 1_000_000)
        #expect(log.entries.isEmpty, "\(log.entries)")

        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "ana", message: "first")
        try DatabaseQueue(path: dir.file(".strata/registry.db").path).write {
            try $0.execute(sql: "UPDATE objects SET spec = '{}' WHERE name = 'driver' AND kind = 'entity'")
        }
        let server = try FeatureServer(store: try FeatureStore(projectPath: dir.path), configuration: ServerConfiguration(port: 0), logger: log.logger)
        server.monitor.tick(now: 1_000_000)
        server.monitor.tick(now: 2_000_000)
        let lines = log.entries.filter { $0.contains("drift monitoring skipped a round") }
        #expect(lines.count == 1, "\(log.entries)")
        #expect(lines.first?.contains("entity `driver` version 1 is corrupt") == true, "the line lacks the cause: \(lines)")
        server.monitor.tick(now: 62_000_000)
        #expect(log.entries.filter { $0.contains("drift monitoring skipped a round") }.count == 2)
    }
}

@Suite struct OneDoorTests {
    @Test("the server's feature logger, in-process lookups, the checker and quality share the feature store's one feature-log handle")
    func oneFeatureLogHandle() throws {
        let dir = TemporaryDirectory()
        for file in ExampleProject.files() { try dir.write(file.path, file.text) }
        let store = try FeatureStore(projectPath: dir.path)
        let log = try store.featureLog()
        #expect(try store.featureLog() === log)
        let server = try FeatureServer(store: store, configuration: ServerConfiguration(port: 0))
        #expect(server.featureLog.store === log, "the server opened a second handle to feature_log.db")
    }
}
