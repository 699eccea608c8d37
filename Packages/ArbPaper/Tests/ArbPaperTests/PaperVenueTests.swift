import ArbCore
import Testing
@testable import ArbPaper

struct PlainRules: VenueRules {
    let name = "plain"
    var fees = FeeSchedule(maker: Ratio("0.0005")!, taker: Ratio("0.001")!, asset: .quote)
    var postOnly = PostOnlyOutcome.reject(Rejection(reason: .postOnlyWouldTake, venueCode: "WOULD_TAKE", message: "would take"))
    func fees(for instrument: Instrument) -> FeeSchedule { fees }
    func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        checkForm(intent, instrument: instrument) { Rejection(reason: $0, venueCode: $0.rawValue, message: $0.rawValue) }
    }
    func insufficientBalance(side: Side) -> Rejection { Rejection(reason: .insufficientBalance, venueCode: "FUNDS", message: "funds") }
    func postOnlyWouldTake(side: Side) -> PostOnlyOutcome { postOnly }
    func unknownOrder() -> Rejection { Rejection(reason: .unknownOrder, venueCode: "UNKNOWN", message: "unknown") }
}

/// One venue, one instrument (BTC/USDT, tick 0.01, lot 0.001, min notional 5), funded.
struct Fixture {
    var universe = Universe()
    let id: InstrumentId
    let venue: PaperVenue<PlainRules>
    var book = OrderBook()
    var reports: [ExecutionReport] = []
    var nextId: UInt64 = 0
    let usdt: AssetId, btc: AssetId

    init(rules: PlainRules = PlainRules()) {
        let v = universe.addVenue("plain")
        id = universe.addInstrument(InstrumentSpec(symbol: "BTCUSDT", baseCode: "BTC", quoteCode: "USDT", tickRule: .fixed(Price("0.01")!),
                                                   lotStep: Quantity("0.001")!, minQuantity: Quantity("0.001")!, maxQuantity: Quantity(units: 100),
                                                   minNotional: Amount(units: 5), maxNotional: nil, priceDecimals: 8, quantityDecimals: 8), on: v)
        usdt = universe.assetId("USDT")!; btc = universe.assetId("BTC")!
        venue = PaperVenue(venue: v, rules: rules, universe: universe, latency: .zero)
        venue.deposit(usdt, Amount(units: 100_000))
        venue.deposit(btc, Amount(units: 10))
        book.replace(bids: [.init(price: Price("99")!, quantity: Quantity("1")!), .init(price: Price("98")!, quantity: Quantity("2")!)],
                     asks: [.init(price: Price("101")!, quantity: Quantity("1")!), .init(price: Price("102")!, quantity: Quantity("2")!)])
    }

    @discardableResult
    mutating func send(_ intent: OrderIntent) -> ClientOrderId {
        nextId += 1
        let order = Order(id: ClientOrderId(nextId), strategy: StrategyId(0), venue: VenueId(0), intent: intent, submittedAt: .zero)
        venue.receive(order, instrument: universe[id], book: &book, now: .zero, reports: &reports)
        return order.id
    }

    func kinds(_ order: ClientOrderId) -> [ExecutionReport.Kind] { reports.filter { $0.orderId == order }.map(\.kind) }
    func fills(_ order: ClientOrderId) -> [ExecutionReport] { reports.filter { $0.orderId == order && $0.kind == .fill } }
}

@Suite("Paper matching")
struct PaperVenueTests {
    @Test("a taker buy walks the asks level by level, consuming them, slippage included")
    func takerWalks() {
        var f = Fixture()
        let id = f.send(.limit(f.id, .buy, price: Price("102")!, quantity: Quantity("2")!, tif: .immediateOrCancel))
        let fills = f.fills(id)
        #expect(fills.map(\.fillPrice) == [Price("101")!, Price("102")!])
        #expect(fills.map(\.fillQuantity) == [Quantity("1")!, Quantity("1")!])
        #expect(fills.last?.isFinal == true && fills.last?.leavesQuantity == .zero)
        #expect(f.book.bestAsk == BookLevel(price: Price("102")!, quantity: Quantity("1")!), "liquidity taken is gone")
        // 203 USDT + 0.1 % fee in quote.
        #expect(f.venue.account.total(f.usdt) == Amount("99796.797")!)
        #expect(f.venue.account.total(f.btc) == Amount(units: 12))
        #expect(f.venue.account.locked[f.usdt.index] == .zero)
    }

    @Test("IOC: what cannot fill within the limit expires")
    func iocExpires() {
        var f = Fixture()
        let id = f.send(.limit(f.id, .buy, price: Price("101")!, quantity: Quantity("1.5")!, tif: .immediateOrCancel))
        #expect(f.kinds(id) == [.accepted, .fill, .expired])
        #expect(f.reports.last?.isFinal == true)
        #expect(f.venue.account.locked[f.usdt.index] == .zero, "the unfilled part's lock is released")
    }

    @Test("FOK: all or nothing")
    func fillOrKill() {
        var f = Fixture()
        let killed = f.send(.limit(f.id, .buy, price: Price("101")!, quantity: Quantity("1.5")!, tif: .fillOrKill))
        #expect(f.kinds(killed) == [.accepted, .expired])
        #expect(f.book.bestAsk?.quantity == Quantity("1")!, "nothing taken")
        let filled = f.send(.limit(f.id, .buy, price: Price("102")!, quantity: Quantity("1.5")!, tif: .fillOrKill))
        #expect(f.fills(filled).reduce(Quantity.zero) { $0 + $1.fillQuantity } == Quantity("1.5")!)
    }

