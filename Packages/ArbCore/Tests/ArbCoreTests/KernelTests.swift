import Testing
@testable import ArbCore

/// Rules with a minimum notional and a 0.1 % taker fee in the quote.
struct MinimumRules: VenueRules {
    let name: String
    var minNotional = Amount(units: 5)
    func fees(for instrument: Instrument) -> FeeSchedule { FeeSchedule(maker: .zero, taker: Ratio("0.001"), asset: .quote) }
    func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        if Amount.notional(intent.price, intent.quantity, .down) < minNotional {
            return Rejection(reason: .belowMinNotional, venueCode: "MIN", message: "below minimum")
        }
        return nil
    }
    func insufficientBalance(side: Side) -> Rejection { Rejection(reason: .insufficientBalance, venueCode: "FUNDS", message: "no funds") }
    func postOnlyWouldTake(side: Side) -> PostOnlyOutcome { .cancel }
    func unknownOrder() -> Rejection { Rejection(reason: .unknownOrder, venueCode: "UNKNOWN", message: "unknown") }
}

/// A venue that fills limit orders in full at their price the moment they arrive (after
/// the outbound latency) and reports after the inbound one: an execution venue with no
/// simulated exchange behind it, as a live one would be to the kernel.
final class InstantVenue: ExecutionVenue {
    let venue: VenueId
    var rules: MinimumRules
    var orderRules: any VenueRules { rules }
    var name: String { rules.name }
    let latency: Duration
    var received: [Order] = []
    var account: Balances
    let universe: Universe
    weak var sink: (any ExecutionReportSink)?
    var minNotional: Amount { get { rules.minNotional } set { rules.minNotional = newValue } }

    init(_ index: Int, universe: Universe, latencyMs: Int64 = 0) {
        venue = VenueId(index); rules = MinimumRules(name: "v\(index)")
        latency = .milliseconds(latencyMs)
        account = Balances(assetCount: universe.assetCount)
        self.universe = universe
    }
    func connect(_ sink: any ExecutionReportSink) { self.sink = sink }
    func deposit(_ asset: AssetId, _ amount: Amount) { account.deposit(asset, amount) }
    func send(_ request: ExecutionRequest, at now: Timestamp) {
        guard case .submit(let order) = request else { return }
        let arrival = now + latency
        received.append(order)
        let instrument = universe[order.intent.instrument]
        let fees = rules.fees(for: instrument)
        let lock = OrderLock.required(for: order.intent, instrument: instrument, fees: fees, book: OrderBook())
        guard account.lock(lock.asset, lock.amount) else {
            sink?.deliver(ExecutionReport(kind: .rejected, orderId: order.id, venue: venue, instrument: instrument.id, side: order.intent.side,
                                          isFinal: true, rejection: rules.insufficientBalance(side: order.intent.side), venueTime: arrival),
                          at: arrival + latency)
            return
        }
        var remaining = lock.amount
        let notional = Amount.notional(order.intent.price, order.intent.quantity, .nearestHalfEven)
        let fee = fees.fee(side: order.intent.side, quantity: order.intent.quantity, notional: notional, isMaker: false, instrument: instrument)
        account.settleFill(side: order.intent.side, instrument: instrument, quantity: order.intent.quantity, notional: notional,
                           fee: fee, feeAsset: instrument.quote, remainingLock: &remaining)
        account.release(lock.asset, remaining)
        sink?.deliver(ExecutionReport(kind: .fill, orderId: order.id, venue: venue, instrument: instrument.id, side: order.intent.side,
                                      fillPrice: order.intent.price, fillQuantity: order.intent.quantity, fillNotional: notional,
                                      fee: fee, feeAsset: instrument.quote, isFinal: true, venueTime: arrival),
                      at: arrival + latency)
    }
}

