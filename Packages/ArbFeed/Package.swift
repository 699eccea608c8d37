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
    ],
    dependencies: [
        .package(path: "../ArbCore"),
    ],
    targets: [
        .target(name: "ArbFeed", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "ArbFeedTests", dependencies: ["ArbFeed", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
