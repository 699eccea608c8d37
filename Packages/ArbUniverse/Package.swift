// swift-tools-version:6.0
import PackageDescription

// Routes (ArbRoute) and, later, the universe chosen by a rule (ArbUniverse): what can be
// traded against what, as values. Depends on ArbCore alone.
let package = Package(
    name: "ArbUniverse",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbRoute", targets: ["ArbRoute"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
    ],
    targets: [
        .target(name: "ArbRoute", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "ArbRouteTests", dependencies: ["ArbRoute", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
