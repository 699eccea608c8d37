/// The engine: one thread, one event at a time, deterministic.
///
/// It keeps the client's view of every market (the books as the client's feed has
/// delivered them), wakes the strategies subscribed to them, checks every order intent
/// before it is sent (the venue's rules and the account's balance, for all legs of a
/// group before any leg goes), sends requests through each venue's execution interface,
/// and books the reports that come back into balances, positions and PnL.
///
/// In a simulated run a `MarketSimulation` stands between the market data and the
/// kernel: it gets each event at exchange time and hands the kernel what the feed
/// delivers, after the feed latency. Without one (live feeds, plain replays) events
/// reach the kernel at their receive time.
///
/// It reads time only from events; it never iterates a dictionary to decide anything.
/// The parts live in files by concern: `Kernel+Market` (the client's view and the
/// event loop), `Kernel+Orders` (pre-trade checks, sending, cancels),
/// `Kernel+Reports` (booking reports into the portfolio), `Kernel+Invariants`.
public final class Kernel: ExecutionReportSink {
    public let universe: Universe

    /// Everything touched on every event, in one heap block the kernel owns. Reached
    /// through a pointer, it is read and written in place: no copy of the book table, no
    /// runtime exclusivity check per access (~25 % of an event when these were stored
    /// properties; see docs/BENCHMARKS.md). Only the kernel's thread touches it.
    @usableFromInline struct HotState {
        @usableFromInline var now: Timestamp = .zero
        @usableFromInline var counters = KernelCounters()
        /// The client's view of every book.
        @usableFromInline var books: ContiguousArray<OrderBook>
        /// `Touch(books[i])`, refreshed after every change to book `i`.
        @usableFromInline var touches: ContiguousArray<Touch>
        var subscribers: [[Int]]
        /// The universe rule's watcher, if any, and which instruments it lets strategies trade.
        var watcher: (any MarketWatcher)? = nil
        @usableFromInline var tradable: ContiguousArray<Bool> = []
        /// Per book: 0 while it can be traded on, else 1 + the `FeedStatus.Kind` that made
        /// it unreliable (a gap, a resync, staleness), until the next snapshot.
        @usableFromInline var bookTrouble: ContiguousArray<UInt8> = []
        var strategies: [any Strategy] = []
        var contexts: [StrategyContext] = []
        var scheduler = EventScheduler()
        /// The next market event from the source, not yet due, and when it is due. Kept
        /// as a plain value and a flag: optional-of-enum handling went through generic
        /// value witnesses on every step (measured with callgrind).
        var pendingEvent = Kernel.emptySlot
        var hasPending = false
        var pendingTime: Timestamp = .distantFuture
        /// Exchange time of the last event handed to the simulation (kept non-decreasing).
        var lastExchangeTime: Timestamp = .zero
        /// Read on every step: kept here, where reading costs no exclusivity check.
        var checksInvariants = Kernel.invariantChecksByDefault
        var awaitingStartMarks = true
        /// A market event has been taken from the source: timers due before the first
        /// one waited for it.
        var marketStarted = false
        /// A strategy faulted: the run stops at the next step.
        var faulted = false
        /// When the risk guard wants its next review (never without a guard): one
        /// comparison per step.
        var nextGuardReview: Timestamp = .distantFuture
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

    /// Why `id`'s book cannot be traded on now (a gap, a resync, staleness), or nil when
    /// it can: the book is empty until the next snapshot rebuilds it.
    @inlinable public func bookProblem(_ id: InstrumentId) -> FeedStatus.Kind? {
        let t = hot.pointee.bookTrouble[id.index]
        return t == 0 ? nil : FeedStatus.Kind(rawValue: t - 1)
    }

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
    /// What an empty event slot holds (a trivial case: nothing to retain).
    @usableFromInline static let emptySlot = MarketEvent.status(FeedStatus(kind: .reconnect, instrument: InstrumentId(0), receivedAt: .zero))

    let venues: [any ExecutionVenue]
    /// The exchanges and the network of a simulated run; nil for live feeds and plain replays.
    public let simulation: (any MarketSimulation)?
    let feeSchedules: [FeeSchedule]
    /// The client-side rate limiter of each venue, if any.
    var throttles: [(any OrderThrottle)?]
    /// The account's risk guard, if any (ArbRisk): asked before the rate limiter.
    public private(set) var orderGuard: (any OrderGuard)?
    var nextOrderId: UInt64 = 0

