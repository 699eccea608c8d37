import Foundation
import Testing
@testable import ArbHost

/// The repository this test binary was built from.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A scratch tree with what a scaffolded strategy package needs to build on its own:
/// the root manifest and registration file (to be edited), ArbCore, ArbPaper, ArbTesting.
func scratchTree() throws -> URL {
    let manager = FileManager.default
    let root = manager.temporaryDirectory.appendingPathComponent("arbor-scaffold-\(UUID().uuidString.prefix(8))")
    try manager.createDirectory(at: root.appendingPathComponent("Sources/ArbdPlugins"), withIntermediateDirectories: true)
    try manager.createDirectory(at: root.appendingPathComponent("Packages"), withIntermediateDirectories: true)
    try manager.copyItem(at: repositoryRoot.appendingPathComponent("Package.swift"), to: root.appendingPathComponent("Package.swift"))
    try manager.copyItem(at: repositoryRoot.appendingPathComponent("Sources/ArbdPlugins/RegisteredPlugins.swift"),
                         to: root.appendingPathComponent("Sources/ArbdPlugins/RegisteredPlugins.swift"))
    for package in ["ArbCore", "ArbPaper", "ArbTesting"] {
        let from = repositoryRoot.appendingPathComponent("Packages/\(package)")
        let to = root.appendingPathComponent("Packages/\(package)")
        try manager.createDirectory(at: to, withIntermediateDirectories: true)
        for item in ["Package.swift", "Sources", "Tests"] where manager.fileExists(atPath: from.appendingPathComponent(item).path) {
            try manager.copyItem(at: from.appendingPathComponent(item), to: to.appendingPathComponent(item))
        }
    }
    return root
}

/// Runs `swift ARGS` in `directory`; the exit status and the output's tail.
func swift(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["swift"] + arguments
    p.currentDirectoryURL = directory
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data.suffix(4_000), as: UTF8.self))
}

@Suite("arbd new strategy", .serialized)
struct ScaffoldTests {
    @Test("ids must be lower-case words joined by hyphens and must not clash", arguments: ["", "Premium", "premium_reversion", "-x", "x-", "9lives", "arb-core", String(repeating: "a", count: 41)])
    func badIds(_ id: String) {
        #expect(throws: StrategyScaffold.Problem.self) { try StrategyScaffold(id: id, template: .single) }
    }

    @Test("an id becomes the package and type stem")
    func stems() throws {
        #expect(try StrategyScaffold(id: "premium-reversion", template: .cross).stem == "PremiumReversion")
        #expect(try StrategyScaffold(id: "mm2", template: .single).folder == "Plugins/Strategies/Mm2")
    }

