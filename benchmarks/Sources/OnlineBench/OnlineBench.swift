import CLMDBBench
import Foundation
import Histogram
import Strata
import StrataCore
import StrataOnline

/// The benchmark driver. Hot loops live in nonisolated functions here, not in main.swift (STYLE §10).
///
/// `OnlineBench --project DIR --keys N --end T [--lookups N] [--json FILE]`: DIR is a generated project (benchmarks/generate.py); it is
/// applied and ingested here when it has no state yet. Materializes every view at the data's end, then measures
/// single-key and batch-of-100 lookups of `driver_everything` (all nine features of the example view, two of them
/// strings) next to raw `mdb_get` on the same keys in the same environment.
enum OnlineBench {
    nonisolated static func run(arguments: [String]) {
        func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
        let lookups = option("--lookups").flatMap(Int.init) ?? 1_000_000
        guard let project = option("--project"), let keys = option("--keys").flatMap(Int.init),
              let end = option("--end").flatMap({ try? Timestamp.parse($0).get() }) else {
            print("usage: OnlineBench [--aggregations] --project DIR --keys N --end RFC3339 [--lookups N] [--json FILE]")
            exit(64)
        }
        print("online benchmark on \(ProcessInfo.processInfo.activeProcessorCount) shared cores; latencies in µs from an HDR histogram")
        do {
            let result = arguments.contains("--aggregations") ? try AggregationBench.run(project, keys: keys, end: end, lookups: lookups)
                : try runProject(project, keys: keys, end: end, lookups: lookups)
            if let path = option("--json") {
                let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted])
                try data.write(to: URL(fileURLWithPath: path))
            }
        } catch {
            print("benchmark failed: \(error)")
            exit(1)
        }
    }

    nonisolated static func runProject(_ path: String, keys: Int, end: Int64, lookups: Int) throws -> [String: Double] {
        var store: FeatureStore? = try FeatureStore(projectPath: path, onlineOptions: .init(mapSizeBytes: 1 << 30))
        guard let s = store else { return [:] }
        if (try? s.appliedProject()) == nil {
            try s.apply(try s.plan(), author: "bench", message: nil)
            _ = try s.ingest()
        }
        let spec = s.featureTables(try s.appliedProject())["driver_stats"]!
        // The generator's drivers are 100000 + 0..<keys, each with a row in every hour up to `end`.
        let keyRows: [[String: KeyPart]] = (0..<keys).map { ["driver_id": .int(100_000 + Int64($0))] }
        print("\n== \(keyRows.count.formatted()) drivers, data ends \(Timestamp.format(end)) ==")
        var result: [String: Double] = ["keys": Double(keyRows.count)]
        let started = DispatchTime.now().uptimeNanoseconds
        let reports = try s.materialize(end: end)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let scanned = reports.first?.rowsScanned ?? 0
        print(String(format: "materialize (full, one txn):   %8.2f s  %12.0f offline rows/s  (%d keys written)", seconds, Double(scanned) / seconds, reports.first?.keysWritten ?? 0))
        result["materialize_s"] = seconds
        result["materialize_rows_per_s"] = Double(scanned) / seconds

        let reader = try s.onlineReader(.service("driver_everything"))
        let single = try measureStrataSingle(reader, keyRows, lookups: lookups, at: end)
        let batch = try measureStrataBatch(reader, keyRows, batches: lookups / 100, at: end)
        let layout = s.onlineLayout(spec)
        let onlinePath = s.folder.onlinePath
        store = nil  // LMDB: one open environment per process; close Strata's before the raw baseline opens it.
        _ = store
        let encoded = keyRows.map { OnlineKeyEncoding.encode(KeyTuple([$0["driver_id"]!])) }
        let raw = try RawLMDB(path: onlinePath, database: layout.databaseName)
        let rawSingle = raw.measureSingle(encoded, lookups: lookups)
        let rawBatch = raw.measureBatch(encoded, batches: lookups / 100)
        report("single key, get + decode", single, baseline: rawSingle, baselineName: "raw mdb_get", into: &result, prefix: "single")
        report("batch of 100 keys", batch, baseline: rawBatch, baselineName: "raw 100× mdb_get", into: &result, prefix: "batch")
        return result
    }

    nonisolated static func report(_ name: String, _ h: Histogram<UInt64>, baseline: Histogram<UInt64>, baselineName: String,
                                   into result: inout [String: Double], prefix: String) {
        func us(_ ns: UInt64) -> String { String(format: "%7.2f", Double(ns) / 1000) }
        print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) p50 \(us(h.valueAtPercentile(50))) p99 \(us(h.valueAtPercentile(99))) p99.9 \(us(h.valueAtPercentile(99.9))) µs")
        print("\(("  " + baselineName).padding(toLength: 28, withPad: " ", startingAt: 0)) p50 \(us(baseline.valueAtPercentile(50))) p99 \(us(baseline.valueAtPercentile(99))) p99.9 \(us(baseline.valueAtPercentile(99.9))) µs")
        print(String(format: "  ratio strata/raw:           p50 %.2fx  p99 %.2fx", Double(h.valueAtPercentile(50)) / Double(max(1, baseline.valueAtPercentile(50))),
                     Double(h.valueAtPercentile(99)) / Double(max(1, baseline.valueAtPercentile(99)))))
        for (label, percentile) in [("p50", 50.0), ("p99", 99.0), ("p999", 99.9)] {
            result["\(prefix)_\(label)_us"] = Double(h.valueAtPercentile(percentile)) / 1000
            result["\(prefix)_raw_\(label)_us"] = Double(baseline.valueAtPercentile(percentile)) / 1000
        }
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
            precondition(result[0][0].status == .present, "benchmark keys are all materialized and fresh")
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