    /// The kernel's view of each venue account.
    public internal(set) var balances: [Balances]
    public internal(set) var initialBalances: [Balances]
    var openOrders: [ClientOrderId: OpenOrder] = [:]
    /// Route names registered by strategies; index = route id.
    public internal(set) var routeNames: [String] = []
    public internal(set) var routeLedgers: [PositionLedger] = []
    /// Simulated transfers between venues, in the order sent; what is in flight per asset;
    /// the fees' value (reporting currency, at the marks when sent).
    public internal(set) var transfers: [Transfer] = []
    public internal(set) var inFlight: [Amount] = []
    public internal(set) var transferCosts: Amount = .zero
    public internal(set) var unvaluedTransferFees = 0
    /// The base asset each route trades, learnt from its first fill.
    var routeBases: [String: AssetId] = [:]
    /// Net flow of every asset per route, in that asset (a buy: +base, −quote; fees out):
    /// the route's PnL in its quote currencies.
    public internal(set) var routeFlows: [[Amount]] = []
    /// Per (venue, instrument) ledger, index = instrument id.
    public internal(set) var instrumentLedgers: [PositionLedger]
    /// Fees paid per venue per asset, in that asset.
    public internal(set) var feesPaid: [[Amount]]
    public internal(set) var valuation: Valuation
    /// Fills that could not be valued in the reporting currency (no price yet).
    public internal(set) var unvaluedFills = 0
    /// Per instrument: ledgers of fills that belong to no route (so that every fill is in
    /// exactly one ledger of the PnL statement).
    public internal(set) var unroutedLedgers: [PositionLedger]
    /// Per instrument: fees paid in its base asset (a buy's fee in the coin received).
    public internal(set) var coinFees: [Amount]
    /// Per venue and asset: the lowest total balance seen, a floor a strategy keeps to
    /// (if any), when the balance went to or below it, and the time spent there.
    public internal(set) var inventory: [[InventoryTrack]]
    /// The marks the PnL statement values the starting balances at: taken when every
    /// funded asset first has a price (or `startMarksDeadline` after the first event).
    public internal(set) var startMarks: Marks? {
        didSet { hot.pointee.awaitingStartMarks = startMarks == nil }
    }
    var startMarksDeadline: Timestamp?
    public static let startMarksWait = Duration.seconds(10)
    public weak var observer: (any KernelObserver)?
    /// Check the invariants after every event (on in debug builds and tests; costs a
    /// pass over the open orders per event).
    public var checksInvariants: Bool {
        get { hot.pointee.checksInvariants }
        set { hot.pointee.checksInvariants = newValue }
    }

    struct OpenOrder {
        var order: Order
        var lock: OrderLock
        var remainingLock: Amount
        var filled: Quantity
    }

    /// - Parameters:
    ///   - venues: one execution venue per venue of `universe`, in venue-id order.
    ///   - simulation: the simulated exchanges and network, for paper and replay runs.
    ///   - reportingAsset: the currency PnL is reported in.
    ///   - fxInstruments: instruments preferred for converting into it.
    ///   - startTime: the run's start: what `now` reads before the first event, in
    ///     strategies' `start()` too (`.defaultRunStart` for synthetic runs and scenarios,
    ///     the first recorded event for a replay).
    public init(universe: Universe, venues: [any ExecutionVenue], simulation: (any MarketSimulation)? = nil,
                reportingAsset: AssetId, fxInstruments: [InstrumentId] = [], startTime: Timestamp) {
        precondition(venues.count == universe.venueCount, "one execution venue per venue")
        for (i, v) in venues.enumerated() { precondition(v.venue.index == i, "execution venues in venue-id order") }
        self.universe = universe
        self.venues = venues
        self.simulation = simulation
        self.hot = .allocate(capacity: 1)
        hot.initialize(to: HotState(books: ContiguousArray(repeating: OrderBook(reservingLevels: 32), count: universe.instruments.count),
                                    touches: ContiguousArray(repeating: Touch(), count: universe.instruments.count),
                                    subscribers: Array(repeating: [], count: universe.instruments.count)))
        hot.pointee.tradable = ContiguousArray(repeating: true, count: universe.instruments.count)
        hot.pointee.bookTrouble = ContiguousArray(repeating: 0, count: universe.instruments.count)
        self.feeSchedules = universe.instruments.map { venues[$0.venue.index].fees(for: $0) }
        self.throttles = Array(repeating: nil, count: universe.venueCount)
        self.balances = Array(repeating: Balances(assetCount: universe.assetCount), count: universe.venueCount)
        self.initialBalances = balances
        self.instrumentLedgers = Array(repeating: PositionLedger(), count: universe.instruments.count)
        self.unroutedLedgers = instrumentLedgers
        self.inventory = Array(repeating: Array(repeating: InventoryTrack(), count: universe.assetCount), count: universe.venueCount)
        self.coinFees = Array(repeating: .zero, count: universe.instruments.count)
        self.feesPaid = Array(repeating: Array(repeating: .zero, count: universe.assetCount), count: universe.venueCount)
        self.inFlight = Array(repeating: .zero, count: universe.assetCount)
        self.valuation = Valuation(universe: universe, reportingAsset: reportingAsset, preferred: fxInstruments)
        hot.pointee.now = startTime
        hot.pointee.lastExchangeTime = startTime
        for venue in venues { venue.connect(self) }
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
        inventory[venue.index][asset.index].lowest = balances[venue.index].total(asset)
        venues[venue.index].deposit(asset, amount)
    }

