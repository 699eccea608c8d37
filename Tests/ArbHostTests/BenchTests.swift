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

    @Test("the bench refuses a manifest without the two venues it wires")
    func needsBothVenues() throws {
        let plan = try load(manifestText(strategyParameters: "venue_a = \"upbit2\"")
            .replacingOccurrences(of: "[exchanges.upbit]", with: "[exchanges.upbit2]\nplugin = \"upbit\"")
            .replacingOccurrences(of: "venue = \"upbit\"", with: "venue = \"upbit2\""))
        #expect(throws: BenchSetupError.self) { try BenchRunner(plan: plan, seed: 1, events: 10) }
    }
}
