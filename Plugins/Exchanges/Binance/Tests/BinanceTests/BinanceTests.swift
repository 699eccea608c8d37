import ArbCore
import ArbPaper
import ArbTesting
import Testing
@testable import Binance

/// Binance BTC/USDT on a paper venue, funded, with a two-sided book.
func binanceMarket() throws -> VenueHarness {
    var harness = VenueHarness(plugin: try BinancePlugin(settings: BinanceSettings()), base: "BTC", quote: "USDT")
        harness.fund("10000", of: "USDT")
        harness.fund("0.1", of: "BTC")
    harness.setBook(bids: [("99999.99", "1")], asks: [("100000", "0.02"), ("100010", "1")])
    return harness
}

@Suite("Binance")
struct BinanceTests {
    @Test("symbols are BASEQUOTE with per-symbol filters")
    func listing() throws {
        let m = try binanceMarket()
        let plugin = try BinancePlugin(settings: .init())
        #expect(m.instrument.symbol == "BTCUSDT")
        #expect(m.instrument.tickRule == .fixed(Price("0.01")))
        #expect(m.instrument.lotStep == Quantity("0.00001"))
        #expect(plugin.listing(base: "NOPE", quote: "USDT") == nil)
    }

    @Test("filter failures and balance errors use Binance's codes and messages", arguments: [
        ("100000.001", "0.001", Side.buy, "-1013", "Filter failure: PRICE_FILTER"),
        ("100000", "0.000015", Side.buy, "-1013", "Filter failure: LOT_SIZE"),
        ("100000", "0.00001", Side.buy, "-1013", "Filter failure: NOTIONAL"),
        ("100000", "0.0000000001", Side.buy, "-1111", "Parameter 'quantity' has too much precision."),
        ("100000", "1", Side.buy, "-2010", "Account has insufficient balance for requested action."),
    ])
    func rejections(_ price: String, _ quantity: String, _ side: Side, _ code: String, _ message: String) throws {
        var m = try binanceMarket()
        guard let p = Price(price), let q = Quantity(quantity) else {
            // More than 9 decimals cannot even be represented: that is the precision error's job upstream.
            #expect(code == "-1111"); return
        }
        let reports = m.send(.limit(side, on: m.instrument.id, price: p, quantity: q))
        #expect(reports.map(\.kind) == [.rejected])
        #expect(reports.first?.rejection?.venueCode == code)
        #expect(reports.first?.rejection?.message == message)
    }

    @Test("too many decimals in the price is -1111 naming the parameter")
    func precision() throws {
        var m = try binanceMarket()
        let reports = m.send(.limit(.buy, on: m.instrument.id, price: Price("100000.000000001"), quantity: Quantity("0.001")))
        #expect(reports.first?.rejection?.venueCode == "-1111")
        #expect(reports.first?.rejection?.message == "Parameter 'price' has too much precision.")
    }

    @Test("fees are charged on the received asset: base on buys, quote on sells")
    func feeAsset() throws {
        var m = try binanceMarket()
        let buy = m.send(.limit(.buy, on: m.instrument.id, price: Price("100000"), quantity: Quantity("0.01"), timeInForce: .immediateOrCancel))
        let buyFill = try #require(buy.first { $0.kind == .fill })
        #expect(buyFill.feeAsset == m.asset("BTC") && buyFill.fee == Amount("0.00001"))
        let sell = m.send(.limit(.sell, on: m.instrument.id, price: Price("99999.99"), quantity: Quantity("0.01"), timeInForce: .immediateOrCancel))
        let sellFill = try #require(sell.first { $0.kind == .fill })
        #expect(sellFill.feeAsset == m.asset("USDT") && sellFill.fee == Amount("0.9999999"))  // 0.1 % of 999.9999
    }

    @Test("LIMIT_MAKER that would take is rejected with -2010")
    func limitMaker() throws {
        var m = try binanceMarket()
        let reports = m.send(.limit(.buy, on: m.instrument.id, price: Price("100000"), quantity: Quantity("0.001"), timeInForce: .postOnly))
        #expect(reports.map(\.kind) == [.rejected])
        #expect(reports.first?.rejection?.message == "Order would immediately match and take.")
    }

