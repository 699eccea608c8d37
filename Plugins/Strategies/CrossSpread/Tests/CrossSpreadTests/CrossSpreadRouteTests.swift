import ArbCore
import ArbTesting
import Testing
@testable import CrossSpread

@Suite("CrossSpread on routes, with the opportunity ledger")
struct CrossSpreadRouteTests {
    /// The clear-edge market of `CrossSpreadTests`: buy on alpha at 100,000 USDT-equivalent, sell on beta at 101,000.
    func dislocated(_ m: Market, at ms: Int64 = 1) {
        m.s.book(at: ms, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
        m.s.book(at: ms, on: m.btcB, bids: [("101000", "1")], asks: [("101100", "1")])
    }

    @Test("the routes are ArbRoute's cross_fx routes, named by their ids; an executed opportunity's row has its legs and realised edge")
    func executedRow() throws {
        let m = Market()
        dislocated(m)
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 1_000)
        #expect(result.kernel.routeNames[Int(result.orders[0].intent.route)] == "cross_fx:BTC:alpha(KRW)>beta(USDT)")
        let row = try #require(result.opportunities.first { $0.decision == .executed })
        #expect(row.legs.map(\.instrument) == [m.btcA, m.btcB] && row.legs.map(\.filledQuantity) == ["0.005", "0.005"])
        #expect(row.legs.allSatisfy { $0.slippageBps == 0 && $0.filledPrice != nil })
        // Detected at the touch through the FX mid (1,400): 101,000 × 0.999 / (140,000,000 / 1,400 / 0.9995) − 1 ≈ 0.85 %.
        #expect(row.detectedEdgePpm > 8_000 && row.detectedEdgePpm < 9_000, "\(row.detectedEdgePpm)")
        #expect(row.realisedEdgePpm == row.detectedEdgePpm)
        #expect(row.detectedSize == Amount("500"))  // 0.005 BTC at 100,000 USDT
    }

    @Test("while the edge stands, one row per episode: the opportunity during the attempt and the cool-down is not counted again; every row is tallied")
    func episodes() throws {
        let m = Market(latencyB: 50)
        dislocated(m)
        // The books keep updating (same prices) while the attempt is in flight and cooling down.
        for t in stride(from: Int64(5), through: 400, by: 5) {
            m.s.level(at: t, on: m.btcB, side: .ask, price: "101100", quantity: t % 10 == 0 ? "1" : "2")
        }
        var p = m.parameters
        p.cooldownMs = 1_000
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: p, until: 600)
        #expect(result.opportunities.count == 1, "\(result.opportunities.map(\.decision))")
        let tally = result.kernel.opportunityTally
        #expect(tally.detected == tally.executed + tally.skipped.values.reduce(0, +))
    }

    @Test("skipped opportunities carry their reason: an inventory band, a balance, a stale book", arguments: ["inventory", "size_zero.sell_balance", "stale_feed"])
    func skipReasons(_ reason: String) throws {
        let m = Market()
        var p = m.parameters
        switch reason {
        case "inventory": p.inventory = ["BTC": ["beta": InventoryBand(floor: "1")]]
        case "size_zero.sell_balance": m.s.deposit("-1", of: "BTC", on: m.b)
        default: break
        }
        dislocated(m, at: reason == "stale_feed" ? 5_000 : 1)  // the FX book is from t = 0: stale at 5 s
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: p, until: reason == "stale_feed" ? 6_000 : 1_000)
        #expect(result.orders.isEmpty)
        let codes = Set(result.opportunities.map(\.decision.code))
        #expect(codes == [reason], "\(codes)")
    }

    @Test("one quote on both venues: a cross route, no FX book needed")
    func crossRoute() throws {
        let s = Scenario(reportingAsset: "USDT")
        let a = s.venue("alpha", fees: FeeSchedule(maker: Ratio("0.001"), taker: Ratio("0.001"), asset: .received))
        let b = s.venue("beta", fees: FeeSchedule(maker: Ratio("0.001"), taker: Ratio("0.001"), asset: .received))
        let btcA = s.instrument(on: a, symbol: "USDT-BTC", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.00001")
        let btcB = s.instrument(on: b, symbol: "BTCUSDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.00001")
        for v in [a, b] { s.deposit("100000", of: "USDT", on: v); s.deposit("1", of: "BTC", on: v) }
        s.book(at: 1, on: btcA, bids: [("99900", "1")], asks: [("100000", "1")])
        s.book(at: 1, on: btcB, bids: [("101000", "1")], asks: [("101100", "1")])
        var p = CrossSpreadParameters()
        p.venueA = "alpha"; p.quoteA = "USDT"; p.venueB = "beta"; p.quoteB = "USDT"; p.bases = ["BTC"]
        p.fxSymbol = "NONE"  // not read: one quote
        let result = try s.run(CrossSpreadPlugin.self, parameters: p, until: 1_000)
        #expect(result.orders.map(\.intent.instrument) == [btcA, btcB])
        #expect(result.kernel.routeNames[Int(result.orders[0].intent.route)] == "cross:BTC/USDT:alpha>beta")
        #expect(result.strategyReport.counters["completed"] == 1)
    }

    @Test("convert_proceeds: a third leg sells the USDT proceeds for KRW on the FX book; every asset but KRW ends where it started")
    func conversionLeg() throws {
        let m = Market()
        m.s.deposit("1000", of: "USDT", on: m.a)  // the conversion sells USDT on alpha
        dislocated(m)
        var p = m.parameters
        p.convertProceeds = true
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: p, until: 1_000)
        #expect(result.orders.map(\.intent.instrument) == [m.btcA, m.btcB, m.fx])
        let conversion = result.orders[2]
        // 0.005 × 101,000 = 505 USDT, sold into the 1,399.5 bid.
        #expect(conversion.intent.side == .sell && conversion.intent.quantity == "505")
        #expect(result.strategyReport.counters["completed"] == 1)
        let row = try #require(result.opportunities.first { $0.decision == .executed })
        #expect(row.legs.count == 3 && row.realisedEdgePpm != nil)
        // Converted at the bid, not the mid: a little below the detected edge.
        #expect(row.realisedEdgePpm! < row.detectedEdgePpm)
        #expect(result.balance(m.a, "USDT") == "495" && result.balance(m.b, "USDT") == Amount("100504.495"))
    }

    @Test("an FX book bid at zero (a damaged feed) values nothing: no trade, no trap, counted as stale")
    func zeroFXBid() throws {
        let m = Market()
        m.s.book(at: 1, on: m.fx, bids: [("0", "100")], asks: [("0.000000001", "100")])  // a mid of 0
        dislocated(m, at: 2)
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 1_000)
        #expect(result.orders.isEmpty && result.strategyReport.counters["stale_skips"]! > 0)
    }
}
