import ArbCore
import Testing
@testable import ArbPaper

struct PlainRules: VenueRules {
    let name = "plain"
    var fees = FeeSchedule(maker: Ratio("0.0005"), taker: Ratio("0.001"), asset: .quote)
    var postOnly = PostOnlyOutcome.reject(Rejection(reason: .postOnlyWouldTake, venueCode: "WOULD_TAKE", message: "would take"))
    func fees(for instrument: Instrument) -> FeeSchedule { fees }
    func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        checkForm(intent, instrument: instrument) { Rejection(reason: $0, venueCode: $0.rawValue, message: $0.rawValue) }
    }
    func insufficientBalance(side: Side) -> Rejection { Rejection(reason: .insufficientBalance, venueCode: "FUNDS", message: "funds") }
    func postOnlyWouldTake(side: Side) -> PostOnlyOutcome { postOnly }
    func unknownOrder() -> Rejection { Rejection(reason: .unknownOrder, venueCode: "UNKNOWN", message: "unknown") }
}

/// One venue, one instrument (BTC/USDT, tick 0.01, lot 0.001, min notional 5), funded,
/// on a simulated exchange with no latency: what is sent arrives at once.
struct Fixture {
    var universe = Universe()
    let id: InstrumentId
    let exchange: SimulatedExchange
    let venue: PaperVenue<PlainRules>
    var nextId: UInt64 = 0
    var orders: [ClientOrderId: Order] = [:]
    var now = Timestamp.zero
    let usdt: AssetId, btc: AssetId

    init(rules: PlainRules = PlainRules(), replenishment: ReplenishmentModel = .none) {
        let v = universe.addVenue("plain")
        id = universe.addInstrument(InstrumentSpec(symbol: "BTCUSDT", baseCode: "BTC", quoteCode: "USDT", tickRule: .fixed(Price("0.01")),
                                                   lotStep: Quantity("0.001"), minQuantity: Quantity("0.001"), maxQuantity: Quantity(units: 100),
                                                   minNotional: Amount(units: 5), maxNotional: nil, priceDecimals: 8, quantityDecimals: 8), on: v)
        usdt = universe.assetId("USDT")!; btc = universe.assetId("BTC")!
        exchange = SimulatedExchange(universe: universe, feedLatency: [.zero], replenishment: replenishment)
        venue = PaperVenue(venue: v, rules: rules, exchange: exchange, latency: .zero)
        venue.keepsReportLog = true
        venue.deposit(usdt, Amount(units: 100_000))
        venue.deposit(btc, Amount(units: 10))
        exchange.exchangeReceives(.bookSnapshot(BookSnapshot(
            instrument: id, bids: [.init(price: Price("99"), quantity: Quantity("1")), .init(price: Price("98"), quantity: Quantity("2"))],
            asks: [.init(price: Price("101"), quantity: Quantity("1")), .init(price: Price("102"), quantity: Quantity("2"))],
            exchangeTime: .zero, receivedAt: .zero)), at: .zero)
    }

    var book: OrderBook { exchange.exchangeBook(id) }
    var reports: [ExecutionReport] { venue.reportLog }

    /// Lets what is due happen (arrivals; feed messages have no client here).
    func drain() { while exchange.nextDueTime != nil { _ = exchange.performNext() } }

    @discardableResult
    mutating func send(_ intent: OrderIntent) -> ClientOrderId {
        nextId += 1
        let order = Order(id: ClientOrderId(nextId), strategy: StrategyId(0), venue: VenueId(0), intent: intent, submittedAt: now)
        orders[order.id] = order
        venue.send(.submit(order), at: now)
        drain()
        return order.id
    }

    func cancel(_ id: ClientOrderId) {
        venue.send(.cancel(orders[id]!), at: now)
        drain()
    }

    /// The feed sets one level at the exchange (one message).
    mutating func feed(_ side: BookSide, _ price: String, _ quantity: String, atMs ms: Int64? = nil) {
        if let ms { now = .milliseconds(ms) }
        exchange.exchangeReceives(.bookDelta(BookDelta(instrument: id, side: side, price: Price(price)!, quantity: Quantity(quantity)!,
                                                       exchangeTime: now, receivedAt: now)), at: now)
        drain()
    }

    /// A public trade prints at the exchange.
    mutating func trade(_ price: String, _ quantity: String, taker: Side) {
        exchange.exchangeReceives(.trade(Trade(instrument: id, price: Price(price)!, quantity: Quantity(quantity)!, takerSide: taker,
                                               exchangeTime: now, receivedAt: now)), at: now)
        drain()
    }

