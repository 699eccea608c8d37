import ArbCore
import Testing
@testable import ArbSynthetic

/// Two venues (one priced through FX with a banded tick table), three symbols and an FX book.
func makeConfig(seed: UInt64) -> (SyntheticMarketConfig, Universe) {
    var u = Universe()
    let a = u.addVenue("fxvenue"), b = u.addVenue("plain")
    let banded = TickTable(bands: [.init(minPrice: Price("0"), tick: Price("0.01")), .init(minPrice: Price("100"), tick: Price("1")),
                                   .init(minPrice: Price("100000"), tick: Price("100")), .init(minPrice: Price("1000000"), tick: Price("1000"))])!
    func spec(_ base: String, _ quote: String, _ tick: TickRule, _ lot: String) -> InstrumentSpec {
        InstrumentSpec(symbol: "\(base)\(quote)", baseCode: base, quoteCode: quote, tickRule: tick, lotStep: Quantity(lot)!,
                       minQuantity: Quantity(lot)!, maxQuantity: Quantity(units: 1_000_000_000), minNotional: Amount(units: 1), maxNotional: nil,
                       priceDecimals: 8, quantityDecimals: 8)
    }
    let symbols: [(String, String)] = [("BTC", "95000"), ("ETH", "3300"), ("XRP", "2.3")]
    var listingsA: [SyntheticMarketConfig.Listing] = [], listingsB: [SyntheticMarketConfig.Listing] = []
    for (i, (base, _)) in symbols.enumerated() {
        let ia = u.addInstrument(spec(base, "KRW", .banded(banded), "0.00000001"), on: a)
        let ib = u.addInstrument(spec(base, "USDT", .fixed(Price("0.0001")), "0.001"), on: b)
        listingsA.append(.init(symbol: i, instrument: u[ia]))
        listingsB.append(.init(symbol: i, instrument: u[ib]))
    }
    let fx = u.addInstrument(spec("USDT", "KRW", .banded(banded), "0.00000001"), on: a)
    let config = SyntheticMarketConfig(seed: seed, symbols: symbols.map { .init(base: $0.0, referencePrice: Price($0.1)!) },
                                       venues: [.init(listings: listingsA, pricedThroughFX: true), .init(listings: listingsB, pricedThroughFX: false)],
                                       fxInstrument: u[fx], fxRate: Price(units: 1400))
    return (config, u)
}

@Suite("Synthetic market")
struct SyntheticMarketTests {
    @Test("same seed, same events; another seed, other events")
    func deterministic() {
        let (config, _) = makeConfig(seed: 9)
        var a = SyntheticMarket(config: config, startTime: .zero), b = SyntheticMarket(config: config, startTime: .zero)
        var other = SyntheticMarket(config: makeConfig(seed: 10).0, startTime: .zero)
        var same = true, differs = false
        for _ in 0..<20_000 {
            let x = a.next()!, y = b.next()!, z = other.next()!
            if String(describing: x) != String(describing: y) { same = false }
            if String(describing: x) != String(describing: z) { differs = true }
        }
        #expect(same && differs)
    }

    @Test("books are valid on every venue's grid, never crossed after a message, time never goes back")
    func validBooks() {
        let (config, u) = makeConfig(seed: 3)
        var market = SyntheticMarket(config: config, startTime: .zero)
        var books = Array(repeating: OrderBook(), count: u.instruments.count)
        var last = Timestamp.zero
        var trades = 0, deltas = 0, offGrid = 0, crossed = 0
        for _ in 0..<200_000 {
            let event = market.next()!
            #expect(event.receivedAt >= last)
            last = event.receivedAt
            let i = event.instrument.index
            switch event {
            case .bookSnapshot(let s): books[i].replace(bids: s.bids, asks: s.asks)
            case .bookDelta(let d):
                deltas += 1
                if !u.instruments[i].tickRule.isValid(d.price) { offGrid += 1 }
                books[i].apply(d.side, price: d.price, quantity: d.quantity)
                if d.endOfMessage && books[i].isCrossed { crossed += 1 }
            case .trade: trades += 1
            case .status: break
            }
        }
        #expect(offGrid == 0)
        #expect(crossed == 0)
        #expect(trades > 1_000 && deltas > 100_000, "trades \(trades), deltas \(deltas)")
        #expect(books.allSatisfy { !$0.isEmpty })
    }

