import ArbCore
import Testing
@testable import ArbRoute

/// Books held in an array, by instrument index.
struct ArrayBooks: RouteBooks {
    var books: [OrderBook]
    func withBook<R>(_ instrument: InstrumentId, _ body: (borrowing OrderBook) -> R) -> R { body(books[instrument.index]) }
    func touch(_ instrument: InstrumentId) -> Touch { Touch(books[instrument.index]) }
    mutating func set(_ id: InstrumentId, bid: (String, String), ask: (String, String), at time: Timestamp) {
        books[id.index].replace(bids: [BookLevel(price: Price(bid.0)!, quantity: Quantity(bid.1)!)],
                                asks: [BookLevel(price: Price(ask.0)!, quantity: Quantity(ask.1)!)])
        books[id.index].updatedAt = time
    }
}

/// One venue with BTCUSDT, ETHUSDT and ETHBTC, and their routes.
struct Triangle {
    var universe = Universe()
    var btc = InstrumentId(0), eth = InstrumentId(0), ethBtc = InstrumentId(0)
    var books: ArrayBooks
    var routes: [Route]
    init() {
        let v = universe.addVenue("binance")
        func spec(_ b: String, _ q: String) -> InstrumentSpec {
            InstrumentSpec(symbol: b + q, baseCode: b, quoteCode: q, tickRule: .fixed(Price("0.00000001")), lotStep: Quantity("0.0001"),
                           minQuantity: Quantity("0.0001"), maxQuantity: Quantity(units: 1_000_000), minNotional: Amount(raw: 1), maxNotional: nil,
                           priceDecimals: 8, quantityDecimals: 8)
        }
        btc = universe.addInstrument(spec("BTC", "USDT"), on: v)
        eth = universe.addInstrument(spec("ETH", "USDT"), on: v)
        ethBtc = universe.addInstrument(spec("ETH", "BTC"), on: v)
        books = ArrayBooks(books: Array(repeating: OrderBook(), count: 3))
        routes = RouteEnumerator.routes(in: universe)
        // A consistent market: ETH/BTC = 3300 / 100000 = 0.033.
        set(at: .zero)
    }
    mutating func set(at t: Timestamp, ethBtcBid: String = "0.03299", ethBtcAsk: String = "0.03301") {
        books.set(btc, bid: ("99999", "10"), ask: ("100000", "10"), at: t)
        books.set(eth, bid: ("3299", "1000"), ask: ("3301", "1000"), at: t)
        books.set(ethBtc, bid: (ethBtcBid, "1000"), ask: (ethBtcAsk, "1000"), at: t)
    }
    func index(_ id: String) -> Int { routes.firstIndex { $0.id == id }! }
}

@Suite("Route quotes and health")
struct RouteHealthTests {
    let fees = [Ratio("0.001"), Ratio("0.001"), Ratio("0.001")]

    @Test("a triangle is quoted by walking every leg with its taker fee: a dislocated ETH/BTC ask shows as the edge it is")
    func triangularQuote() throws {
        var t = Triangle()
        let quoter = RouteQuoter(takerFees: fees)
        let route = t.routes[t.index("triangular:binance:USDT>BTC>ETH>USDT")]
        // Consistent books: fees and spreads lose money.
        let flat = quoter.quote(route, amount: 1_000 * 1_000_000_000, books: t.books, now: .zero)
        #expect(flat.edgePpm < -3_000 && flat.executable == flat.input)
        // ETH/BTC offered at 0.0325: 1000 USDT → 0.01 BTC (−0.1 %) → 0.30769… ETH (−0.1 %) → × 3299 (−0.1 %).
        t.set(at: .zero, ethBtcBid: "0.0324", ethBtcAsk: "0.0325")
        let q = quoter.quote(route, amount: 1_000 * 1_000_000_000, books: t.books, now: .zero)
        let btc = 0.01 * 0.999, eth = btc / 0.0325 * 0.999, usdt = eth * 3299 * 0.999
        #expect(abs(Double(q.edgePpm) - (usdt / 1000 - 1) * 1e6) < 2)
        #expect(q.edgePpm > 10_000)
    }

