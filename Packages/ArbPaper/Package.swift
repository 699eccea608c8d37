// swift-tools-version:6.0
import PackageDescription

// The simulated exchange the paper venues run on. Depends on ArbCore alone: rate limits
// and other exchange-side gates wrap a venue from outside (`ExchangeAdmission`).
let package = Package(
    name: "ArbPaper",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbPaper", targets: ["ArbPaper"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
    ],
    targets: [
        .target(name: "ArbPaper", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "ArbPaperTests", dependencies: ["ArbPaper", .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
