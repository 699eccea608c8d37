import ArbCore
import ArbPaper
import ArbRateLimit
import ArbSynthetic
import Foundation
import Histogram

/// One row of the benchmark matrix.
public struct BenchResult: Codable, Sendable {
    public var symbols: Int
    public var events: Int
    /// Per-event latency of `Kernel.step`: the event is generated, applied to its book, the
    /// strategy decides on it (edge check, and on opportunities sizing and the pre-trade check
    /// of both legs), and venue matching runs when orders are due.
    public var avgNs: Int
    public var p50Ns: Int
    public var p95Ns: Int
    public var p99Ns: Int
    public var maxNs: Int
    /// From a second pass without per-event timing.
    public var eventsPerS: Double
    public var decisionsPerS: Double
    public var cpuPercent: Double
    public var rssStartBytes: Int
    public var rssBytes: Int
    public var opportunities: Int
    public var orders: Int
    public var fills: Int
    /// Orders the venues rejected plus intents stopped before sending (limits, rules, balance).
    public var rejected: Int
    /// With `--pregenerated`: events/s of the kernel alone (events generated beforehand)
    /// with the exchange-side books but no feed latency or competition, and with the
    /// manifest's whole simulation.
    public var kernelOnlyEventsPerS: Double?
    public var kernelOnlyFullSimulationEventsPerS: Double?
    /// The kernel with no simulated exchange behind it (events straight to the client's
    /// books, strategies deciding; orders are sent but nothing answers): its own cost.
    public var kernelClientViewOnlyEventsPerS: Double?

    public var line: String {
        String(format: "symbols %4d | p50 %5d ns p95 %5d ns p99 %6d ns max %8d ns | %10.0f events/s %10.0f decisions/s | CPU %5.1f%% | RSS %6.1f → %6.1f MB | %d opportunities, %d orders, %d fills, %d rejected",
               symbols, p50Ns, p95Ns, p99Ns, maxNs, eventsPerS, decisionsPerS, cpuPercent,
               Double(rssStartBytes) / 1_048_576, Double(rssBytes) / 1_048_576, opportunities, orders, fills, rejected)
            + (kernelClientViewOnlyEventsPerS.map { String(format: " | kernel alone: client view only %.0f events/s", $0) } ?? "")
            + (kernelOnlyEventsPerS.map { String(format: ", with exchange books %.0f events/s", $0) } ?? "")
            + (kernelOnlyFullSimulationEventsPerS.map { String(format: ", full simulation %.0f events/s", $0) } ?? "")
    }
}

/// Runs the kernel with a manifest's paper venues and strategies (the bundled one: Upbit,
/// Binance and cross-spread) on synthetic data, as fast as possible, at several symbol counts. The wiring is the
/// run's (`RunPlan.wire`) from a manifest's exchanges and simulation, client-side
/// limiters included; only the universe is widened to N symbols.
public struct BenchRunner {
    public let plan: RunPlan
    public let seed: UInt64
    public let events: Int
    /// Also measure the kernel alone on events generated beforehand (costs their memory).
    public var pregenerated = false

    /// - Parameter plan: a manifest with at least two exchanges; if their quotes differ,
    /// an FX book (`market_data.fx`) joins them (the bundled one).
    public init(plan: RunPlan, seed: UInt64, events: Int, pregenerated: Bool = false) throws {
        guard plan.exchangeNames.count >= 2 else {
            throw BenchSetupError(message: "the bench needs a manifest with at least two exchanges; use manifests/paper.toml")
        }
        let quotes = Set(plan.exchangeNames.indices.map { plan.quote(ofVenue: $0) })
        if quotes.count > 1 && plan.fxInstrument == nil {
            throw BenchSetupError(message: "the bench manifest's exchanges quote \(quotes.sorted().joined(separator: " and ")): add market_data.fx to join them")
        }
        self.plan = plan; self.seed = seed; self.events = events; self.pregenerated = pregenerated
    }

    public func run(symbolCounts: [Int], progress: (BenchResult) -> Void = { _ in }) throws -> [BenchResult] {
        var results: [BenchResult] = []
        for n in symbolCounts {
            let result = try measure(symbols: n)
            progress(result)
            results.append(result)
        }
        return results
    }

