import ArbCore
@_exported import struct ArbPaper.CompetitionModel
@_exported import enum ArbPaper.ReplenishmentModel
import ArbPaper

/// A deterministic scenario for testing one strategy: venues with their rules and
/// latency, instruments, balances, and a script of books and trades in event time.
///
/// ```swift
/// let s = Scenario(reportingAsset: "USDT")
/// let a = s.venue("alpha", fees: .init(maker: .zero, taker: Ratio("0.001"), asset: .quote))
/// let btc = s.instrument(on: a, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.0001")
/// s.deposit(a, "USDT", "10000")
/// s.book(at: 0, btc, bids: [("100", "1")], asks: [("101", "1")])
/// let result = try s.run(MyStrategy(), until: 1_000)
/// ```
public final class Scenario {
    public private(set) var universe = Universe()
    var venueRules: [TestVenueRules] = []
    var latencies: [VenueLatencyModels] = []
    /// Other takers at the simulated exchange; none unless a test asks for them.
    public var competition: CompetitionModel?
    /// What happens to liquidity our orders took; by default it stays taken.
    public var replenishment: ReplenishmentModel = .none
    /// Seeds latency and competitor draws.
    public var seed: UInt64 = 1
    /// The run's start, as in `arbd run`: `now` in the strategy's `start()`. Script
    /// times (`at:` milliseconds) count from it.
    public var start: Timestamp = .defaultRunStart
    var deposits: [(VenueId, String, Amount)] = []
    var events: [(Int64, Int, MarketEvent)] = []
    let reportingAsset: String
    var fxInstruments: [InstrumentId] = []

    public init(reportingAsset: String) {
        self.reportingAsset = reportingAsset
        universe.asset(reportingAsset)
    }

    @discardableResult
    /// A venue with fixed order latency `latencyMs` each way and feed latency `feedLatencyMs`.
    public func venue(_ name: String, fees: FeeSchedule, latencyMs: Int64 = 0, feedLatencyMs: Int64 = 0,
                      postOnly: PostOnlyOutcome = .cancel) -> VenueId {
        venue(name, fees: fees, latency: .fixed(outbound: .milliseconds(latencyMs), inbound: .milliseconds(latencyMs),
                                                feed: .milliseconds(feedLatencyMs)), postOnly: postOnly)
    }

    /// A venue with any latency models.
    public func venue(_ name: String, fees: FeeSchedule, latency: VenueLatencyModels, postOnly: PostOnlyOutcome = .cancel) -> VenueId {
        let id = universe.addVenue(name)
        venueRules.append(TestVenueRules(name: name, fees: fees, postOnly: postOnly))
        latencies.append(latency)
        return id
    }

    @discardableResult
    public func instrument(on venue: VenueId, symbol: String, base: String, quote: String, tick: TickRule, lot: String,
                           minNotional: String = "0.000000001", maxQuantity: String? = nil, isFX: Bool = false) -> InstrumentId {
        let step = Quantity(lot)!
        let id = universe.addInstrument(InstrumentSpec(
            symbol: symbol, baseCode: base, quoteCode: quote, tickRule: tick, lotStep: step, minQuantity: step,
            maxQuantity: maxQuantity.map { Quantity($0)! } ?? Quantity(raw: .max), minNotional: Amount(minNotional)!, maxNotional: nil,
            priceDecimals: 9, quantityDecimals: 9), on: venue)
        if isFX { fxInstruments.append(id) }
        return id
    }

    @discardableResult
    public func instrument(on venue: VenueId, symbol: String, base: String, quote: String, tick: String, lot: String,
                           minNotional: String = "0.000000001", maxQuantity: String? = nil, isFX: Bool = false) -> InstrumentId {
        instrument(on: venue, symbol: symbol, base: base, quote: quote, tick: .fixed(Price(tick)!), lot: lot, minNotional: minNotional,
                   maxQuantity: maxQuantity, isFX: isFX)
    }

    public func deposit(_ venue: VenueId, _ asset: String, _ amount: String) {
        universe.asset(asset)
        deposits.append((venue, asset, Amount(amount)!))
    }

    /// A full book at `ms` milliseconds of event time.
    public func book(at ms: Int64, _ instrument: InstrumentId, bids: [(String, String)], asks: [(String, String)]) {
        let t = time(ms)
        let level = { (pair: (String, String)) in BookLevel(price: Price(pair.0)!, quantity: Quantity(pair.1)!) }
        events.append((ms, events.count, .bookSnapshot(BookSnapshot(instrument: instrument, bids: bids.map(level), asks: asks.map(level), exchangeTime: t, receivedAt: t))))
    }

    /// One level's new quantity at `ms` ("0" removes it).
    public func level(at ms: Int64, _ instrument: InstrumentId, _ side: BookSide, _ price: String, _ quantity: String) {
        let t = time(ms)
        events.append((ms, events.count, .bookDelta(BookDelta(instrument: instrument, side: side, price: Price(price)!, quantity: Quantity(quantity)!, exchangeTime: t, receivedAt: t))))
    }

