// swift-tools-version:6.0
import PackageDescription

// The strategy depends on ArbCore and ArbRoute (routes, the leg policy); ArbTesting and the venue plugins whose real
// rules its tests run against are test-only dependencies.
let package = Package(
    name: "CrossSpread",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CrossSpread", targets: ["CrossSpread"]),
    ],
    dependencies: [
        .package(path: "../../../Packages/ArbCore"),
        .package(path: "../../../Packages/ArbUniverse"),
        .package(path: "../../../Packages/ArbTesting"),
        .package(path: "../../Exchanges/Upbit"),
        .package(path: "../../Exchanges/Binance"),
    ],
    targets: [
        .target(name: "CrossSpread", dependencies: [.product(name: "ArbCore", package: "ArbCore"), .product(name: "ArbRoute", package: "ArbUniverse")]),
        .testTarget(name: "CrossSpreadTests", dependencies: [
            "CrossSpread",
            .product(name: "ArbCore", package: "ArbCore"),
            .product(name: "ArbTesting", package: "ArbTesting"),
            .product(name: "Upbit", package: "Upbit"),
            .product(name: "Binance", package: "Binance"),
        ]),
    ]
)
