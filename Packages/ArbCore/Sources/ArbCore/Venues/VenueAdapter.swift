/// A venue the kernel can send orders to: a paper adapter now, a live one later.
///
/// The kernel calls it synchronously on its own thread; it never blocks. Reports it
/// appends are delivered back to the kernel after the venue's inbound latency.
public protocol VenueAdapter: AnyObject {
    var venue: VenueId { get }
    /// The plugin id, e.g. `upbit`.
    var name: String { get }
    /// Time from the client sending a request to the venue acting on it.
    var outboundLatency: Duration { get }
    /// Time from the venue acting to the client hearing of it.
    var inboundLatency: Duration { get }

    /// The venue's fee schedule for an instrument.
    func fees(for instrument: Instrument) -> FeeSchedule

    /// The venue's own static order checks (tick, lot, precision, min/max notional, order
    /// type support), worded as the venue words them. Balances are checked separately.
    func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection?

    /// Funds the venue-side account at the start of a run.
    func deposit(_ asset: AssetId, _ amount: Amount)

    /// An order reaches the venue at `now`: check, match against `book` (consuming what
    /// it takes), rest or end it, and append what the client will be told.
    func receive(_ order: Order, instrument: Instrument, book: inout OrderBook, now: Timestamp, reports: inout [ExecutionReport])

    /// A cancel request reaches the venue.
    func receiveCancel(_ id: ClientOrderId, now: Timestamp, reports: inout [ExecutionReport])

    /// Whether any order rests on `instrument` (so market updates need matching).
    func hasRestingOrders(on instrument: InstrumentId) -> Bool

    /// The market moved or traded on `instrument`; resting orders that the market went
    /// through are filled as maker.
    func marketDidUpdate(_ instrument: Instrument, book: inout OrderBook, trade: Trade?, now: Timestamp, reports: inout [ExecutionReport])
}