    @Test("executable size is the share of the size every leg's book can carry; an empty or crossed book leaves the route unpriced")
    func executableAndUnpriced() {
        var t = Triangle()
        let quoter = RouteQuoter(takerFees: fees)
        let route = t.routes[t.index("triangular:binance:USDT>BTC>ETH>USDT")]
        // 10 BTC on the ask is 1,000,000 USDT; ask for 2,000,000.
        let q = quoter.quote(route, amount: 2_000_000 * 1_000_000_000, books: t.books, now: .zero)
        #expect(q.executable == q.input / 2)
        t.books.set(t.ethBtc, bid: ("0.034", "1"), ask: ("0.033", "1"), at: .zero)
        #expect(!quoter.quote(route, amount: 1_000_000_000, books: t.books, now: .zero).isPriced)
        t.books.books[t.eth.index].clear()
        #expect(!quoter.quote(route, amount: 1_000_000_000, books: t.books, now: .zero).isPriced)
    }

    @Test("the score: a losing edge is itself, a stale route unusable, and each factor scales a winning edge down")
    func scoreFormula() {
        let config = RouteHealthConfig()
        var h = RouteHealth()
        h.edgePpm = -500; h.feedAgeNs = 0; h.executablePpm = 1_000_000
        h.rescore(config)
        #expect(h.score == -500)
        h.edgePpm = 1_000
        h.rescore(config)
        #expect(h.score == 1_000)
        h.executablePpm = 500_000
        h.rescore(config)
        #expect(h.score == 500)
        // Halfway between fresh (500 ms) and stale (2 s): freshness 1/2.
        h.feedAgeNs = 1_250_000_000
        h.rescore(config)
        #expect(h.score == 250)
        // A 50 ms round trip halves it again; 10 % broken legs take a tenth.
        h.roundTripNs = 50_000_000; h.brokenLegRatePpm = 100_000
        h.rescore(config)
        #expect(h.score == 112)
        h.feedAgeNs = 2_000_000_001
        h.rescore(config)
        #expect(h.score == RouteHealth.unusable)
    }

    @Test("a book update rescores only the routes that read that instrument")
    func incremental() {
        var t = Triangle()
        var u = t.universe
        // A second venue with its own BTCUSDT: cross routes appear, touching only the BTC books.
        let other = u.addVenue("other")
        let spec = InstrumentSpec(symbol: "BTCUSDT", baseCode: "BTC", quoteCode: "USDT", tickRule: .fixed(Price("0.01")), lotStep: Quantity("0.0001"),
                                  minQuantity: Quantity("0.0001"), maxQuantity: Quantity(units: 1_000), minNotional: Amount(raw: 1), maxNotional: nil,
                                  priceDecimals: 8, quantityDecimals: 8)
        let otherBTC = u.addInstrument(spec, on: other)
        t.books.books.append(OrderBook())
        t.books.set(otherBTC, bid: ("100100", "1"), ask: ("100101", "1"), at: .zero)
        let routes = RouteEnumerator.routes(in: u)
        var board = RouteBoard(routes: routes, universe: u, takerFees: fees + [Ratio("0.001")]) { _ in Amount(units: 1_000) }
        for r in routes.indices { board.rescore(r, books: t.books, now: .zero) }
        let before = board.health
        #expect(board.routes(touching: t.ethBtc).count == 4)  // the four triangles
        t.books.set(t.ethBtc, bid: ("0.0324", "100"), ask: ("0.0325", "100"), at: .milliseconds(10))
        #expect(board.bookChanged(t.ethBtc, books: t.books, now: .milliseconds(10)) == 4)
        for r in routes.indices {
            let touches = routes[r].legs.contains { $0.instrument == t.ethBtc }
            #expect((board.health[r] != before[r]) == touches, "\(routes[r].id)")
        }
        // The cross route buying on `binance` and selling on `other` earns ~0.1 % minus fees.
        let cross = routes.firstIndex { $0.id == "cross:BTC/USDT:binance>other" }!
        #expect(board.health[cross].edgePpm > -1_100 && board.health[cross].edgePpm < -900)
    }

