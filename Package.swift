// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Strata", targets: ["Strata"]),
        .library(name: "StrataCheck", targets: ["StrataCheck"]),
        .library(name: "StrataQuality", targets: ["StrataQuality"]),
        .executable(name: "strata", targets: ["StrataCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        // Imported by StrataServer and StrataRegistryPostgres directly (every import is declared: `make test` builds with the import check).
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // SHA-256 block function in C: the CPU's SHA extensions when present (~5× the Swift one it replaced), portable C otherwise.
        .target(name: "CStrataSHA256", path: "Sources/CStrataSHA256"),
        .target(
            name: "StrataCore",
            dependencies: ["CStrataSHA256", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StrataQuality",
            dependencies: ["StrataCore"],
            swiftSettings: strictSettings
        ),
        .systemLibrary(name: "CLMDB", path: "Sources/CLMDB", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "StrataColumnar",
            dependencies: ["StrataCore", "CZstd", "CZlib"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StrataOnline",
            dependencies: ["StrataCore", "CLMDB"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StrataRegistry",
            dependencies: ["StrataCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        // The PostgreSQL registry a team shares: its own target, so postgres-nio builds only for what opens one.
        .target(
            name: "StrataRegistryPostgres",
            dependencies: [
                "StrataCore", "StrataRegistry",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StrataOffline",
            dependencies: ["StrataCore", "StrataQuality", "StrataColumnar", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Strata",
            dependencies: ["StrataCore", "StrataQuality", "StrataRegistry", "StrataRegistryPostgres", "StrataOffline", "StrataOnline",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StrataUI",
            dependencies: ["Strata", "StrataCheck", "StrataQuality", "StrataCore", "StrataOffline", "StrataRegistry", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StrataServer",
            dependencies: [
                "Strata",
                "StrataColumnar",
                "StrataCheck",
                "StrataUI",
                "StrataCore",
                "StrataOffline",
                "StrataOnline",
                "StrataQuality",
                "StrataRegistry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StrataCheck",
            dependencies: ["Strata", "StrataCore", "StrataOffline", "StrataOnline", "StrataRegistry"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "StrataCLI",
            dependencies: ["Strata", "StrataServer", "StrataCheck", "StrataCore", "StrataOffline", "StrataQuality", "StrataRegistry",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StrataTestSupport",
            dependencies: ["StrataCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataCoreTests",
            dependencies: ["StrataCore", "StrataTestSupport", "CStrataSHA256"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataQualityTests",
            dependencies: ["StrataQuality", "StrataCore", "StrataTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataColumnarTests",
            dependencies: ["StrataColumnar", "StrataCore", "StrataTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataTests",
            dependencies: ["Strata", "StrataCore", "StrataOffline", "StrataRegistry", "StrataCheck", "StrataUI", "StrataTestSupport",
                           .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataRegistryTests",
            dependencies: ["StrataRegistry", "StrataRegistryPostgres", "Strata", "StrataCore", "StrataTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataOfflineTests",
            dependencies: ["StrataOffline", "Strata", "StrataCore", "StrataQuality", "StrataColumnar", "StrataTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataOnlineTests",
            dependencies: ["StrataOnline", "Strata", "StrataCore", "StrataOffline", "StrataTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataServerTests",
            dependencies: ["StrataServer", "Strata", "StrataCheck", "StrataCore", "StrataColumnar", "StrataQuality", "StrataTestSupport",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataUITests",
            dependencies: ["StrataUI", "Strata", "StrataCheck", "StrataCore", "StrataQuality", "StrataTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataCheckTests",
            dependencies: ["StrataCheck", "Strata", "StrataCore", "StrataOnline", "StrataOffline", "StrataRegistry", "StrataTestSupport",
                           .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StrataCLITests",
            dependencies: ["StrataCLI", "StrataTestSupport", "Strata", "StrataCore", "StrataOffline", "StrataQuality", "StrataColumnar",
                           .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
    ]
)