    func kinds(_ order: ClientOrderId) -> [ExecutionReport.Kind] { reports.filter { $0.orderId == order }.map(\.kind) }
    func fills(_ order: ClientOrderId) -> [ExecutionReport] { reports.filter { $0.orderId == order && $0.kind == .fill } }
    func filled(_ order: ClientOrderId) -> Quantity { fills(order).reduce(.zero) { $0 + $1.fillQuantity } }
}

@Suite("Paper matching")
struct PaperVenueTests {
    @Test("a taker buy walks the asks level by level, consuming them, slippage included")
    func takerWalks() {
        var f = Fixture()
        let id = f.send(.limit(.buy, on: f.id, price: Price("102"), quantity: Quantity("2"), timeInForce: .immediateOrCancel))
        let fills = f.fills(id)
        #expect(fills.map(\.fillPrice) == [Price("101"), Price("102")])
        #expect(fills.map(\.fillQuantity) == [Quantity("1"), Quantity("1")])
        #expect(fills.last?.isFinal == true && fills.last?.leavesQuantity == .zero)
        #expect(f.book.bestAsk == BookLevel(price: Price("102"), quantity: Quantity("1")), "liquidity taken is gone")
        // 203 USDT + 0.1 % fee in quote.
        #expect(f.venue.account.total(f.usdt) == Amount("99796.797"))
        #expect(f.venue.account.total(f.btc) == Amount(units: 12))
        #expect(f.venue.account.locked[f.usdt.index] == .zero)
    }

    @Test("IOC: what cannot fill within the limit expires")
    func iocExpires() {
        var f = Fixture()
        let id = f.send(.limit(.buy, on: f.id, price: Price("101"), quantity: Quantity("1.5"), timeInForce: .immediateOrCancel))
        #expect(f.kinds(id) == [.accepted, .fill, .expired])
        #expect(f.reports.last?.isFinal == true)
        #expect(f.venue.account.locked[f.usdt.index] == .zero, "the unfilled part's lock is released")
    }

    @Test("FOK: all or nothing")
    func fillOrKill() {
        var f = Fixture()
        let killed = f.send(.limit(.buy, on: f.id, price: Price("101"), quantity: Quantity("1.5"), timeInForce: .fillOrKill))
        #expect(f.kinds(killed) == [.accepted, .expired])
        #expect(f.book.bestAsk?.quantity == Quantity("1"), "nothing taken")
        let filled = f.send(.limit(.buy, on: f.id, price: Price("102"), quantity: Quantity("1.5"), timeInForce: .fillOrKill))
        #expect(f.fills(filled).reduce(Quantity.zero) { $0 + $1.fillQuantity } == Quantity("1.5"))
    }

    @Test("GTC rests with its funds locked, then fills as maker when the book moves through it")
    func restsThenFillsOnBookMove() {
        var f = Fixture()
        let id = f.send(.limit(.buy, on: f.id, price: Price("100"), quantity: Quantity("1")))
        #expect(f.kinds(id) == [.accepted])
        #expect(f.venue.restingOrderCount == 1)
        #expect(f.venue.account.locked[f.usdt.index] == Amount("100.1"))
        // An ask appears at 99.5: it would have traded with our bid at our price.
        f.feed(.ask, "99.5", "0.4")
        let fill = f.fills(id).first
        #expect(fill?.fillPrice == Price("100") && fill?.fillQuantity == Quantity("0.4") && fill?.isMaker == true)
        #expect(fill?.fee == Amount("0.02"), "maker rate 0.05 % of 40")
        #expect(f.book.bestAsk?.price == Price("101"), "the crossing ask was consumed")
    }

    @Test("a resting order fills on a trade through its price; at its price only once the queue ahead is gone")
    func tradeThrough() {
        var f = Fixture()
        f.feed(.ask, "100.5", "2")
        let id = f.send(.limit(.sell, on: f.id, price: Price("100.5"), quantity: Quantity("1"), timeInForce: .postOnly))
        f.trade("100.5", "1.5", taker: .buy)
        #expect(f.fills(id).isEmpty, "1.5 of the 2 ahead of us traded")
        f.trade("100.6", "0.3", taker: .buy)
        #expect(f.fills(id).map(\.fillQuantity) == [Quantity("0.3")], "a trade through our price reaches us")
        #expect(f.fills(id).first?.fillPrice == Price("100.5") && f.fills(id).first?.isMaker == true)
    }