    public func trade(at ms: Int64, _ instrument: InstrumentId, price: String, quantity: String, taker: Side) {
        let t = time(ms)
        events.append((ms, events.count, .trade(Trade(instrument: instrument, price: Price(price)!, quantity: Quantity(quantity)!, takerSide: taker, exchangeTime: t, receivedAt: t))))
    }

    /// `ms` milliseconds after the start.
    public func time(_ ms: Int64) -> Timestamp { start + .milliseconds(ms) }

    /// Runs `strategy` through the script until `ms` milliseconds after the start, then
    /// stops it (nothing reaches it after `stop()`) and lets the cancels it sent settle.
    /// Throws what its `start()` throws, or the `StrategyFault` that ended the run.
    public func run(_ strategy: any Strategy, until ms: Int64) throws -> ScenarioResult {
        let exchange = SimulatedExchange(universe: universe, feedLatency: latencies.map(\.feed), replenishment: replenishment,
                                         competition: competition, seed: seed)
        let venues: [any ExecutionVenue] = venueRules.enumerated().map { i, rules in
            PaperVenue(venue: VenueId(i), rules: rules, exchange: exchange, latency: latencies[i], seed: seed)
        }
        let kernel = Kernel(universe: universe, venues: venues, simulation: exchange,
                            reportingAsset: universe.assetId(reportingAsset)!, fxInstruments: fxInstruments, startTime: start)
        let recorder = ScenarioRecorder()
        kernel.observer = recorder
        for (venue, asset, amount) in deposits { kernel.deposit(venue: venue, asset: universe.assetId(asset)!, amount: amount) }
        try kernel.add(strategy)
        var source = ArrayMarketDataSource(events.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2))
        kernel.run(&source, until: time(ms))
        if let fault = kernel.fault { throw fault }
        let report = kernel.stopStrategies()[0]
        // Let cancels sent at stop reach the venues and come back.
        var empty = ArrayMarketDataSource([])
        kernel.run(&empty, until: time(ms + 60_000))
        return ScenarioResult(kernel: kernel, recorder: recorder, strategyReport: report)
    }
}

/// Everything a scenario run did, for assertions.
public struct ScenarioResult {
    public let kernel: Kernel
    let recorder: ScenarioRecorder
    public let strategyReport: StrategyReport

    /// Orders sent, in order.
    public var orders: [Order] { recorder.orders }
    /// Reports delivered to the strategy, in order.
    public var reports: [ExecutionReport] { recorder.reports }
    public var fills: [ExecutionReport] { recorder.reports.filter { $0.kind == .fill } }
    public var preTradeRejections: [(OrderIntent, Rejection)] { recorder.preTrade }
    public var counters: KernelCounters { kernel.counters }
    /// The simulated exchange the run traded on.
    public var exchange: SimulatedExchange { kernel.simulation as! SimulatedExchange }

    public func balance(_ venue: VenueId, _ asset: String) -> Amount {
        kernel.balances[venue.index].total(kernel.universe.assetId(asset)!)
    }
    public func available(_ venue: VenueId, _ asset: String) -> Amount {
        kernel.balances[venue.index].available[kernel.universe.assetId(asset)!.index]
    }
    /// Where the kernel's view of an account differs from the venue's own, once every
    /// report has settled (empty when they agree, as they must), and any broken kernel
    /// invariant (locks against open orders, negative balances).
    public var settlementProblems: [String] {
        var problems: [String] = []
        if let violation = kernel.invariantViolation() { problems.append(violation.description) }
        guard kernel.openOrderCount == 0 else { return problems + ["\(kernel.openOrderCount) orders still open"] }
        for v in 0..<kernel.universe.venueCount {
            guard let paper = kernel.venue(VenueId(v)) as? any PaperAccountHolder else { continue }
            if paper.account != kernel.balances[v] {
                problems.append("\(kernel.universe.venueNames[v]): kernel \(kernel.balances[v]) vs venue \(paper.account)")
            }
        }
        return problems
    }

    /// The venue's own books, to check that the kernel's view agrees.
    public func venueBalance(_ venue: VenueId, _ asset: String) -> Amount {
        let adapter = kernel.venue(venue) as! PaperVenue<TestVenueRules>
        return adapter.account.total(kernel.universe.assetId(asset)!)
    }
    /// Filled base quantity of one order.
    public func filled(_ id: ClientOrderId) -> Quantity {
        fills.filter { $0.orderId == id }.reduce(Quantity.zero) { $0 + $1.fillQuantity }
    }
}

final class ScenarioRecorder: KernelObserver {
    var orders: [Order] = []
    var reports: [ExecutionReport] = []
    var preTrade: [(OrderIntent, Rejection)] = []
    func orderSent(_ order: Order, at time: Timestamp) { orders.append(order) }
    func orderReport(_ report: ExecutionReport, order: Order, valued: FillValue?, at time: Timestamp) { reports.append(report) }
    func preTradeRejected(_ intent: OrderIntent, strategy: StrategyId, rejection: Rejection, at time: Timestamp) { preTrade.append((intent, rejection)) }
}
