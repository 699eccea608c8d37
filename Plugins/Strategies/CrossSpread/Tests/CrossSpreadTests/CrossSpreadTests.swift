import ArbCore
import ArbTesting
import Testing
@testable import CrossSpread

/// Two venues like Upbit (KRW, fee in quote) and Binance (USDT, fee on the received asset),
/// with a KRW-USDT book at 1,400 on the first.
struct Market {
    let s = Scenario(reportingAsset: "USDT")
    let a: VenueId, b: VenueId
    let btcA: InstrumentId, btcB: InstrumentId, fx: InstrumentId

    init(latencyB: Int64 = 0, minNotionalB: Amount = "5") {
        a = s.venue("alpha", fees: FeeSchedule(maker: Ratio("0.0005"), taker: Ratio("0.0005"), asset: .quote))
        b = s.venue("beta", fees: FeeSchedule(maker: Ratio("0.001"), taker: Ratio("0.001"), asset: .received), latencyMs: latencyB)
        btcA = s.instrument(on: a, symbol: "KRW-BTC", base: "BTC", quote: "KRW", tick: "1000", lot: "0.00000001", minNotional: "5000")
        fx = s.instrument(on: a, symbol: "KRW-USDT", base: "USDT", quote: "KRW", tick: "0.5", lot: "0.00000001", isFX: true)
        btcB = s.instrument(on: b, symbol: "BTCUSDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.00001", minNotional: minNotionalB)
        s.deposit("100000000", of: "KRW", on: a)
        s.deposit("1", of: "BTC", on: a)
        s.deposit("100000", of: "USDT", on: b)
        s.deposit("1", of: "BTC", on: b)
        s.book(at: 0, on: fx, bids: [("1399.5", "100000")], asks: [("1400.5", "100000")])
    }

    var parameters: CrossSpreadParameters {
        var p = CrossSpreadParameters()
        p.venueA = "alpha"; p.venueB = "beta"; p.bases = ["BTC"]
        p.orderNotional = Amount(units: 500)
        p.minEdge = Ratio("0.002")
        return p
    }
}

@Suite("CrossSpread")
struct CrossSpreadTests {
    @Test("buys on the cheap venue and sells on the dear one, both legs IOC at the walked prices")
    func tradesAClearEdge() throws {
        let m = Market()
        // 140,000,000 KRW / 1,400 = 100,000 USDT on alpha; beta bids 101,000: ~1 % edge.
        m.s.book(at: 1, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
        m.s.book(at: 1, on: m.btcB, bids: [("101000", "1")], asks: [("101100", "1")])
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 1_000)

        #expect(result.orders.count == 2)
        let buy = result.orders[0], sell = result.orders[1]
        #expect(buy.intent.instrument == m.btcA && buy.intent.side == .buy)
        #expect(buy.intent.price == Price("140000000") && buy.intent.quantity == Quantity("0.005"))
        #expect(buy.intent.timeInForce == .immediateOrCancel)
        #expect(sell.intent.instrument == m.btcB && sell.intent.side == .sell)
        #expect(sell.intent.price == Price("101000") && sell.intent.quantity == Quantity("0.005"))
        #expect(result.filled(buy.id) == Quantity("0.005"))
        #expect(result.filled(sell.id) == Quantity("0.005"))
        // alpha: paid 700,000 KRW + 0.05 % fee in KRW; beta: received 505 USDT less 0.1 %.
        #expect(result.balance(m.a, "KRW") == Amount("99299650"))
        #expect(result.balance(m.b, "USDT") == Amount("100504.495"))
        #expect(result.balance(m.a, "BTC") == Amount("1.005"))
        #expect(result.balance(m.b, "BTC") == Amount("0.995"))
        #expect(result.strategyReport.counters["completed"] == 1)
        #expect(result.strategyReport.openExposure.isEmpty)
        // Realised PnL on the route: ~5 USDT gross less fees, valued at the FX mid.
        let route = result.kernel.routeLedgers[0]
        #expect(route.quantity == .zero)
        #expect(route.realised > Amount(units: 4) && route.realised < Amount(units: 5))
    }

    @Test("does nothing when the edge after fees is below the threshold")
    func ignoresThinEdge() throws {
        let m = Market()
        m.s.book(at: 1, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
        m.s.book(at: 1, on: m.btcB, bids: [("100200", "1")], asks: [("100300", "1")])
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 1_000)
        #expect(result.orders.isEmpty)
        #expect(result.strategyReport.counters["evaluations"]! > 0)
        #expect(result.counters.opportunities == 0)
    }

    @Test("never trades on a stale FX book")
    func staleFX() throws {
        let m = Market()
        m.s.book(at: 5_000, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
        m.s.book(at: 5_000, on: m.btcB, bids: [("101000", "1")], asks: [("101100", "1")])
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 10_000)
        #expect(result.orders.isEmpty)
        #expect(result.strategyReport.counters["stale_skips"]! > 0)
    }

