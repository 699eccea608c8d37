import ArbCore
@_exported import struct ArbPaper.CompetitionModel
@_exported import enum ArbPaper.ReplenishmentModel
import ArbPaper

/// A deterministic scenario for testing one strategy: venues with their rules and
/// latency, instruments, balances, and a script of books and trades in event time. Time
/// starts at `start` (2026-01-01 by default, as `arbd run`); script times are
/// milliseconds after it.
///
/// ```swift
/// let s = Scenario(reportingAsset: "USDT")
/// let a = s.venue("alpha", fees: FeeSchedule(maker: .zero, taker: "0.001", asset: .quote))
/// let btc = s.instrument(on: a, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.0001")
/// s.deposit("10000", of: "USDT", on: a)
/// s.book(at: 0, on: btc, bids: [("100", "1")], asks: [("101", "1")])
/// let result = try s.run(MyStrategy(), until: 1_000)
/// ```
///
/// A venue can also be a real exchange plugin's paper venue, with its own rules, fees,
/// error codes and rate limits: `s.venue("upbit", plugin: try UpbitPlugin(settings: .init()))`
/// and `try s.listing("KRW-BTC", on: upbit)`. Plugins are test-only dependencies of a
/// strategy package.
public final class Scenario {
    /// The scenario's venues, assets and instruments: build strategies over it.
    public private(set) var universe = Universe()
    /// Builds each venue's execution side on the run's simulated exchange.
    var venueFactories: [(SimulatedExchange, UInt64) -> any ExecutionVenue] = []
    var latencies: [VenueLatencyModels] = []
    /// Each venue's catalogue, for `listing(_:on:)`: nil for a generic test venue.
    var catalogues: [((String) -> InstrumentSpec?)?] = []
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
    /// Called on the funded kernel before the strategy starts: to put a risk guard or a
    /// rate limiter in front of its orders.
    public var prepareKernel: ((Kernel) -> Void)?
    var events: [(Timestamp, Int, MarketEvent)] = []
    let reportingAsset: String
    var fxInstruments: [InstrumentId] = []

    /// An empty scenario reporting in `reportingAsset`.
    public init(reportingAsset: String) {
        self.reportingAsset = reportingAsset
        universe.asset(reportingAsset)
    }

    /// A generic venue with fixed order latency `latencyMs` each way and feed latency
    /// `feedLatencyMs`: the form checks every venue makes, with `TEST_*` codes.
    /// `admission`: the exchange's own gate (e.g. `BanningAdmission` to rehearse a ban).
    @discardableResult
    public func venue(_ name: String, fees: FeeSchedule, latencyMs: Int64 = 0, feedLatencyMs: Int64 = 0,
                      postOnly: PostOnlyOutcome = .cancel, admission: (any ExchangeAdmission)? = nil) -> VenueId {
        venue(name, fees: fees, latency: .fixed(outbound: .milliseconds(latencyMs), inbound: .milliseconds(latencyMs),
                                                feed: .milliseconds(feedLatencyMs)), postOnly: postOnly, admission: admission)
    }

    /// A generic venue with any latency models.
    @discardableResult
    public func venue(_ name: String, fees: FeeSchedule, latency: VenueLatencyModels, postOnly: PostOnlyOutcome = .cancel,
                      admission: (any ExchangeAdmission)? = nil) -> VenueId {
        let id = universe.addVenue(name)
        let rules = TestVenueRules(name: name, fees: fees, postOnly: postOnly)
        venueFactories.append { exchange, seed in
            PaperVenue(venue: id, rules: rules, exchange: exchange, latency: latency, admission: admission, seed: seed)
        }
        latencies.append(latency)
        catalogues.append(nil)
        return id
    }

    /// An exchange plugin's paper venue: its real rules, fees and error codes, and (with
    /// `enforceRateLimits`) its documented rate limits, answered with 429s and bans.
    @discardableResult
    public func venue<P: ExchangePlugin>(_ name: String, plugin: P, latency: VenueLatencyModels = .zero,
                                         enforceRateLimits: Bool = true, rateLimitOverrides: [String: Int64] = [:]) -> VenueId {
        let id = universe.addVenue(name)
        let options = PaperVenueOptions(latency: latency, enforceRateLimits: enforceRateLimits, rateLimitOverrides: rateLimitOverrides)
        venueFactories.append { exchange, seed in
            PaperVenue(venue: id, rules: plugin.rules, exchange: exchange, latency: latency, admission: plugin.exchangeAdmission(options: options), seed: seed)
        }
        latencies.append(latency)
        catalogues.append { plugin.listing(symbol: $0) }
        return id
    }