/// Sends what it is told on the first book update, records everything it hears.
final class ScriptedStrategy: Strategy {
    let name = "scripted"
    var watch: [InstrumentId]
    var onFirstBook: (StrategyContext) -> Void
    var fired = false
    var reports: [ExecutionReport] = []
    init(watch: [InstrumentId], onFirstBook: @escaping (StrategyContext) -> Void) { self.watch = watch; self.onFirstBook = onFirstBook }
    func start(_ context: StrategyContext) throws { for i in watch { context.subscribe(i) } }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        if !fired { fired = true; onFirstBook(context) }
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) { reports.append(report) }
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

struct TwoVenues {
    var universe = Universe()
    let a: InstrumentId, b: InstrumentId
    let usdt: AssetId, btc: AssetId
    init() {
        let va = universe.addVenue("a"), vb = universe.addVenue("b")
        let spec = { (symbol: String) in InstrumentSpec(symbol: symbol, baseCode: "BTC", quoteCode: "USDT", tickRule: .fixed(Price("0.01")),
                                                       lotStep: Quantity("0.0001"), minQuantity: Quantity("0.0001"), maxQuantity: Quantity(units: 100),
                                                       minNotional: Amount(units: 5), maxNotional: nil, priceDecimals: 8, quantityDecimals: 8) }
        a = universe.addInstrument(spec("BTC-A"), on: va)
        b = universe.addInstrument(spec("BTC-B"), on: vb)
        usdt = universe.assetId("USDT")!; btc = universe.assetId("BTC")!
    }
    func snapshot(_ id: InstrumentId, at ms: Int64) -> MarketEvent {
        .bookSnapshot(BookSnapshot(instrument: id, bids: [BookLevel(price: Price("100"), quantity: Quantity("10"))],
                                   asks: [BookLevel(price: Price("101"), quantity: Quantity("10"))],
                                   exchangeTime: .milliseconds(ms), receivedAt: .milliseconds(ms)))
    }
}

@Suite("Kernel")
struct KernelTests {
    @Test("a pair is checked leg by leg before either leg is sent")
    func pairIsAtomic() throws {
        let m = TwoVenues()
        let va = InstantVenue(0, universe: m.universe), vb = InstantVenue(1, universe: m.universe)
        vb.minNotional = Amount(units: 1_000)
        let kernel = Kernel(universe: m.universe, venues: [va, vb], reportingAsset: m.usdt, startTime: .zero)
        kernel.deposit(venue: VenueId(0), asset: m.usdt, amount: Amount(units: 10_000))
        kernel.deposit(venue: VenueId(1), asset: m.btc, amount: Amount(units: 1))
        var outcome: PairSubmission?
        try kernel.add(ScriptedStrategy(watch: [m.a, m.b]) { ctx in
            outcome = ctx.submitPair(first: .limit(.buy, on: m.a, price: Price("101"), quantity: Quantity("0.1")),
                                     second: .limit(.sell, on: m.b, price: Price("100"), quantity: Quantity("0.1")))
        })
        var source = ArrayMarketDataSource([m.snapshot(m.a, at: 1), m.snapshot(m.b, at: 1)])
        kernel.run(&source)
        guard case .rejected(leg: 1, let rejection) = outcome else { Issue.record("expected leg 1 rejected, got \(String(describing: outcome))"); return }
        #expect(rejection.venueCode == "MIN")
        #expect(va.received.isEmpty && vb.received.isEmpty, "neither leg reached a venue")
        #expect(kernel.balances[0].locked[m.usdt.index] == .zero)
        #expect(kernel.counters.preTradeRejections == 1)
        #expect(kernel.counters.rejectionsByCode["pre-trade:b:MIN"] == 1)
    }

    @Test("two legs on one venue are checked against the balance together")
    func pairSharesBalance() throws {
        let m = TwoVenues()
        let va = InstantVenue(0, universe: m.universe), vb = InstantVenue(1, universe: m.universe)
        let kernel = Kernel(universe: m.universe, venues: [va, vb], reportingAsset: m.usdt, startTime: .zero)
        // Enough for one 10.1-USDT buy plus fee, not two.
        kernel.deposit(venue: VenueId(0), asset: m.usdt, amount: Amount("15"))
        var outcome: PairSubmission?
        try kernel.add(ScriptedStrategy(watch: [m.a]) { ctx in
            let buy = OrderIntent.limit(.buy, on: m.a, price: Price("101"), quantity: Quantity("0.1"))
            outcome = ctx.submitPair(first: buy, second: buy)
        })
        var source = ArrayMarketDataSource([m.snapshot(m.a, at: 1)])
        kernel.run(&source)
        guard case .rejected(leg: 1, let rejection) = outcome else { Issue.record("expected leg 1 rejected"); return }
        #expect(rejection.reason == .insufficientBalance)
        #expect(va.received.isEmpty)
    }

