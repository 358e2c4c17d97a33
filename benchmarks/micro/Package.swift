// swift-tools-version: 6.1
// Instruction- and allocation-count benchmarks for Strata (package-benchmark), built apart from the root package:
// `make bench-micro` prints the table, `make bench-micro-check` fails when a count rises above Thresholds/.
import PackageDescription

let package = Package(
    name: "StrataMicroBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Strata", path: "../.."),
        // MallocInterposer only: the default traits also ask for the Swift runtime interposer, not mirrored here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The measured work, shared by the benchmark (mallocs) and the callgrind counter (instructions).
        .target(
            name: "StrataMicroWorkloads",
            dependencies: [.product(name: "Strata", package: "Strata")]
        ),
        // Runs one workload under callgrind; the benchmark starts it (a synchronous main: valgrind 3.19 crashes on async ones).
        .executableTarget(
            name: "StrataMicroCount",
            dependencies: ["StrataMicroWorkloads"]
        ),
        .executableTarget(
            name: "StrataMicro",
            dependencies: [
                "StrataMicroWorkloads",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/StrataMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
