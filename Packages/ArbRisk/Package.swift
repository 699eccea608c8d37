// swift-tools-version:6.0
import PackageDescription

// The 4-tier risk guard (exchange, route, symbol, global): scopes, states, decisions with
// stable codes and the limits of each tier. The guard depends on ArbCore alone; the
// Redis-shared tiers are a separate product (ArbRiskRedis), as in ArbRateLimit.
let package = Package(
    name: "ArbRisk",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbRisk", targets: ["ArbRisk"]),
        .library(name: "ArbRiskRedis", targets: ["ArbRiskRedis"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
        .package(path: "../ArbRedis"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "ArbRisk", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        // The global and exchange tiers shared by several processes through Redis.
        .target(name: "ArbRiskRedis", dependencies: ["ArbRisk", .product(name: "ArbCore", package: "ArbCore"),
                                                     .product(name: "ArbRedis", package: "ArbRedis"),
                                                     .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ArbRiskTests", dependencies: ["ArbRisk", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