    @Test("queue position: trades at our price use up the queue ahead, cancels shrink it pro rata")
    func queuePosition() {
        var f = Fixture()
        f.feed(.bid, "100", "4")
        let id = f.send(.limit(.buy, on: f.id, price: Price("100"), quantity: Quantity("1")))
        #expect(f.kinds(id) == [.accepted], "rests behind 4")
        f.trade("100", "1", taker: .sell)
        f.feed(.bid, "100", "3")          // the trade, as the feed shows it: not a cancel
        #expect(f.fills(id).isEmpty, "3 still ahead")
        f.feed(.bid, "100", "6")          // 3 more join, behind us
        f.feed(.bid, "100", "4")          // 2 cancelled out of 6: a third of the queue ahead goes
        f.trade("100", "1.5", taker: .sell)
        #expect(f.fills(id).isEmpty, "2 ahead after the cancels, 1.5 traded")
        f.trade("100", "1", taker: .sell)
        #expect(f.filled(id) == Quantity("0.5"), "the last 0.5 of the queue ahead went first")
        f.trade("100", "2", taker: .sell)
        #expect(f.filled(id) == Quantity("1"))
        #expect(f.kinds(id).last == .fill && f.reports.last?.isFinal == true)
    }

    @Test("the other side crossing our price serves the queue ahead first")
    func crossingServesQueueFirst() {
        var f = Fixture()
        f.feed(.bid, "100", "1")
        let id = f.send(.limit(.buy, on: f.id, price: Price("100"), quantity: Quantity("1")))
        f.feed(.ask, "100", "1.5")
        #expect(f.filled(id) == Quantity("0.5"), "1 went to the order ahead")
        #expect(f.book.bestAsk?.price == Price("101"), "the crossing ask was consumed")
    }

    @Test("post-only that would take: rejected or cancelled as the venue does")
    func postOnly() {
        var rejecting = Fixture()
        let r = rejecting.send(.limit(.buy, on: rejecting.id, price: Price("101"), quantity: Quantity("1"), timeInForce: .postOnly))
        #expect(rejecting.kinds(r) == [.rejected])
        #expect(rejecting.reports.last?.rejection?.venueCode == "WOULD_TAKE")
        var rules = PlainRules(); rules.postOnly = .cancel
        var cancelling = Fixture(rules: rules)
        let c = cancelling.send(.limit(.buy, on: cancelling.id, price: Price("101"), quantity: Quantity("1"), timeInForce: .postOnly))
        #expect(cancelling.kinds(c) == [.accepted, .cancelled])
        #expect(cancelling.venue.account.locked[cancelling.usdt.index] == .zero)
        let rests = cancelling.send(.limit(.buy, on: cancelling.id, price: Price("100"), quantity: Quantity("1"), timeInForce: .postOnly))
        #expect(cancelling.kinds(rests) == [.accepted])
    }

    @Test("market buy by quote amount spends at most the amount, in whole lots")
    func marketBuyByQuote() {
        var f = Fixture()
        let id = f.send(.marketBuy(on: f.id, spending: Amount("150")))
        let bought = f.fills(id).reduce(Quantity.zero) { $0 + $1.fillQuantity }
        let spent = f.fills(id).reduce(Amount.zero) { $0 + $1.fillNotional }
        #expect(bought == Quantity("1.48"))  // 101 + 0.48 × 102 = 149.96
        #expect(spent == Amount("149.96"))
        #expect(f.reports.last?.isFinal == true)
        #expect(f.venue.account.locked[f.usdt.index] == .zero)
    }

    @Test("rules and balances are enforced venue-side with the venue's codes")
    func rejections() {
        var f = Fixture()
        let off = f.send(.limit(.buy, on: f.id, price: Price("100.005"), quantity: Quantity("1")))
        #expect(f.reports.last?.rejection?.reason == .priceOffTick)
        let small = f.send(.limit(.buy, on: f.id, price: Price("100"), quantity: Quantity("0.01")))
        #expect(f.reports.last?.rejection?.reason == .belowMinNotional)
        let big = f.send(.limit(.sell, on: f.id, price: Price("99"), quantity: Quantity("11")))
        #expect(f.reports.last?.rejection?.venueCode == "FUNDS")
        for id in [off, small, big] { #expect(f.kinds(id) == [.rejected]) }
    }

    @Test("cancel releases the lock; cancelling an ended order is refused")
    func cancel() {
        var f = Fixture()
        let id = f.send(.limit(.buy, on: f.id, price: Price("100"), quantity: Quantity("1")))
        f.cancel(id)
        #expect(f.kinds(id) == [.accepted, .cancelled])
        #expect(f.venue.account.locked[f.usdt.index] == .zero)
        f.cancel(id)
        #expect(f.reports.last?.kind == .cancelRejected && f.reports.last?.rejection?.venueCode == "UNKNOWN")
    }

    @Test("no cap on fills: thousands of orders all fill")
    func noFillCap() {
        var f = Fixture()
        for i in 0..<5_000 {
            f.feed(.ask, "101", i % 2 == 0 ? "1" : "2")  // a changing level: the feed has caught up each time
            f.send(.limit(.buy, on: f.id, price: Price("101"), quantity: Quantity("0.05"), timeInForce: .immediateOrCancel))
        }
        #expect(f.venue.fillCount == 5_000)
    }
}
