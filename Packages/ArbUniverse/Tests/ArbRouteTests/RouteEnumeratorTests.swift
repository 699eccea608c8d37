import ArbCore
import ArbRoute
import Testing

/// Upbit-like (KRW, with a BTC market and KRW-USDT), Binance-like (USDT, with BTC
/// crosses) and a second KRW venue.
struct ThreeVenues {
    var universe = Universe()
    var fx: InstrumentId

    static func spec(_ symbol: String, _ base: String, _ quote: String) -> InstrumentSpec {
        InstrumentSpec(symbol: symbol, baseCode: base, quoteCode: quote, tickRule: .fixed("0.00000001"), lotStep: "0.0001",
                       minQuantity: "0.0001", maxQuantity: "1000000", minNotional: "0.0001", maxNotional: nil,
                       priceDecimals: 8, quantityDecimals: 8)
    }

    init() {
        let upbit = universe.addVenue("upbit"), binance = universe.addVenue("binance"), bithumb = universe.addVenue("bithumb")
        for base in ["BTC", "ETH"] {
            universe.addInstrument(Self.spec("KRW-\(base)", base, "KRW"), on: upbit)
            universe.addInstrument(Self.spec("\(base)USDT", base, "USDT"), on: binance)
            universe.addInstrument(Self.spec("\(base)_KRW", base, "KRW"), on: bithumb)
        }
        universe.addInstrument(Self.spec("ETHBTC", "ETH", "BTC"), on: binance)
        universe.addInstrument(Self.spec("BTC-ETH", "ETH", "BTC"), on: upbit)
        fx = universe.addInstrument(Self.spec("KRW-USDT", "USDT", "KRW"), on: upbit)
    }
}

@Suite("Routes as values")
struct RouteEnumeratorTests {
    @Test("cross, cross_fx and triangular routes, in a stable order, each sound")
    func enumerates() {
        let m = ThreeVenues()
        let routes = RouteEnumerator.routes(in: m.universe, fxInstruments: [m.fx])
        let ids = routes.map(\.id)
        #expect(ids == RouteEnumerator.routes(in: m.universe, fxInstruments: [m.fx]).map(\.id), "deterministic")
        #expect(Set(ids).count == ids.count, "ids are unique")
        for r in routes { #expect(r.problem(in: m.universe) == nil, "\(r.id): \(r.problem(in: m.universe) ?? "")") }
        // upbit and bithumb quote BTC and ETH in KRW; upbit and binance both list ETH/BTC: both directions each.
        #expect(ids.filter { $0.hasPrefix("cross:") } == ["cross:BTC/KRW:bithumb>upbit", "cross:BTC/KRW:upbit>bithumb",
                                                          "cross:ETH/BTC:binance>upbit", "cross:ETH/BTC:upbit>binance",
                                                          "cross:ETH/KRW:bithumb>upbit", "cross:ETH/KRW:upbit>bithumb"])
        // KRW against USDT through KRW-USDT, each KRW venue with binance, both ways, BTC and ETH.
        #expect(ids.filter { $0.hasPrefix("cross_fx:") }.count == 8)
        let fxRoute = routes.first { $0.id == "cross_fx:BTC:upbit(KRW)>binance(USDT)" }
        #expect(fxRoute?.conversion == RouteLeg(venue: VenueId(0), instrument: m.fx, side: .sell), "the USDT proceeds sold for KRW")
        // Binance: USDT, BTC, ETH form a triangle; Upbit: KRW, BTC, ETH (and USDT is not linked to ETH).
        let binance = ids.filter { $0.hasPrefix("triangular:binance:") }
        #expect(binance == ["triangular:binance:BTC>ETH>USDT>BTC", "triangular:binance:BTC>USDT>ETH>BTC",
                            "triangular:binance:USDT>BTC>ETH>USDT", "triangular:binance:USDT>ETH>BTC>USDT"])
        #expect(ids.contains("triangular:upbit:KRW>BTC>ETH>KRW"))
        let usdtLoop = routes.first { $0.id == "triangular:binance:USDT>BTC>ETH>USDT" }!
        #expect(usdtLoop.legs.map(\.side) == [.buy, .buy, .sell], "buy BTC with USDT, buy ETH with BTC, sell ETH for USDT")
    }

    @Test("a triangular route whose legs do not close a cycle, or a cross route on one venue, is refused with why")
    func refusesBrokenRoutes() {
        let m = ThreeVenues()
        let u = m.universe
        let btcUSDT = u.instrument(venue: VenueId(1), symbol: "BTCUSDT")!.id, ethUSDT = u.instrument(venue: VenueId(1), symbol: "ETHUSDT")!.id
        let ethBTC = u.instrument(venue: VenueId(1), symbol: "ETHBTC")!.id
        let open = Route(id: "x", kind: .triangular, legs: [RouteLeg(venue: VenueId(1), instrument: btcUSDT, side: .buy),
                                                            RouteLeg(venue: VenueId(1), instrument: ethBTC, side: .buy),
                                                            RouteLeg(venue: VenueId(1), instrument: ethUSDT, side: .buy)])
        #expect(open.problem(in: u)?.contains("do not chain") == true)
        let unclosed = Route(id: "y", kind: .triangular, legs: [RouteLeg(venue: VenueId(1), instrument: btcUSDT, side: .buy),
                                                                RouteLeg(venue: VenueId(1), instrument: btcUSDT, side: .sell),
                                                                RouteLeg(venue: VenueId(1), instrument: btcUSDT, side: .buy)])
        #expect(unclosed.problem(in: u)?.contains("close the cycle") == true)
        let oneVenue = Route(id: "z", kind: .cross, legs: [RouteLeg(venue: VenueId(1), instrument: btcUSDT, side: .buy),
                                                           RouteLeg(venue: VenueId(1), instrument: btcUSDT, side: .sell)])
        #expect(oneVenue.problem(in: u)?.contains("two venues") == true)
        let wrongVenue = Route(id: "w", kind: .cross, legs: [RouteLeg(venue: VenueId(0), instrument: btcUSDT, side: .buy)])
        #expect(wrongVenue.problem(in: u)?.contains("another venue") == true)
    }

    @Test("no FX book: no cross_fx route")
    func noFXNoCrossFX() {
        let m = ThreeVenues()
        #expect(!RouteEnumerator.routes(in: m.universe).contains { $0.kind == .crossFX })
    }
}
