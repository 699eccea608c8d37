// The worked example of docs/STRATEGIES.md, verbatim (a test fails if they differ).
import ArbCore
import ArbTesting
import Foundation
import Testing

/// Parameters under `[strategies.<name>.parameters]`.
struct PremiumReversionParameters: Decodable, Sendable {
    var krwVenue = "alpha", usdtVenue = "beta"
    var krwSymbol = "KRW-BTC", usdtSymbol = "BTCUSDT", fxSymbol = "KRW-USDT"
    /// Sell on the KRW venue and buy on the USDT one when the premium is this far above its average.
    var band: Ratio = "0.004"
    var orderNotional: Amount = "500"  // USDT

    enum CodingKeys: String, CodingKey, CaseIterable {
        case krwVenue = "krw_venue", usdtVenue = "usdt_venue", krwSymbol = "krw_symbol", usdtSymbol = "usdt_symbol"
        case fxSymbol = "fx_symbol", band, orderNotional = "order_notional"
    }
    init() {}
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        krwVenue = try c.decode(.krwVenue, default: krwVenue)
        usdtVenue = try c.decode(.usdtVenue, default: usdtVenue)
        krwSymbol = try c.decode(.krwSymbol, default: krwSymbol)
        usdtSymbol = try c.decode(.usdtSymbol, default: usdtSymbol)
        fxSymbol = try c.decode(.fxSymbol, default: fxSymbol)
        band = try c.decode(.band, default: band)
        orderNotional = try c.decode(.orderNotional, default: orderNotional)
    }
}

struct PremiumReversionPlugin: StrategyPlugin {
    static let id = "premium-reversion"
    static let summary = "sells the KRW premium when it is high against its average"
    static let parameterList = [
        PluginParameter("krw_venue", type: "string", default: "\"alpha\"", meaning: "the venue quoting KRW"),
        PluginParameter("usdt_venue", type: "string", default: "\"beta\"", meaning: "the venue quoting USDT"),
        PluginParameter("krw_symbol", type: "string", default: "\"KRW-BTC\"", meaning: "the KRW instrument"),
        PluginParameter("usdt_symbol", type: "string", default: "\"BTCUSDT\"", meaning: "the USDT instrument"),
        PluginParameter("fx_symbol", type: "string", default: "\"KRW-USDT\"", meaning: "the FX book on the KRW venue"),
        PluginParameter("band", type: "ratio", default: "\"0.004\"", range: "> 0", meaning: "premium above its average that triggers a pair"),
        PluginParameter("order_notional", type: "amount", default: "\"500\"", range: "> 0", meaning: "USDT per pair"),
    ]

    /// Everything is resolved here, once: the strategy holds plain instruments.
    static func make(parameters p: PremiumReversionParameters, universe u: Universe) throws -> any Strategy {
        func fail(_ key: String, _ why: String) -> PluginConfigurationError { PluginConfigurationError(plugin: id, setting: key, message: why) }
        guard p.band.raw > 0 else { throw fail("band", "must be positive, e.g. \"0.004\"") }
        guard p.orderNotional.raw > 0 else { throw fail("order_notional", "must be positive, e.g. \"500\"") }
        guard let krw = u.venueId(p.krwVenue) else { throw fail("krw_venue", "'\(p.krwVenue)' is not enabled") }
        guard let usdt = u.venueId(p.usdtVenue) else { throw fail("usdt_venue", "'\(p.usdtVenue)' is not enabled") }
        guard let a = u.instrument(venue: krw, symbol: p.krwSymbol) else { throw fail("krw_symbol", "not listed on \(p.krwVenue) in this run") }
        guard let b = u.instrument(venue: usdt, symbol: p.usdtSymbol) else { throw fail("usdt_symbol", "not listed on \(p.usdtVenue) in this run") }
        guard let fx = u.instrument(venue: krw, symbol: p.fxSymbol) else { throw fail("fx_symbol", "not listed on \(p.krwVenue) in this run") }
        return PremiumReversion(parameters: p, krw: a, usdt: b, fx: fx)
    }
}

/// The KRW price over the USDT price converted at the FX mid is the premium. It keeps
/// an average of it; when the premium is `band` above the average it sells BTC on the
/// KRW venue and buys it on the USDT venue, both legs IOC, both or neither.
final class PremiumReversion: Strategy {
    let name = PremiumReversionPlugin.id
    let parameters: PremiumReversionParameters
    let krw: Instrument, usdt: Instrument, fx: Instrument
    var average: Ratio?
    var open: Set<ClientOrderId> = []
    var net: Quantity = .zero  // BTC bought minus sold, both venues
    var pairs: Int64 = 0, lastPremium: Ratio = .zero

    init(parameters: PremiumReversionParameters, krw: Instrument, usdt: Instrument, fx: Instrument) {
        self.parameters = parameters; self.krw = krw; self.usdt = usdt; self.fx = fx
    }

    func start(_ context: StrategyContext) throws {
        for id in [krw.id, usdt.id, fx.id] { context.subscribe(id) }
        context.schedule(after: .seconds(1), token: 0)  // a once-a-second sample of the premium
    }