    /// Puts a client-side rate limiter in front of a venue: every order and cancel asks it first.
    public func setThrottle(_ throttle: (any OrderThrottle)?, for venue: VenueId) {
        throttles[venue.index] = throttle
    }

    /// Puts the account's risk guard in front of every order (before the rate limiter);
    /// it is first reviewed at the next step.
    public func setGuard(_ guard_: (any OrderGuard)?) {
        orderGuard = guard_
        hot.pointee.nextGuardReview = guard_ == nil ? .distantFuture : now
    }

    /// Asks for the guard's review at the next step (a state changed and resting orders
    /// in its scope are to be cancelled).
    public func requestGuardReview() {
        if orderGuard != nil { hot.pointee.nextGuardReview = now }
    }

    func reviewGuard() {
        guard let g = orderGuard else { return }
        let next = g.review(kernel: self)
        hot.pointee.nextGuardReview = next > now ? next : now + .nanoseconds(1)
    }

    /// Cancels every open order `matching` says to (the risk guard halting a scope);
    /// returns how many cancels were sent. Deterministic order (by id).
    @discardableResult
    public func cancelOpenOrders(where matching: (Order) -> Bool) -> Int {
        var sent = 0
        for order in openOrderList where matching(order) {
            if cancel(order.id) { sent += 1 }
        }
        return sent
    }

    /// Adds a strategy and starts it (`now` is the run's start time); it subscribes
    /// through its context. `label` names it in faults (the manifest's section name).
    /// What `start()` throws is passed on.
    @discardableResult
    public func add(_ strategy: any Strategy, label: String? = nil) throws -> StrategyId {
        let id = StrategyId(strategies.count)
        let context = StrategyContext(kernel: self, strategy: id)
        strategies.append(strategy)
        contexts.append(context)
        strategyLabels.append(label ?? strategy.name)
        strategyStopped.append(false)
        timerBursts.append((.zero, 0))
        try strategy.start(context)
        return id
    }

    /// The fault that stopped the run, if a strategy broke a rule.
    public private(set) var fault: StrategyFault?
    /// Timer firings allowed to one strategy at one instant of event time: beyond it the
    /// strategy is flooding timers (a timer rescheduling itself with no delay).
    public var maxTimerFiringsPerInstant = 10_000
    var strategyLabels: [String] = []
    var strategyStopped: [Bool] = []
    /// Per strategy: the instant of its last timer and how many fired at it.
    var timerBursts: [(instant: Timestamp, count: Int)] = []

