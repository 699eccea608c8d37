// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ArbCore",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbCore", targets: ["ArbCore"]),
    ],
    targets: [
        .target(name: "ArbCore"),
        .testTarget(name: "ArbCoreTests", dependencies: ["ArbCore"]),
    ]
)