    func onTimer(_ token: UInt64, _ context: StrategyContext) {
        guard let premium = premium(context) else { return context.schedule(after: .seconds(1), token: 0) }
        let previous = average ?? premium
        average = previous + (premium - previous) * "0.1"
        lastPremium = premium
        context.schedule(after: .seconds(1), token: 0)
    }

    func onBook(_ id: InstrumentId, _ context: StrategyContext) {
        guard open.isEmpty, let average, let premium = premium(context), premium >= average + parameters.band,
              let bid = context.touch(krw.id).bid, let ask = context.touch(usdt.id).ask,
              let btc = parameters.orderNotional.converted(dividingBy: ask.price, .down).asQuantity else { return }
        let quantity = btc.rounded(toMultipleOf: max(krw.lotStep, usdt.lotStep), .down)
        guard quantity.raw > 0 else { return }
        if case .sent(let a, let b) = context.submitPair(
            first: .limit(.sell, on: krw.id, price: bid.price, quantity: quantity, timeInForce: .immediateOrCancel),
            second: .limit(.buy, on: usdt.id, price: ask.price, quantity: quantity, timeInForce: .immediateOrCancel)) {
            open = [a, b]
            pairs += 1
        }
    }

    /// (KRW mid ÷ FX mid) ÷ USDT mid − 1; nil unless every book is fresh and sound.
    func premium(_ context: StrategyContext) -> Ratio? {
        let books = [krw.id, usdt.id, fx.id].map { context.touch($0) }
        guard books.allSatisfy({ !$0.isCrossed && context.now - $0.updatedAt < .seconds(5) }),
              let krwMid = books[0].mid, let usdtMid = books[1].mid, let fxMid = books[2].mid,
              let inUSDT = krwMid / fxMid, let premium = Price(raw: inUSDT.raw) / usdtMid else { return nil }
        return premium - .one
    }

    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {
        if report.kind == .fill { net = report.side == .buy ? net + report.fillQuantity : net - report.fillQuantity }
        if report.isFinal { open.remove(order.id) }
    }

    func stop(_ context: StrategyContext) -> StrategyReport {
        for order in context.openOrders() { context.cancel(order.id) }
        let exposure = net.raw == 0 ? [] : [ExposureLine(venue: "\(parameters.krwVenue)+\(parameters.usdtVenue)", asset: "BTC", quantity: net.asAmount)]
        return StrategyReport(name: name, counters: ["pairs": .count(pairs), "last_premium": .decimal(lastPremium)], openExposure: exposure)
    }
}

@Suite("The guide's example")
struct GuideExampleTests {
    @Test("sells the premium when it jumps above its average, both legs at once")
    func sellsThePremium() throws {
        let s = Scenario(reportingAsset: "USDT")
        let alpha = s.venue("alpha", fees: FeeSchedule(maker: .zero, taker: "0.0005", asset: .quote), latencyMs: 5)
        let beta = s.venue("beta", fees: FeeSchedule(maker: .zero, taker: "0.001", asset: .quote), latencyMs: 5)
        let krwBTC = s.instrument(on: alpha, symbol: "KRW-BTC", base: "BTC", quote: "KRW", tick: "1000", lot: "0.0001")
        let fx = s.instrument(on: alpha, symbol: "KRW-USDT", base: "USDT", quote: "KRW", tick: "0.5", lot: "0.01", isFX: true)
        let btcUSDT = s.instrument(on: beta, symbol: "BTCUSDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.0001")
        s.deposit("1", of: "BTC", on: alpha)
        s.deposit("10000", of: "USDT", on: beta)
        for second in 0..<10 {  // a quiet premium of 0 for ten seconds...
            let ms = Int64(second) * 1_000
            s.book(at: ms, on: fx, bids: [("1399.5", "1000000")], asks: [("1400.5", "1000000")])
            s.book(at: ms, on: krwBTC, bids: [("139990000", "1")], asks: [("140010000", "1")])
            s.book(at: ms, on: btcUSDT, bids: [("99990", "1")], asks: [("100010", "1")])
        }
        // ...then KRW jumps 1 %.
        s.book(at: 10_000, on: krwBTC, bids: [("141400000", "1")], asks: [("141420000", "1")])
        let result = try s.run(PremiumReversionPlugin.self, parameters: PremiumReversionParameters(), until: 12_000)
        #expect(result.orders.count == 2)
        #expect(result.orders[0].intent.side == .sell && result.orders[0].intent.instrument == krwBTC)
        #expect(result.orders[1].intent.side == .buy && result.orders[1].intent.quantity == "0.0049")
        #expect(result.strategyReport.counters["pairs"] == 1 && result.strategyReport.openExposure.isEmpty)
        #expect(result.settlementProblems.isEmpty)
    }

    @Test("it passes the conformance cases")
    func conforms() {
        let findings = StrategyConformance.check(pricesThroughFX: true) { market in
            try PremiumReversionPlugin.make(parameters: PremiumReversionParameters(), universe: market.scenario.universe)
        }
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test("docs/STRATEGIES.md shows this file verbatim")
    func guideShowsThisFile() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let guide = try String(contentsOf: root.appendingPathComponent("docs/STRATEGIES.md"), encoding: .utf8)
        let source = try String(contentsOf: here, encoding: .utf8)
        #expect(guide.contains("```swift\n" + source + "```"), "paste this file into docs/STRATEGIES.md's example block")
    }
}