    @Test("MARKET fills to the available liquidity; the rest expires")
    func market() throws {
        var m = try binanceMarket()
        m.fund("1000000", of: "USDT")
        let reports = m.send(.market(.buy, on: m.instrument.id, quantity: Quantity("2")))
        let filled = reports.filter { $0.kind == .fill }.reduce(Quantity.zero) { $0 + $1.fillQuantity }
        #expect(filled == Quantity("1.02"))
        #expect(reports.last?.kind == .expired && reports.last?.isFinal == true)
    }

    @Test("listings from settings override the catalogue")
    func overrides() throws {
        var s = BinanceSettings()
        s.listings["PEPE"] = BinanceListing(tickSize: Price("0.00000001"), stepSize: Quantity("1"), minNotional: Amount(units: 1))
        let p = try BinancePlugin(settings: s)
        #expect(p.listing(base: "PEPE", quote: "USDT")?.minNotional == Amount(units: 1))
        #expect(p.listedBases(quote: "USDT").contains("PEPE"))
    }
}

@Suite("Binance symbols")
struct BinanceSymbolTests {
    @Test("BASEQUOTE symbols resolve to listings; others do not")
    func symbols() throws {
        let p = try BinancePlugin(settings: .init())
        #expect(p.listing(symbol: "BTCUSDT")?.baseCode == "BTC")
        #expect(p.listing(symbol: "USDT") == nil && p.listing(symbol: "BTC-USDT") == nil && p.listing(symbol: "NOPEUSDT") == nil)
    }
}

@Suite("Binance BTC market")
struct BinanceBTCMarketTests {
    @Test("ETHBTC: its own tick and step, 0.0001 BTC minimum notional, fee on the received asset")
    func ethBTC() throws {
        let p = try BinancePlugin(settings: .init())
        let spec = try #require(p.listing(symbol: "ETHBTC"))
        #expect(spec.baseCode == "ETH" && spec.quoteCode == "BTC")
        #expect(spec.lotStep == Quantity("0.0001") && spec.minNotional == Amount("0.0001"))
        #expect(p.listing(symbol: "BTCUSDT")?.quoteCode == "USDT")
        #expect(p.listing(base: "BTC", quote: "BTC") == nil)
        var h = VenueHarness(plugin: p, base: "ETH", quote: "BTC")
        h.fund("1", of: "BTC")
        h.setBook(bids: [("0.03470", "5")], asks: [("0.03471", "5")])
        let offTick = h.send(.limit(.buy, on: h.instrument.id, price: Price("0.034705"), quantity: Quantity("1")))
        #expect(offTick.first?.rejection?.venueCode == "-1013")
        let tooSmall = h.send(.limit(.buy, on: h.instrument.id, price: Price("0.03471"), quantity: Quantity("0.002")))  // 0.0000694 BTC
        #expect(tooSmall.first?.rejection?.venueCode == "-1013")
        let fill = try #require(h.send(.limit(.buy, on: h.instrument.id, price: Price("0.03471"), quantity: Quantity("1"),
                                              timeInForce: .immediateOrCancel)).first { $0.kind == .fill })
        #expect(fill.feeAsset == h.asset("ETH") && fill.fee == Amount("0.001"))
    }

    @Test("btc_listings override the bundled filters; btc_min_notional must be positive")
    func overrides() throws {
        var s = BinanceSettings()
        s.btcListings["PEPE"] = BinanceListing(tickSize: Price("0.000000001"), stepSize: Quantity(units: 1))
        let p = try BinancePlugin(settings: s)
        #expect(p.listedBases(quote: "BTC").contains("PEPE"))
        #expect(p.listing(symbol: "PEPEBTC")?.minNotional == Amount("0.0001"))
        s.btcMinNotional = .zero
        #expect(throws: PluginConfigurationError.self) { try BinancePlugin(settings: s) }
    }
}
