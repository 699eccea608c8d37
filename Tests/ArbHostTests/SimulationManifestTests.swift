import ArbCore
import ArbPaper
import Foundation
import ArbdPlugins
import Testing
@testable import ArbHost

@Suite("Manifest: latency and simulation")
struct SimulationManifestTests {
    func withUpbitLatency(_ latency: String) -> String {
        manifestText().replacingOccurrences(of: "latency_ms = { outbound = 15, inbound = 15 }", with: "latency_ms = \(latency)")
    }

    @Test("latencies: fixed, lognormal and from a file, per direction")
    func models() throws {
        let folder = NSTemporaryDirectory() + "arbor-latency-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "# feed, measured\n12\n14.5\n".write(toFile: folder + "/feed.txt", atomically: true, encoding: .utf8)
        let text = withUpbitLatency("{ outbound = { p50 = 12, p99 = \"60.5\" }, inbound = \"0.5\", feed = { file = \"feed.txt\" } }")
        let plan = try RunPlan(try ManifestLoader.load(text: text, file: folder + "/m.toml"), plugins: registeredPlugins)
        let upbit = plan.universe.venueId("upbit")!.index
        #expect(plan.latencies[upbit] == VenueLatencyModels(orderOutbound: .lognormal(p50: .milliseconds(12), p99: .microseconds(60_500)),
                                                            orderInbound: .fixed(.microseconds(500)), feed: .samples([12_000_000, 14_500_000])))
    }

    @Test("bad latencies name the key and the fix", arguments: [
        ("{ outbound = { p50 = 60, p99 = 12 } }", "exchanges.upbit.latency_ms.outbound", "p99 must not be below p50"),
        ("{ inbound = -3 }", "exchanges.upbit.latency_ms.inbound", "must not be negative"),
        ("{ feed = \"-0.5\" }", "exchanges.upbit.latency_ms.feed", "must not be negative"),
        ("{ feed = { p50 = 0, p99 = 10 } }", "exchanges.upbit.latency_ms.feed", "p50 must be positive"),
        ("{ feed = \"fast\" }", "exchanges.upbit.latency_ms.feed", "not a latency in milliseconds"),
        ("{ feed = { file = \"/nonexistent/feed.txt\" } }", "exchanges.upbit.latency_ms.feed", "cannot read the latency file"),
    ])
    func badLatency(latency: String, key: String, message: String) {
        let error = problem(withUpbitLatency(latency))
        #expect(error.contains(key) && error.contains(message), "\(error)")
    }

    @Test("a latency file with a bad line names the file and the line")
    func badLatencyFile() throws {
        let folder = NSTemporaryDirectory() + "arbor-latency-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "12\n1x\n".write(toFile: folder + "/feed.txt", atomically: true, encoding: .utf8)
        let text = withUpbitLatency("{ feed = { file = \"feed.txt\" } }")
        do {
            _ = try RunPlan(try ManifestLoader.load(text: text, file: folder + "/m.toml"), plugins: registeredPlugins)
            Issue.record("accepted a bad latency file")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("feed.txt") && message.contains("line 2"), "\(message)")
        }
    }

    @Test("simulation: replenishment and competition are read and checked")
    func simulation() throws {
        let plan = try load(manifestText(extra: """
        [simulation]
        replenish_ms = 500
        [simulation.competition]
        edge_ppm = 3000
        delay_ms = { p50 = 50, p99 = 400 }
        """))
        #expect(plan.replenishment == .linear(.milliseconds(500)))
        #expect(plan.competition == CompetitionModel(edgePpm: 3_000, delay: .lognormal(p50: .milliseconds(50), p99: .milliseconds(400))))
        let off = try load(manifestText(extra: "[simulation.competition]\nenabled = false"))
        #expect(off.competition == nil && off.replenishment == .none)
    }

    @Test("simulation parameters out of range name the key and the fix", arguments: [
        ("[simulation]\nreplenish_ms = -1", "simulation.replenish_ms", "between 0"),
        ("[simulation]\nreplenish_ms = 100000000", "simulation.replenish_ms", "between 0"),
        ("[simulation]\nfeed_capacity = 10", "simulation.feed_capacity", "between 1024"),
        ("[simulation.competition]\nedge_ppm = -5", "simulation.competition.edge_ppm", "between 0 and 1000000"),
        ("[simulation.competition]\nshare_ppm = 0", "simulation.competition.share_ppm", "above 0"),
        ("[simulation.competition]\ndelay_ms = { p50 = 100, p99 = 10 }", "simulation.competition.delay_ms", "p99 must not be below p50"),
        ("[simulation.competition]\nedge = 5", "simulation.competition.edge", "unknown key"),
    ])
    func badSimulation(extra: String, key: String, message: String) {
        let error = problem(manifestText(extra: extra))
        #expect(error.contains(key) && error.contains(message), "\(error)")
    }
}

@Suite("Manifest: inventory bands and venue maximums")
struct InventoryManifestTests {
    @Test("an inventory floor above its ceiling names the key and the fix")
    func floorAboveCeiling() {
        let error = problem(manifestText(strategyParameters: "inventory = { BTC = { upbit = { floor = \"2\", ceiling = \"1\" } } }"))
        #expect(error.contains("strategies.spread.parameters.inventory.BTC.upbit.floor") && error.contains("above the ceiling"), "\(error)")
        let venue = problem(manifestText(strategyParameters: "inventory = { BTC = { kraken = { floor = \"1\" } } }"))
        #expect(venue.contains("inventory.BTC.kraken") && venue.contains("neither venue_a"), "\(venue)")
        let fine = problem(manifestText(strategyParameters: "inventory = { BTC = { upbit = { floor = \"0.5\", ceiling = \"2\" } } }"))
        #expect(fine == "no error", "\(fine)")
    }

    @Test("a Binance per-symbol maximum below the minimum names the key and the fix", arguments: ["max_quantity", "max_market_quantity"])
    func maximumBelowMinimum(key: String) {
        let settings = """
        [exchanges.binance.settings]
        listings = { BTC = { tick_size = "0.01", step_size = "0.001", \(key) = "0.0001" } }
        """
        let text = manifestText().replacingOccurrences(of: "[exchanges.binance]\n", with: "[exchanges.binance]\n")
            .replacingOccurrences(of: "balances = { USDT = \"150000\", BTC = \"1\", ETH = \"20\", XRP = \"40000\" }",
                                  with: "balances = { USDT = \"150000\", BTC = \"1\", ETH = \"20\", XRP = \"40000\" }\n" + settings)
        let error = problem(text)
        #expect(error.contains(key) && error.contains("below the minimum quantity"), "\(error)")
    }
}
