import ArbCore
import Testing
@testable import ArbPaper

@Suite("Simulated exchange")
struct SimulatedExchangeTests {
    @Test("liquidity we took stays taken: a level of 10 fed unchanged for 10 s gives 10 in all to an IOC every 100 ms")
    func consumedLiquidityStaysConsumed() {
        var f = Fixture()
        var total = Quantity.zero
        for step in 0..<100 {
            f.feed(.ask, "100.5", "10", atMs: Int64(step) * 100)   // the feed keeps showing the full level
            let id = f.send(.limit(.buy, on: f.id, price: Price("100.5"), quantity: Quantity("10"), timeInForce: .immediateOrCancel))
            total += f.filled(id)
        }
        #expect(total == Quantity("10"))
        #expect(f.book.quantityAt(.ask, price: Price("100.5")) == .zero)
    }

    @Test("the taken liquidity is forgotten once the feed shows the level at or below what was left")
    func feedCatchesUp() {
        var f = Fixture()
        f.feed(.ask, "100.5", "10")
        f.send(.limit(.buy, on: f.id, price: Price("100.5"), quantity: Quantity("4"), timeInForce: .immediateOrCancel))
        #expect(f.book.quantityAt(.ask, price: Price("100.5")) == Quantity("6"))
        f.feed(.ask, "100.5", "12")
        #expect(f.book.quantityAt(.ask, price: Price("100.5")) == Quantity("8"), "2 more joined; our 4 are still gone")
        f.feed(.ask, "100.5", "5")
        #expect(f.book.quantityAt(.ask, price: Price("100.5")) == Quantity("5"), "the feed caught up (5 ≤ 6 left)")
        f.feed(.ask, "100.5", "9")
        #expect(f.book.quantityAt(.ask, price: Price("100.5")) == Quantity("9"), "nothing of ours is subtracted any more")
    }

    @Test("a level the feed removes and brings back starts afresh")
    func removedLevelForgets() {
        var f = Fixture()
        f.feed(.ask, "100.5", "10")
        f.send(.limit(.buy, on: f.id, price: Price("100.5"), quantity: Quantity("10"), timeInForce: .immediateOrCancel))
        f.feed(.ask, "100.5", "10")
        #expect(f.book.quantityAt(.ask, price: Price("100.5")) == .zero)
        f.feed(.ask, "100.5", "0")
        f.feed(.ask, "100.5", "3")
        #expect(f.book.quantityAt(.ask, price: Price("100.5")) == Quantity("3"))
    }

    @Test("the linear replenishment model restores taken liquidity over its span")
    func linearRefill() {
        var f = Fixture(replenishment: .linear(.milliseconds(1_000)))
        f.feed(.ask, "100.5", "10", atMs: 0)
        f.send(.limit(.buy, on: f.id, price: Price("100.5"), quantity: Quantity("10"), timeInForce: .immediateOrCancel))
        f.feed(.ask, "100.5", "10", atMs: 250)
        #expect(f.book.quantityAt(.ask, price: Price("100.5")) == Quantity("2.5"), "a quarter back after a quarter of the span")
        f.feed(.ask, "100.5", "10", atMs: 1_000)
        #expect(f.book.quantityAt(.ask, price: Price("100.5")) == Quantity("10"))
        #expect(ReplenishmentModel.linear(.zero).problem != nil)
    }

    @Test("what the exchange shows reaches the client a feed latency later, in order, with our consumption in it")
    func feedLatencyAndPublishing() throws {
        var universe = Universe()
        let v = universe.addVenue("plain")
        let id = universe.addInstrument(Fixture.spec, on: v)
        let exchange = SimulatedExchange(universe: universe, feedLatency: [.fixed(.milliseconds(30))])
        let venue = PaperVenue(venue: v, rules: PlainRules(), exchange: exchange, latency: .fixed(outbound: .milliseconds(5), inbound: .zero))
        venue.deposit(universe.assetId("USDT")!, Amount(units: 10_000))
        exchange.exchangeReceives(.bookDelta(BookDelta(instrument: id, side: .ask, price: Price("100"), quantity: Quantity("2"),
                                                       exchangeTime: .milliseconds(10), receivedAt: .milliseconds(10))), at: .milliseconds(10))
        #expect(exchange.nextDueTime == .milliseconds(40))
        let order = Order(id: ClientOrderId(1), strategy: StrategyId(0), venue: v, intent: .limit(.buy, on: id, price: Price("100"), quantity: Quantity("0.5"), timeInForce: .immediateOrCancel), submittedAt: .milliseconds(12))
        venue.send(.submit(order), at: .milliseconds(12))
        var delivered: [(Timestamp, MarketEvent)] = []
        while let t = exchange.nextDueTime {
            if let event = exchange.performNext() { delivered.append((t, event)) }
        }
        #expect(delivered.map(\.0) == [.milliseconds(40), .milliseconds(47)], "the order matched at 17 ms; its effect is published then")
        guard case .bookDelta(let published) = delivered[1].1 else { Issue.record("expected a level update"); return }
        #expect(published.quantity == Quantity("1.5") && published.exchangeTime == .milliseconds(17) && published.receivedAt == .milliseconds(47))
    }

