// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ArbRateLimit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbRateLimit", targets: ["ArbRateLimit"]),
        .library(name: "ArbRateLimitRedis", targets: ["ArbRateLimitRedis"]),
    ],
    dependencies: [
        .package(path: "../ArbCore"),
        .package(path: "../ArbRedis"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // Rules, the in-process limiter, exchange-side enforcement: no I/O.
        .target(name: "ArbRateLimit", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
        // The same limiter shared by several processes through Redis.
        .target(name: "ArbRateLimitRedis", dependencies: ["ArbRateLimit", .product(name: "ArbRedis", package: "ArbRedis"),
                                                           .product(name: "ArbCore", package: "ArbCore"),
                                                           .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ArbRateLimitTests", dependencies: ["ArbRateLimit", .product(name: "ArbCore", package: "ArbCore")]),
        .testTarget(name: "ArbRateLimitRedisTests", dependencies: ["ArbRateLimitRedis", "ArbRateLimit",
                                                                   .product(name: "ArbRedis", package: "ArbRedis"),
                                                                   .product(name: "ArbCore", package: "ArbCore")]),
    ]
)
