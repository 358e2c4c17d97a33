// swift-tools-version: 6.1
// Benchmarks for Strata. Built separately (`make bench-online`), never by `swift test` at the root.
import PackageDescription

let package = Package(
    name: "StrataBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Strata", path: ".."),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // Raw LMDB for the baseline, through its own module map (the root package's CLMDB is not a product).
        .systemLibrary(name: "CLMDBBench", path: "Sources/CLMDBBench", providers: [.apt(["liblmdb-dev"])]),
        .executableTarget(
            name: "OnlineBench",
            dependencies: [.product(name: "Strata", package: "Strata"), .product(name: "Histogram", package: "hdrhistogram-swift"), "CLMDBBench"]
        ),
        .executableTarget(
            name: "QualityBench",
            dependencies: [.product(name: "Strata", package: "Strata"), .product(name: "StrataQuality", package: "Strata")]
        ),
        .executableTarget(
            name: "CheckBench",
            dependencies: [.product(name: "Strata", package: "Strata"), .product(name: "StrataCheck", package: "Strata")]
        ),
    ]
)
