// The online store's hard cases, in-process on real LMDB environments: materialize and push growing a 64 KiB map,
// lookups that never wait while another process holds LMDB's writer lock and a local push waits for it, full scans
// read page by page, and a key that cannot be used being an error instead of entity 0.
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

    @Test("lookups stay fast for 10 s while another process holds LMDB's writer lock and a push in this process waits for it, also of a view not materialized yet")
    func lookupsNeverWaitForTheWriter() throws {
        let dir = TemporaryDirectory()
        // Two views of one source: only the first is materialized, so the push must create the second's database
        // (waiting for the writer), and lookups of the second find no database at all.
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
        let stats = try store.onlineReader(.references([FeatureReference(view: "user_stats", feature: nil)]))
        let scores = try store.onlineReader(.references([FeatureReference(view: "user_scores", feature: nil)]))
        #expect(try stats.get([["user": .string("a")]], at: OnlineParityTests.base).first?.first?.status == .present)

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

        // Lookups of both views for the 10 s the writer is held; the slowest one is what a request would wait.
        let released = Atomic<Bool>(false)
        let lookups = Mutex((count: 0, wrong: 0, slowestNanos: UInt64(0)))
        let done = DispatchSemaphore(value: 0)
        Thread {
            while !released.load(ordering: .acquiring) {
                let started = DispatchTime.now().uptimeNanoseconds
                let present = (try? stats.get([["user": .string("a")]], at: OnlineParityTests.base))?.first?.first?.status
                let missing = (try? scores.get([["user": .string("a")]], at: OnlineParityTests.base))?.first?.first?.status
                let elapsed = DispatchTime.now().uptimeNanoseconds - started
                lookups.withLock { $0.count += 1; $0.wrong += present == .present && missing == .notFound ? 0 : 1; $0.slowestNanos = max($0.slowestNanos, elapsed) }
                usleep(1000)
            }
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: 10)
        let heldThroughout = !pushResult.withLock({ $0 != nil }) && FileManager.default.fileExists(atPath: marker)
        try FileManager.default.removeItem(atPath: marker)
        released.store(true, ordering: .releasing)
        #expect(done.wait(timeout: .now() + .seconds(120)) == .success)
        let seen = lookups.withLock { $0 }
        #expect(heldThroughout, "the writer was not held for the whole 10 s, so the lookups proved nothing")
        #expect(seen.count > 100 && seen.wrong == 0, "\(seen.count) lookup pairs, \(seen.wrong) without the stored value or not_found")
        #expect(seen.slowestNanos < 1_000_000_000, "the slowest lookup pair took \(seen.slowestNanos / 1_000_000) ms while the writer was held")
        #expect(materialize.wait().exitCode == 0)
        #expect(pushed.wait(timeout: .now() + .seconds(60)) == .success)
        // The push must have succeeded once the writer let go, not merely returned.
        let report = try #require(try pushResult.withLock { $0 }?.get())
        #expect(report.offline.rowsAccepted == 1 && !report.isRejected, "\(report)")
        #expect(try scores.get([["user": .string("b")]], at: OnlineParityTests.base + 3_600_000_000).first?.first?.status == .present)
    }

    @Test("a view found missing is found as soon as another process materializes it (the remembered absence ends with the next commit)")
    func missingViewIsSeenOnceMaterializedElsewhere() throws {
        let dir = TemporaryDirectory()
        let store = try OnlineParityTests.makeStore(dir, ttl: nil, csv: "user,ts,created,score,n\na,\(Timestamp.format(OnlineParityTests.base)),\(Timestamp.format(OnlineParityTests.base)),1,2\n")
        _ = try store.ingest()
        let reader = try store.onlineReader(.references([FeatureReference(view: "user_stats", feature: "score")]))
        for _ in 0..<3 { #expect(try reader.get([["user": .string("a")]], at: OnlineParityTests.base).first?.first?.status != .present) }
        #expect(try CLIRunner.run(["materialize", "user_stats"], in: dir.path).exitCode == 0)
        #expect(try reader.get([["user": .string("a")]], at: OnlineParityTests.base).first?.first?.value == .float(1))
    }

    @Test("a full scan reads a page per transaction: a write committed during the scan is seen by the pages after it")
    func scansAreNotOneLongTransaction() throws {
        let dir = TemporaryDirectory()
        let online = try OnlineStore(path: dir.file("online").path)
        let layout = OnlineViewLayout(databaseName: "t", view: "v", featureNames: ["x"], featureTypes: [.int64], ttlMicros: nil)
        func put(_ key: String) throws {
            _ = try online.write(layouts: [layout]) { batch in
                try batch.upsert(layout, key: KeyTuple([KeyPart.string(key)]), row: OnlineRow(eventTs: 1, createdTs: 1, ingestSeq: 1, lineageID: 1, values: [.int(1)]))
            }
        }
        for i in 0..<10 { try put("k\(i)") }
        var visited: [[UInt8]] = []
        try online.forEachRow(layout, pageEntries: 3) { key, _ in
            // The body runs outside any transaction, so it may write; the key sorts after every other.
            if visited.isEmpty { try put("k9z") }
            visited.append(key)
        }
        #expect(visited.count == 11, "the scan saw \(visited.count) keys: it read the whole view in one transaction")
        #expect(visited == visited.sorted { $0.lexicographicallyPrecedes($1) } && Set(visited).count == visited.count)
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
