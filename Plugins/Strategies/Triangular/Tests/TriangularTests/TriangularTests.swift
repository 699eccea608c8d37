import ArbCore
import ArbTesting
import Binance
import Testing
@testable import Triangular

/// Binance with BTCUSDT, ETHUSDT and ETHBTC on its real rules, funded in all three assets.
struct BinanceTriangle {
    let s = Scenario(reportingAsset: "USDT")
    let binance: VenueId
    let btcUSDT: InstrumentId, ethUSDT: InstrumentId, ethBTC: InstrumentId

    init() throws {
        binance = s.venue("binance", plugin: try BinancePlugin(settings: .init()),
                          latency: .fixed(outbound: .milliseconds(20), inbound: .milliseconds(20), feed: .zero))
        btcUSDT = try s.listing("BTCUSDT", on: binance)
        ethUSDT = try s.listing("ETHUSDT", on: binance)
        ethBTC = try s.listing("ETHBTC", on: binance)
        s.deposit("10000", of: "USDT", on: binance)
        s.deposit("0.1", of: "BTC", on: binance)
        s.deposit("3", of: "ETH", on: binance)
    }

    /// ETH/BTC offered at 0.0325 while ETHUSDT ÷ BTCUSDT is 0.03299: USDT → BTC → ETH → USDT earns ~1.2 % before fees.
    func dislocated(at ms: Int64 = 1) {
        s.book(at: ms, on: btcUSDT, bids: [("99999", "1")], asks: [("100000", "1")])
        s.book(at: ms, on: ethUSDT, bids: [("3299", "10")], asks: [("3301", "10")])
        s.book(at: ms, on: ethBTC, bids: [("0.0324", "10")], asks: [("0.0325", "10")])
    }

    func parameters() -> TriangularParameters {
        var p = TriangularParameters()
        p.venue = "binance"
        p.orderSize = ["USDT": "500"]
        p.minEdge = "0.002"
        p.maxHedgeAttempts = 1
        return p
    }
}

@Suite("Triangular")
struct TriangularTests {
    @Test("a dislocated cross book is traded as three IOC legs sized along the chain, on Binance's filters, and ends flat in BTC and ETH")
    func completes() throws {
        let t = try BinanceTriangle()
        t.dislocated()
        let result = try t.s.run(TriangularPlugin.self, parameters: t.parameters(), until: 1_000)
        let entries = result.orders.filter { $0.intent.purpose == .entry }
        #expect(entries.map(\.intent.instrument) == [t.btcUSDT, t.ethBTC, t.ethUSDT])
        #expect(entries.map(\.intent.side) == [.buy, .buy, .sell])
        #expect(entries.allSatisfy { $0.intent.timeInForce == .immediateOrCancel })
        // 500 USDT buys 0.005 BTC; after the 0.1 % fee 0.004995 BTC buys 0.1536 ETH (step 0.0001); 0.1534 ETH is sold.
        #expect(entries[0].intent.quantity == "0.005" && entries[1].intent.quantity == "0.1536" && entries[2].intent.quantity == "0.1534")
        let c = result.strategyReport.counters
        #expect(c["completed"] == .count(1) && c["broken_legs"] == .count(0), "\(c.filter { $0.value != .count(0) }) \(result.fills.map { ($0.instrument, $0.fillQuantity) }) \(result.orders.map { ($0.intent.purpose, $0.intent.instrument, $0.intent.side, $0.intent.quantity) })")
        // BTC and ETH end where they started, give or take the fees and the chain's rounding; USDT gains.
        #expect(result.balance(t.binance, "USDT") > "10000")
        #expect(result.settlementProblems.isEmpty)
        // The ledger: one executed opportunity, its legs as expected and filled, the realised edge near the detected one.
        let executed = result.opportunities.filter { $0.decision == .executed }
        #expect(executed.count == 1)
        let row = try #require(executed.first)
        #expect(row.legs.map(\.filledQuantity) == ["0.005", "0.1536", "0.1534"] && row.legs.allSatisfy { $0.slippageBps == 0 })
        #expect(row.legs.allSatisfy { $0.acknowledgedAfter == .milliseconds(40) && $0.filledAfter == .milliseconds(40) })
        let realised = try #require(row.realisedEdgePpm)
        #expect(row.detectedEdgePpm > 6_000 && abs(realised - row.detectedEdgePpm) < 300, "\(row.detectedEdgePpm) vs \(realised)")
        // The report shows the active routes' health, quantity by quantity, with the attempt in the window.
        let health = try #require(result.strategyReport.notes.first { $0.hasPrefix("triangular:binance:USDT>BTC>ETH>USDT: score") })
        #expect(health.contains("round trip 40 ms") && health.contains("(1 attempts, 3 legs in the window)"), "\(health)")
        // Every row the strategy recorded is tallied: detected == executed + Σ skipped.
        let tally = result.kernel.opportunityTally
        #expect(tally.detected == result.opportunities.count && tally.detected == tally.executed + tally.skipped.values.reduce(0, +))
    }

    @Test("no dislocation, no trade: the cycle's edge is below min_edge after three fees")
    func belowEdge() throws {
        let t = try BinanceTriangle()
        t.s.book(at: 1, on: t.btcUSDT, bids: [("99999", "1")], asks: [("100000", "1")])
        t.s.book(at: 1, on: t.ethUSDT, bids: [("3299", "10")], asks: [("3301", "10")])
        t.s.book(at: 1, on: t.ethBTC, bids: [("0.03299", "10")], asks: [("0.03301", "10")])
        let result = try t.s.run(TriangularPlugin.self, parameters: t.parameters(), until: 1_000)
        #expect(result.orders.isEmpty)
        #expect(result.strategyReport.counters["below_edge"] != .count(0))
        #expect(result.opportunities.isEmpty)  // never detected: the edge never cleared
    }

