import ArbCore

/// Drives one venue adapter directly, without a kernel: send an order, read what the
/// venue answered. For testing an exchange plugin's rules and matching.
///
/// ```swift
/// var h = VenueHarness(plugin: try UpbitPlugin(settings: .init()), base: "BTC", quote: "KRW")
/// h.fund("KRW", "1000000")
/// h.setBook(bids: [("149999000", "0.5")], asks: [("150000000", "0.5")])
/// let reports = h.send(.limit(h.instrument.id, .buy, price: Price("150000000")!, quantity: Quantity("0.001")!))
/// ```
public struct VenueHarness {
    public private(set) var universe = Universe()
    public let instrument: Instrument
    public let venue: any VenueAdapter
    public var book = OrderBook()
    public private(set) var reports: [ExecutionReport] = []
    private var nextId: UInt64 = 0

    public init<P: ExchangePlugin>(plugin: P, base: String, quote: String, enforceRateLimits: Bool = false) {
        let v = universe.addVenue(P.id)
        guard let spec = plugin.listing(base: base, quote: quote) else { preconditionFailure("\(P.id) does not list \(base)/\(quote)") }
        let id = universe.addInstrument(spec, on: v)
        instrument = universe[id]
        venue = plugin.makePaperVenue(venue: v, universe: universe, options: PaperVenueOptions(latency: .zero, enforceRateLimits: enforceRateLimits))
    }

    public func asset(_ code: String) -> AssetId { universe.assetId(code)! }

    public mutating func fund(_ asset: String, _ amount: String) {
        venue.deposit(universe.asset(asset), Amount(amount)!)
    }

    public mutating func setBook(bids: [(String, String)], asks: [(String, String)]) {
        let level = { (pair: (String, String)) in BookLevel(price: Price(pair.0)!, quantity: Quantity(pair.1)!) }
        book.replace(bids: bids.map(level), asks: asks.map(level))
    }

    /// Sends one order (at `now`) and returns the reports it produced.
    public mutating func send(_ intent: OrderIntent, at now: Timestamp = .zero) -> [ExecutionReport] {
        nextId += 1
        let start = reports.count
        let order = Order(id: ClientOrderId(nextId), strategy: StrategyId(0), venue: instrument.venue, intent: intent, submittedAt: now)
        venue.receive(order, instrument: instrument, book: &book, now: now, reports: &reports)
        return Array(reports[start...])
    }
}
