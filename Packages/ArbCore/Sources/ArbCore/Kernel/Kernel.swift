/// The engine: one thread, one event at a time, deterministic.
///
/// It applies market events to the books, wakes the strategies subscribed to them,
/// checks every order intent before it is sent (the venue's rules and the account's
/// balance, for all legs of a group before any leg goes), hands orders to venues after
/// their latency, and books the reports that come back into balances, positions and PnL.
/// It reads time only from events; it never iterates a dictionary to decide anything.
public final class Kernel {
    public let universe: Universe

    /// Everything touched on every event, in one heap block the kernel owns. Reached
    /// through a pointer, it is read and written in place: no copy of the book table, no
    /// runtime exclusivity check per access (~25 % of an event when these were stored
    /// properties; see docs/BENCHMARKS.md). Only the kernel's thread touches it.
    @usableFromInline struct HotState {
        @usableFromInline var now: Timestamp = .zero
        @usableFromInline var counters = KernelCounters()
        @usableFromInline var books: ContiguousArray<OrderBook>
        /// `Touch(books[i])`, refreshed after every change to book `i`.
        @usableFromInline var touches: ContiguousArray<Touch>
        var subscribers: [[Int]]
        var strategies: [any Strategy] = []
        var contexts: [StrategyContext] = []
        var scheduler = EventScheduler()
        var reportBuffer: [ExecutionReport] = []
        var pendingMarketEvent: MarketEvent?
    }
    @usableFromInline let hot: UnsafeMutablePointer<HotState>

    public internal(set) var now: Timestamp {
        @inlinable _read { yield hot.pointee.now }
        _modify { yield &hot.pointee.now }
    }
    public internal(set) var counters: KernelCounters {
        _read { yield hot.pointee.counters }
        _modify { yield &hot.pointee.counters }
    }
    @usableFromInline var books: ContiguousArray<OrderBook> {
        @inlinable _read { yield hot.pointee.books }
        _modify { yield &hot.pointee.books }
    }

    /// The top of a book, read from the touch cache.
    @inlinable public func touch(_ id: InstrumentId) -> Touch { hot.pointee.touches[id.index] }

    @inline(__always) func refreshTouch(_ index: Int) {
        hot.pointee.touches[index] = Touch(hot.pointee.books[index])
    }
    var subscribers: [[Int]] {
        _read { yield hot.pointee.subscribers }
        _modify { yield &hot.pointee.subscribers }
    }
    var strategies: [any Strategy] {
        _read { yield hot.pointee.strategies }
        _modify { yield &hot.pointee.strategies }
    }
    var contexts: [StrategyContext] {
        _read { yield hot.pointee.contexts }
        _modify { yield &hot.pointee.contexts }
    }
    var scheduler: EventScheduler {
        _read { yield hot.pointee.scheduler }
        _modify { yield &hot.pointee.scheduler }
    }
    var reportBuffer: [ExecutionReport] {
        _read { yield hot.pointee.reportBuffer }
        _modify { yield &hot.pointee.reportBuffer }
    }
    var pendingMarketEvent: MarketEvent? {
        _read { yield hot.pointee.pendingMarketEvent }
        _modify { yield &hot.pointee.pendingMarketEvent }
    }

    let venues: [any VenueAdapter]
    let feeSchedules: [FeeSchedule]
    /// The client-side rate limiter of each venue, if any.
    var throttles: [(any OrderThrottle)?]
    var nextOrderId: UInt64 = 0

    /// The kernel's view of each venue account.
    public private(set) var balances: [Balances]
    public private(set) var initialBalances: [Balances]
    var openOrders: [ClientOrderId: OpenOrder] = [:]
    /// Route names registered by strategies; index = route id.
    public private(set) var routeNames: [String] = []
    public private(set) var routeLedgers: [PositionLedger] = []
    /// Net flow of every asset per route, in that asset (a buy: +base, −quote; fees out):
    /// the route's PnL in its quote currencies.
    public private(set) var routeFlows: [[Amount]] = []
    /// Per (venue, instrument) ledger, index = instrument id.
    public private(set) var instrumentLedgers: [PositionLedger]
    /// Fees paid per venue per asset, in that asset.
    public private(set) var feesPaid: [[Amount]]
    public private(set) var valuation: Valuation
    /// Fills that could not be valued in the reporting currency (no price yet).
    public private(set) var unvaluedFills = 0
    public weak var observer: (any KernelObserver)?

    struct OpenOrder {
        var order: Order
        var lock: OrderLock
        var remainingLock: Amount
        var filled: Quantity
    }

