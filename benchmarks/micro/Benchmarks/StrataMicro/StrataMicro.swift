import Benchmark
import Foundation
import StrataMicroWorkloads

// Instruction- and allocation-count benchmarks (`make bench-micro`, `make bench-micro-check`).
//
// Each benchmark is one workload of Sources/StrataMicroWorkloads. Per iteration it reports
//   - mallocCountTotal: measured in this process by the framework's malloc interposer;
//   - instructions (callgrind): counted once per benchmark in a callgrind child (Callgrind.swift says why not
//     `.instructions`), reported as a custom metric.
// Both are counts, not times, so they are stable on a shared 2-core machine and can fail CI on a small rise:
// `swift package benchmark thresholds check` compares each run's p90 with Thresholds/StrataMicro.<name>.p90.json and
// fails (exit 2) when instructions rise by more than `instructionsAllowedPercent` or mallocs by more than
// `mallocsAllowed`. After an intended change, rewrite the files with `make bench-micro-thresholds`.

let instructionsMetric = BenchmarkMetric.custom("instructions (callgrind)", polarity: .prefersSmaller, useScalingFactor: true)

/// Relative rise of instructions per iteration that fails the check (callgrind counts repeat to well under 1%).
let instructionsAllowedPercent = 5.0
/// Extra allocations per iteration that still pass (an allocation or two may come from a cache refill, e.g. the store's
/// once-a-second registry recheck in `csv.profile206`).
let mallocsAllowed = 2

var thresholds: [BenchmarkMetric: BenchmarkThresholds] {
    [
        instructionsMetric: BenchmarkThresholds(relative: [.p90: instructionsAllowedPercent]),
        .mallocCountTotal: BenchmarkThresholds(absolute: [.p90: mallocsAllowed]),
    ]
}

/// What a benchmark's setup made: the fixture (kept alive until teardown), the workload's state, the callgrind count.
final class SetupResult: @unchecked Sendable {
    let fixture: ProjectFixture?
    let state: any WorkloadState
    let instructions: Int

    init(fixture: ProjectFixture?, state: any WorkloadState, instructions: Int) {
        self.fixture = fixture
        self.state = state
        self.instructions = instructions
    }
}

/// The fixture of the benchmark running in this process (the framework runs each benchmark in a process of its own).
nonisolated(unsafe) var liveFixture: ProjectFixture?

/// Strata reads the environment on every profile and ingest (IngestQuality: `ProcessInfo.environment`, two allocations
/// per variable), so the in-process counts would follow the caller's shell — and STRATA_BENCH_UNPROFILED would change
/// the work. Every benchmark process runs with PATH alone (to find valgrind and strip).
func useFixedEnvironment() {
    for name in ProcessInfo.processInfo.environment.keys where name != "PATH" { unsetenv(name) }
}

let benchmarks: @Sendable () -> Void = {
    useFixedEnvironment()

    for workload in workloads {
        let configuration = Benchmark.Configuration(
            metrics: [instructionsMetric, .mallocCountTotal],
            warmupIterations: 10,
            scalingFactor: .one,
            maxDuration: .seconds(1),
            maxIterations: workload.maxIterations,
            thresholds: thresholds
        )
        Benchmark(workload.name, configuration: configuration) { benchmark, setup in
            for _ in benchmark.scaledIterations { blackHole(setup.state.run()) }
            benchmark.measurement(instructionsMetric, setup.instructions)
        } setup: { () throws -> SetupResult in
            let fixture = workload.needsStore ? try ProjectFixture.make() : nil
            liveFixture = fixture
            let state = try workload.prepare(fixture)
            let instructions = try Callgrind.instructionsPerIteration(workload, fixture: fixture)
            return SetupResult(fixture: fixture, state: state, instructions: instructions)
        } teardown: {
            if let root = liveFixture?.root { try? FileManager.default.removeItem(at: root) }
            liveFixture = nil
        }
    }
}
