import ArbCore
import ArbPaper
import ArbTesting
import Testing
@testable import Upbit

/// Upbit BTC/KRW on a paper venue, funded, with a two-sided book.
func upbitMarket(settings: UpbitSettings = UpbitSettings()) throws -> VenueHarness {
    var harness = VenueHarness(plugin: try UpbitPlugin(settings: settings), base: "BTC", quote: "KRW")
        harness.fund("10000000", of: "KRW")
        harness.fund("0.01", of: "BTC")
    harness.setBook(bids: [("149999000", "0.5")], asks: [("150000000", "0.5")])
    return harness
}

@Suite("Upbit")
struct UpbitTests {
    @Test("symbols are QUOTE-BASE; the KRW market uses the banded tick table")
    func listing() throws {
        let m = try upbitMarket()
        let plugin = try UpbitPlugin(settings: .init())
        #expect(m.instrument.symbol == "KRW-BTC")
        #expect(m.instrument.tickRule.tick(at: Price("150000000")) == Price("1000"))
        #expect(m.instrument.tickRule.tick(at: Price("1400")) == Price("1"))
        #expect(m.instrument.minNotional == Amount(units: 5_000))
        #expect(plugin.listing(base: "NOPE", quote: "KRW") == nil)
        #expect(plugin.listing(base: "BTC", quote: "USDT") == nil)
        #expect(plugin.listedBases(quote: "KRW").contains("USDT"))
    }

    @Test("off-tick, below 5,000 KRW and unfunded orders get Upbit's own error names", arguments: [
        ("150000500", "0.001", Side.buy, "invalid_price_bid"),
        ("150000500", "0.001", Side.sell, "invalid_price_ask"),
        ("150000000", "0.00003", Side.buy, "under_min_total_bid"),
        ("150000000", "0.00003", Side.sell, "under_min_total_ask"),
        ("150000000", "0.1", Side.buy, "insufficient_funds_bid"),
        ("150000000", "0.1", Side.sell, "insufficient_funds_ask"),
    ])
    func rejections(_ price: String, _ quantity: String, _ side: Side, _ code: String) throws {
        var m = try upbitMarket()
        let reports = m.send(.limit(side, on: m.instrument.id, price: Price(price)!, quantity: Quantity(quantity)!))
        #expect(reports.map(\.kind) == [.rejected])
        #expect(reports.first?.rejection?.venueCode == code)
    }

    @Test("fees are 0.05 % in KRW; a buy locks cost plus fee")
    func fees() throws {
        var m = try upbitMarket()
        let reports = m.send(.limit(.buy, on: m.instrument.id, price: Price("150000000"), quantity: Quantity("0.01"), timeInForce: .immediateOrCancel))
        let fill = try #require(reports.first { $0.kind == .fill })
        #expect(fill.fee == Amount("750"))
        #expect(fill.feeAsset == m.asset("KRW"))
        #expect(fill.fillNotional == Amount("1500000"))
    }

    @Test("market orders: buy by KRW total only, sell by volume only, both within 30 levels")
    func marketOrders() throws {
        var m = try upbitMarket()
        let byVolume = m.send(.market(.buy, on: m.instrument.id, quantity: Quantity("0.001")))
        #expect(byVolume.first?.rejection?.venueCode == "validation_error")
        let tooBig = m.send(.marketBuy(on: m.instrument.id, spending: Amount(units: 100_000_000)))  // 75M KRW rests on the asks
        #expect(tooBig.first?.rejection?.reason == .insufficientLiquidity)
        let ok = m.send(.marketBuy(on: m.instrument.id, spending: Amount(units: 1_000_000)))
        let bought = ok.filter { $0.kind == .fill }.reduce(Quantity.zero) { $0 + $1.fillQuantity }
        #expect(bought == Quantity("0.00666666"))  // 1,000,000 / 150,000,000 in 1e-8 lots
    }

    @Test("post-only that would take is cancelled, not executed")
    func postOnly() throws {
        var m = try upbitMarket()
        let reports = m.send(.limit(.buy, on: m.instrument.id, price: Price("150000000"), quantity: Quantity("0.001"), timeInForce: .postOnly))
        #expect(reports.map(\.kind) == [.accepted, .cancelled])
    }

    @Test("settings are validated and name the setting")
    func settings() {
        var s = UpbitSettings()
        s.krwFee = Ratio("0.5")
        #expect(throws: PluginConfigurationError.self) { try UpbitPlugin(settings: s) }
    }
}

@Suite("Upbit symbols")
struct UpbitSymbolTests {
    @Test("QUOTE-BASE symbols resolve to listings; others do not")
    func symbols() throws {
        let p = try UpbitPlugin(settings: .init())
        #expect(p.listing(symbol: "KRW-USDT")?.baseCode == "USDT")
        #expect(p.listing(symbol: "KRW-BTC")?.quoteCode == "KRW")
        #expect(p.listing(symbol: "BTCKRW") == nil && p.listing(symbol: "KRW-NOPE") == nil)
    }
}
