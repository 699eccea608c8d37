// swift-tools-version:6.0
import PackageDescription

// The host: `arbd` and ArbHost, composing the local packages under Packages/ and
// Plugins/. Each local package builds and tests on its own; the root re-declares their
// test folders as root test targets so one `swift test` runs every package's tests
// (SwiftPM never runs a dependency's tests).

let core: Target.Dependency = .product(name: "ArbCore", package: "ArbCore")
let testing: Target.Dependency = .product(name: "ArbTesting", package: "ArbTesting")
let paper: Target.Dependency = .product(name: "ArbPaper", package: "ArbPaper")

let package = Package(
    name: "Arbor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "arbd", targets: ["arbd"]),
        .library(name: "ArbHost", targets: ["ArbHost"]),
        .library(name: "ArbdPlugins", targets: ["ArbdPlugins"]),
    ],
    dependencies: [
        .package(path: "Packages/ArbCore"),
        .package(path: "Packages/ArbPaper"),
        .package(path: "Packages/ArbTesting"),
        .package(path: "Packages/ArbSynthetic"),
        .package(path: "Packages/ArbRedis"),
        .package(path: "Packages/ArbPostgres"),
        .package(path: "Packages/ArbRateLimit"),
        .package(path: "Packages/ArbRecorder"),
        .package(path: "Packages/ArbUniverse"),
        .package(path: "Packages/ArbRisk"),
        .package(path: "Packages/ArbFeed"),
        .package(path: "Plugins/Exchanges/Upbit"),
        .package(path: "Plugins/Exchanges/Binance"),
        .package(path: "Plugins/Strategies/CrossSpread"),
        .package(path: "Plugins/Strategies/Triangular"),
        // arbd new strategy: packages above this line
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .target(name: "ArbHost", dependencies: [
            core, paper,
            .product(name: "ArbSynthetic", package: "ArbSynthetic"),
            .product(name: "ArbRedis", package: "ArbRedis"),
            .product(name: "ArbPostgres", package: "ArbPostgres"),
            .product(name: "ArbRateLimit", package: "ArbRateLimit"),
            .product(name: "ArbRateLimitRedis", package: "ArbRateLimit"),
            .product(name: "ArbRecorder", package: "ArbRecorder"),
            .product(name: "ArbRoute", package: "ArbUniverse"),
            .product(name: "ArbUniverse", package: "ArbUniverse"),
            .product(name: "ArbRisk", package: "ArbRisk"),
            .product(name: "ArbRiskRedis", package: "ArbRisk"),
            .product(name: "ArbFeed", package: "ArbFeed"),
            .product(name: "ArbFeedNIO", package: "ArbFeed"),
            // The local websocket and HTTP server `arbd bench --feed-loopback` serves from.
            .product(name: "ArbFeedTesting", package: "ArbFeed"),
            // `[metrics] listen`: Prometheus text over a small HTTP server.
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // The plugins arbd is built with, registered in one place. ArbHost depends on none.
        .target(name: "ArbdPlugins", dependencies: [
            "ArbHost",
            .product(name: "Upbit", package: "Upbit"),
            .product(name: "Binance", package: "Binance"),
            .product(name: "CrossSpread", package: "CrossSpread"),
            .product(name: "Triangular", package: "Triangular"),
            // arbd new strategy: products above this line
        ]),
        .executableTarget(name: "arbd", dependencies: [
            "ArbHost", "ArbdPlugins", core, .product(name: "ArbRateLimit", package: "ArbRateLimit"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ArbHostTests", dependencies: ["ArbHost", "ArbdPlugins", core, paper, testing, .product(name: "ArbRateLimit", package: "ArbRateLimit"),
                                                     .product(name: "ArbRedis", package: "ArbRedis"),
                                                     .product(name: "ArbSynthetic", package: "ArbSynthetic"),
                                                     .product(name: "ArbRecorder", package: "ArbRecorder"), .product(name: "ArbRoute", package: "ArbUniverse"),
                                                     .product(name: "ArbRisk", package: "ArbRisk"), .product(name: "ArbRiskRedis", package: "ArbRisk"),
                                                     .product(name: "ArbFeed", package: "ArbFeed"), .product(name: "ArbFeedNIO", package: "ArbFeed"),
                                                     .product(name: "ArbFeedTesting", package: "ArbFeed"),
                                                     .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
                    path: "Tests/ArbHostTests"),

        // Every local package's own tests, run from the root.
        .testTarget(name: "ArbCoreTests", dependencies: [core], path: "Packages/ArbCore/Tests/ArbCoreTests"),
        .testTarget(name: "ArbPaperTests", dependencies: [paper, core], path: "Packages/ArbPaper/Tests/ArbPaperTests"),
        .testTarget(name: "ArbTestingTests", dependencies: [testing, core], path: "Packages/ArbTesting/Tests/ArbTestingTests"),
        .testTarget(name: "ArbSyntheticTests", dependencies: [.product(name: "ArbSynthetic", package: "ArbSynthetic"), core],
                    path: "Packages/ArbSynthetic/Tests/ArbSyntheticTests"),
        .testTarget(name: "ArbRedisTests", dependencies: [.product(name: "ArbRedis", package: "ArbRedis")],
                    path: "Packages/ArbRedis/Tests/ArbRedisTests"),
        .testTarget(name: "ArbPostgresTests", dependencies: [.product(name: "ArbPostgres", package: "ArbPostgres")],
                    path: "Packages/ArbPostgres/Tests/ArbPostgresTests"),
        .testTarget(name: "ArbRateLimitTests", dependencies: [.product(name: "ArbRateLimit", package: "ArbRateLimit"), core],
                    path: "Packages/ArbRateLimit/Tests/ArbRateLimitTests"),
        .testTarget(name: "ArbRateLimitRedisTests", dependencies: [.product(name: "ArbRateLimitRedis", package: "ArbRateLimit"),
                                                                   .product(name: "ArbRateLimit", package: "ArbRateLimit"),
                                                                   .product(name: "ArbRedis", package: "ArbRedis"), core],
                    path: "Packages/ArbRateLimit/Tests/ArbRateLimitRedisTests"),
        .testTarget(name: "ArbRecorderTests", dependencies: [.product(name: "ArbRecorder", package: "ArbRecorder"), core],
                    path: "Packages/ArbRecorder/Tests/ArbRecorderTests", resources: [.copy("Fixtures")]),
        .testTarget(name: "ArbRouteTests", dependencies: [.product(name: "ArbRoute", package: "ArbUniverse"), core],
                    path: "Packages/ArbUniverse/Tests/ArbRouteTests"),
        .testTarget(name: "ArbRiskTests", dependencies: [.product(name: "ArbRisk", package: "ArbRisk"), core],
                    path: "Packages/ArbRisk/Tests/ArbRiskTests"),
        .testTarget(name: "ArbUniverseTests", dependencies: [.product(name: "ArbUniverse", package: "ArbUniverse"), core],
                    path: "Packages/ArbUniverse/Tests/ArbUniverseTests"),
        .testTarget(name: "ArbFeedTests", dependencies: [.product(name: "ArbFeed", package: "ArbFeed"), core],
                    path: "Packages/ArbFeed/Tests/ArbFeedTests"),
        .testTarget(name: "UpbitTests", dependencies: [.product(name: "Upbit", package: "Upbit"), core, paper, testing, .product(name: "ArbRateLimit", package: "ArbRateLimit"),
                                                       .product(name: "ArbFeedNIO", package: "ArbFeed"), .product(name: "ArbFeedTesting", package: "ArbFeed"),
                                                       .product(name: "ArbFeed", package: "ArbFeed")],
                    path: "Plugins/Exchanges/Upbit/Tests/UpbitTests"),
        .testTarget(name: "BinanceTests", dependencies: [.product(name: "Binance", package: "Binance"), core, paper, testing, .product(name: "ArbRateLimit", package: "ArbRateLimit"),
                                                       .product(name: "ArbFeedNIO", package: "ArbFeed"), .product(name: "ArbFeedTesting", package: "ArbFeed"),
                                                         .product(name: "ArbFeed", package: "ArbFeed"), .product(name: "MetricsTestKit", package: "swift-metrics")],
                    path: "Plugins/Exchanges/Binance/Tests/BinanceTests"),
        .testTarget(name: "CrossSpreadTests", dependencies: [.product(name: "CrossSpread", package: "CrossSpread"), core, testing,
                                                             .product(name: "Upbit", package: "Upbit"), .product(name: "Binance", package: "Binance")],
                    path: "Plugins/Strategies/CrossSpread/Tests/CrossSpreadTests"),
        .testTarget(name: "TriangularTests", dependencies: [.product(name: "Triangular", package: "Triangular"), core, testing,
                                                            .product(name: "Binance", package: "Binance")],
                    path: "Plugins/Strategies/Triangular/Tests/TriangularTests"),
        // arbd new strategy: test targets above this line
    ]
)