    @Test("locks at send, settles at fill, after the venue's latency, and agrees with the venue")
    func lockAndSettle() throws {
        let m = TwoVenues()
        let va = InstantVenue(0, universe: m.universe, latencyMs: 10), vb = InstantVenue(1, universe: m.universe)
        let kernel = Kernel(universe: m.universe, venues: [va, vb], reportingAsset: m.usdt, startTime: .zero)
        kernel.deposit(venue: VenueId(0), asset: m.usdt, amount: Amount(units: 1_000))
        var lockedRightAfterSend = Amount.zero
        let strategy = ScriptedStrategy(watch: [m.a]) { ctx in
            _ = ctx.submit(.limit(.buy, on: m.a, price: Price("101"), quantity: Quantity("1")))
            lockedRightAfterSend = ctx.locked(VenueId(0), m.usdt)
        }
        try kernel.add(strategy)
        var source = ArrayMarketDataSource([m.snapshot(m.a, at: 1)])
        kernel.run(&source, until: .milliseconds(15))
        #expect(lockedRightAfterSend == Amount("101.101"), "cost plus taker fee in quote")
        #expect(va.received.count == 1, "sent")
        #expect(strategy.reports.isEmpty, "the fill is still on its way back")
        kernel.run(&source, until: .milliseconds(100))
        #expect(strategy.reports.map(\.kind) == [.fill])
        #expect(kernel.balances[0].total(m.usdt) == Amount("898.899"))
        #expect(kernel.balances[0].total(m.btc) == Amount(units: 1))
        #expect(kernel.balances[0].locked[m.usdt.index] == .zero)
        #expect(kernel.balances[0] == va.account)
        #expect(kernel.openOrderCount == 0)
    }

    @Test("client order ids are unique and sequential; a rerun is identical")
    func deterministic() throws {
        func run() throws -> [ClientOrderId] {
            let m = TwoVenues()
            let va = InstantVenue(0, universe: m.universe, latencyMs: 3), vb = InstantVenue(1, universe: m.universe, latencyMs: 7)
            let kernel = Kernel(universe: m.universe, venues: [va, vb], reportingAsset: m.usdt, startTime: .zero)
            kernel.deposit(venue: VenueId(0), asset: m.usdt, amount: Amount(units: 1_000))
            kernel.deposit(venue: VenueId(1), asset: m.btc, amount: Amount(units: 1))
            var ids: [ClientOrderId] = []
            try kernel.add(ScriptedStrategy(watch: [m.a, m.b]) { ctx in
                if case .sent(let x, let y) = ctx.submitPair(first: .limit(.buy, on: m.a, price: Price("101"), quantity: Quantity("0.1")),
                                                              second: .limit(.sell, on: m.b, price: Price("100"), quantity: Quantity("0.1"))) { ids += [x, y] }
                if case .success(let z) = ctx.submit(.limit(.sell, on: m.b, price: Price("100"), quantity: Quantity("0.1"))) { ids.append(z) }
            })
            var source = ArrayMarketDataSource([m.snapshot(m.a, at: 1), m.snapshot(m.b, at: 1)])
            kernel.run(&source)
            return ids + (va.received + vb.received).map(\.id)
        }
        let first = try run()
        #expect(first.prefix(3).map(\.value) == [1, 2, 3])
        #expect(first == (try run()))
    }

