/// A request the client sends to a venue. Amends and order queries come here when a
/// venue plugin needs them.
public enum ExecutionRequest: Sendable, Hashable {
    /// A new order.
    case submit(Order)
    /// Cancel this order (the client's copy of it: the venue may already have ended it).
    case cancel(Order)
}

/// Where a venue's reports go: the kernel, which books each one when the client hears
/// of it (`time`), as a scheduled event.
public protocol ExecutionReportSink: AnyObject {
    func deliver(_ report: ExecutionReport, at time: Timestamp)
}

/// The client's side of one venue's order entry: requests go out, reports come back
/// through the sink as scheduled events. A paper venue (a simulated exchange behind a
/// simulated network) and a live venue (a REST/websocket session) implement the same
/// interface; the kernel cannot tell them apart and never hands either its books.
public protocol ExecutionVenue: AnyObject {
    var venue: VenueId { get }
    /// The plugin id, e.g. `upbit`.
    var name: String { get }
    /// The venue's order rules and wording, for checks before sending.
    var orderRules: any VenueRules { get }
    /// Attaches the kernel; reports go there from now on.
    func connect(_ sink: any ExecutionReportSink)
    /// Sends a request at `now`. Never blocks; what the venue answers comes back later.
    func send(_ request: ExecutionRequest, at now: Timestamp)
    /// Funds a paper account at the start of a run; a live venue reads its balances
    /// from the exchange and refuses deposits.
    func deposit(_ asset: AssetId, _ amount: Amount)
    /// Takes `amount` out of a paper account (a simulated withdrawal); a live venue does
    /// not take withdrawals through this interface.
    func withdraw(_ asset: AssetId, _ amount: Amount)
}

extension ExecutionVenue {
    public func withdraw(_ asset: AssetId, _ amount: Amount) {}
    @inlinable public func fees(for instrument: Instrument) -> FeeSchedule { orderRules.fees(for: instrument) }
    public func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        orderRules.validate(intent, instrument: instrument, book: book)
    }
    public func insufficientBalanceRejection(side: Side) -> Rejection { orderRules.insufficientBalance(side: side) }
}

/// The exchange's own gate on requests that reach it (its rate limits, as 429s and
/// bans). A simulated exchange asks it on every arrival; ArbRateLimit provides one
/// per venue plugin, so the paper engine itself knows nothing of rate limits.
public protocol ExchangeAdmission: AnyObject {
    /// nil to process the request; otherwise the refusal the client gets.
    func admit(_ request: ExecutionRequest, instrument: Instrument, at now: Timestamp) -> Rejection?
    /// An order traded for the first time, partly or fully (Binance takes it off the
    /// unfilled-order count).
    func orderTraded(_ order: Order, instrument: Instrument, at now: Timestamp)
}

/// The outside world of a simulated run: the exchanges' own books at exchange time and
/// the network between them and the client. The kernel hands it every market event at
/// its exchange time and gets back, later, what the client's feed delivers.
public protocol MarketSimulation: AnyObject {
    /// A market-data event happens at its venue at `time` (non-decreasing).
    func exchangeReceives(_ event: consuming MarketEvent, at time: Timestamp)
    /// When the next thing inside is due (an order arriving, a competitor acting, a feed
    /// message reaching the client), if anything is.
    var nextDueTime: Timestamp? { get }
    /// Does the next due thing. A feed message reaching the client is returned for the
    /// kernel to apply to its view; anything else returns nil.
    func performNext() -> MarketEvent?
}
