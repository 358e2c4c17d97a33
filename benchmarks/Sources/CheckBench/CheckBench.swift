import Foundation
import Strata
import StrataCore
import StrataOffline

/// `CheckBench --project DIR --keys N --start T [--lookups N]`: logs `--lookups` (default 1M) served rows of
/// `driver_activity` (the example service that logs at rate 1.0) into DIR's feature log, as a server would see them:
/// lookups move forward an hour per 10k, and the online store is materialized incrementally to each lookup's instant
/// first. DIR must be ingested already; `benchmarks/check/bench.py` then times `strata check --logs` as a whole process.
enum CheckBench {
    static let hour: Int64 = 3_600_000_000

    nonisolated static func run(arguments: [String]) {
        func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
        guard let project = option("--project"), let keys = option("--keys").flatMap(Int.init),
              let start = option("--start").flatMap({ try? Timestamp.parse($0).get() }) else {
            print("usage: CheckBench --project DIR --keys N --start RFC3339 [--lookups N]")
            exit(64)
        }
        let lookups = option("--lookups").flatMap(Int.init) ?? 1_000_000
        do {
            try logLookups(project: project, keys: keys, start: start, lookups: lookups)
        } catch {
            print("benchmark failed: \(error)")
            exit(1)
        }
    }

    nonisolated static func logLookups(project: String, keys: Int, start: Int64, lookups: Int) throws {
        let store = try FeatureStore(projectPath: project)
        let reader = try store.onlineReader(.service("driver_activity"))
        let log = try FeatureLogStore(path: store.folder.featureLogPath)
        var rng = SeededGenerator(seed: 5)
        var at = start + hour
        var logged = 0
        while logged < lookups {
            _ = try store.materialize(end: at, incremental: true)
            let batch = min(10_000, lookups - logged)
            let rows = (0..<batch).map { _ in ["driver_id": KeyPart.int(100_000 + Int64.random(in: 0..<Int64(keys), using: &rng))] }
            let values = try reader.get(rows, at: at)
            try log.append(FeatureStore.logRecords(reader, service: "driver_activity", rows: rows, values: values, at: at, rate: 1))
            logged += batch
            at += hour
        }
        print("logged \(logged.formatted()) lookups of driver_activity (\(reader.references.count) features each)")
    }
}
