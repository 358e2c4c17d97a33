import CLMDBBench
import Foundation
import Histogram
import Strata
import StrataCore
import StrataOnline

/// The benchmark driver. Hot loops live in nonisolated functions here, not in main.swift (STYLE §10).
enum OnlineBench {
    nonisolated static func run(arguments: [String]) {
        let scale = arguments.firstIndex(of: "--scale").flatMap { Int(arguments[$0 + 1]) } ?? 1
        let lookups = arguments.firstIndex(of: "--lookups").flatMap { Int(arguments[$0 + 1]) } ?? 1_000_000
        print("online benchmark on \(ProcessInfo.processInfo.activeProcessorCount) shared cores; latencies in µs from an HDR histogram")
        do {
            try runScale(keys: 10_000, rowsPerKey: 100, lookups: lookups)
            if scale >= 10 { try runScale(keys: 100_000, rowsPerKey: 100, lookups: lookups) }
        } catch {
            print("benchmark failed: \(error)")
            exit(1)
        }
    }

    nonisolated static func runScale(keys: Int, rowsPerKey: Int, lookups: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strata-online-bench-\(keys)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("featuresets"), withIntermediateDirectories: true)
        try definitions.write(to: dir.appendingPathComponent("featuresets/bench.yaml"), atomically: true, encoding: .utf8)
        try writeData(dir.appendingPathComponent("data.csv"), keys: keys, rowsPerKey: rowsPerKey)
        var store: FeatureStore? = try FeatureStore(projectPath: dir.path, onlineOptions: .init(mapSizeBytes: 1 << 30))
        guard let s = store else { return }
        try s.apply(try s.plan(), author: "bench", message: nil)
        _ = try s.ingest(now: base)
        let rows = keys * rowsPerKey
        print("\n== \(rows.formatted()) offline rows, \(keys.formatted()) keys ==")

        let end = base + Int64(rowsPerKey) * 3_600_000_000
        let started = DispatchTime.now().uptimeNanoseconds
        let reports = try s.materialize(end: end)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        print(String(format: "materialize (full, one txn):   %8.2f s  %12.0f offline rows/s  (%d keys written)", seconds, Double(rows) / seconds, reports.first?.keysWritten ?? 0))

        let pushRows = min(100_000, keys * 10)
        let pushFile = dir.appendingPathComponent("push.jsonl")
        try writePush(pushFile, rows: pushRows, keys: keys)
        let pushStart = DispatchTime.now().uptimeNanoseconds
        let push = try s.push(view: "stats", file: pushFile)
        let pushSeconds = Double(DispatchTime.now().uptimeNanoseconds - pushStart) / 1e9
        print(String(format: "push (offline + online):       %8.2f s  %12.0f rows/s  (%d accepted)", pushSeconds, Double(push.offline.rowsAccepted) / pushSeconds, push.offline.rowsAccepted))

