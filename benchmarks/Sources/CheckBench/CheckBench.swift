import Foundation
import Strata
import StrataCheck
import StrataCore
import StrataOffline

/// Builds 1M offline rows / 10k keys, logs `--lookups` (default 1M) served rows, then times one `checkLogs` replay.
enum CheckBench {
    static let base: Int64 = 1_772_323_200_000_000
    static let hour: Int64 = 3_600_000_000

    nonisolated static func run(arguments: [String]) {
        let lookups = arguments.firstIndex(of: "--lookups").flatMap { Int(arguments[$0 + 1]) } ?? 1_000_000
        do {
            try bench(keys: 10_000, rowsPerKey: 100, lookups: lookups)
        } catch {
            print("benchmark failed: \(error)")
            exit(1)
        }
    }

    nonisolated static func bench(keys: Int, rowsPerKey: Int, lookups: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strata-check-bench")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("featuresets"), withIntermediateDirectories: true)
        try """
        entities:
          - name: entity
            join_keys: {entity_id: int64}
        sources:
          - name: events
            path: data.csv
            timestamp: ts
            created: created
            schema: {entity_id: int64, value: float64, count: int64}
        feature_views:
          - name: stats
            entities: [entity]
            source: events
            ttl: 2h
            features:
              value: float64
              count: int64
        feature_services:
          - name: scoring
            features: ["stats:*"]
            logging: {sample_rate: 1.0}

        """.write(to: dir.appendingPathComponent("featuresets/bench.yaml"), atomically: true, encoding: .utf8)
        var csv = "entity_id,ts,created,value,count\n"
        let stamps = (0..<rowsPerKey).map { Timestamp.format(base + Int64($0) * hour) }
        for key in 0..<keys { for h in 0..<rowsPerKey { csv += "\(key),\(stamps[h]),\(stamps[h]),\(Double((key * 7 + h) % 1000) / 10),\(h % 50)\n" } }
        try csv.write(to: dir.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
        csv = ""
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "bench", message: nil)
        _ = try store.ingest(now: base)
        let reader = try store.onlineReader(.service("scoring"))
        let log = try FeatureLogStore(path: store.folder.featureLogPath)
        var rng = SeededGenerator(seed: 5)
        var at = base + hour
        var logged = 0
        // Lookups move forward in time; the online store is materialized to each lookup's instant first, as a server would see it.
        while logged < lookups {
            _ = try store.materialize(end: at, incremental: true)
            let batch = min(10_000, lookups - logged)
            let rows = (0..<batch).map { _ in ["entity_id": KeyPart.int(Int64.random(in: 0..<Int64(keys), using: &rng))] }
            let values = try reader.get(rows, at: at)
            try log.append(FeatureStore.logRecords(reader, service: "scoring", rows: rows, values: values, at: at, rate: 1))
            logged += batch
            at += hour
        }
        let before = peakRSSMiB()
        let start = DispatchTime.now().uptimeNanoseconds
        let report = try ConsistencyChecker.checkLogs(store)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let mismatches = report.features.reduce(0) { $0 + $1.mismatches }
        print("check --logs: \(report.rowsReplayed.formatted()) logged lookups × \(report.features.count) features against 1M offline rows / \(keys.formatted()) keys")
        print(String(format: "  %.2f s, %.0f lookups/s, %d mismatches; peak RSS %.0f MiB (%.0f MiB before the check)", seconds, Double(report.rowsReplayed) / seconds,
                     mismatches, peakRSSMiB(), before))
    }

    nonisolated static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