    @Test("the scheduler orders by time, then by insertion")
    func schedulerOrder() {
        var s = EventScheduler()
        for (i, t) in [5, 1, 5, 3, 1].enumerated() { s.schedule(KernelAction.timer(StrategyId(i), 0), at: Timestamp.milliseconds(Int64(t))) }
        var order: [Int] = []
        while let (_, action) = s.popNext() { if case .timer(let id, _) = action { order.append(id.index) } }
        #expect(order == [1, 4, 3, 0, 2])
    }
}

@Suite("Position ledger")
struct PositionLedgerTests {
    @Test("average cost: realised on the closing part only, fees always")
    func averageCost() {
        var l = PositionLedger()
        l.apply(side: .buy, quantity: Quantity("1"), value: Amount("100"), fee: Amount("0.1"))
        l.apply(side: .buy, quantity: Quantity("1"), value: Amount("110"), fee: Amount("0.1"))
        l.apply(side: .sell, quantity: Quantity("1.5"), value: Amount("180"), fee: Amount("0.2"))
        // avg cost 105: realised 180 − 157.5 − fees 0.4
        #expect(l.realised == Amount("22.1"))
        #expect(l.quantity == Amount("0.5"))
        #expect(l.cost == Amount("52.5"))
        // Flip to short: close 0.5 at 60/unit, open 0.5 short.
        l.apply(side: .sell, quantity: Quantity("1"), value: Amount("120"), fee: .zero)
        #expect(l.realised == Amount("29.6"))
        #expect(l.quantity == Amount("-0.5"))
        l.apply(side: .buy, quantity: Quantity("0.5"), value: Amount("25"), fee: .zero)
        #expect(l.realised == Amount("64.6"))
        #expect(l.quantity == .zero && l.cost == .zero)
    }
}

@Suite("Kernel invariants")
struct KernelInvariantTests {
    @Test("locks equal the open orders' remaining locks while orders are in flight, and nothing is negative")
    func holdDuringARun() throws {
        let m = TwoVenues()
        let va = InstantVenue(0, universe: m.universe, latencyMs: 10), vb = InstantVenue(1, universe: m.universe, latencyMs: 10)
        let kernel = Kernel(universe: m.universe, venues: [va, vb], reportingAsset: m.usdt, startTime: .zero)
        #expect(kernel.checksInvariants, "on in debug builds and tests")
        kernel.deposit(venue: VenueId(0), asset: m.usdt, amount: Amount(units: 1_000))
        try kernel.add(ScriptedStrategy(watch: [m.a]) { ctx in
            _ = ctx.submit(.limit(.buy, on: m.a, price: Price("101"), quantity: Quantity("1")))
        })
        var source = ArrayMarketDataSource([m.snapshot(m.a, at: 1)])
        kernel.run(&source, until: .milliseconds(5))
        #expect(kernel.openOrderCount == 1 && kernel.invariantViolation() == nil)
        kernel.run(&source, until: .milliseconds(100))
        #expect(kernel.invariantViolation() == nil && kernel.openOrderCount == 0)
    }

    @Test("a lock with no open order behind it, or a negative balance, is reported")
    func detectsBreaks() {
        let m = TwoVenues()
        let kernel = Kernel(universe: m.universe, venues: [InstantVenue(0, universe: m.universe), InstantVenue(1, universe: m.universe)],
                            reportingAsset: m.usdt, startTime: .zero)
        kernel.deposit(venue: VenueId(0), asset: m.usdt, amount: Amount(units: 10))
        kernel.balances[0].lock(m.usdt, Amount(units: 3))
        #expect(kernel.invariantViolation()?.message.contains("locked 3") == true)
        kernel.balances[0].release(m.usdt, Amount(units: 3))
        #expect(kernel.invariantViolation() == nil)
        kernel.balances[1].release(m.btc, Amount(units: 1))   // locked −1, available +1
        #expect(kernel.invariantViolation() != nil)
    }
}

