import Foundation
import ArbdPlugins
import Testing
@testable import ArbHost

@Suite("Bench")
struct BenchTests {
    @Test("the bench runs the matrix and reports every field (figures live in docs/BENCHMARKS.md)")
    func smoke() throws {
        let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("manifests/paper.toml").path
        let plan = try RunPlan(try ManifestLoader.load(path: bundled), plugins: registeredPlugins)
        let results = try BenchRunner(plan: plan, seed: 1, events: 20_000, pregenerated: true).run(symbolCounts: [1, 30])
        #expect(results.map(\.symbols) == [1, 30])
        for r in results {
            #expect(r.events >= 20_000)
            #expect(r.p50Ns > 0 && r.p99Ns >= r.p50Ns && r.maxNs >= r.p99Ns)
            #expect(r.eventsPerS > 0 && r.decisionsPerS > 0 && r.rssBytes > 0)
            #expect((r.kernelClientViewOnlyEventsPerS ?? 0) > 0 && (r.kernelOnlyEventsPerS ?? 0) > 0 && (r.kernelOnlyFullSimulationEventsPerS ?? 0) > 0)
        }
    }

    @Test("the route bench builds both universes with every route kind and reports every figure")
    func routes() throws {
        let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("manifests/paper.toml").path
        let plan = try RunPlan(try ManifestLoader.load(path: bundled), plugins: registeredPlugins)
        let bench = try RouteBench(plan: plan, seed: 1, events: 20_000)
        let two = bench.measure(name: "two venues", venues: 2, symbols: 20)
        let five = bench.measure(name: "five venues", venues: 5, symbols: 20)
        // 20 symbols on each venue in its quote and in BTC (19 cross listings), and the FX book.
        #expect(two.instruments == 2 * (20 + 19) + 1 && five.instruments == 5 * (20 + 19) + 1)
        for r in [two, five] {
            #expect(["cross", "cross_fx", "triangular"].allSatisfy { (r.routes[$0] ?? 0) > 0 }, "\(r.routes)")
            #expect(r.bookUpdates > 0 && r.routesRescored > 0 && r.rescoreMeanNs > 0)
            #expect(r.rescoreP99Ns >= r.rescoreP50Ns && r.lazyUpdateP99Ns >= r.lazyUpdateP50Ns && r.refreshMeanNs > 0 && r.rssBytes > 0)
            #expect(r.universeRefreshMeanNs > 0 && r.universeEventP99Ns >= r.universeEventP50Ns)
        }
        #expect((five.routes["cross"] ?? 0) > (two.routes["cross"] ?? 0))
        #expect(two.line.contains("lazy (the triangular strategy's path)"))
    }

    @Test("the bench wires whatever exchanges the manifest enables, and refuses fewer than two")
    func needsTwoVenues() throws {
        // Renamed venues work: the bench names no venue itself.
        let renamed = try load(manifestText(strategyParameters: "venue_a = \"upbit2\"")
            .replacingOccurrences(of: "[exchanges.upbit]", with: "[exchanges.upbit2]\nplugin = \"upbit\"")
            .replacingOccurrences(of: "venue = \"upbit\"", with: "venue = \"upbit2\""))
        let results = try BenchRunner(plan: renamed, seed: 1, events: 5_000).run(symbolCounts: [3])
        #expect(results.first?.events ?? 0 >= 5_000)
        let single = try load(manifestText(withStrategy: false)
            .replacingOccurrences(of: "[exchanges.binance]\nlatency_ms = { outbound = 25, inbound = 25 }\nbalances = { USDT = \"150000\", BTC = \"1\", ETH = \"20\", XRP = \"40000\" }", with: ""))
        #expect(single.exchangeNames == ["upbit"])
        #expect(throws: BenchSetupError.self) { try BenchRunner(plan: single, seed: 1, events: 10) }
    }
}