    @Test("outcomes over the window set the fill, reject and broken-leg rates; they leave the window in time")
    func outcomeRates() {
        let t = Triangle()
        var board = RouteBoard(routes: t.routes, universe: t.universe, takerFees: fees) { _ in Amount(units: 1_000) }
        var c = OutcomeWindow.Counts()
        c.attempts = 10; c.legsSent = 30; c.legsFilled = 24; c.rejects = 3; c.brokenLegs = 2
        board.recordOutcome(0, c, at: .milliseconds(1_000))
        #expect(board.health[0].fillRatioPpm == 800_000 && board.health[0].rejectRatePpm == 100_000 && board.health[0].brokenLegRatePpm == 200_000)
        board.refreshRates(0, now: .milliseconds(200_000))
        #expect(board.health[0].fillRatioPpm == 800_000)
        board.refreshRates(0, now: .milliseconds(340_000))  // the 300 s window has passed
        #expect(board.health[0].fillRatioPpm == 1_000_000 && board.outcomeCounts(0).attempts == 0)
        // Below `minimumLegs` the rates count as perfect.
        c = OutcomeWindow.Counts(); c.attempts = 1; c.legsSent = 3; c.brokenLegs = 1
        board.recordOutcome(0, c, at: .milliseconds(400_000))
        #expect(board.health[0].brokenLegRatePpm == 0)
    }

    @Test("round trips are a smoothed average per venue, and a slow venue lowers its routes' scores")
    func roundTrips() {
        var t = Triangle()
        t.set(at: .zero, ethBtcBid: "0.0324", ethBtcAsk: "0.0325")
        var board = RouteBoard(routes: t.routes, universe: t.universe, takerFees: fees) { _ in Amount(units: 1_000) }
        let r = t.index("triangular:binance:USDT>BTC>ETH>USDT")
        board.rescore(r, books: t.books, now: .zero)
        let fast = board.health[r].score
        board.recordRoundTrip(venue: VenueId(0), .milliseconds(50))
        board.recordRoundTrip(venue: VenueId(0), .milliseconds(130))
        #expect(board.roundTripNs[0] == 60_000_000)
        board.rescore(r, books: t.books, now: .zero)
        #expect(board.health[r].roundTripNs == 60_000_000 && board.health[r].score < fast / 2)
    }

    @Test("hostile books (prices and sizes near Int64.max, as a damaged recording could carry) are quoted without trapping")
    func hostileBooks() {
        var t = Triangle()
        let huge = Price(raw: .max - 1), small = Price(raw: 1)
        let lot = Quantity(raw: .max)
        for id in [t.btc, t.eth, t.ethBtc] {
            t.books.books[id.index].replace(bids: [BookLevel(price: huge, quantity: lot), BookLevel(price: Price(raw: .max / 2), quantity: lot)],
                                            asks: [BookLevel(price: Price(raw: .max), quantity: lot)])
        }
        let quoter = RouteQuoter(takerFees: fees)
        for route in t.routes {
            _ = quoter.quote(route, amount: Int128(Int64.max) * 1_000, books: t.books, now: .zero)
        }
        for id in [t.btc, t.eth, t.ethBtc] {
            t.books.books[id.index].replace(bids: [BookLevel(price: small, quantity: lot)], asks: [BookLevel(price: Price(raw: 2), quantity: lot)])
        }
        for route in t.routes { _ = quoter.quote(route, amount: 1_000_000_000, books: t.books, now: .zero) }
        #expect(OpportunityRecord.chainEdgePpm(prices: [(.sell, huge, .zero), (.sell, huge, .zero), (.sell, huge, .zero)]) == nil)
        #expect(OpportunityRecord.chainEdgePpm(prices: [(.buy, "100", "0.001"), (.sell, "101", "0.001")]) == 7_981)  // 1.01 × 0.999² − 1
    }
}