    @Test("it edits only the root Package.swift and the registration file, once, and refuses a second time or a lost marker")
    func edits() throws {
        let root = try scratchTree()
        let scaffold = try StrategyScaffold(id: "dip-buyer", template: .single)
        let changed = try scaffold.apply(root: root.path)
        #expect(changed == ["Plugins/Strategies/DipBuyer/Package.swift", "Plugins/Strategies/DipBuyer/Sources/DipBuyer/DipBuyer.swift",
                            "Plugins/Strategies/DipBuyer/Tests/DipBuyerTests/DipBuyerTests.swift", "Package.swift",
                            "Sources/ArbdPlugins/RegisteredPlugins.swift"])
        let package = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(package.contains(".package(path: \"Plugins/Strategies/DipBuyer\"),\n        // arbd new strategy: packages above this line"))
        #expect(package.contains(".product(name: \"DipBuyer\", package: \"DipBuyer\"),\n            // arbd new strategy: products above this line"))
        #expect(package.contains(".testTarget(name: \"DipBuyerTests\""))
        let registration = try String(contentsOf: root.appendingPathComponent("Sources/ArbdPlugins/RegisteredPlugins.swift"), encoding: .utf8)
        #expect(registration.contains("import DipBuyer\n") && registration.contains("        DipBuyerPlugin.self,\n"))
        #expect(throws: StrategyScaffold.Problem.self) { try scaffold.apply(root: root.path) }

        let lost = try scratchTree()
        let text = try String(contentsOf: lost.appendingPathComponent("Package.swift"), encoding: .utf8)
        try text.replacingOccurrences(of: StrategyScaffold.productsMarker + "\n", with: "").write(to: lost.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        let error = try #require(throws: StrategyScaffold.Problem.self) { try scaffold.apply(root: lost.path) }
        #expect(error.description.contains("products above this line"))
        #expect(!FileManager.default.fileExists(atPath: lost.appendingPathComponent(scaffold.folder).path), "nothing written")
        #expect(throws: StrategyScaffold.Problem.self) { try scaffold.apply(root: "/nonexistent") }
    }

    @Test("each template builds on its own and its tests pass", arguments: StrategyScaffold.Template.allCases)
    func templatesBuildAndPass(_ template: StrategyScaffold.Template) throws {
        let root = try scratchTree()
        let scaffold = try StrategyScaffold(id: "probe-\(template.rawValue)", template: template)
        try scaffold.apply(root: root.path)
        let package = root.appendingPathComponent(scaffold.folder)
        let result = try swift(["test", "--package-path", package.path], in: root)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("passed"), "\(result.output)")
        try? FileManager.default.removeItem(at: root)
    }
}

/// The whole path a user takes, in a copy of the repository: scaffold, build arbd, run
/// the new tests, enable the strategy in a manifest, check and run it. A cold build of
/// the copy takes about 2 minutes on 2 cores, so plain `swift test` skips it;
/// `tools/test-all` (and so CI) runs it (`ARBOR_SLOW_TESTS=1`).
@Suite("arbd new strategy, end to end (ARBOR_SLOW_TESTS=1; on in tools/test-all)",
       .enabled(if: ProcessInfo.processInfo.environment["ARBOR_SLOW_TESTS"] == "1"))
struct ScaffoldEndToEndTests {
    @Test("scaffold, build, test, enable in a manifest, check, run")
    func endToEnd() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/sh")
        tar.arguments = ["-c", "tar --exclude=.build --exclude=.git --exclude=./runs -cf - -C \"$0\" . | tar -xf - -C \"$1\"", repositoryRoot.path, copy.path]
        try tar.run(); tar.waitUntilExit()
        try #require(tar.terminationStatus == 0)
        try StrategyScaffold(id: "e2e-dip", template: .single).apply(root: copy.path)
        let build = try swift(["build", "--product", "arbd"], in: copy)
        try #require(build.status == 0, "\(build.output)")
        let tests = try swift(["test", "--filter", "E2eDipTests"], in: copy)
        #expect(tests.status == 0 && tests.output.contains("passed"), "\(tests.output)")
        let manifest = copy.appendingPathComponent("e2e.toml")
        try """
            mode = "paper"
            seed = 1
            max_runtime = "2m"
            reporting_currency = "KRW"
            data_dir = "\(copy.path)/runs"

            [market_data]
            source = "synthetic"
            symbols = ["BTC"]

            [exchanges.upbit]
            balances = { KRW = "100000000", BTC = "1" }

            [strategies.dip]
            plugin = "e2e-dip"
            [strategies.dip.parameters]
            venue = "upbit"
            symbol = "KRW-BTC"
            order_notional = "1000000"
            edge = "0.0002"
            """.write(to: manifest, atomically: true, encoding: .utf8)
        for arguments in [["check", manifest.path], ["run", "--manifest", manifest.path, "--quiet"]] {
            let p = Process()
            p.executableURL = copy.appendingPathComponent(".build/debug/arbd")
            p.arguments = arguments
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            try p.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(arguments[0]): \(output)")
            if arguments[0] == "run" { #expect(output.contains("strategy     dip (e2e-dip)"), "\(output)") }
        }
        try? FileManager.default.removeItem(at: copy)
    }
}
