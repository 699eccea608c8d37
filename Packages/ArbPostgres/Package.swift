// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ArbPostgres",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ArbPostgres", targets: ["ArbPostgres"]),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "ArbPostgres", dependencies: ["CLibPQ"]),
        .testTarget(name: "ArbPostgresTests", dependencies: ["ArbPostgres"]),
    ]
)
