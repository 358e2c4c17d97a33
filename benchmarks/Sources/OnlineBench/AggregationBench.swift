import CLMDBBench
import Foundation
import Histogram
import Strata
import StrataCore
import StrataOffline
import StrataOnline

/// `OnlineBench --aggregations --project DIR --keys N --end T [--lookups N] [--json FILE]`: DIR is the aggregation
/// benchmark's data (benchmarks/aggregations/generate.py --row-view): view `windows` with the ten benchmark aggregations
/// and view `last_trip` with one row feature over the same events. Measures, in one run and one LMDB environment:
/// materialize (events/s, tile bytes per key); in-process lookups of all ten aggregations at `end` (single key and
/// batch of 100, folded at request time); the same lookups of the row feature; raw `mdb_get` of the row feature's
/// values and of the tile records (the floors).
enum AggregationBench {
    nonisolated static func run(_ path: String, keys: Int, end: Int64, lookups: Int) throws -> [String: Double] {
        var store: FeatureStore? = try FeatureStore(projectPath: path, onlineOptions: .init(mapSizeBytes: 4 << 30))
        guard let s = store else { return [:] }
        if (try? s.appliedProject()) == nil {
            try s.apply(try s.plan(), author: "bench", message: nil)
            _ = try s.ingest()
        }
        let tables = s.featureTables(try s.appliedProject())
        guard let windows = tables["windows"], let lastTrip = tables["last_trip"], let tileLayout = s.aggregationLayout(windows) else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "generate the data with --row-view"])
        }
        let keyRows: [[String: KeyPart]] = (0..<keys).map { ["entity_id": .int(Int64($0))] }
        print("\n== aggregations online: \(keys.formatted()) keys, request time \(Timestamp.format(end)) ==")
        var result: [String: Double] = ["keys": Double(keys)]
        let started = DispatchTime.now().uptimeNanoseconds
        let reports = try s.materialize(views: ["windows"], end: end)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let events = Double(try s.ingestRuns().map(\.rowsAccepted).reduce(0, +))
        let tileKeys = reports.first?.aggregationKeys ?? 0, tileBytes = reports.first?.aggregationBytes ?? 0
        print(String(format: "materialize windows (one txn):  %8.2f s  %12.0f events/s  %d keys, %.0f tile bytes per key", seconds, events / seconds,
                     tileKeys, Double(tileBytes) / Double(max(1, tileKeys))))
        result["materialize_s"] = seconds
        result["materialize_events_per_s"] = events / seconds
        result["tile_bytes_per_key"] = Double(tileBytes) / Double(max(1, tileKeys))
        _ = try s.materialize(views: ["last_trip"], end: end)

        let aggregated = try s.onlineReader(.references([FeatureReference(view: "windows", feature: nil)]))
        let rows = try s.onlineReader(.references([FeatureReference(view: "last_trip", feature: nil)]))
        let present = keyRows.filter { (try? aggregated.get([$0], at: end)[0][0].status == .present) ?? false }
        let aggSingle = try OnlineBench.measureStrataSingle(aggregated, present, lookups: lookups, at: end)
        let aggBatch = try OnlineBench.measureStrataBatch(aggregated, present, batches: lookups / 100, at: end)
        let rowSingle = try OnlineBench.measureStrataSingle(rows, present, lookups: lookups, at: end)
        let rowBatch = try OnlineBench.measureStrataBatch(rows, present, batches: lookups / 100, at: end)
        try measurePush(s, keys: keys, end: end, materializeEventsPerSecond: events / seconds, into: &result)
        let onlinePath = s.folder.onlinePath
        let rowDatabase = s.onlineLayout(lastTrip).databaseName
        store = nil  // LMDB: one open environment per process; close Strata's before the raw baseline opens it.
        _ = store
        let encoded = present.map { OnlineKeyEncoding.encode(KeyTuple([$0["entity_id"]!])) }
        let rawRows = try RawLMDB(path: onlinePath, database: rowDatabase)
        let rawRowSingle = rawRows.measureSingle(encoded, lookups: lookups)
        let rawRowBatch = rawRows.measureBatch(encoded, batches: lookups / 100)
        let rawTiles = try RawLMDB(path: onlinePath, database: tileLayout.databaseName)
        let rawTileSingle = rawTiles.measureSingle(encoded, lookups: lookups)
        OnlineBench.report("10 aggregations, single key", aggSingle, baseline: rawRowSingle, baselineName: "raw mdb_get (row feature)", into: &result, prefix: "agg_single")
        OnlineBench.report("10 aggregations, batch of 100", aggBatch, baseline: rawRowBatch, baselineName: "raw 100× mdb_get (row)", into: &result, prefix: "agg_batch")
        OnlineBench.report("row feature, single key", rowSingle, baseline: rawRowSingle, baselineName: "raw mdb_get (row feature)", into: &result, prefix: "row_single")
        OnlineBench.report("row feature, batch of 100", rowBatch, baseline: rawRowBatch, baselineName: "raw 100× mdb_get (row)", into: &result, prefix: "row_batch")
        OnlineBench.report("10 aggregations, single key", aggSingle, baseline: rawTileSingle, baselineName: "raw mdb_get (tile record)", into: &result, prefix: "agg_vs_tile")
        return result
    }

    /// CPU seconds (user + system) of this process so far: the machine is shared, so wall time alone overstates.
    static func cpuSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Pushes batches of new events (random keys, event times just after `end`, as live traffic would) through the
    /// whole push path — offline append, event table, both views' online writes in one LMDB transaction — after the
    /// lookups (they change the data). Reports events/s by wall and by CPU time, beside materialize's rate.
    static func measurePush(_ s: FeatureStore, keys: Int, end: Int64, materializeEventsPerSecond: Double, into result: inout [String: Double]) throws {
        // Two batch shapes: each pushed row dirties a random leaf of the key-clustered offline tables, so per-event
        // cost falls with the batch (10k rows over 10k keys touch nearly every leaf, as 50k rows do).
        var first = end
        for (batches, batchSize) in [(5, 10_000), (1, 50_000)] {
            try measurePush(s, keys: keys, after: &first, horizon: end, batches: batches, batchSize: batchSize,
                            materializeEventsPerSecond: materializeEventsPerSecond, into: &result)
        }
    }

    static func measurePush(_ s: FeatureStore, keys: Int, after first: inout Int64, horizon end: Int64, batches: Int, batchSize: Int,
                            materializeEventsPerSecond: Double, into result: inout [String: Double]) throws {
        var rng = SystemRandomNumberGenerator()
        var wall = 0.0, cpu = 0.0, inPlace = 0, rebuilt = 0
        for b in 0..<batches {
            let rows: [[JSONScalar]] = (0..<batchSize).map { i in
                let event = first + Int64(i + 1) * 10_000
                return [.int(Int64.random(in: 0..<Int64(keys), using: &rng)), .string(Timestamp.format(event)), .string(Timestamp.format(event)),
                        .double(Double(Int.random(in: 300..<8_000, using: &rng)) / 100), .int(Int64.random(in: 0..<5_000, using: &rng))]
            }
            first += Int64(batchSize + 1) * 10_000
            let batch = PushedRows(columns: ["entity_id", "event_timestamp", "created", "fare", "rider_id"], rows: rows)
            let started = DispatchTime.now().uptimeNanoseconds, cpuStarted = cpuSeconds()
            let report = try s.push(source: "events", rows: batch, requestID: "bench-\(batchSize)-\(b)-\(end)", now: first)
            wall += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            cpu += cpuSeconds() - cpuStarted
            for view in report.views where view.aggregationKeys != nil {
                inPlace += (view.aggregationKeys ?? 0) - (view.aggregationKeysRebuilt ?? 0)
                rebuilt += view.aggregationKeysRebuilt ?? 0
            }
        }
        let events = Double(batches * batchSize)
        print(String(format: "push %d × %d events (both views):  %8.2f s wall, %.2f s CPU  %10.0f events/s wall, %10.0f events/s CPU;"
                     + " keys in place %d, rebuilt %d (materialize %.0f events/s)", batches, batchSize, wall, cpu, events / wall, events / cpu,
                     inPlace, rebuilt, materializeEventsPerSecond))
        result["push\(batchSize)_events_per_s"] = events / wall
        result["push\(batchSize)_events_per_cpu_s"] = events / cpu
        result["push\(batchSize)_keys_in_place"] = Double(inPlace)
        result["push\(batchSize)_keys_rebuilt"] = Double(rebuilt)
    }
}
