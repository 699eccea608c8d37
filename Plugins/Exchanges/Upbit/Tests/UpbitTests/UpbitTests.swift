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
        #expect(plugin.listing(base: "BTC", quote: "EUR") == nil)
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

@Suite("Upbit BTC and USDT markets")
struct UpbitCrossMarketTests {
    /// ETH on Upbit's BTC market, funded.
    func btcMarket() throws -> VenueHarness {
        var h = VenueHarness(plugin: try UpbitPlugin(settings: .init()), base: "ETH", quote: "BTC")
        h.fund("1", of: "BTC")
        h.fund("10", of: "ETH")
        h.setBook(bids: [("0.03470000", "5")], asks: [("0.03470001", "5")])
        return h
    }

    @Test("BTC-ETH: a 0.00000001 tick, 0.00005 BTC minimum and 10 BTC maximum, 0.25 % fee in BTC")
    func btcMarketRules() throws {
        var h = try btcMarket()
        #expect(h.instrument.symbol == "BTC-ETH")
        #expect(h.instrument.tickRule.tick(at: Price("0.0347")) == Price("0.00000001"))
        #expect(h.instrument.minNotional == Amount("0.00005") && h.instrument.maxNotional == Amount(units: 10))
        let small = h.send(.limit(.buy, on: h.instrument.id, price: Price("0.03470001"), quantity: Quantity("0.001")))  // 0.0000347 BTC
        #expect(small.first?.rejection?.venueCode == "under_min_total_bid")
        let fill = try #require(h.send(.limit(.buy, on: h.instrument.id, price: Price("0.03470001"), quantity: Quantity("1"),
                                              timeInForce: .immediateOrCancel)).first { $0.kind == .fill })
        #expect(fill.feeAsset == h.asset("BTC"))
        #expect(fill.fee == Amount("0.00008676"))  // 0.03470001 × 0.0025 = 0.0000867500…, rounded up to 1e-8
    }

    @Test("the USDT market uses its own tick table and 0.5 USDT minimum; the catalogue lists each market's bases")
    func usdtMarket() throws {
        let p = try UpbitPlugin(settings: .init())
        let btc = try #require(p.listing(symbol: "USDT-BTC"))
        #expect(btc.tickRule.tick(at: Price("95000")) == Price("0.01") && btc.minNotional == Amount("0.5"))
        #expect(p.listing(symbol: "BTC-ETH")?.quoteCode == "BTC")
        #expect(p.listing(symbol: "BTC-BTC") == nil)
        #expect(p.listedBases(quote: "BTC").contains("ETH") && !p.listedBases(quote: "BTC").contains("BTC"))
    }

    @Test("a BTC or USDT market minimum at or above its maximum is refused, naming the setting")
    func totalsChecked() {
        var s = UpbitSettings()
        s.btcMinTotal = Amount(units: 10)
        #expect(throws: PluginConfigurationError.self) { try UpbitPlugin(settings: s) }
        s = UpbitSettings()
        s.usdtMinTotal = .zero
        #expect(throws: PluginConfigurationError.self) { try UpbitPlugin(settings: s) }
    }
}
