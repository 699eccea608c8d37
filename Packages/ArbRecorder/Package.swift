// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ArbRecorder",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbRecorder", targets: ["ArbRecorder"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "ArbRecorder", dependencies: ["CZstd", "CZlib", .product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "ArbRecorderTests", dependencies: ["ArbRecorder", .product(name: "ArbCore", package: "ArbCore")],
                    resources: [.copy("Fixtures")]),
    ]
)
