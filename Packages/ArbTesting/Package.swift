// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ArbTesting",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbTesting", targets: ["ArbTesting"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
        .package(path: "../ArbPaper"),
    ],
    targets: [
        .target(name: "ArbTesting", dependencies: [
            .product(name: "ArbCore", package: "ArbCore"),
            .product(name: "ArbPaper", package: "ArbPaper"),
        ]),
        .testTarget(name: "ArbTestingTests", dependencies: ["ArbTesting", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