    @Test("a feed link never lets a message overtake an earlier one, whatever the latency draws")
    func feedIsFIFO() {
        var link = FeedLink(latency: LatencySampler(.lognormal(p50: .milliseconds(5), p99: .milliseconds(200)), seed: 9), capacity: 1 << 16)
        var last = Timestamp.zero
        for i in 0..<10_000 {
            let t = link.deliveryTime(publishedAt: .milliseconds(Int64(i)))
            #expect(t >= last)
            last = t
        }
    }

    @Test("a full feed link drops and counts, never grows without bound")
    func feedLinkIsBounded() {
        var link = FeedLink(latency: LatencySampler(.zero, seed: 1), capacity: 16)
        let event = MarketEvent.status(FeedStatus(kind: .reconnect, instrument: InstrumentId(0), receivedAt: .zero))
        for _ in 0..<20 { link.push(event, deliverAt: .zero) }
        #expect(link.count == 16 && link.dropped == 4)
        _ = link.pop()
        link.push(event, deliverAt: .zero)
        #expect(link.count == 16 && link.dropped == 4)
    }
}

extension Fixture {
    static let spec = InstrumentSpec(symbol: "BTCUSDT", baseCode: "BTC", quoteCode: "USDT", tickRule: .fixed(Price("0.01")),
                                     lotStep: Quantity("0.001"), minQuantity: Quantity("0.001"), maxQuantity: Quantity(units: 100),
                                     minNotional: Amount(units: 5), maxNotional: nil, priceDecimals: 8, quantityDecimals: 8)
}

@Suite("Competition")
struct CompetitionTests {
    /// Two venues listing BTC in USDT; B's bid is 1 % above A's ask.
    struct Market {
        var universe = Universe()
        let a: InstrumentId, b: InstrumentId
        let exchange: SimulatedExchange
        let venueA: PaperVenue<PlainRules>
        init(competition: CompetitionModel?) {
            let va = universe.addVenue("a"), vb = universe.addVenue("b")
            a = universe.addInstrument(Fixture.spec, on: va)
            b = universe.addInstrument(Fixture.spec, on: vb)
            exchange = SimulatedExchange(universe: universe, feedLatency: [.zero, .zero], competition: competition, seed: 3)
            venueA = PaperVenue(venue: va, rules: PlainRules(), exchange: exchange, latency: .fixed(outbound: .milliseconds(50), inbound: .zero))
            venueA.keepsReportLog = true
            _ = PaperVenue(venue: vb, rules: PlainRules(), exchange: exchange, latency: .zero)
            venueA.deposit(universe.assetId("USDT")!, Amount(units: 100_000))
            feed(a, bids: [("99", "5")], asks: [("100", "2"), ("100.5", "3")])
            feed(b, bids: [("101", "4"), ("100.8", "1")], asks: [("102", "5")])
        }
        func feed(_ id: InstrumentId, bids: [(String, String)], asks: [(String, String)]) {
            let level = { (p: (String, String)) in BookLevel(price: Price(p.0)!, quantity: Quantity(p.1)!) }
            exchange.exchangeReceives(.bookSnapshot(BookSnapshot(instrument: id, bids: bids.map(level), asks: asks.map(level),
                                                                 exchangeTime: .zero, receivedAt: .zero)), at: .zero)
        }
        func drain() { while exchange.nextDueTime != nil { _ = exchange.performNext() } }
    }

    @Test("a dislocation beyond the edge is taken by someone else after the delay, level by level")
    func competitorTakes() {
        let m = Market(competition: CompetitionModel(edgePpm: 2_500, delay: .fixed(.milliseconds(20))))
        m.drain()
        // Asks 100 (2) and 100.5 (3) against bids 101 (4) and 100.8 (1): 100.5 × 1.0025 = 100.75 < 100.8.
        #expect(m.exchange.exchangeBook(m.a).bestAsk == nil, "all 5 on A's asks were dislocated")
        #expect(m.exchange.exchangeBook(m.b).bestBid == nil, "and taken against B's 5 on the bids")
        #expect(m.exchange.statistics.competitorTakes == 1)
    }

    @Test("our order that arrives after a competitor took the liquidity is counted")
    func lateOrdersCounted() {
        let m = Market(competition: CompetitionModel(edgePpm: 2_500, delay: .fixed(.milliseconds(20))))
        let order = Order(id: ClientOrderId(1), strategy: StrategyId(0), venue: VenueId(0),
                          intent: .limit(.buy, on: m.a, price: Price("100"), quantity: Quantity("1"), timeInForce: .immediateOrCancel), submittedAt: .zero)
        m.venueA.send(.submit(order), at: .zero)   // arrives at 50 ms; the competitor acted at 20 ms
        m.drain()
        #expect(m.venueA.reportLog.map(\.kind) == [.accepted, .expired])
        #expect(m.exchange.statistics.ordersShortOnArrival == 1 && m.exchange.statistics.ordersBeatenByCompetitor == 1)
    }

