// swift-tools-version:6.0
import PackageDescription

// The strategy depends on ArbCore alone; ArbTesting (and the venue plugins it drives)
// are for its tests only.
let package = Package(
    name: "CrossSpread",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CrossSpread", targets: ["CrossSpread"]),
    ],
    dependencies: [
        .package(path: "../../../Packages/ArbCore"),
        .package(path: "../../../Packages/ArbTesting"),
    ],
    targets: [
        .target(name: "CrossSpread", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "CrossSpreadTests", dependencies: [
            "CrossSpread",
            .product(name: "ArbCore", package: "ArbCore"),
            .product(name: "ArbTesting", package: "ArbTesting"),
        ]),
    ]
)