    @Test("GTC rests with its funds locked, then fills as maker when the book moves through it")
    func restsThenFillsOnBookMove() {
        var f = Fixture()
        let id = f.send(.limit(f.id, .buy, price: Price("100")!, quantity: Quantity("1")!))
        #expect(f.kinds(id) == [.accepted])
        #expect(f.venue.hasRestingOrders(on: f.id))
        #expect(f.venue.account.locked[f.usdt.index] == Amount("100.1")!)
        // An ask appears at 99.5: it would have traded with our bid at our price.
        f.book.apply(.ask, price: Price("99.5")!, quantity: Quantity("0.4")!)
        f.venue.marketDidUpdate(f.universe[f.id], book: &f.book, trade: nil, now: .zero, reports: &f.reports)
        let fill = f.fills(id).first
        #expect(fill?.fillPrice == Price("100")! && fill?.fillQuantity == Quantity("0.4")! && fill?.isMaker == true)
        #expect(fill?.fee == Amount("0.02")!, "maker rate 0.05 % of 40")
        #expect(f.book.bestAsk?.price == Price("101")!, "the crossing ask was consumed")
    }

    @Test("a resting order fills on trades strictly through its price, never at it")
    func tradeThrough() {
        var f = Fixture()
        let id = f.send(.limit(f.id, .sell, price: Price("100.5")!, quantity: Quantity("1")!))
        let instrument = f.universe[f.id]
        let at = Trade(instrument: f.id, price: Price("100.5")!, quantity: Quantity("3")!, takerSide: .buy, exchangeTime: .zero, receivedAt: .zero)
        f.venue.marketDidUpdate(instrument, book: &f.book, trade: at, now: .zero, reports: &f.reports)
        #expect(f.fills(id).isEmpty, "queue position unknown: no fill at our own price")
        let through = Trade(instrument: f.id, price: Price("100.6")!, quantity: Quantity("0.3")!, takerSide: .buy, exchangeTime: .zero, receivedAt: .zero)
        f.venue.marketDidUpdate(instrument, book: &f.book, trade: through, now: .zero, reports: &f.reports)
        #expect(f.fills(id).map(\.fillQuantity) == [Quantity("0.3")!])
        #expect(f.fills(id).first?.fillPrice == Price("100.5")!)
    }

    @Test("post-only that would take: rejected or cancelled as the venue does")
    func postOnly() {
        var rejecting = Fixture()
        let r = rejecting.send(.limit(rejecting.id, .buy, price: Price("101")!, quantity: Quantity("1")!, tif: .postOnly))
        #expect(rejecting.kinds(r) == [.rejected])
        #expect(rejecting.reports.last?.rejection?.venueCode == "WOULD_TAKE")
        var rules = PlainRules(); rules.postOnly = .cancel
        var cancelling = Fixture(rules: rules)
        let c = cancelling.send(.limit(cancelling.id, .buy, price: Price("101")!, quantity: Quantity("1")!, tif: .postOnly))
        #expect(cancelling.kinds(c) == [.accepted, .cancelled])
        #expect(cancelling.venue.account.locked[cancelling.usdt.index] == .zero)
        let rests = cancelling.send(.limit(cancelling.id, .buy, price: Price("100")!, quantity: Quantity("1")!, tif: .postOnly))
        #expect(cancelling.kinds(rests) == [.accepted])
    }

    @Test("market buy by quote amount spends at most the amount, in whole lots")
    func marketBuyByQuote() {
        var f = Fixture()
        let id = f.send(.marketBuy(f.id, spending: Amount("150")!))
        let bought = f.fills(id).reduce(Quantity.zero) { $0 + $1.fillQuantity }
        let spent = f.fills(id).reduce(Amount.zero) { $0 + $1.fillNotional }
        #expect(bought == Quantity("1.48")!)  // 101 + 0.48 × 102 = 149.96
        #expect(spent == Amount("149.96")!)
        #expect(f.reports.last?.isFinal == true)
        #expect(f.venue.account.locked[f.usdt.index] == .zero)
    }

    @Test("rules and balances are enforced venue-side with the venue's codes")
    func rejections() {
        var f = Fixture()
        let off = f.send(.limit(f.id, .buy, price: Price("100.005")!, quantity: Quantity("1")!))
        #expect(f.reports.last?.rejection?.reason == .priceOffTick)
        let small = f.send(.limit(f.id, .buy, price: Price("100")!, quantity: Quantity("0.01")!))
        #expect(f.reports.last?.rejection?.reason == .belowMinNotional)
        let big = f.send(.limit(f.id, .sell, price: Price("99")!, quantity: Quantity("11")!))
        #expect(f.reports.last?.rejection?.venueCode == "FUNDS")
        for id in [off, small, big] { #expect(f.kinds(id) == [.rejected]) }
    }

    @Test("cancel releases the lock; cancelling an ended order is refused")
    func cancel() {
        var f = Fixture()
        let id = f.send(.limit(f.id, .buy, price: Price("100")!, quantity: Quantity("1")!))
        f.venue.receiveCancel(id, now: .zero, reports: &f.reports)
        #expect(f.kinds(id) == [.accepted, .cancelled])
        #expect(f.venue.account.locked[f.usdt.index] == .zero)
        f.venue.receiveCancel(id, now: .zero, reports: &f.reports)
        #expect(f.reports.last?.kind == .cancelRejected && f.reports.last?.rejection?.venueCode == "UNKNOWN")
    }

    @Test("no cap on fills: thousands of orders all fill")
    func noFillCap() {
        var f = Fixture()
        for _ in 0..<5_000 {
            f.book.apply(.ask, price: Price("101")!, quantity: Quantity("1")!)
            f.send(.limit(f.id, .buy, price: Price("101")!, quantity: Quantity("0.05")!, tif: .immediateOrCancel))
        }
        #expect(f.venue.fillCount == 5_000)
    }
}