    @Test("without competition the dislocation waits; a narrow one is left alone")
    func noCompetition() {
        let off = Market(competition: nil)
        off.drain()
        #expect(off.exchange.exchangeBook(off.a).bestAsk?.quantity == Quantity("2"))
        let wide = Market(competition: CompetitionModel(edgePpm: 20_000, delay: .fixed(.milliseconds(20))))
        wide.drain()
        #expect(wide.exchange.statistics.competitorTakes == 0)
    }

    @Test("quotes in different currencies are compared through the FX book's mid")
    func throughFX() {
        var universe = Universe()
        let va = universe.addVenue("krw"), vb = universe.addVenue("usdt")
        let krwSpec = InstrumentSpec(symbol: "KRW-BTC", baseCode: "BTC", quoteCode: "KRW", tickRule: .fixed(Price("1")),
                                     lotStep: Quantity("0.001"), minQuantity: Quantity("0.001"), maxQuantity: Quantity(units: 100),
                                     minNotional: Amount(units: 5), maxNotional: nil, priceDecimals: 8, quantityDecimals: 8)
        let fxSpec = InstrumentSpec(symbol: "KRW-USDT", baseCode: "USDT", quoteCode: "KRW", tickRule: .fixed(Price("1")),
                                    lotStep: Quantity("0.001"), minQuantity: Quantity("0.001"), maxQuantity: Quantity(units: 100_000),
                                    minNotional: Amount(units: 5), maxNotional: nil, priceDecimals: 8, quantityDecimals: 8)
        let krw = universe.addInstrument(krwSpec, on: va)
        let fx = universe.addInstrument(fxSpec, on: va)
        let usd = universe.addInstrument(Fixture.spec, on: vb)
        let exchange = SimulatedExchange(universe: universe, feedLatency: [.zero, .zero],
                                         competition: CompetitionModel(edgePpm: 2_500, delay: .fixed(.milliseconds(1))))
        _ = PaperVenue(venue: va, rules: PlainRules(), exchange: exchange, latency: .zero)
        _ = PaperVenue(venue: vb, rules: PlainRules(), exchange: exchange, latency: .zero)
        func feed(_ id: InstrumentId, _ bid: String, _ ask: String) {
            exchange.exchangeReceives(.bookSnapshot(BookSnapshot(instrument: id, bids: [BookLevel(price: Price(bid)!, quantity: Quantity("1"))],
                                                                 asks: [BookLevel(price: Price(ask)!, quantity: Quantity("1"))],
                                                                 exchangeTime: .zero, receivedAt: .zero)), at: .zero)
        }
        feed(fx, "1399", "1401")            // mid 1400 KRW per USDT
        feed(usd, "99.9", "100")            // 100 USDT = 140,000 KRW
        feed(krw, "140200", "140300")       // bid only 0.14 % above: within the edge
        while exchange.nextDueTime != nil { _ = exchange.performNext() }
        #expect(exchange.statistics.competitorTakes == 0)
        feed(krw, "141000", "141100")       // 0.71 % above: taken
        while exchange.nextDueTime != nil { _ = exchange.performNext() }
        #expect(exchange.statistics.competitorTakes == 1)
        #expect(exchange.exchangeBook(krw).bestBid == nil && exchange.exchangeBook(usd).bestAsk == nil)
    }
}

@Suite("Competition: hostile prices")
struct CompetitionHostileTests {
    static let cases: [(Int64, Int64, Int64)] = [
        (.max, .max, .max), (1, .max, .max), (.max, 1, 1), (-5, 100, 1_000_000_000), (100, 100, 0),
    ]

    @Test("extreme or non-positive prices and FX rates never trap the dislocation check", arguments: 0..<5)
    func extremes(index: Int) {
        let (ask, bid, fx) = Self.cases[index]
        let m = CompetitionTests.Market(competition: CompetitionModel(edgePpm: 1_000_000, delay: .zero))
        let pair = Competition.Pair(a: m.a, b: m.b, fx: nil, multiply: true)
        for direction in 0..<2 {
            _ = m.exchange.isDislocated(pair, direction: direction, askPrice: Price(raw: ask), bidPrice: Price(raw: bid),
                                        rate: (Int128(fx), Int128(1_000_000_000)), edgePpm: 1_000_000)
        }
        #expect(m.exchange.isDislocated(pair, direction: 0, askPrice: Price(raw: 100), bidPrice: Price(raw: 1_000),
                                        rate: (1, 1), edgePpm: 2_500))
    }
}
