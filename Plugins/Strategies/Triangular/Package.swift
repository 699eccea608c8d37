// swift-tools-version:6.0
import PackageDescription

// Triangular arbitrage on one venue, on ArbRoute's routes, health and leg policy.
// ArbTesting and the venue plugins whose real rules its tests use are test-only.
let package = Package(
    name: "Triangular",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Triangular", targets: ["Triangular"]),
    ],
    dependencies: [
        .package(path: "../../../Packages/ArbCore"),
        .package(path: "../../../Packages/ArbUniverse"),
        .package(path: "../../../Packages/ArbTesting"),
        .package(path: "../../Exchanges/Binance"),
    ],
    targets: [
        .target(name: "Triangular", dependencies: [
            .product(name: "ArbCore", package: "ArbCore"),
            .product(name: "ArbRoute", package: "ArbUniverse"),
        ]),
        .testTarget(name: "TriangularTests", dependencies: [
            "Triangular",
            .product(name: "ArbCore", package: "ArbCore"),
            .product(name: "ArbTesting", package: "ArbTesting"),
            .product(name: "Binance", package: "Binance"),
        ]),
    ]
)
