// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Binance",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Binance", targets: ["Binance"]),
    ],
    dependencies: [
        .package(path: "../../../Packages/ArbCore"),
        .package(path: "../../../Packages/ArbFeed"),
        .package(path: "../../../Packages/ArbPaper"),
        .package(path: "../../../Packages/ArbRateLimit"),
        .package(path: "../../../Packages/ArbTesting"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
    ],
    targets: [
        .target(name: "Binance", dependencies: [
            .product(name: "ArbCore", package: "ArbCore"),
            .product(name: "ArbRateLimit", package: "ArbRateLimit"),
            .product(name: "ArbFeed", package: "ArbFeed"),
        ]),
        .testTarget(name: "BinanceTests", dependencies: [
            "Binance",
            .product(name: "ArbCore", package: "ArbCore"),
            .product(name: "ArbPaper", package: "ArbPaper"),
            .product(name: "ArbTesting", package: "ArbTesting"),
            .product(name: "ArbRateLimit", package: "ArbRateLimit"),
            .product(name: "ArbFeed", package: "ArbFeed"),
            .product(name: "ArbFeedNIO", package: "ArbFeed"),
            .product(name: "ArbFeedTesting", package: "ArbFeed"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
    ]
)