    @Test("the FX venue's prices follow the FX rate times the reference price")
    func fxConversion() {
        let (config, u) = makeConfig(seed: 5)
        var market = SyntheticMarket(config: config, startTime: .zero)
        var books = Array(repeating: OrderBook(), count: u.instruments.count)
        for _ in 0..<50_000 {
            switch market.next()! {
            case .bookSnapshot(let s): books[s.instrument.index].replace(bids: s.bids, asks: s.asks)
            case .bookDelta(let d): books[d.instrument.index].apply(d.side, price: d.price, quantity: d.quantity)
            case .trade, .status: break
            }
        }
        // BTC in KRW / FX ≈ BTC in USDT, within a few percent (premium, noise, drift).
        let krw = books[0].mid!, usdt = books[1].mid!, fx = books[6].mid!
        let implied = Amount(raw: Int128(krw.raw)).converted(dividingBy: fx, .down)
        let ratio = implied.raw * 1_000 / Int128(usdt.raw)
        #expect(ratio > 950 && ratio < 1_050, "implied/actual = \(ratio)‰")
    }
}

@Suite("Synthetic market: calibration")
struct SyntheticCalibrationTests {
    /// The premium of symbol 0, sampled every `every` of event time for `span`.
    func premiumPath(span: Duration, every: Duration, config: SyntheticMarketConfig) -> [Double] {
        var market = SyntheticMarket(config: config, startTime: .zero)
        var samples: [Double] = []
        var next = Timestamp.zero + every
        let end = Timestamp.zero + span
        while let event = market.next(), event.receivedAt < end {
            if event.receivedAt >= next {
                samples.append(Double(market.premiumPpb[0]) / 1_000)
                next = next + every
            }
        }
        return samples
    }

    @Test("the premium wanders over minutes: little change in seconds, its configured spread over hours")
    func premiumTimescale() {
        var (config, _) = makeConfig(seed: 21)
        config.meanEventGapNs = 10_000_000   // 100 events/s keeps the test quick
        let path = premiumPath(span: .seconds(3 * 3_600), every: .seconds(1), config: config)
        #expect(path.count > 10_000)
        let mean = path.reduce(0, +) / Double(path.count)
        let sd = (path.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(path.count)).squareRoot()
        #expect(abs(sd - Double(config.premiumSdPpm)) < 0.35 * Double(config.premiumSdPpm), "stationary sd \(sd) ppm")
        // Over 10 s the premium moves by about sd·√(2·10/τ) ≈ 0.2 sd; over a half-life by ~0.8 sd.
        let tenSeconds = zip(path, path.dropFirst(10)).map { abs($1 - $0) }
        let typical10s = tenSeconds.reduce(0, +) / Double(tenSeconds.count)
        #expect(typical10s < 0.3 * Double(config.premiumSdPpm), "mean |Δ10s| \(typical10s) ppm")
        let halfLife = Int(config.premiumHalfLifeMs / 1_000)
        let slow = zip(path, path.dropFirst(halfLife)).map { abs($1 - $0) }
        #expect(slow.reduce(0, +) / Double(slow.count) > 2 * typical10s)
    }

    @Test("liquidity classes: BTC quotes tighter and deeper than the defaults")
    func profiles() {
        let btc = SyntheticMarketConfig.Symbol(base: "BTC", referencePrice: Price(units: 95_000))
        let other = SyntheticMarketConfig.Symbol(base: "PEPE", referencePrice: Price("0.00001"))
        #expect(btc.halfSpreadPpm! < 150 && btc.levelNotional! > Amount(units: 2_000))
        #expect(other.halfSpreadPpm == nil && other.levelNotional == nil)
    }
}