    struct Setup {
        var kernel: Kernel
        var market: SyntheticMarket
    }

    /// The same universe the bundled manifest builds, widened to `n` symbols: catalogue
    /// listings first, then generated ones with rules derived the venue's way.
    func setup(symbols n: Int, booksOnly: Bool = false, clientOnly: Bool = false) throws -> Setup {
        // The manifest's exchanges, configured as in the run, in the run's order.
        let venueCount = plan.exchangeNames.count
        var universe = Universe()
        for name in plan.exchangeNames { _ = universe.addVenue(name) }
        let quotes = (0..<venueCount).map { plan.quote(ofVenue: $0) }
        let throughFX = (0..<venueCount).map { plan.market.venues[$0].pricedThroughFX }
        var known = Set(plan.plugins[0].listedBases(quote: quotes[0]))
        for v in 1..<venueCount { known.formIntersection(plan.plugins[v].listedBases(quote: quotes[v])) }
        let bases = known.subtracting(quotes).subtracting(["USDT", "USDC"]).sorted()
        var rng = SplitMix64(seed: seed)
        var symbols: [SyntheticMarketConfig.Symbol] = []
        var listings: [[SyntheticMarketConfig.Listing]] = Array(repeating: [], count: venueCount)
        for i in 0..<n {
            let base: String, price: Price
            if i < bases.count {
                base = bases[i]
                price = Price(SyntheticMarketConfig.referencePrices[base] ?? "1")!
            } else {
                base = String(format: "S%04d", i)
                price = Price(raw: Int64(1 + rng.below(2_000)) * 10_000_000 * Int64(1 + rng.below(100)))
            }
            symbols.append(.init(base: base, referencePrice: price))
            for v in 0..<venueCount {
                let plugin = plan.plugins[v]
                let spec = plugin.listing(base: base, quote: quotes[v]) ?? plugin.syntheticListing(base: base, quote: quotes[v], referencePrice: price)
                let id = universe.addInstrument(spec, on: VenueId(v))
                listings[v].append(.init(symbol: i, instrument: universe[id]))
            }
        }
        var fx: InstrumentId? = nil
        if let planFX = plan.fxInstrument {
            let instrument = plan.universe[planFX]
            let spec = plan.plugins[instrument.venue.index].listing(symbol: instrument.symbol)!
            fx = universe.addInstrument(spec, on: instrument.venue)
        }
        let kernel = plan.wire(universe: universe, venueNames: plan.exchangeNames, fxInstruments: fx.map { [$0] } ?? [],
                               rateLimiters: try plan.makeRateLimiters(), booksOnly: booksOnly, clientOnly: clientOnly)
        kernel.checksInvariants = false
        for v in 0..<venueCount {
            // Quotes priced through the FX book hold more units (KRW against USDT).
            let units: Int64 = throughFX[v] ? 1_000_000_000_000 : 1_000_000_000
            kernel.deposit(venue: VenueId(v), asset: universe.asset(quotes[v]), amount: Amount(units: units))
        }
        for s in symbols {
            let asset = universe.assetId(s.base)!
            let units = Amount(units: 1_000_000_000).converted(dividingBy: s.referencePrice, .down)
            for v in 0..<venueCount { kernel.deposit(venue: VenueId(v), asset: asset, amount: units) }
        }
        // The manifest's strategies with their parameters (a strategy that lists no bases
        // trades every base both venues list, so all N symbols).
        for factory in plan.strategyFactories { try kernel.add(try factory(universe)) }
        var config = SyntheticMarketConfig(seed: seed, symbols: symbols,
                                           venues: (0..<venueCount).map { .init(listings: listings[$0], pricedThroughFX: throughFX[$0]) },
                                           fxInstrument: fx.map { universe[$0] }, fxRate: plan.market.fxRate)
        // The manifest's market, at its event rate (the premium moves in event time, so a
        // faster stream would see fewer opportunities per event).
        let tuned = plan.market
        config.levels = tuned.levels; config.halfSpreadPpm = tuned.halfSpreadPpm; config.priceStepPpm = tuned.priceStepPpm
        config.fxStepPpm = tuned.fxStepPpm; config.premiumMeanPpm = tuned.premiumMeanPpm; config.premiumSdPpm = tuned.premiumSdPpm
        config.premiumHalfLifeMs = tuned.premiumHalfLifeMs; config.venueNoisePpm = tuned.venueNoisePpm; config.levelNotional = tuned.levelNotional
        config.meanEventGapNs = tuned.meanEventGapNs
        return Setup(kernel: kernel, market: SyntheticMarket(config: config, startTime: RunPlan.startTime))
    }

