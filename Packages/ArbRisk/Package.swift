// swift-tools-version:6.0
import PackageDescription

// The 4-tier risk guard (exchange, route, symbol, global): scopes, states, decisions with
// stable codes and the limits of each tier. Depends on ArbCore alone; the Redis-shared
// tiers will be a separate product, as in ArbRateLimit.
let package = Package(
    name: "ArbRisk",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbRisk", targets: ["ArbRisk"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
    ],
    targets: [
        .target(name: "ArbRisk", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "ArbRiskTests", dependencies: ["ArbRisk", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
