// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Upbit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Upbit", targets: ["Upbit"]),
    ],
    dependencies: [
        .package(path: "../../../Packages/ArbCore"),
        .package(path: "../../../Packages/ArbFeed"),
        .package(path: "../../../Packages/ArbPaper"),
        .package(path: "../../../Packages/ArbRateLimit"),
        .package(path: "../../../Packages/ArbTesting"),
    ],
    targets: [
        .target(name: "Upbit", dependencies: [
            .product(name: "ArbCore", package: "ArbCore"),
            .product(name: "ArbRateLimit", package: "ArbRateLimit"),
            .product(name: "ArbFeed", package: "ArbFeed"),
        ]),
        .testTarget(name: "UpbitTests", dependencies: [
            "Upbit",
            .product(name: "ArbCore", package: "ArbCore"),
            .product(name: "ArbPaper", package: "ArbPaper"),
            .product(name: "ArbTesting", package: "ArbTesting"),
            .product(name: "ArbRateLimit", package: "ArbRateLimit"),
            .product(name: "ArbFeed", package: "ArbFeed"),
            .product(name: "ArbFeedNIO", package: "ArbFeed"),
            .product(name: "ArbFeedTesting", package: "ArbFeed"),
        ]),
    ]
)
