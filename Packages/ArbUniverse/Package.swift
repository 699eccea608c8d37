// swift-tools-version:6.0
import PackageDescription

// The universe chosen by a rule (ArbUniverse) and routes as values with their health,
// prioritiser and leg policy (ArbRoute): what can be traded against what. Depends on
// ArbCore alone.
let package = Package(
    name: "ArbUniverse",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbUniverse", targets: ["ArbUniverse"]),
        .library(name: "ArbRoute", targets: ["ArbRoute"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
    ],
    targets: [
        .target(name: "ArbUniverse", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        .target(name: "ArbRoute", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "ArbUniverseTests", dependencies: ["ArbUniverse", .product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "ArbRouteTests", dependencies: ["ArbRoute", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
