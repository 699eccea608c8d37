// swift-tools-version:6.0
import PackageDescription

// Coverage-guided fuzz targets (libFuzzer), one executable per parser. Built and run by
// `tools/fuzz [TARGET] [SECONDS]` with `-sanitize=fuzzer` and lld; not part of `swift
// test`. Seed corpora live in Corpus/<target>/; findings go to Findings/ (not committed).
let package = Package(
    name: "ArborFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Arbor", path: ".."),
        .package(path: "../Packages/ArbCore"),
        .package(path: "../Packages/ArbRecorder"),
        .package(path: "../Packages/ArbRisk"),
        .package(path: "../Packages/ArbFeed"),
        .package(path: "../Plugins/Exchanges/Binance"),
        .package(path: "../Plugins/Exchanges/Upbit"),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzManifest", dependencies: ["FuzzSupport", .product(name: "ArbHost", package: "Arbor"),
                                                            .product(name: "ArbdPlugins", package: "Arbor")]),
        .executableTarget(name: "FuzzRecording", dependencies: ["FuzzSupport", .product(name: "ArbRecorder", package: "ArbRecorder")]),
        .executableTarget(name: "FuzzTardis", dependencies: ["FuzzSupport", .product(name: "ArbRecorder", package: "ArbRecorder")]),
        .executableTarget(name: "FuzzLedger", dependencies: ["FuzzSupport", .product(name: "ArbHost", package: "Arbor")]),
        .executableTarget(name: "FuzzRiskControl", dependencies: ["FuzzSupport", .product(name: "ArbHost", package: "Arbor"),
                                                               .product(name: "ArbRisk", package: "ArbRisk")]),
        .executableTarget(name: "FuzzFeed", dependencies: ["FuzzSupport", .product(name: "ArbCore", package: "ArbCore"),
                                                        .product(name: "ArbFeed", package: "ArbFeed"),
                                                        .product(name: "Binance", package: "Binance"), .product(name: "Upbit", package: "Upbit")]),
        .executableTarget(name: "FuzzLatencyFile", dependencies: ["FuzzSupport", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