    /// Stops the run on a strategy's fault; the first one is kept.
    func raise(_ kind: StrategyFault.Kind, strategy: StrategyId, problem: String, fix: String) {
        guard fault == nil else { return }
        fault = StrategyFault(strategy: strategyLabels[strategy.index], plugin: strategies[strategy.index].name,
                              kind: kind, problem: problem, fix: fix, time: now)
        hot.pointee.faulted = true
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

    /// The client's view of a book.
    @inlinable public func book(_ id: InstrumentId) -> OrderBook { books[id.index] }
    public func fees(_ id: InstrumentId) -> FeeSchedule { feeSchedules[id.index] }
    public func venue(_ id: VenueId) -> any ExecutionVenue { venues[id.index] }
    public var openOrderCount: Int { openOrders.count }
    /// Open orders sorted by id (deterministic).
    public var openOrderList: [Order] { openOrders.values.map(\.order).sorted { $0.id < $1.id } }
    public func openOrders(of strategy: StrategyId) -> [Order] { openOrderList.filter { $0.strategy == strategy } }

    /// Value of `amount` of `asset` in the reporting currency at current books.
    public func value(_ amount: Amount, of asset: AssetId) -> Amount? {
        valuation.value(amount, of: asset, books: books)
    }

    /// Ends the run: asks every strategy for its report. From here on no callback or
    /// timer reaches a strategy: reports of cancels it sends now are booked, not
    /// delivered; what is open at the end is reported as open.
    public func stopStrategies() -> [StrategyReport] {
        for i in strategies.indices {
            strategyStopped[i] = true
            for b in subscribers.indices { subscribers[b].removeAll { $0 == i } }
        }
        return zip(strategies, contexts).map { $0.stop($1) }
    }

    public func countOpportunity() { counters.opportunities += 1 }

    /// The universe rule's watcher: sees every market event after the books (docs/MANIFEST.md, `[universe]`).
    public var marketWatcher: (any MarketWatcher)? {
        get { hot.pointee.watcher }
        set { hot.pointee.watcher = newValue }
    }

    /// Whether strategies may trade `instrument` (the universe rule's selection; all are, without one).
    @inlinable public func isTradable(_ instrument: InstrumentId) -> Bool { hot.pointee.tradable[instrument.index] }

    /// Lets strategies trade `instrument` or not (the universe rule).
    public func setTradable(_ instrument: InstrumentId, _ tradable: Bool) { hot.pointee.tradable[instrument.index] = tradable }

    /// The opportunity ledger's tally: every row strategies recorded.
    public private(set) var opportunityTally = OpportunityTally()
    private var lastOpportunityId: UInt64 = 0

    /// A fresh id for a detected opportunity (per run, in detection order).
    public func newOpportunityId() -> UInt64 {
        lastOpportunityId += 1
        return lastOpportunityId
    }

    /// Books a row of the opportunity ledger: tallied here, journaled by the observer.
    public func recordOpportunity(_ record: OpportunityRecord) {
        opportunityTally.add(record)
        orderGuard?.opportunityRecorded(record, kernel: self)
        observer?.opportunityRecorded(record, at: now)
    }

    // MARK: inventory

    /// A strategy keeps `asset` on `venue` at or above `floor`: time spent at or below it is
    /// measured from now on (the largest floor declared wins).
    func watchFloor(venue: VenueId, asset: AssetId, floor: Amount) {
        var track = inventory[venue.index][asset.index]
        if let existing = track.floor, existing >= floor { return }
        track.floor = floor
        inventory[venue.index][asset.index] = track
        noteBalance(venue: venue.index, asset: asset.index)
    }

    /// After a balance changed: its low, and whether it sits at or below its floor.
    func noteBalance(venue v: Int, asset a: Int) {
        let total = balances[v].total(AssetId(a))
        if total < inventory[v][a].lowest { inventory[v][a].lowest = total }
        guard let floor = inventory[v][a].floor else { return }
        if total <= floor {
            if inventory[v][a].atFloorSince == nil { inventory[v][a].atFloorSince = now }
        } else if let since = inventory[v][a].atFloorSince {
            inventory[v][a].nanosecondsAtFloor += now.nanoseconds - since.nanoseconds
            inventory[v][a].atFloorSince = nil
        }
    }

    /// Time spent at or below the floor up to `time` (an open stretch counts to `time`).
    public func nanosecondsAtFloor(venue: VenueId, asset: AssetId, until time: Timestamp) -> Int64 {
        let track = inventory[venue.index][asset.index]
        return track.nanosecondsAtFloor + (track.atFloorSince.map { max(0, time.nanoseconds - $0.nanoseconds) } ?? 0)
    }

    // MARK: transfers

    /// Sends `amount` of `asset` from one venue to another, as a paper run simulates a
    /// withdrawal and a deposit: debited now from what is available on `from` (the
    /// kernel's view and the venue's account), `amount − fee` credited on `to` after
    /// `arrival`. The fee's value at the current marks is a cost in the PnL statement.
    public func sendTransfer(asset: AssetId, from: VenueId, to: VenueId, amount: Amount, fee: Amount, network: String,
                             arrival: Duration) -> Result<Transfer, TransferRefusal> {
        guard from != to, from.index >= 0, from.index < universe.venueCount, to.index >= 0, to.index < universe.venueCount else {
            return .failure(TransferRefusal(description: "a transfer needs two different venues of the run"))
        }
        guard fee.raw >= 0, amount > fee, arrival >= .zero else {
            return .failure(TransferRefusal(description: "the amount must exceed the fee (\(fee)), the fee must not be negative, the arrival must not be in the past"))
        }
        guard balances[from.index].withdraw(asset, amount) else {
            return .failure(TransferRefusal(description: "\(amount) \(universe.assetCode(asset)) is more than is available on \(universe.venueName(from)) (\(balances[from.index].available[asset.index]))"))
        }
        venues[from.index].withdraw(asset, amount)
        let transfer = Transfer(id: transfers.count, asset: asset, from: from, to: to, amount: amount, fee: fee, network: network,
                                sentAt: now, arrivesAt: now + arrival, feeValue: value(fee, of: asset))
        transfers.append(transfer)
        inFlight[asset.index] += transfer.received
        if let cost = transfer.feeValue { transferCosts += cost } else { unvaluedTransferFees += 1 }
        noteBalance(venue: from.index, asset: asset.index)
        scheduler.schedule(.transferArrival(transfer.id), at: transfer.arrivesAt)
        orderGuard?.transferMoved(transfer, kernel: self)
        observer?.transferMoved(transfer, at: now)
        return .success(transfer)
    }

    func arrive(_ id: Int) {
        guard id >= 0 && id < transfers.count, !transfers[id].arrived else { return }
        transfers[id].arrived = true
        let t = transfers[id]
        balances[t.to.index].deposit(t.asset, t.received)
        venues[t.to.index].deposit(t.asset, t.received)
        inFlight[t.asset.index] -= t.received
        noteBalance(venue: t.to.index, asset: t.asset.index)
        orderGuard?.transferMoved(t, kernel: self)
        observer?.transferMoved(t, at: now)
    }

    // MARK: PnL

    /// The marks now (the client's books).
    public func currentMarks() -> Marks { valuation.marks(books: books) }

    /// Takes the start marks once every funded asset has a price, or at the deadline.
    func takeStartMarksIfReady() {
        if startMarksDeadline == nil { startMarksDeadline = now + Self.startMarksWait }
        let marks = valuation.marks(books: books)
        var ready = true
        for a in 0..<universe.assetCount where valuation.canValue(AssetId(a)) {
            let funded = initialBalances.contains { !$0.total(AssetId(a)).isZero }
            if funded && !marks.canValue(AssetId(a)) { ready = false; break }
        }
        if ready || now >= startMarksDeadline! { startMarks = marks }
    }

    /// The run's PnL statement at the current marks.
    public func pnlStatement() -> PnLStatement {
        func totals(_ b: [Balances]) -> [Amount] {
            (0..<universe.assetCount).map { a in b.reduce(Amount.zero) { $0 + $1.total(AssetId(a)) } }
        }
        let end = currentMarks()
        var ledgers = routeLedgers, bases: [AssetId] = []
        // A route's base is learnt from its first fill; a route with no fill has an empty ledger.
        for name in routeNames { bases.append(routeBases[name] ?? AssetId(0)) }
        for instrument in universe.instruments where unroutedLedgers[instrument.id.index].fills > 0 {
            ledgers.append(unroutedLedgers[instrument.id.index])
            bases.append(instrument.base)
        }
        let reporting = valuation.reportingAsset
        let quotes = Set(universe.instruments.map(\.quote)).subtracting([reporting])
        // What is in flight between venues is still the account's.
        var endTotals = totals(balances)
        for a in endTotals.indices { endTotals[a] += inFlight[a] }
        return PnLStatement(start: totals(initialBalances), end: endTotals, startMarks: startMarks ?? end, endMarks: end,
                            ledgers: ledgers, ledgerBases: bases, quoteCurrencies: quotes, transferCosts: transferCosts)
    }
}

/// One venue's balance of one asset over a run.
public struct InventoryTrack: Sendable, Hashable {
    public var lowest: Amount = .zero
    public var floor: Amount?
    public var atFloorSince: Timestamp?
    public var nanosecondsAtFloor: Int64 = 0
}

/// The outcome of submitting two legs together.
public enum PairSubmission: Sendable, Hashable {
    case sent(ClientOrderId, ClientOrderId)
    /// Neither leg was sent; `leg` (0 or 1) failed the pre-trade check.
    case rejected(leg: Int, Rejection)
}