@Suite("Synthetic cross markets")
struct SyntheticCrossMarketTests {
    /// A plain venue with ETH and BTC in USDT and ETH in BTC; the FX venue with the same
    /// in KRW, ETH in BTC and BTC in USDT.
    func crossConfig() -> (SyntheticMarketConfig, Universe) {
        var u = Universe()
        let fxVenue = u.addVenue("fxvenue"), plain = u.addVenue("plain")
        func spec(_ base: String, _ quote: String, _ tick: String) -> InstrumentSpec {
            InstrumentSpec(symbol: "\(base)\(quote)", baseCode: base, quoteCode: quote, tickRule: .fixed(Price(tick)!), lotStep: Quantity("0.00000001"),
                           minQuantity: Quantity("0.00000001"), maxQuantity: Quantity(units: 1_000_000_000), minNotional: Amount(raw: 1), maxNotional: nil,
                           priceDecimals: 8, quantityDecimals: 8)
        }
        var a: [SyntheticMarketConfig.Listing] = [], b: [SyntheticMarketConfig.Listing] = []
        func add(_ spec: InstrumentSpec, _ venue: VenueId) -> Instrument { let id = u.addInstrument(spec, on: venue); return u[id] }
        for (i, base) in ["BTC", "ETH"].enumerated() {
            a.append(.init(symbol: i, instrument: add(spec(base, "KRW", "1"), fxVenue)))
            b.append(.init(symbol: i, instrument: add(spec(base, "USDT", "0.01"), plain)))
        }
        b.append(.init(symbol: 1, instrument: add(spec("ETH", "BTC", "0.00001"), plain), quote: .symbol(0)))
        a.append(.init(symbol: 1, instrument: add(spec("ETH", "BTC", "0.00000001"), fxVenue), quote: .symbol(0)))
        a.append(.init(symbol: 0, instrument: add(spec("BTC", "USDT", "0.001"), fxVenue), quote: .reference))
        let fx = u.addInstrument(spec("USDT", "KRW", "1"), on: fxVenue)
        var config = SyntheticMarketConfig(seed: 5, symbols: [.init(base: "BTC", referencePrice: Price("95000")), .init(base: "ETH", referencePrice: Price("3300"))],
                                           venues: [.init(listings: a, pricedThroughFX: true), .init(listings: b, pricedThroughFX: false)],
                                           fxInstrument: u[fx], fxRate: Price(units: 1400))
        config.premiumSdPpm = 5_000  // a large premium, so a cross book ignoring it would show
        return (config, u)
    }

    @Test("a cross book's mid agrees with the two books it closes a triangle with, on both venues")
    func crossBooksAgree() throws {
        let (config, u) = crossConfig()
        var market = SyntheticMarket(config: config, startTime: .zero)
        var books = Array(repeating: OrderBook(), count: u.instruments.count)
        func mid(_ symbol: String, _ venue: String) -> Int128 {
            let i = u.instrument(venue: u.venueId(venue)!, symbol: symbol)!
            return Int128(books[i.id.index].mid!.raw)
        }
        var checked = 0, worstPpm: Int128 = 0
        for n in 0..<300_000 {
            switch market.next()! {
            case .bookSnapshot(let s): books[s.instrument.index].replace(bids: s.bids, asks: s.asks)
            case .bookDelta(let d): books[d.instrument.index].apply(d.side, price: d.price, quantity: d.quantity)
                // Mid-message a side can be empty (a jump clears every level); look between messages.
                guard d.endOfMessage else { continue }
            default: break
            }
            guard n >= (checked + 1) * 1_000 else { continue }
            let unit = Int128(FixedDecimal.unit)
            // ETH/BTC against ETHUSDT ÷ BTCUSDT on the plain venue, and ETHKRW ÷ BTCKRW on the FX venue;
            // BTC/USDT on the FX venue against BTCKRW ÷ USDTKRW.
            let pairs: [(Int128, Int128)] = [
                (mid("ETHBTC", "plain"), mid("ETHUSDT", "plain") * unit / mid("BTCUSDT", "plain")),
                (mid("ETHBTC", "fxvenue"), mid("ETHKRW", "fxvenue") * unit / mid("BTCKRW", "fxvenue")),
                (mid("BTCUSDT", "fxvenue"), mid("BTCKRW", "fxvenue") * unit / mid("USDTKRW", "fxvenue")),
            ]
            for (cross, implied) in pairs {
                worstPpm = max(worstPpm, abs(cross - implied) * 1_000_000 / implied)
            }
            checked += 1
        }
        #expect(checked >= 290)
        // Within the venues' noise, spreads and ticks (a few hundred ppm), far inside the 5,000 ppm premium.
        #expect(worstPpm < 1_500, "worst gap \(worstPpm) ppm")
    }
}