    @Test("sizes to the levels whose own prices still clear the edge")
    func sizesToTheBook() throws {
        let m = Market()
        m.s.book(at: 1, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
        // Only 0.002 at a good price; the next level kills the edge.
        m.s.book(at: 1, on: m.btcB, bids: [("101000", "0.002"), ("99000", "5")], asks: [("101100", "1")])
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 1_000)
        #expect(result.orders.count == 2)
        #expect(result.orders.allSatisfy { $0.intent.quantity == Quantity("0.002") })
        #expect(result.orders[1].intent.price == Price("101000"))
    }

    @Test("a leg that fills partly is hedged on its own venue")
    func hedgesBrokenLeg() throws {
        let m = Market(latencyB: 50)
        m.s.book(at: 0, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
        m.s.book(at: 0, on: m.btcB, bids: [("101000", "1")], asks: [("101100", "1")])
        // Before the sell leg reaches beta (50 ms), most of its bid goes away.
        m.s.book(at: 10, on: m.btcB, bids: [("101000", "0.001"), ("100800", "1")], asks: [("101100", "1")])
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 2_000)

        #expect(result.orders.count == 3)
        let hedge = result.orders[2]
        #expect(hedge.intent.purpose == .hedge)
        #expect(hedge.intent.instrument == m.btcB && hedge.intent.side == .sell)
        #expect(hedge.intent.quantity == Quantity("0.004"))
        #expect(result.filled(hedge.id) == Quantity("0.004"))
        #expect(result.strategyReport.counters["broken_legs"] == 1)
        #expect(result.strategyReport.counters["completed"] == 1)
        #expect(result.strategyReport.openExposure.isEmpty)
    }

    @Test("when the hedge venue has no bids the gap is unwound where it filled")
    func unwindsWhenHedgeImpossible() throws {
        let m = Market(latencyB: 50)
        m.s.book(at: 0, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
        m.s.book(at: 0, on: m.btcB, bids: [("101000", "1")], asks: [("101100", "1")])
        m.s.book(at: 10, on: m.btcB, bids: [("101000", "0.001")], asks: [("101100", "1")])
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 2_000)

        let unwind = try #require(result.orders.last)
        #expect(unwind.intent.purpose == .unwind)
        #expect(unwind.intent.instrument == m.btcA && unwind.intent.side == .sell)
        #expect(unwind.intent.quantity == Quantity("0.004"))
        #expect(result.filled(unwind.id) == Quantity("0.004"))
        #expect(result.strategyReport.counters["unwind_orders"] == 1)
        #expect(result.strategyReport.openExposure.isEmpty)
    }

    @Test("reports the exposure it cannot close")
    func reportsOpenExposure() throws {
        let m = Market(latencyB: 50)
        m.s.book(at: 0, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
        m.s.book(at: 0, on: m.btcB, bids: [("101000", "1")], asks: [("101100", "1")])
        // Both sides dry up before the repair orders can trade.
        m.s.book(at: 10, on: m.btcB, bids: [("101000", "0.001")], asks: [("101100", "1")])
        m.s.book(at: 20, on: m.btcA, bids: [], asks: [("140000000", "1")])
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 2_000)
        #expect(result.strategyReport.counters["gave_up"] == 1)
        let exposure = result.strategyReport.openExposure
        #expect(exposure == [ExposureLine(venue: "alpha+beta", asset: "BTC", quantity: Amount("0.004"))])
        #expect(!result.strategyReport.notes.isEmpty)
    }

    @Test("a leg below the venue minimum stops both legs before either is sent")
    func pairRejectedBeforeSending() throws {
        let m = Market(minNotionalB: "1000")
        m.s.book(at: 1, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
        m.s.book(at: 1, on: m.btcB, bids: [("101000", "1")], asks: [("101100", "1")])
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 100)
        #expect(result.orders.isEmpty)
        #expect(result.preTradeRejections.first?.1.venueCode == "TEST_below_min_notional")
        #expect(result.strategyReport.counters["pretrade_rejected"]! >= 1)
        #expect(result.balance(m.a, "KRW") == Amount("100000000"))
    }

    @Test("the kernel's balances match the venues' own books, and a rerun is identical")
    func consistentAndDeterministic() throws {
        func run() throws -> ScenarioResult {
            let m = Market(latencyB: 50)
            m.s.book(at: 0, on: m.btcA, bids: [("139000000", "1")], asks: [("140000000", "1")])
            m.s.book(at: 0, on: m.btcB, bids: [("101000", "1")], asks: [("101100", "1")])
            m.s.book(at: 10, on: m.btcB, bids: [("101000", "0.001"), ("100800", "1")], asks: [("101100", "1")])
            m.s.book(at: 900, on: m.btcB, bids: [("101000", "1")], asks: [("101100", "1")])
            let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters, until: 3_000)
            for venue in [m.a, m.b] {
                for asset in ["KRW", "USDT", "BTC"] {
                    #expect(result.balance(venue, asset) == result.venueBalance(venue, asset), "\(asset) on venue \(venue)")
                }
            }
            #expect(result.settlementProblems.isEmpty, "\(result.settlementProblems)")
            return result
        }
        let first = try run(), second = try run()
        #expect(first.orders == second.orders)
        #expect(first.reports == second.reports)
        #expect(first.orders.count >= 4)
    }
}
