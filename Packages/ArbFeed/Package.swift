// swift-tools-version:6.0
import PackageDescription

// Live public market data: what every venue's feed shares. A byte-level JSON reader
// (no allocation per message), exact decimal parsing, the update-id book sync with
// gap detection, reconnect back-off and staleness. Each exchange plugin brings its own
// parser and subscription on top (Plugins/Exchanges/<Venue>/Sources/<Venue>/Feed/).
let package = Package(
    name: "ArbFeed",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbFeed", targets: ["ArbFeed"]),
        .library(name: "ArbFeedNIO", targets: ["ArbFeedNIO"]),
        .library(name: "ArbFeedTesting", targets: ["ArbFeedTesting"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
        .package(path: "../ArbRateLimit"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
    ],
    targets: [
        .target(name: "ArbFeed", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        // The connections: websockets on SwiftNIO (TLS by swift-nio-ssl), REST snapshots
        // by async-http-client through the venue's rate limiter, reconnects, the queue to
        // the kernel.
        .target(name: "ArbFeedNIO", dependencies: [
            "ArbFeed", .product(name: "ArbCore", package: "ArbCore"), .product(name: "ArbRateLimit", package: "ArbRateLimit"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
        // A local venue for tests: websockets and HTTP on 127.0.0.1, scripted by the test.
        .target(name: "ArbFeedTesting", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
        ]),
        .testTarget(name: "ArbFeedTests", dependencies: ["ArbFeed", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
