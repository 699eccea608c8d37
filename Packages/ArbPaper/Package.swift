// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ArbPaper",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbPaper", targets: ["ArbPaper"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
        .package(path: "../ArbRateLimit"),
    ],
    targets: [
        .target(name: "ArbPaper", dependencies: [.product(name: "ArbCore", package: "ArbCore"),
                                                 .product(name: "ArbRateLimit", package: "ArbRateLimit")]),
        .testTarget(name: "ArbPaperTests", dependencies: ["ArbPaper", .product(name: "ArbCore", package: "ArbCore"),
                                                          .product(name: "ArbRateLimit", package: "ArbRateLimit")]),
    ]
)
