import ArbCore
import ArbTesting
import Binance
import CrossSpread
import Testing
import Upbit

/// Upbit and Binance as the run has them: their own tick tables, fees, minimums and codes.
func realVenues() throws -> (Scenario, VenueId, VenueId, InstrumentId, InstrumentId, InstrumentId) {
    let s = Scenario(reportingAsset: "USDT")
    let upbit = s.venue("upbit", plugin: try UpbitPlugin(settings: .init()), latency: .fixed(outbound: .milliseconds(10), inbound: .milliseconds(10), feed: .zero))
    let binance = s.venue("binance", plugin: try BinancePlugin(settings: .init()), latency: .fixed(outbound: .milliseconds(20), inbound: .milliseconds(20), feed: .zero))
    let krwBTC = try s.listing("KRW-BTC", on: upbit)
    let fx = try s.listing("KRW-USDT", on: upbit, isFX: true)
    let btcUSDT = try s.listing("BTCUSDT", on: binance)
    s.deposit("100000000", of: "KRW", on: upbit)
    s.deposit("1", of: "BTC", on: upbit)
    s.deposit("100000", of: "USDT", on: binance)
    s.deposit("1", of: "BTC", on: binance)
    s.book(at: 0, on: fx, bids: [("1399.5", "100000")], asks: [("1400", "100000")])
    s.book(at: 1, on: krwBTC, bids: [("139000000", "1")], asks: [("140000000", "1")])
    s.book(at: 1, on: btcUSDT, bids: [("101000", "1")], asks: [("101100", "1")])
    return (s, upbit, binance, krwBTC, fx, btcUSDT)
}

@Suite("CrossSpread on the real venues' rules")
struct CrossSpreadRealVenueTests {
    @Test("legs priced on Upbit's KRW ticks and Binance's filters, charged each venue's own fee")
    func realRulesAndFees() throws {
        let (s, upbit, binance, krwBTC, _, btcUSDT) = try realVenues()
        var p = CrossSpreadParameters()
        p.bases = ["BTC"]
        let result = try s.run(CrossSpreadPlugin.self, parameters: p, until: 1_000)
        let buy = try #require(result.orders.first { $0.intent.instrument == krwBTC })
        let sell = try #require(result.orders.first { $0.intent.instrument == btcUSDT })
        #expect(buy.intent.price.isMultiple(of: "1000"), "Upbit's tick at 140M KRW is 1,000")
        #expect(sell.intent.quantity.isMultiple(of: "0.00001"), "Binance BTCUSDT step size")
        let fills = result.fills
        #expect(fills.contains { $0.venue == upbit && $0.fee == $0.fillNotional.scaled(by: "0.0005", .up) }, "0.05 % in KRW")
        #expect(fills.contains { $0.venue == binance && $0.side == .sell && $0.feeAsset == result.kernel.universe.assetId("USDT") })
        #expect(result.settlementProblems.isEmpty)
    }

    @Test("an order below Upbit's 5,000 KRW minimum is refused with Upbit's own code")
    func upbitMinimum() throws {
        let (s, _, _, _, _, _) = try realVenues()
        var p = CrossSpreadParameters()
        p.bases = ["BTC"]
        p.orderNotional = "3"  // 3 USDT ≈ 4,200 KRW
        let result = try s.run(CrossSpreadPlugin.self, parameters: p, until: 1_000)
        #expect(result.orders.isEmpty)
        #expect(result.preTradeRejections.contains { $0.1.venueCode == "under_min_total_bid" }, "\(result.preTradeRejections.map(\.1.venueCode))")
    }
}
