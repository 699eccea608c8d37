import ArbCore
import ArbPaper

/// Drives one exchange plugin's paper venue directly, without a kernel: set the
/// exchange's book, send an order, read what the venue answered. For testing an exchange
/// plugin's rules and matching.
///
/// ```swift
/// var h = VenueHarness(plugin: try UpbitPlugin(settings: .init()), base: "BTC", quote: "KRW")
/// h.fund("1000000", of: "KRW")
/// h.setBook(bids: [("149999000", "0.5")], asks: [("150000000", "0.5")])
/// let reports = h.send(.limit(.buy, on: h.instrument.id, price: Price("150000000"), quantity: Quantity("0.001")))
/// ```
public struct VenueHarness {
    /// One venue, one instrument.
    public private(set) var universe = Universe()
    /// The instrument under test.
    public let instrument: Instrument
    /// The plugin's paper venue.
    public let venue: any ExecutionVenue
    /// The exchange behind it.
    public let exchange: SimulatedExchange
    private let reportLog: () -> [ExecutionReport]
    private var nextId: UInt64 = 0
    private var time = Timestamp.zero

    /// A harness for `plugin`'s listing of `base`/`quote`.
    public init<P: ExchangePlugin>(plugin: P, base: String, quote: String, enforceRateLimits: Bool = false) {
        let v = universe.addVenue(P.id)
        guard let spec = plugin.listing(base: base, quote: quote) else { preconditionFailure("\(P.id) does not list \(base)/\(quote)") }
        let id = universe.addInstrument(spec, on: v)
        instrument = universe[id]
        exchange = SimulatedExchange(universe: universe, feedLatency: [.zero])
        let options = PaperVenueOptions(latency: .zero, enforceRateLimits: enforceRateLimits)
        let paper = PaperVenue(venue: v, rules: plugin.rules, exchange: exchange, latency: .zero,
                               admission: plugin.exchangeAdmission(options: options))
        paper.keepsReportLog = true
        venue = paper
        reportLog = { [unowned paper] in paper.reportLog }
    }

    /// The id of an asset the harness knows (the instrument's, or one funded); nil otherwise.
    public func asset(_ code: String) -> AssetId? { universe.assetId(code) }

    /// The exchange's book for the instrument.
    public var book: OrderBook { exchange.exchangeBook(instrument.id) }

    /// Funds the account at the venue.
    public mutating func fund(_ amount: Amount, of asset: String) {
        venue.deposit(universe.asset(asset), amount)
    }

    /// Replaces the exchange's book (a feed snapshot at the current time).
    public mutating func setBook(bids: [(Price, Quantity)], asks: [(Price, Quantity)]) {
        let level = { (pair: (Price, Quantity)) in BookLevel(price: pair.0, quantity: pair.1) }
        exchange.exchangeReceives(.bookSnapshot(BookSnapshot(instrument: instrument.id, bids: bids.map(level), asks: asks.map(level),
                                                             exchangeTime: time, receivedAt: time)), at: time)
        drain()
    }

    /// Sends one order (at `now`) and returns the reports it produced.
    public mutating func send(_ intent: OrderIntent, at now: Timestamp = .zero) -> [ExecutionReport] {
        nextId += 1
        if now > time { time = now }
        let start = reportLog().count
        let order = Order(id: ClientOrderId(nextId), strategy: StrategyId(0), venue: instrument.venue, intent: intent, submittedAt: time)
        venue.send(.submit(order), at: time)
        drain()
        return Array(reportLog()[start...])
    }

    /// Lets everything due inside the exchange happen (arrivals; feed messages are dropped:
    /// there is no client here).
    private func drain() {
        while exchange.nextDueTime != nil { _ = exchange.performNext() }
    }
}