    /// - Parameters:
    ///   - venues: one adapter per venue of `universe`, in venue-id order.
    ///   - reportingAsset: the currency PnL is reported in.
    ///   - fxInstruments: instruments preferred for converting into it.
    public init(universe: Universe, venues: [any VenueAdapter], reportingAsset: AssetId, fxInstruments: [InstrumentId] = []) {
        precondition(venues.count == universe.venueCount, "one venue adapter per venue")
        for (i, v) in venues.enumerated() { precondition(v.venue.index == i, "venue adapters in venue-id order") }
        self.universe = universe
        self.venues = venues
        self.hot = .allocate(capacity: 1)
        hot.initialize(to: HotState(books: ContiguousArray(repeating: OrderBook(reservingLevels: 32), count: universe.instruments.count),
                                    touches: ContiguousArray(repeating: Touch(), count: universe.instruments.count),
                                    subscribers: Array(repeating: [], count: universe.instruments.count)))
        self.feeSchedules = universe.instruments.map { venues[$0.venue.index].fees(for: $0) }
        self.throttles = Array(repeating: nil, count: universe.venueCount)
        self.balances = Array(repeating: Balances(assetCount: universe.assetCount), count: universe.venueCount)
        self.initialBalances = balances
        self.instrumentLedgers = Array(repeating: PositionLedger(), count: universe.instruments.count)
        self.feesPaid = Array(repeating: Array(repeating: .zero, count: universe.assetCount), count: universe.venueCount)
        self.valuation = Valuation(universe: universe, reportingAsset: reportingAsset, preferred: fxInstruments)
        reportBuffer.reserveCapacity(64)
    }

    deinit {
        hot.deinitialize(count: 1)
        hot.deallocate()
    }

    // MARK: wiring

    /// Funds an account on both sides: the kernel's view and the venue's own books.
    public func deposit(venue: VenueId, asset: AssetId, amount: Amount) {
        balances[venue.index].deposit(asset, amount)
        initialBalances[venue.index].deposit(asset, amount)
        venues[venue.index].deposit(asset, amount)
    }

    /// Puts a client-side rate limiter in front of a venue: every order and cancel asks it first.
    public func setThrottle(_ throttle: (any OrderThrottle)?, for venue: VenueId) {
        throttles[venue.index] = throttle
    }

    /// Adds a strategy and starts it; it subscribes through its context.
    @discardableResult
    public func add(_ strategy: any Strategy) throws -> StrategyId {
        let id = StrategyId(strategies.count)
        let context = StrategyContext(kernel: self, strategy: id)
        strategies.append(strategy)
        contexts.append(context)
        try strategy.start(context)
        return id
    }

    func subscribe(_ strategy: StrategyId, to instrument: InstrumentId) {
        if !subscribers[instrument.index].contains(strategy.index) {
            subscribers[instrument.index].append(strategy.index)
        }
    }

    func registerRoute(_ name: String) -> Int32 {
        if let i = routeNames.firstIndex(of: name) { return Int32(i) }
        routeNames.append(name)
        routeLedgers.append(PositionLedger())
        routeFlows.append(Array(repeating: .zero, count: universe.assetCount))
        return Int32(routeNames.count - 1)
    }

    // MARK: reading

    @inlinable public func book(_ id: InstrumentId) -> OrderBook { books[id.index] }
    public func fees(_ id: InstrumentId) -> FeeSchedule { feeSchedules[id.index] }
    public func venue(_ id: VenueId) -> any VenueAdapter { venues[id.index] }
    public var openOrderCount: Int { openOrders.count }
    /// Open orders sorted by id (deterministic).
    public var openOrderList: [Order] { openOrders.values.map(\.order).sorted { $0.id < $1.id } }
    public func openOrders(of strategy: StrategyId) -> [Order] { openOrderList.filter { $0.strategy == strategy } }

    /// Value of `amount` of `asset` in the reporting currency at current books.
    public func value(_ amount: Amount, of asset: AssetId) -> Amount? {
        valuation.value(amount, of: asset, books: books)
    }

    // MARK: running

    /// Processes the next thing due: a scheduled action or the next market event,
    /// whichever is earlier (scheduled first on ties). Returns false when nothing is
    /// left before `end` (the end itself is exclusive).
    @inline(__always)
    public func step<Source: MarketDataSource>(_ source: inout Source, until end: Timestamp) -> Bool {
        if pendingMarketEvent == nil { pendingMarketEvent = source.next() }
        let marketTime = pendingMarketEvent?.receivedAt ?? .distantFuture
        if let due = scheduler.nextTime, due <= marketTime {
            guard due < end else { return false }
            let (time, action) = scheduler.popNext()!
            now = Swift.max(now, time)
            counters.scheduledActions += 1
            perform(action)
            return true
        }
        guard marketTime < end, let event = hot.pointee.pendingMarketEvent.take() else { return false }
        handle(event)
        return true
    }

