// The online store's hard cases, in-process on real LMDB environments: materialize and push growing a 64 KiB map,
// lookups that never wait while another process holds LMDB's writer lock and a local push waits for it, and a key
// that cannot be used being an error instead of entity 0.
import Foundation
import StrataCore
@testable import StrataOffline
import StrataOnline
@testable import Strata
import StrataTestSupport
import Synchronization
import Testing

@Suite struct OnlineHardeningTests {
    static let csv: String = {
        let rows = (0..<20_000).map { "u\($0),\(Timestamp.format(OnlineParityTests.base)),\(Timestamp.format(OnlineParityTests.base)),1.5,\($0)" }
        return "user,ts,created,score,n\n" + rows.joined(separator: "\n") + "\n"
    }()

    @Test("materialize grows a 64 KiB map to hold 20,000 keys (map-full inside the offline scan reaches the retry)")
    func materializeGrowsTheMap() throws {
        let dir = TemporaryDirectory()
        try dir.write("featuresets/defs.yaml", OnlineParityTests.definitions(ttl: nil))
        try dir.write("events.csv", Self.csv)
        let store = try FeatureStore(projectPath: dir.path, onlineOptions: .init(mapSizeBytes: 64 * 1024))
        try store.apply(try store.plan(), author: "test", message: nil)
        _ = try store.ingest()
        let reports = try store.materialize(end: OnlineParityTests.base)
        #expect(reports.first?.keysWritten == 20_000)
        #expect(store.onlineMapSize.bytes > 64 * 1024)
        let values = try store.onlineReader(.references([FeatureReference(view: "user_stats", feature: "double_n")]))
            .get([["user": .string("u19999")]], at: OnlineParityTests.base)
        #expect(values.first?.first?.value == .int(39_998))
    }

    @Test("lookups answer while another process holds LMDB's writer lock and a push in this process waits for it")
    func lookupsNeverWaitForTheWriter() throws {
        let dir = TemporaryDirectory()
        // Two views of one source: only the first is opened in this process before the push, which must create the second's.
        try dir.write("featuresets/defs.yaml", OnlineParityTests.definitions(ttl: nil) + """

          - name: user_scores
            entities: [user]
            source: events
            features:
              score: float64
        """)
        try dir.write("events.csv", "user,ts,created,score,n\na,\(Timestamp.format(OnlineParityTests.base)),\(Timestamp.format(OnlineParityTests.base)),1,2\n")
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "test", message: nil)
        _ = try store.ingest()
        _ = try store.materialize(views: ["user_stats"], end: OnlineParityTests.base)
        let reader = try store.onlineReader(.references([FeatureReference(view: "user_stats", feature: nil)]))
        #expect(try reader.get([["user": .string("a")]], at: OnlineParityTests.base).first?.first?.status == .present)

        let marker = dir.file("paused").path
        let materialize = try CLIRunner.start(["materialize", "user_stats"], in: dir.path, environment: ["STRATA_FAULT_PAUSE_FILE": marker])
        for _ in 0..<6000 where !FileManager.default.fileExists(atPath: marker) { usleep(10_000) }
        #expect(FileManager.default.fileExists(atPath: marker), "the other process never paused inside its write transaction")
        let pushed = DispatchSemaphore(value: 0)
        let pushResult = Mutex<Result<PushReport, any Error>?>(nil)
        Thread {
            let result = Result { try store.push(source: "events", rows: PushedRows(columns: ["created", "n", "score", "ts", "user"],
                                                                               rows: [[.string("2026-03-01T13:00:00Z"), .int(3), .double(1), .string("2026-03-01T13:00:00Z"), .string("b")]]),
                                                 requestID: "waiting") }
            pushResult.withLock { $0 = result }
            pushed.signal()
        }.start()
        // The push commits offline, then waits for LMDB's writer lock, held by the paused process.
        for _ in 0..<6000 where (try? store.ingestRuns().count) ?? 0 < 2 { usleep(10_000) }
        #expect(pushed.wait(timeout: .now() + .milliseconds(200)) == .timedOut, "the push did not wait for the other process's write")
        let answered = DispatchSemaphore(value: 0)
        let presentLookups = Mutex(0)
        Thread {
            // A lookup that throws did not answer: only lookups that return the stored value count.
            for _ in 0..<100 where (try? reader.get([["user": .string("a")]], at: OnlineParityTests.base))?.first?.first?.status == .present {
                presentLookups.withLock { $0 += 1 }
            }
            answered.signal()
        }.start()
        #expect(answered.wait(timeout: .now() + .seconds(20)) == .success, "lookups waited for the writer")
        #expect(presentLookups.withLock { $0 } == 100, "every lookup answered with the stored value while the writer was held")
        try FileManager.default.removeItem(atPath: marker)
        #expect(materialize.wait().exitCode == 0)
        #expect(pushed.wait(timeout: .now() + .seconds(60)) == .success)
        // The push must have succeeded once the writer let go, not merely returned.
        let report = try #require(try pushResult.withLock { $0 }?.get())
        #expect(report.offline.rowsAccepted == 1 && !report.isRejected, "\(report)")
    }

    @Test("a stored row without a usable key is an error, never written under entity 0")
    func invalidKeyIsAnError() throws {
        let project = try CompiledProject.compile([(path: "f.yaml", text: OnlineParityTests.definitions(ttl: nil))]).get()
        var spec = FeatureTableSpec(view: try #require(project.views["user_stats"]), viewVersion: 1, sourceVersion: 1,
                                    storage: ViewStorage(source: "", family: 0, features: "", aggregationEvents: "", aggregationTiles: ""))
        let null = StoredSourceRow(rowID: 7, eventTs: 1, createdTs: 1, values: [.null, .float(1), .int(2)])
        #expect(throws: FeatureStoreError.self) { try FeatureStore.evaluate(null, spec) }
        let wrongType = StoredSourceRow(rowID: 8, eventTs: 1, createdTs: 1, values: [.int(0), .float(1), .int(2)])
        #expect(throws: FeatureStoreError.self) { try FeatureStore.evaluate(wrongType, spec) }
        spec.view.source.columns.removeAll { $0.name == "user" }
        let missing = StoredSourceRow(rowID: 9, eventTs: 1, createdTs: 1, values: [.float(1), .int(2)])
        do {
            _ = try FeatureStore.evaluate(missing, spec)
            Issue.record("a view key missing from the source was evaluated")
        } catch let error as FeatureStoreError {
            #expect(error.what == "feature view `user_stats`: source row 9 has no usable key `user`: the source has no such column")
        }
    }
}