@Suite("No trap on large quantities")
struct LargeQuantityTests {
    @Test("a ledger accumulating 2,000 buys of 9,000,000 SHIB (1.8·10^10, past Int64 at 1e-9) keeps exact totals")
    func ledgerPastInt64() {
        var l = PositionLedger()
        for _ in 0..<2_000 { l.apply(side: .buy, quantity: Quantity("9000000"), value: Amount("126"), fee: Amount("0.126")) }
        #expect(l.quantity == Amount("18000000000"))
        #expect(l.bought == Amount("18000000000"))
        #expect(l.cost == Amount("252000"))
        l.apply(side: .sell, quantity: Quantity("9000000"), value: Amount("135"), fee: .zero)
        #expect(l.quantity == Amount("17991000000"))
        #expect(l.realised == Amount("-243"), "2,000 × 0.126 of fees, +9 on the sale")
    }

    @Test("rounding and scaling near Int64.max saturate; book sums saturate")
    func saturating() {
        let big = Quantity(raw: .max - 5)
        #expect(big.rounded(toMultipleOf: Quantity(units: 1), .up).raw == .max)
        #expect(big.scaled(by: Ratio("2"), .down).raw == .max)
        var book = OrderBook()
        book.apply(.ask, price: Price("1"), quantity: Quantity(raw: .max - 1))
        book.apply(.ask, price: Price("2"), quantity: Quantity(raw: .max - 1))
        #expect(book.quantity(.ask, levels: 2).raw == .max)
        #expect(book.walk(taker: .buy, quantity: Quantity(raw: .max)).filled.raw == .max, "bounded by what was asked")
    }
}

/// On every book of `trigger`: an entry and a hedge on `target`, their outcomes kept.
final class ProbeStrategy: Strategy {
    let name = "probe"
    let trigger: InstrumentId, target: InstrumentId
    var outcomes: [(entry: String, hedge: String)] = []
    init(trigger: InstrumentId, target: InstrumentId) { self.trigger = trigger; self.target = target }
    func start(_ context: StrategyContext) throws { context.subscribe(trigger); context.subscribe(target) }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        guard instrument == trigger else { return }
        func code(_ r: Result<ClientOrderId, Rejection>) -> String { if case .failure(let e) = r { return e.venueCode }; return "sent" }
        let entry = context.submit(.limit(.buy, on: target, price: Price("100"), quantity: Quantity("1")))
        var hedge = OrderIntent.limit(.buy, on: target, price: Price("100"), quantity: Quantity("1"))
        hedge.purpose = .hedge
        outcomes.append((code(entry), code(context.submit(hedge))))
        _ = context.isBookUsable(target)
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

@Suite("Kernel: books a feed cannot vouch for")
struct BookTroubleTests {
    @Test("after a gap or staleness an entry is refused (book_invalid) until the next snapshot; a hedge still goes")
    func refusedUntilSnapshot() throws {
        let m = TwoVenues()
        let kernel = Kernel(universe: m.universe, venues: [InstantVenue(0, universe: m.universe), InstantVenue(1, universe: m.universe)],
                            reportingAsset: m.usdt, startTime: .zero)
        kernel.deposit(venue: VenueId(0), asset: m.usdt, amount: Amount(units: 10_000))
        let probe = ProbeStrategy(trigger: m.b, target: m.a)
        try kernel.add(probe)
        var source = ArrayMarketDataSource([
            m.snapshot(m.a, at: 1), m.snapshot(m.b, at: 2),
            .status(FeedStatus(kind: .gap, instrument: m.a, receivedAt: .milliseconds(3))), m.snapshot(m.b, at: 4),
            m.snapshot(m.a, at: 5), m.snapshot(m.b, at: 6),
            .status(FeedStatus(kind: .stale, instrument: m.a, receivedAt: .milliseconds(7))), m.snapshot(m.b, at: 8),
        ])
        kernel.run(&source)
        #expect(probe.outcomes.map(\.entry) == ["sent", "BOOK_GAP", "sent", "BOOK_STALE"])
        #expect(probe.outcomes.map(\.hedge) == ["sent", "sent", "sent", "sent"])
        #expect(kernel.bookProblem(m.a) == .stale && kernel.book(m.a).isEmpty)
        #expect(kernel.counters.rejectionsByCode.keys.contains { $0.hasSuffix("BOOK_GAP") })
    }
}