    /// Event time of the next thing due (a scheduled action or the next market event), if any.
    public func nextDueTime<Source: MarketDataSource>(_ source: inout Source) -> Timestamp? {
        if pendingMarketEvent == nil { pendingMarketEvent = source.next() }
        let market = pendingMarketEvent?.receivedAt
        switch (scheduler.nextTime, market) {
        case (let a?, let b?): return Swift.min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        default: return nil
        }
    }

    /// Runs until the source and the scheduler are exhausted or `end` is reached; the
    /// kernel's clock is then set to `end` (if finite).
    public func run<Source: MarketDataSource>(_ source: inout Source, until end: Timestamp = .distantFuture) {
        while step(&source, until: end) {}
        if end != .distantFuture { now = Swift.max(now, end) }
    }

    /// Applies one market event at its receive time.
    public func handle(_ event: MarketEvent) {
        counters.marketEvents += 1
        let id = event.instrument
        guard id.index >= 0 && id.index < books.count else { counters.unknownInstrumentEvents += 1; return }
        now = Swift.max(now, event.receivedAt)
        let venue = venues[universe.instruments[id.index].venue.index]
        var notify = true
        var trade: Trade? = nil
        switch event {
        case .bookDelta(let d):
            counters.bookUpdates += 1
            books[id.index].apply(d.side, price: d.price, quantity: d.quantity)
            books[id.index].sequence = d.sequence
            books[id.index].updatedAt = d.exchangeTime
            notify = d.endOfMessage
        case .bookSnapshot(let s):
            counters.bookUpdates += 1
            books[id.index].replace(bids: s.bids, asks: s.asks)
            books[id.index].sequence = s.sequence
            books[id.index].updatedAt = s.exchangeTime
        case .trade(let t):
            counters.trades += 1
            trade = t
            notify = false
        case .status(let s):
            counters.feedStatusEvents += 1
            // A gap or resync means the book can no longer be trusted: empty it until the
            // next snapshot, so no strategy trades on a stale picture.
            if s.kind != .reconnect { books[id.index].clear() }
        }
        if venue.hasRestingOrders(on: id) {
            venue.marketDidUpdate(universe.instruments[id.index], book: &books[id.index], trade: trade, now: now, reports: &reportBuffer)
            flushReports(from: venue)
        }
        refreshTouch(id.index)
        if notify {
            var i = 0
            while i < subscribers[id.index].count {
                let s = subscribers[id.index][i]
                counters.strategyWakeups += 1
                strategies[s].onBook(id, contexts[s])
                i += 1
            }
        }
    }

    func perform(_ action: EventScheduler.Action) {
        switch action {
        case .orderArrival(let order):
            let venue = venues[order.venue.index]
            let id = order.intent.instrument
            venue.receive(order, instrument: universe.instruments[id.index], book: &books[id.index], now: now, reports: &reportBuffer)
            refreshTouch(id.index)
            flushReports(from: venue)
        case .cancelArrival(let venueId, let orderId):
            let venue = venues[venueId.index]
            venue.receiveCancel(orderId, now: now, reports: &reportBuffer)
            flushReports(from: venue)
        case .report(let report):
            apply(report)
        case .timer(let strategy, let token):
            strategies[strategy.index].onTimer(token, contexts[strategy.index])
        }
    }

    @inline(__always)
    func flushReports(from venue: any VenueAdapter) {
        guard !reportBuffer.isEmpty else { return }
        let arrival = now + venue.inboundLatency
        for report in reportBuffer { scheduler.schedule(.report(report), at: arrival) }
        reportBuffer.removeAll(keepingCapacity: true)
    }

    // MARK: orders

    /// Checks one leg against the venue's rules and the balance left after `alreadyLocked`.
    func preTradeCheck(_ intent: OrderIntent, extraLock: (VenueId, AssetId, Amount)?) -> (Rejection?, OrderLock) {
        let id = intent.instrument
        let instrument = universe.instruments[id.index]
        let venue = venues[instrument.venue.index]
        if let rejection = venue.validate(intent, instrument: instrument, book: books[id.index]) {
            return (rejection, OrderLock(asset: instrument.quote, amount: .zero))
        }
        let lock = OrderLock.required(for: intent, instrument: instrument, fees: feeSchedules[id.index], book: books[id.index])
        var need = lock.amount
        if let (v, a, amount) = extraLock, v == instrument.venue, a == lock.asset { need += amount }
        if need > balances[instrument.venue.index].available[lock.asset.index] {
            return (venue.insufficientBalanceRejection(side: intent.side), lock)
        }
        return (nil, lock)
    }