    /// One of a plugin venue's listings, by the venue's own symbol (`KRW-BTC`, `BTCUSDT`),
    /// with the venue's tick table, lot and limits. Throws for a generic venue or an
    /// unlisted symbol.
    @discardableResult
    public func listing(_ symbol: String, on venue: VenueId, isFX: Bool = false) throws -> InstrumentId {
        guard venue.index >= 0 && venue.index < catalogues.count else { throw ScenarioError("no venue \(venue.index); add it with venue(_:plugin:) first") }
        guard let catalogue = catalogues[venue.index] else {
            throw ScenarioError("\(universe.venueNames[venue.index]) is a generic test venue; use instrument(on:symbol:base:quote:tick:lot:) for it")
        }
        guard let spec = catalogue(symbol) else { throw ScenarioError("\(universe.venueNames[venue.index]) does not list \(symbol)") }
        let id = universe.addInstrument(spec, on: venue)
        if isFX { fxInstruments.append(id) }
        return id
    }

    /// An instrument on a generic venue.
    @discardableResult
    public func instrument(on venue: VenueId, symbol: String, base: String, quote: String, tick: TickRule, lot: Quantity,
                           minNotional: Amount = "0.000000001", maxQuantity: Quantity? = nil, isFX: Bool = false) -> InstrumentId {
        let id = universe.addInstrument(InstrumentSpec(
            symbol: symbol, baseCode: base, quoteCode: quote, tickRule: tick, lotStep: lot, minQuantity: lot,
            maxQuantity: maxQuantity ?? Quantity(raw: .max), minNotional: minNotional, maxNotional: nil,
            priceDecimals: 9, quantityDecimals: 9), on: venue)
        if isFX { fxInstruments.append(id) }
        return id
    }

    /// An instrument with a fixed tick on a generic venue.
    @discardableResult
    public func instrument(on venue: VenueId, symbol: String, base: String, quote: String, tick: Price, lot: Quantity,
                           minNotional: Amount = "0.000000001", maxQuantity: Quantity? = nil, isFX: Bool = false) -> InstrumentId {
        instrument(on: venue, symbol: symbol, base: base, quote: quote, tick: .fixed(tick), lot: lot, minNotional: minNotional,
                   maxQuantity: maxQuantity, isFX: isFX)
    }

    /// Funds an account before the start.
    public func deposit(_ amount: Amount, of asset: String, on venue: VenueId) {
        universe.asset(asset)
        deposits.append((venue, asset, amount))
    }

    /// `ms` milliseconds after the start.
    public func time(_ ms: Int64) -> Timestamp { start + .milliseconds(ms) }

    /// A full book at `ms`: `bids: [("99.5", "2"), ("99", "4")]`, best first.
    public func book(at ms: Int64, on instrument: InstrumentId, bids: [(Price, Quantity)], asks: [(Price, Quantity)]) {
        let t = time(ms)
        let level = { (pair: (Price, Quantity)) in BookLevel(price: pair.0, quantity: pair.1) }
        append(.bookSnapshot(BookSnapshot(instrument: instrument, bids: bids.map(level), asks: asks.map(level), exchangeTime: t, receivedAt: t)))
    }

    /// One level's new quantity at `ms` (quantity zero removes it).
    public func level(at ms: Int64, on instrument: InstrumentId, side: BookSide, price: Price, quantity: Quantity) {
        let t = time(ms)
        append(.bookDelta(BookDelta(instrument: instrument, side: side, price: price, quantity: quantity, exchangeTime: t, receivedAt: t)))
    }

    /// A public trade at `ms`.
    public func trade(at ms: Int64, on instrument: InstrumentId, price: Price, quantity: Quantity, taker: Side) {
        let t = time(ms)
        append(.trade(Trade(instrument: instrument, price: price, quantity: quantity, takerSide: taker, exchangeTime: t, receivedAt: t)))
    }

    /// Events at their own times: a recording replayed into the scenario
    /// (`RecordingSource(paths:universe: s.universe)` from ArbRecorder, whose instruments
    /// are matched by venue and symbol), or any generated stream. Set `start` to the
    /// first event's time so the strategy starts when the data does.
    public func add<Source: MarketDataSource>(events source: Source) {
        var source = source
        while let event = source.next() { append(event) }
    }

    private func append(_ event: MarketEvent) {
        events.append((event.exchangeTime, events.count, event))
    }

