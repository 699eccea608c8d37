/// What the kernel counted during a run; the host turns it into the summary.
public struct KernelCounters: Sendable, Hashable {
    public var marketEvents: Int = 0
    public var bookUpdates: Int = 0
    public var trades: Int = 0
    /// Gaps, reconnects and resyncs reported by feeds (or recordings).
    public var feedStatusEvents: Int = 0
    public var strategyWakeups: Int = 0
    public var opportunities: Int = 0
    public var ordersSent: Int = 0
    public var ordersFilled: Int = 0
    public var fills: Int = 0
    public var venueRejections: Int = 0
    public var preTradeRejections: Int = 0
    /// Rejections by "venue:code" (venue ones) or "pre-trade:venue:code"; the summary sorts the keys.
    public var rejectionsByCode: [String: Int] = [:]
    public var cancels: Int = 0
    /// Cancels the client-side rate limiter held back (during a ban, or a full pool).
    public var heldCancels: Int = 0
    public var expirations: Int = 0
    public var scheduledActions: Int = 0
    /// Market events for instruments the run does not know (bad input, counted not fatal).
    public var unknownInstrumentEvents: Int = 0

    public init() {}
}

/// Receives what the kernel does with orders, for the journal. Called on the kernel's
/// thread: implementations must only hand the record to a bounded queue.
public protocol KernelObserver: AnyObject {
    func orderSent(_ order: Order, at time: Timestamp)
    /// A report was booked; a fill comes with its value in the reporting currency at the
    /// time (nil when it could not be valued, and for other reports).
    func orderReport(_ report: ExecutionReport, order: Order, valued: FillValue?, at time: Timestamp)
    func preTradeRejected(_ intent: OrderIntent, strategy: StrategyId, rejection: Rejection, at time: Timestamp)
    /// A strategy recorded a row of the opportunity ledger at `time`.
    func opportunityRecorded(_ record: OpportunityRecord, at time: Timestamp)
    /// A simulated transfer left its venue, or arrived.
    func transferMoved(_ transfer: Transfer, at time: Timestamp)
}

extension KernelObserver {
    /// Observers that do not keep the ledger ignore it.
    public func opportunityRecorded(_ record: OpportunityRecord, at time: Timestamp) {}
    public func transferMoved(_ transfer: Transfer, at time: Timestamp) {}
}

/// A fill's notional and fee in the reporting currency, at the marks of its time: what
/// the ledgers booked, so that a journal reader can rebuild every PnL line.
public struct FillValue: Sendable, Hashable {
    public var notional: Amount
    public var fee: Amount
    public init(notional: Amount, fee: Amount) { self.notional = notional; self.fee = fee }
}