    func recordPreTradeRejection(_ intent: OrderIntent, _ rejection: Rejection, strategy: StrategyId) {
        counters.preTradeRejections += 1
        let venue = universe.venueNames[universe.instruments[intent.instrument.index].venue.index]
        counters.rejectionsByCode["pre-trade:\(venue):\(rejection.venueCode)", default: 0] += 1
        observer?.preTradeRejected(intent, strategy: strategy, rejection: rejection, at: now)
    }

    func send(_ intent: OrderIntent, lock: OrderLock, strategy: StrategyId) -> ClientOrderId {
        nextOrderId += 1
        let id = ClientOrderId(nextOrderId)
        let venueId = universe.instruments[intent.instrument.index].venue
        let order = Order(id: id, strategy: strategy, venue: venueId, intent: intent, submittedAt: now)
        let locked = balances[venueId.index].lock(lock.asset, lock.amount)
        assert(locked, "pre-trade check passed, so the lock fits")
        openOrders[id] = OpenOrder(order: order, lock: lock, remainingLock: lock.amount, filled: .zero)
        counters.ordersSent += 1
        scheduler.schedule(.orderArrival(order), at: now + venues[venueId.index].outboundLatency)
        observer?.orderSent(order, at: now)
        return id
    }

    func submit(_ intent: OrderIntent, strategy: StrategyId) -> Result<ClientOrderId, Rejection> {
        let (rejection, lock) = preTradeCheck(intent, extraLock: nil)
        if let rejection {
            recordPreTradeRejection(intent, rejection, strategy: strategy)
            return .failure(rejection)
        }
        if let held = admit(intent) {
            recordPreTradeRejection(intent, held, strategy: strategy)
            return .failure(held)
        }
        return .success(send(intent, lock: lock, strategy: strategy))
    }

    /// The venue's client-side rate limiter, if it has one.
    func admit(_ intent: OrderIntent) -> Rejection? {
        let instrument = universe.instruments[intent.instrument.index]
        guard let throttle = throttles[instrument.venue.index] else { return nil }
        return throttle.admit(.newOrder(intent, instrument), at: now)
    }

    /// Both legs are checked (rules, and balances counting the first leg's lock) before either is sent.
    func submitPair(_ a: OrderIntent, _ b: OrderIntent, strategy: StrategyId) -> PairSubmission {
        let (rejectA, lockA) = preTradeCheck(a, extraLock: nil)
        if let rejectA {
            recordPreTradeRejection(a, rejectA, strategy: strategy)
            return .rejected(leg: 0, rejectA)
        }
        let venueA = universe.instruments[a.instrument.index].venue
        let (rejectB, lockB) = preTradeCheck(b, extraLock: (venueA, lockA.asset, lockA.amount))
        if let rejectB {
            recordPreTradeRejection(b, rejectB, strategy: strategy)
            return .rejected(leg: 1, rejectB)
        }
        // Rate limits last: both legs must be admitted before either goes. A first leg
        // admitted for a pair that then cannot go has used budget it did not need, which
        // errs on the safe side.
        if let held = admit(a) {
            recordPreTradeRejection(a, held, strategy: strategy)
            return .rejected(leg: 0, held)
        }
        if let held = admit(b) {
            recordPreTradeRejection(b, held, strategy: strategy)
            return .rejected(leg: 1, held)
        }
        let idA = send(a, lock: lockA, strategy: strategy)
        let idB = send(b, lock: lockB, strategy: strategy)
        return .sent(idA, idB)
    }

    func cancel(_ id: ClientOrderId) -> Bool {
        guard let open = openOrders[id] else { return false }
        let instrument = universe.instruments[open.order.intent.instrument.index]
        if let throttle = throttles[open.order.venue.index],
           let held = throttle.admit(.cancel(open.order, instrument, orderAge: now - open.order.submittedAt), at: now) {
            counters.heldCancels += 1
            counters.rejectionsByCode["held:\(universe.venueNames[open.order.venue.index]):\(held.venueCode)", default: 0] += 1
            return false
        }
        counters.cancels += 1
        scheduler.schedule(.cancelArrival(open.order.venue, id), at: now + venues[open.order.venue.index].outboundLatency)
        return true
    }