    /// The kernel alone in one wiring, on `events` pregenerated events: events/s. For
    /// profilers (`arbd bench --kernel-only MODE` under callgrind or perf), which want one
    /// mode per process.
    public enum KernelMode: String, CaseIterable, Sendable { case client, books, full }

    public func kernelAlone(symbols n: Int, mode: KernelMode) throws -> Double {
        var setup = try setup(symbols: n, booksOnly: mode != .full, clientOnly: mode == .client)
        var list: [MarketEvent] = []
        list.reserveCapacity(events)
        while list.count < events, let e = setup.market.next() { list.append(e) }
        var source = ArrayMarketDataSource(list)
        let t0 = MonotonicClock.nanoseconds()
        while setup.kernel.step(&source, until: .distantFuture) {}
        return Double(setup.kernel.counters.marketEvents) / (Double(MonotonicClock.nanoseconds() - t0) / 1e9)
    }

    func measure(symbols n: Int) throws -> BenchResult {
        let rssStart = MonotonicClock.residentBytes()
        // Pass 1: per-event latency.
        var first = try setup(symbols: n)
        var histogram = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        var sum: UInt64 = 0
        var done = 0
        while done < events {
            let t0 = MonotonicClock.nanoseconds()
            guard first.kernel.step(&first.market, until: .distantFuture) else { break }
            let dt = MonotonicClock.nanoseconds() - t0
            _ = histogram.record(dt)
            sum &+= dt
            if first.kernel.counters.marketEvents > done { done = first.kernel.counters.marketEvents }
        }
        // Pass 2: throughput, no timing inside the loop.
        var second = try setup(symbols: n)
        let cpu0 = MonotonicClock.cpuNanoseconds(), wall0 = MonotonicClock.nanoseconds()
        while second.kernel.counters.marketEvents < events {
            guard second.kernel.step(&second.market, until: .distantFuture) else { break }
        }
        let wall = Double(MonotonicClock.nanoseconds() - wall0) / 1e9
        let cpu = Double(MonotonicClock.cpuNanoseconds() - cpu0) / 1e9
        let c = second.kernel.counters
        var kernelOnly: Double? = nil
        var kernelFull: Double? = nil, kernelClientOnly: Double? = nil
        if pregenerated {
            kernelClientOnly = try kernelAlone(symbols: n, mode: .client)
            kernelOnly = try kernelAlone(symbols: n, mode: .books)
            kernelFull = try kernelAlone(symbols: n, mode: .full)
        }
        return BenchResult(symbols: n, events: c.marketEvents, avgNs: Int(sum / UInt64(max(1, histogram.totalCount))),
                           p50Ns: Int(histogram.valueAtPercentile(50)), p95Ns: Int(histogram.valueAtPercentile(95)),
                           p99Ns: Int(histogram.valueAtPercentile(99)), maxNs: Int(histogram.max),
                           eventsPerS: Double(c.marketEvents) / wall, decisionsPerS: Double(c.strategyWakeups) / wall,
                           cpuPercent: 100 * cpu / wall, rssStartBytes: rssStart, rssBytes: MonotonicClock.residentBytes(),
                           opportunities: c.opportunities, orders: c.ordersSent, fills: c.fills,
                           rejected: c.venueRejections + c.preTradeRejections, kernelOnlyEventsPerS: kernelOnly,
                           kernelOnlyFullSimulationEventsPerS: kernelFull, kernelClientViewOnlyEventsPerS: kernelClientOnly)
    }
}

/// The bench cannot run on the manifest it was given.
public struct BenchSetupError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