    @Test("a broken chain whose missing leg cannot be completed is unwound to the start asset")
    func unwindsBrokenChain() throws {
        let t = try BinanceTriangle()
        t.dislocated()
        // The ETH/BTC offer is gone before the legs arrive (20 ms out) and nothing is offered after.
        t.s.book(at: 5, on: t.ethBTC, bids: [("0.0324", "10")], asks: [])
        let result = try t.s.run(TriangularPlugin.self, parameters: t.parameters(), until: 2_000)
        let c = result.strategyReport.counters
        #expect(c["broken_legs"] == .count(1))
        let unwinds = result.orders.filter { $0.intent.purpose == .unwind }
        // Sell back the BTC bought on leg 1, buy back the ETH sold on leg 3: both against USDT.
        #expect(Set(unwinds.map(\.intent.instrument)) == [t.btcUSDT, t.ethUSDT], "\(result.orders.map { ($0.intent.purpose, $0.intent.instrument) })")
        // The executed row shows the missing leg and no realised edge.
        let row = try #require(result.opportunities.first { $0.decision == .executed })
        #expect(row.legs[1].filledQuantity == .zero && row.legs[1].filledPrice == nil && row.realisedEdgePpm == nil)
        #expect(c["repaired"] == .count(1), "\(c.filter { $0.value != .count(0) }) \(result.strategyReport.openExposure) \(result.orders.map { ($0.intent.purpose, $0.intent.instrument, $0.intent.side, $0.intent.quantity) })")
        // Whatever is left is below a lot, and reported as exposure rather than lost.
        for line in result.strategyReport.openExposure {
            let step = line.asset == "BTC" ? Amount("0.00001") : Amount("0.0001")
            #expect((line.quantity.isNegative ? Amount.zero - line.quantity : line.quantity) < step, "\(line)")
        }
    }

    @Test("a broken chain is completed first: the missing leg is sent again across the touch when it can still fill")
    func hedgesBrokenChain() throws {
        let t = try BinanceTriangle()
        t.dislocated()
        // The offer moves up before the legs arrive: leg 2 misses, the hedge crosses to the new ask.
        t.s.book(at: 5, on: t.ethBTC, bids: [("0.0324", "10")], asks: [("0.03255", "10")])
        t.s.book(at: 30, on: t.ethBTC, bids: [("0.0324", "10")], asks: [("0.0326", "10")])
        var p = t.parameters()
        p.hedgeSlippage = "0.01"
        let result = try t.s.run(TriangularPlugin.self, parameters: p, until: 2_000)
        let hedges = result.orders.filter { $0.intent.purpose == .hedge }
        #expect(hedges.first?.intent.instrument == t.ethBTC && hedges.first?.intent.side == .buy)
        #expect(result.strategyReport.counters["repaired"] == .count(1))
    }

    @Test("parameters are checked and name the key; a venue without a triangle says how to get one")
    func badParameters() throws {
        var p = TriangularParameters()
        p.orderSize = ["USDT": "0"]
        #expect(throws: PluginConfigurationError.self) { try p.validated() }
        p = TriangularParameters(); p.activeRoutes = 0
        #expect(throws: PluginConfigurationError.self) { try p.validated() }
        // Only a USDT market: no cycle.
        let s = Scenario(reportingAsset: "USDT")
        let binance = s.venue("binance", plugin: try BinancePlugin(settings: .init()))
        _ = try s.listing("BTCUSDT", on: binance)
        _ = try s.listing("ETHUSDT", on: binance)
        do {
            _ = try TriangularPlugin.make(parameters: TriangularParameters(), universe: s.universe)
            Issue.record("expected a refusal")
        } catch let e as PluginConfigurationError {
            #expect(e.setting == "venue" && e.message.contains("cross_quotes"))
        }
    }

    @Test("routes: a chosen triangle is traded alone; a venue not enabled, a missing pair or legs that do not close the cycle are refused", arguments: [
        ("kraken:USDT>BTC>ETH>USDT", "venue 'kraken' is not enabled"),
        ("binance:USDT>BTC>ETH>BTC", "do not close the cycle"),
        ("binance:USDT>BTC>XRP>USDT", "XRP is not an asset of this run"),
        ("binance:USDT>BTC>ETH", "four assets"),
        ("USDT>BTC>ETH>USDT", "write VENUE:A>B>C>A"),
    ])
    func chosenRoutes(_ spec: String, _ message: String) throws {
        let t = try BinanceTriangle()
        var p = t.parameters()
        p.routes = [spec]
        do {
            _ = try TriangularPlugin.make(parameters: p, universe: t.s.universe)
            Issue.record("expected a refusal")
        } catch let e as PluginConfigurationError {
            #expect(e.setting == "routes" && e.message.contains(message), "\(e.message)")
        }
        p.routes = ["triangular:binance:USDT>ETH>BTC>USDT"]
        let strategy = try #require(try TriangularPlugin.make(parameters: p, universe: t.s.universe) as? TriangularStrategy)
        #expect(strategy.routes.map(\.id) == ["triangular:binance:USDT>ETH>BTC>USDT"])
    }
}