    func scheduleTimer(_ strategy: StrategyId, after delay: Duration, token: UInt64) {
        scheduler.schedule(.timer(strategy, token), at: now + delay)
    }

    /// Books a report from a venue into the account and tells the strategy.
    func apply(_ report: ExecutionReport) {
        guard var open = openOrders[report.orderId] else { return }
        let venueIndex = open.order.venue.index
        let instrument = universe.instruments[open.order.intent.instrument.index]
        switch report.kind {
        case .accepted:
            break
        case .fill:
            counters.fills += 1
            balances[venueIndex].settleFill(side: report.side, instrument: instrument, quantity: report.fillQuantity,
                                            notional: report.fillNotional, fee: report.fee, feeAsset: report.feeAsset,
                                            remainingLock: &open.remainingLock)
            open.filled += report.fillQuantity
            feesPaid[venueIndex][report.feeAsset.index] += report.fee
            let route = Int(open.order.intent.route)
            if route >= 0 && route < routeFlows.count {
                let signedBase = report.side == .buy ? report.fillQuantity.asAmount : -report.fillQuantity.asAmount
                routeFlows[route][instrument.base.index] += signedBase
                routeFlows[route][instrument.quote.index] -= report.side == .buy ? report.fillNotional : -report.fillNotional
                routeFlows[route][report.feeAsset.index] -= report.fee
            }
            let value = valuation.value(report.fillNotional, of: instrument.quote, books: books)
            let fee = valuation.value(report.fee, of: report.feeAsset, books: books)
            if let value, let fee {
                instrumentLedgers[instrument.id.index].apply(side: report.side, quantity: report.fillQuantity, value: value, fee: fee)
                if route >= 0 && route < routeLedgers.count {
                    routeLedgers[route].apply(side: report.side, quantity: report.fillQuantity, value: value, fee: fee)
                }
            } else {
                unvaluedFills += 1
            }
        case .rejected:
            counters.venueRejections += 1
            let code = report.rejection?.venueCode ?? "unknown"
            counters.rejectionsByCode["\(universe.venueNames[venueIndex]):\(code)", default: 0] += 1
            if let rejection = report.rejection, [418, 429, 403].contains(rejection.httpStatus), let throttle = throttles[venueIndex] {
                throttle.venueRefused(rejection, action: .newOrder(open.order.intent, instrument), at: now)
            }
        case .cancelRejected:
            if let rejection = report.rejection, [418, 429, 403].contains(rejection.httpStatus), let throttle = throttles[venueIndex] {
                throttle.venueRefused(rejection, action: .cancel(open.order, instrument, orderAge: now - open.order.submittedAt), at: now)
            }
        case .cancelled:
            break
        case .expired:
            counters.expirations += 1
        }
        if report.isFinal {
            if open.remainingLock.raw != 0 {
                balances[venueIndex].release(open.lock.asset, open.remainingLock)
                open.remainingLock = .zero
            }
            if open.filled.raw > 0 { counters.ordersFilled += 1 }
            openOrders[report.orderId] = nil
        } else {
            openOrders[report.orderId] = open
        }
        observer?.orderReport(report, order: open.order, at: now)
        strategies[open.order.strategy.index].onReport(report, order: open.order, contexts[open.order.strategy.index])
    }

    /// Ends the run: asks every strategy for its report. Orders it cancels here are not
    /// delivered any more; what is open at the end is reported as open.
    public func stopStrategies() -> [StrategyReport] {
        zip(strategies, contexts).map { $0.stop($1) }
    }

    public func countOpportunity() { counters.opportunities += 1 }
}

/// The outcome of submitting two legs together.
public enum PairSubmission: Sendable, Hashable {
    case sent(ClientOrderId, ClientOrderId)
    /// Neither leg was sent; `leg` (0 or 1) failed the pre-trade check.
    case rejected(leg: Int, Rejection)
}

extension VenueAdapter {
    /// The venue's wording for "not enough balance"; adapters override through `VenueErrorWording`.
    func insufficientBalanceRejection(side: Side) -> Rejection {
        if let wording = self as? any VenueErrorWording { return wording.insufficientBalance(side: side) }
        return Rejection(reason: .insufficientBalance, venueCode: "insufficient_balance", message: "Insufficient balance.")
    }
}

/// Venues that word their own balance errors (every real adapter does).
public protocol VenueErrorWording {
    func insufficientBalance(side: Side) -> Rejection
}