        let reader = try s.onlineReader(.references([FeatureReference(view: "stats", feature: nil)]))
        let keyRows: [[String: KeyPart]] = (0..<keys).map { ["entity_id": .int(Int64($0))] }
        let single = try measureStrataSingle(reader, keyRows, lookups: lookups, at: end)
        let batch = try measureStrataBatch(reader, keyRows, batches: lookups / 100, at: end)
        let layout = s.onlineLayout(s.featureTables(try s.appliedProject())["stats"]!)
        let onlinePath = s.folder.onlinePath
        store = nil  // LMDB: one open environment per process; close Strata's before the raw baseline opens it.
        _ = store
        let encoded = (0..<keys).map { OnlineKeyEncoding.encode(KeyTuple([.int(Int64($0))])) }
        let raw = try RawLMDB(path: onlinePath, database: layout.databaseName)
        let rawSingle = raw.measureSingle(encoded, lookups: lookups)
        let rawBatch = raw.measureBatch(encoded, batches: lookups / 100)
        report("single key, get + decode", single, baseline: rawSingle, baselineName: "raw mdb_get")
        report("batch of 100 keys", batch, baseline: rawBatch, baselineName: "raw 100× mdb_get")
    }

    nonisolated static func report(_ name: String, _ h: Histogram<UInt64>, baseline: Histogram<UInt64>, baselineName: String) {
        func us(_ ns: UInt64) -> String { String(format: "%7.2f", Double(ns) / 1000) }
        print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) p50 \(us(h.valueAtPercentile(50))) p99 \(us(h.valueAtPercentile(99))) p99.9 \(us(h.valueAtPercentile(99.9))) µs")
        print("\(("  " + baselineName).padding(toLength: 28, withPad: " ", startingAt: 0)) p50 \(us(baseline.valueAtPercentile(50))) p99 \(us(baseline.valueAtPercentile(99))) p99.9 \(us(baseline.valueAtPercentile(99.9))) µs")
        print(String(format: "  ratio strata/raw:           p50 %.2fx  p99 %.2fx", Double(h.valueAtPercentile(50)) / Double(max(1, baseline.valueAtPercentile(50))),
                     Double(h.valueAtPercentile(99)) / Double(max(1, baseline.valueAtPercentile(99)))))
    }

    nonisolated static func measureStrataSingle(_ reader: OnlineFeatureReader, _ keys: [[String: KeyPart]], lookups: Int, at now: Int64) throws -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 10_000_000_000)
        for i in 0..<min(lookups, 100_000) { _ = try reader.get([keys[i % keys.count]], at: now) }  // warm-up
        var index = 7
        for _ in 0..<lookups {
            index = (index &* 48271) % keys.count
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try reader.get([keys[index]], at: now)
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            precondition(result[0][0].status == .present, "benchmark keys are all materialized")
            _ = histogram.record(elapsed)
        }
        return histogram
    }

    nonisolated static func measureStrataBatch(_ reader: OnlineFeatureReader, _ keys: [[String: KeyPart]], batches: Int, at now: Int64) throws -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 10_000_000_000)
        var index = 11
        for round in 0..<(batches + 1000) {
            var batch: [[String: KeyPart]] = []
            batch.reserveCapacity(100)
            for _ in 0..<100 { index = (index &* 48271) % keys.count; batch.append(keys[index]) }
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try reader.get(batch, at: now)
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            if round >= 1000 { _ = histogram.record(elapsed) }
        }
        return histogram
    }

    static let base: Int64 = 1_772_323_200_000_000
    static let definitions = """
    entities:
      - name: entity
        join_keys: {entity_id: int64}
    sources:
      - name: events
        path: data.csv
        timestamp: ts
        created: created
        schema: {entity_id: int64, value: float64, count: int64, city: string}
    feature_views:
      - name: stats
        entities: [entity]
        source: events
        ttl: 30d
        features:
          value: float64
          count: int64
          city: string
          value_x2: {type: float64, expr: "value * 2"}

    """

    nonisolated static func writeData(_ url: URL, keys: Int, rowsPerKey: Int) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var rng = SeededGenerator(seed: 11)
        var chunk = "entity_id,ts,created,value,count,city\n"
        let hours = (0..<rowsPerKey).map { Timestamp.format(base + Int64($0) * 3_600_000_000) }
        for key in 0..<keys {
            for h in 0..<rowsPerKey {
                chunk += "\(key),\(hours[h]),\(hours[h]),\(Double(Int.random(in: 0...10_000, using: &rng)) / 100),\(Int.random(in: 0...50, using: &rng)),city\(key % 17)\n"
            }
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
    }

    nonisolated static func writePush(_ url: URL, rows: Int, keys: Int) throws {
        var text = ""
        let at = Timestamp.format(base + 200 * 3_600_000_000)
        for i in 0..<rows {
            text += #"{"entity_id": \#(i % keys), "ts": "\#(at)", "created": "\#(at)", "value": \#(Double(i) / 10), "count": \#(i % 50), "city": "pushed"}"# + "\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// Plain LMDB on the same environment: the floor Strata's lookups are compared with.
final class RawLMDB {
    let env: OpaquePointer
    var dbi: MDB_dbi = 0

    init(path: String, database: String) throws {
        var handle: OpaquePointer?
        mdb_env_create(&handle)
        guard let handle else { throw NSError(domain: "lmdb", code: 1) }
        env = handle
        mdb_env_set_maxdbs(env, 256)
        mdb_env_set_mapsize(env, 1 << 30)
        guard mdb_env_open(env, path, UInt32(MDB_NOTLS) | UInt32(MDB_RDONLY), 0o644) == 0 else { throw NSError(domain: "lmdb", code: 2) }
        var txn: OpaquePointer?
        mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        mdb_dbi_open(txn, database, 0, &dbi)
        mdb_txn_commit(txn)
    }

    deinit { mdb_env_close(env) }

    nonisolated func get(_ txn: OpaquePointer?, _ key: [UInt8]) -> Int {
        key.withUnsafeBytes { bytes -> Int in
            var k = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            var v = MDB_val()
            return mdb_get(txn, dbi, &k, &v) == 0 ? v.mv_size : -1
        }
    }

    nonisolated func measureSingle(_ keys: [[UInt8]], lookups: Int) -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 10_000_000_000)
        var index = 7
        for round in 0..<(lookups + 100_000) {
            index = (index &* 48271) % keys.count
            let start = DispatchTime.now().uptimeNanoseconds
            var txn: OpaquePointer?
            mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
            let size = get(txn, keys[index])
            mdb_txn_abort(txn)
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            precondition(size > 0, "benchmark keys are all present")
            if round >= 100_000 { _ = histogram.record(elapsed) }
        }
        return histogram
    }

    nonisolated func measureBatch(_ keys: [[UInt8]], batches: Int) -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 10_000_000_000)
        var index = 11
        for round in 0..<(batches + 1000) {
            let start = DispatchTime.now().uptimeNanoseconds
            var txn: OpaquePointer?
            mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
            for _ in 0..<100 { index = (index &* 48271) % keys.count; _ = get(txn, keys[index]) }
            mdb_txn_abort(txn)
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            if round >= 1000 { _ = histogram.record(elapsed) }
        }
        return histogram
    }
}
