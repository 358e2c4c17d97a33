import Foundation
import Strata
import StrataCore
import StrataQuality

/// Times the data-quality core on 1M rows of `featuresets/drivers.yaml`'s source (time order), next to a real
/// `ingest` of the same rows in the same run, so the overheads are ratios measured together.
enum QualityBench {
    static let base: Int64 = 1_772_323_200_000_000
    static let cities = ["lagos", "lisbon", "porto", "oslo", "lima", "pune", "accra", "quito"]
    static let schema: [(name: String, type: ValueType)] = [
        ("driver_id", .int64), ("conv_rate", .float64), ("acc_rate", .float64), ("avg_daily_trips", .int64),
        ("rating", .float64), ("city", .string), ("event_timestamp", .timestamp), ("created", .timestamp),
    ]

    nonisolated static func run(arguments: [String]) {
        let rowCount = arguments.firstIndex(of: "--rows").flatMap { Int(arguments[$0 + 1]) } ?? 1_000_000
        do {
            try bench(rowCount: rowCount)
        } catch {
            print("benchmark failed: \(error)")
            exit(1)
        }
    }

    /// Rows in schema order; the last two values are the event and created times.
    nonisolated static func rows(_ count: Int, shift: Double = 0) -> [[Value]] {
        var generator = SeededGenerator(seed: 14)
        let step = Int64(30 * 86_400_000_000) / Int64(count)
        return (0..<count).map { index in
            let event = base + Int64(index) * step
            let rating: Value = Int.random(in: 0..<50, using: &generator) == 0 ? .null : .float((3 + Double.random(in: 0..<2, using: &generator) + shift).rounded(toPlaces: 2))
            return [.int(Int64.random(in: 0..<10_000, using: &generator)), .float((Double.random(in: 0..<1, using: &generator) + shift / 10).rounded(toPlaces: 3)),
                    .float(Double.random(in: 0..<1, using: &generator).rounded(toPlaces: 3)), .int(Int64.random(in: 0..<40, using: &generator)),
                    rating, .string(cities[Int.random(in: 0..<cities.count, using: &generator)]), .int(event), .int(event + 60_000_000)]
        }
    }

