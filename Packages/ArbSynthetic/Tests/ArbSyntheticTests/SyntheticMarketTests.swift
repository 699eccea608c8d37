import ArbCore
import Testing
@testable import ArbSynthetic

/// Two venues (one priced through FX with a banded tick table), three symbols and an FX book.
func makeConfig(seed: UInt64) -> (SyntheticMarketConfig, Universe) {
    var u = Universe()
    let a = u.addVenue("fxvenue"), b = u.addVenue("plain")
    let banded = TickTable(bands: [.init(minPrice: Price("0")!, tick: Price("0.01")!), .init(minPrice: Price("100")!, tick: Price("1")!),
                                   .init(minPrice: Price("100000")!, tick: Price("100")!), .init(minPrice: Price("1000000")!, tick: Price("1000")!)])!
    func spec(_ base: String, _ quote: String, _ tick: TickRule, _ lot: String) -> InstrumentSpec {
        InstrumentSpec(symbol: "\(base)\(quote)", baseCode: base, quoteCode: quote, tickRule: tick, lotStep: Quantity(lot)!,
                       minQuantity: Quantity(lot)!, maxQuantity: Quantity(units: 1_000_000_000), minNotional: Amount(units: 1), maxNotional: nil,
                       priceDecimals: 8, quantityDecimals: 8)
    }
    let symbols: [(String, String)] = [("BTC", "95000"), ("ETH", "3300"), ("XRP", "2.3")]
    var listingsA: [SyntheticMarketConfig.Listing] = [], listingsB: [SyntheticMarketConfig.Listing] = []
    for (i, (base, _)) in symbols.enumerated() {
        let ia = u.addInstrument(spec(base, "KRW", .banded(banded), "0.00000001"), on: a)
        let ib = u.addInstrument(spec(base, "USDT", .fixed(Price("0.0001")!), "0.001"), on: b)
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
