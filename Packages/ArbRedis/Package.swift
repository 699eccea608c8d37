// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ArbRedis",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbRedis", targets: ["ArbRedis"]),
    ],
    targets: [
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .target(name: "ArbRedis", dependencies: ["CHiredis"]),
        .testTarget(name: "ArbRedisTests", dependencies: ["ArbRedis"]),
    ]
)
