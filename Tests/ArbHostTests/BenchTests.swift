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
