// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ArbSynthetic",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbSynthetic", targets: ["ArbSynthetic"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
    ],
    targets: [
        .target(name: "ArbSynthetic", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "ArbSyntheticTests", dependencies: ["ArbSynthetic", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