    /// Builds the strategy the way `arbd run` does (its plugin's `make` over this
    /// scenario's universe) and runs it: `try s.run(CrossSpreadPlugin.self, parameters: p, until: 1_000)`.
    public func run<P: StrategyPlugin>(_ plugin: P.Type, parameters: P.Parameters, until ms: Int64) throws -> ScenarioResult {
        try run(try P.make(parameters: parameters, universe: universe), until: ms)
    }

    /// Runs `strategy` until `ms` milliseconds after the start, then stops it (nothing
    /// reaches it after `stop()`) and lets the cancels it sent settle for a minute.
    /// Throws what its `start()` throws, or the `StrategyFault` that ended the run.
    public func run(_ strategy: any Strategy, until ms: Int64) throws -> ScenarioResult {
        let exchange = SimulatedExchange(universe: universe, feedLatency: latencies.map(\.feed), replenishment: replenishment,
                                         competition: competition, seed: seed)
        let venues = venueFactories.map { $0(exchange, seed) }
        guard let reporting = universe.assetId(reportingAsset) else { throw ScenarioError("no asset \(reportingAsset)") }
        let kernel = Kernel(universe: universe, venues: venues, simulation: exchange,
                            reportingAsset: reporting, fxInstruments: fxInstruments, startTime: start)
        let recorder = ScenarioRecorder()
        kernel.observer = recorder
        for (venue, asset, amount) in deposits { kernel.deposit(venue: venue, asset: universe.asset(asset), amount: amount) }
        prepareKernel?(kernel)
        try kernel.add(strategy)
        var source = ArrayMarketDataSource(events.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2))
        kernel.run(&source, until: time(ms))
        if let fault = kernel.fault { throw fault }
        let report = kernel.stopStrategies()[0]
        // Let cancels sent at stop reach the venues and come back.
        var empty = ArrayMarketDataSource([])
        kernel.run(&empty, until: time(ms + 60_000))
        return ScenarioResult(kernel: kernel, exchange: exchange, recorder: recorder, strategyReport: report)
    }
}

/// A scenario set up wrongly: the message says what to do instead.
public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    /// What is wrong and what to do.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Everything a scenario run did, for assertions.
public struct ScenarioResult {
    /// The kernel after the run: books, balances, counters.
    public let kernel: Kernel
    /// The simulated exchange the run traded on.
    public let exchange: SimulatedExchange
    let recorder: ScenarioRecorder
    /// What the strategy reported at its stop.
    public let strategyReport: StrategyReport

    /// Orders sent, in order.
    public var orders: [Order] { recorder.orders }
    /// Reports delivered to the strategy, in order.
    public var reports: [ExecutionReport] { recorder.reports }
    /// Fill reports, in order.
    public var fills: [ExecutionReport] { recorder.reports.filter { $0.kind == .fill } }
    /// Intents the kernel refused before sending, with why.
    public var preTradeRejections: [(OrderIntent, Rejection)] { recorder.preTrade }
    /// The opportunity ledger's rows, in the order they were recorded.
    public var opportunities: [OpportunityRecord] { recorder.opportunities }
    /// The kernel's counters.
    public var counters: KernelCounters { kernel.counters }

    /// The kernel's total of `asset` on `venue` (zero for an asset the scenario never named).
    public func balance(_ venue: VenueId, _ asset: String) -> Amount {
        guard let id = kernel.universe.assetId(asset) else { return .zero }
        return kernel.balances[venue.index].total(id)
    }
    /// What is not locked by open orders.
    public func available(_ venue: VenueId, _ asset: String) -> Amount {
        guard let id = kernel.universe.assetId(asset) else { return .zero }
        return kernel.balances[venue.index].available[id.index]
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

    /// The venue's own books, to check that the kernel's view agrees (nil for a venue
    /// that keeps none).
    public func venueBalance(_ venue: VenueId, _ asset: String) -> Amount? {
        guard let paper = kernel.venue(venue) as? any PaperAccountHolder else { return nil }
        guard let id = kernel.universe.assetId(asset) else { return .zero }
        return paper.account.total(id)
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
    var opportunities: [OpportunityRecord] = []
    func opportunityRecorded(_ record: OpportunityRecord, at time: Timestamp) { opportunities.append(record) }
    func orderSent(_ order: Order, at time: Timestamp) { orders.append(order) }
    func orderReport(_ report: ExecutionReport, order: Order, valued: FillValue?, at time: Timestamp) { reports.append(report) }
    func preTradeRejected(_ intent: OrderIntent, strategy: StrategyId, rejection: Rejection, at time: Timestamp) { preTrade.append((intent, rejection)) }
}