    nonisolated static func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[runs / 2]
    }

    nonisolated static func profile(_ rows: [[Value]]) -> DatasetProfile {
        var profile = DatasetProfile(columns: schema)
        for row in rows { profile.add(row: row) }
        return profile
    }

    nonisolated static func bench(rowCount: Int) throws {
        print("generating \(rowCount.formatted()) rows of the example schema (8 columns)…")
        let data = rows(rowCount)
        var profiled = DatasetProfile(columns: schema)
        let checkOnly = CommandLine.arguments.contains("--check-only")
        let profileSeconds = checkOnly ? 1 : median(5) { profiled = profile(data) }
        print(String(format: "profile (8 columns):            %7.1f ms  %6.0f ns/row  %5.2f M rows/s", profileSeconds * 1e3,
                     profileSeconds / Double(rowCount) * 1e9, Double(rowCount) / profileSeconds / 1e6))
        if CommandLine.arguments.contains("--profile-only") { return }
        for (index, column) in schema.enumerated() where !checkOnly {
            let only = data.map { [$0[index]] }
            let seconds = median(3) {
                var single = DatasetProfile(columns: [column])
                for row in only { single.add(row: row) }
            }
            print(String(format: "  %-16@ %-9@       %7.1f ms  %6.0f ns/value", column.name as NSString, column.type.rawValue as NSString,
                         seconds * 1e3, seconds / Double(rowCount) * 1e9))
        }
        let source = try loadSource()
        let sourceRows = data.map { Array($0.prefix(6)) }
        var accepted = 0
        let checkSeconds = try median(5) {
            var checker = try RowChecker(source)
            accepted = 0
            for row in sourceRows where checker.check(row) == nil { accepted += 1 }
        }
        print(String(format: "expectations (%d column rules): %7.1f ms  %6.0f ns/row (%d of %d rows accepted)", source.expectations?.columns.count ?? 0,
                     checkSeconds * 1e3, checkSeconds / Double(rowCount) * 1e9, accepted, rowCount))
        if checkOnly { return }
        try patterns(data.map { row in if case .string(let city) = row[5] { return city } else { return "" } })
        let encoded = try JSONEncoder().encode(profiled)
        print("profile JSON: \(encoded.count.formatted()) bytes for 8 columns")
        let current = profile(rows(rowCount, shift: 0.3))
        var report: DriftReport?
        let driftSeconds = median(5) { report = DriftDetector.compare(reference: profiled.columns, current: current.columns) }
        print(String(format: "drift, 8 features, 1M vs 1M profiles: %6.1f ms (%d drifting: %@)", driftSeconds * 1e3, report?.driftingCount ?? 0,
                     (report?.features.filter(\.isDrifting).map { "\($0.feature) \($0.method?.rawValue ?? "")" }.joined(separator: ", ") ?? "") as NSString))
        try ingestComparison(data, profileSeconds: profileSeconds, checkSeconds: checkSeconds)
    }

    nonisolated static func loadSource() throws -> SourceDefinition {
        // The same expectations as the timed ingest (`benchExpectations`); the checker uses the column rules.
        let yaml = """
        sources:
          - name: driver_stats_source
            path: data.csv
            timestamp: event_timestamp
            created: created
            schema: {driver_id: int64, conv_rate: float64, acc_rate: float64, avg_daily_trips: int64, rating: float64, city: string}

        """ + benchExpectations
        let loaded = try DefinitionLoader.load([(path: "bench.yaml", text: yaml)]).get()
        guard let source = loaded.definitions.sources.first else { throw CocoaError(.fileReadCorruptFile) }
        return source
    }

    nonisolated static func patterns(_ values: [String]) throws {
        let sample = Array(values.prefix(200_000))
        var hits = 0
        let pattern = try TextPattern("[a-z]+")
        let ours = median(3) { hits = sample.reduce(0) { $0 + (pattern.matches($1) ? 1 : 0) } }
        let regex = try Regex("[a-z]+")
        let swift = median(3) { hits = sample.reduce(0) { $0 + ((try? regex.wholeMatch(in: $1)) != nil ? 1 : 0) } }
        let ns = try NSRegularExpression(pattern: "^[a-z]+$")
        let foundation = median(3) {
            hits = sample.reduce(0) { $0 + (ns.firstMatch(in: $1, range: NSRange(location: 0, length: $1.utf16.count)) != nil ? 1 : 0) }
        }
        print(String(format: "matches `[a-z]+` per value: TextPattern %.0f ns, Swift Regex %.0f ns, NSRegularExpression %.0f ns (%d matched)",
                     ours / Double(sample.count) * 1e9, swift / Double(sample.count) * 1e9, foundation / Double(sample.count) * 1e9, hits))
    }

    /// Ingests the same rows from CSV with `FeatureStore` in three configurations, interleaved and repeated so load
    /// on the machine hits them alike: without profiling (`STRATA_BENCH_UNPROFILED=1`) and without expectations, the
    /// baseline; with the run profile (what every ingest does); with the profile and the benchmark's expectations.
    nonisolated static func ingestComparison(_ data: [[Value]], profileSeconds: Double, checkSeconds: Double) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-quality-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        var csv = "event_timestamp,driver_id,conv_rate,acc_rate,avg_daily_trips,rating,city,created\n"
        csv.reserveCapacity(data.count * 90)
        for row in data {
            func text(_ value: Value) -> String { value.isNull ? "" : value.description }
            if case .int(let event) = row[6], case .int(let created) = row[7] {
                csv += "\(Timestamp.format(event)),\(text(row[0])),\(text(row[1])),\(text(row[2])),\(text(row[3])),\(text(row[4])),\(text(row[5])),\(Timestamp.format(created))\n"
            }
        }
        let example = try String(contentsOfFile: "../featuresets/drivers.yaml", encoding: .utf8)
            .replacingOccurrences(of: "path: featuresets/data/driver_stats.csv", with: "path: data.csv")
        guard let cut = example.range(of: "    # Checked on every ingest"), let cutEnd = example.range(of: "mean: {conv_rate: [0.05, 0.95]}\n") else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "featuresets/drivers.yaml has no expectations block to replace"])
        }
        let plain = example.replacingCharacters(in: cut.lowerBound..<cutEnd.upperBound, with: "")
        let checked = example.replacingCharacters(in: cut.lowerBound..<cutEnd.upperBound, with: benchExpectations)
        let configurations = [("ingest, no profile, no expectations (baseline)", plain, true), ("ingest + run profile (default)", plain, false),
                              ("ingest + run profile + expectations", checked, false)]
        var seconds = Array(repeating: [Double](), count: configurations.count)
        // CPU time of this process: on a shared machine other processes' load inflates wall time, much less CPU time.
        var cpuSeconds = seconds
        var rowsRead = 0
        for round in 0..<3 {
            for (index, configuration) in configurations.enumerated() {
                let dir = root.appendingPathComponent("\(round)-\(index)")
                try FileManager.default.createDirectory(at: dir.appendingPathComponent("featuresets"), withIntermediateDirectories: true)
                try configuration.1.write(to: dir.appendingPathComponent("featuresets/drivers.yaml"), atomically: true, encoding: .utf8)
                try csv.write(to: dir.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
                let store = try FeatureStore(projectPath: dir.path)
                _ = try store.apply(try store.plan(), author: "bench", message: nil)
                if configuration.2 { setenv("STRATA_BENCH_UNPROFILED", "1", 1) } else { unsetenv("STRATA_BENCH_UNPROFILED") }
                let start = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
                let reports = try store.ingest(sources: ["driver_stats_source"], now: base + 31 * 86_400_000_000)
                seconds[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                cpuSeconds[index].append(processCPUSeconds() - cpuStart)
                unsetenv("STRATA_BENCH_UNPROFILED")
                rowsRead = reports.reduce(0) { $0 + $1.rowsRead }
                if index == 2, round == 0, let report = reports.first {
                    let passed = report.validation.filter { $0.verdict == .pass }.count
                    print("  expectations on ingest: \(report.rowsAccepted) accepted, \(report.rowsQuarantined) quarantined, "
                          + (report.isRejected ? "run rejected" : "\(passed) of \(report.validation.count) expectations pass"))
                }
                try? FileManager.default.removeItem(at: dir)
            }
        }
        let medians = seconds.map { $0.sorted()[$0.count / 2] }, cpu = cpuSeconds.map { $0.sorted()[$0.count / 2] }
        print("ingest of the same \(rowsRead.formatted()) CSV rows (CSV → SQLite source table + feature table), median of 3, interleaved:")
        for (index, configuration) in configurations.enumerated() {
            print("  " + configuration.0.padding(toLength: 48, withPad: " ", startingAt: 0) + String(
                format: " wall %6.2f s (%+6.1f %%)  cpu %6.2f s (%+6.1f %%)  %5.0f k rows/s of cpu", medians[index], (medians[index] / medians[0] - 1) * 100,
                cpu[index], (cpu[index] / cpu[0] - 1) * 100, Double(rowsRead) / cpu[index] / 1e3))
        }
        print(String(format: "  cpu: profiling adds %.1f %% and expectation checks a further %.1f %% of the baseline ingest "
                     + "(standalone, same run: profile %.0f ms, checks %.0f ms)",
                     (cpu[1] - cpu[0]) / cpu[0] * 100, (cpu[2] - cpu[1]) / cpu[0] * 100, profileSeconds * 1e3, checkSeconds * 1e3))
    }

    /// User + system CPU seconds of this process so far.
    nonisolated static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The benchmark data's expectations (its cities are not the example's): column rules of every kind and run rules.
    static let benchExpectations = """
        expectations:
          columns:
            driver_id: {not_null: true}
            conv_rate: {not_null: {mostly: 0.99}, between: [0, 1]}
            acc_rate: {between: [0, 1]}
            rating: {between: [1, 5], action: warn}
            city: {in: [lagos, lisbon, porto, oslo, lima, pune, accra, quito], matches: "[a-z]+"}
          run:
            null_rate: {rating: 0.1}
            mean: {conv_rate: [0.05, 0.95]}
            row_count: {min: 1000}

    """
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
