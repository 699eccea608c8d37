/// A strategy's handle on the kernel: what it may read and do. One per strategy,
/// only valid on the kernel's thread during callbacks.
public final class StrategyContext {
    /// The kernel owns its contexts, so the reference cannot dangle; `unowned(unsafe)`
    /// avoids a reference-count check on every access on the hot path.
    @usableFromInline unowned(unsafe) let kernel: Kernel
    public let strategy: StrategyId

    init(kernel: Kernel, strategy: StrategyId) {
        self.kernel = kernel
        self.strategy = strategy
    }

    /// Event time now: the run's start in `start()`, then the time of what woke the strategy.
    @inlinable public var now: Timestamp { kernel.now }
    /// Every venue, asset and instrument of the run.
    public var universe: Universe { kernel.universe }

    /// Wake this strategy when `instrument`'s book changes.
    public func subscribe(_ instrument: InstrumentId) { kernel.subscribe(strategy, to: instrument) }

    /// Registers (or finds) a route by name, for PnL attribution; returns its id.
    public func route(named name: String) -> Int32 { kernel.registerRoute(name) }

    /// A copy of the book (cheap, copy-on-write); for the touch alone use `bestBid`/`bestAsk`.
    @inlinable public func book(_ instrument: InstrumentId) -> OrderBook { kernel.books[instrument.index] }
    /// Whether the universe rule lets strategies trade `instrument` now (always true with
    /// `mode = "list"`). A strategy skips what is not tradable: it is not an opportunity.
    @inlinable public func isTradable(_ instrument: InstrumentId) -> Bool { kernel.isTradable(instrument) }
    /// Whether the feed vouches for the book: false after a gap, a resync or staleness
    /// until the next snapshot (the book is empty meanwhile, and entries are refused).
    @inlinable public func isBookUsable(_ instrument: InstrumentId) -> Bool { kernel.bookProblem(instrument) == nil }
    /// Calls `body` with an instrument's book, borrowed (no copy): for reading many books often.
    @inlinable public func withBook<R>(_ instrument: InstrumentId, _ body: (borrowing OrderBook) -> R) -> R { body(kernel.books[instrument.index]) }
    /// The touch, read in place without copying the book.
    @inlinable public func bestBid(_ instrument: InstrumentId) -> BookLevel? { kernel.touch(instrument).bid }
    @inlinable public func bestAsk(_ instrument: InstrumentId) -> BookLevel? { kernel.touch(instrument).ask }
    /// Best bid, best ask and last update time together, in one read.
    @inlinable public func touch(_ instrument: InstrumentId) -> Touch { kernel.touch(instrument) }
    /// Exchange time of the book's last update.
    @inlinable public func updatedAt(_ instrument: InstrumentId) -> Timestamp { kernel.touch(instrument).updatedAt }
    public func fees(_ instrument: InstrumentId) -> FeeSchedule { kernel.fees(instrument) }
    /// What of `asset` on `venue` is free to trade (not locked by open orders).
    public func available(_ venue: VenueId, _ asset: AssetId) -> Amount { kernel.balances[venue.index].available[asset.index] }
    /// What of `asset` on `venue` open orders hold.
    public func locked(_ venue: VenueId, _ asset: AssetId) -> Amount { kernel.balances[venue.index].locked[asset.index] }
    /// This strategy's open orders, oldest first.
    public func openOrders() -> [Order] { kernel.openOrders(of: strategy) }

    /// The venue's verdict on an intent's form (tick, lot, notional, precision) without sending it.
    public func validate(_ intent: OrderIntent) -> Rejection? {
        let instrument = kernel.universe[intent.instrument]
        return kernel.venue(instrument.venue).validate(intent, instrument: instrument, book: kernel.books[intent.instrument.index])
    }

    /// Checks and sends one order. A failed check is returned and counted; nothing is sent.
    @discardableResult
    public func submit(_ intent: OrderIntent) -> Result<ClientOrderId, Rejection> { kernel.submit(intent, strategy: strategy) }

    /// Checks both legs (rules, balances, rate limits) and sends both, or neither: the
    /// two legs of an arbitrage. The first leg goes first.
    public func submitPair(first: OrderIntent, second: OrderIntent) -> PairSubmission { kernel.submitPair(first, second, strategy: strategy) }

    /// Asks the venue to cancel; false if the order is not open.
    @discardableResult
    public func cancel(_ id: ClientOrderId) -> Bool { kernel.cancel(id) }

    /// Calls `onTimer(token)` after `delay` of event time.
    public func schedule(after delay: Duration, token: UInt64) { kernel.scheduleTimer(strategy, after: delay, token: token) }

    /// Total balance (available and locked) of an asset on a venue.
    public func total(_ venue: VenueId, _ asset: AssetId) -> Amount { kernel.balances[venue.index].total(asset) }

    /// Declares a floor this strategy keeps `asset` on `venue` at; the run reports the time
    /// spent at or below it.
    public func watchFloor(_ venue: VenueId, _ asset: AssetId, floor: Amount) { kernel.watchFloor(venue: venue, asset: asset, floor: floor) }

    /// Counts an opportunity seen (for the summary), whether or not it was traded.
    public func countOpportunity() { kernel.countOpportunity() }

    /// A fresh id for a detected opportunity, for its ledger row.
    public func newOpportunityId() -> UInt64 { kernel.newOpportunityId() }

    /// Records a row of the opportunity ledger (docs/ROUTES.md): every detected
    /// opportunity once, with its decision; an executed one when its legs have ended.
    /// `strategy` is filled in here.
    public func recordOpportunity(_ record: OpportunityRecord) {
        var row = record
        row.strategy = strategy
        kernel.recordOpportunity(row)
    }
}
