import ArbCore
import ArbRoute
import ArbSynthetic
import ArbUniverse
import Foundation
import Histogram

/// `arbd bench --routes`: the cost of keeping every route's health current. A universe
/// of N symbols on each venue in its own quote and in BTC (so cross, cross_fx and
/// triangular routes all exist) is fed synthetic book updates; each update rescores the
/// routes that read the instrument (`RouteBoard.bookChanged`). Reported: time per route
/// rescored and per book update, the prioritiser's refresh over every route, and RSS.
public struct RouteBench {
    public struct Result: Codable, Sendable {
        public var universe: String
        public var venues: Int
        public var symbols: Int
        public var instruments: Int
        public var routes: [String: Int]
        public var bookUpdates: Int
        public var routesRescored: Int
        /// One route's requote and rescore (each timed on its own; the clock read, ~20 ns, included).
        public var rescoreP50Ns: Int, rescoreP99Ns: Int, rescoreMaxNs: Int
        /// All the routes one book update touches.
        public var updateP50Ns: Int, updateP99Ns: Int, updateMaxNs: Int
        /// `RoutePrioritiser.refresh` over every route (ranking with hysteresis and aging).
        public var refreshMeanNs: Int, refreshMaxNs: Int
        /// Resident memory after the first pass (one board, its books and the market), and
        /// at the end (three boards and books: the passes' memory is not returned).
        public var rssBytes: Int
        public var rssEndBytes: Int
        /// Two clock reads with nothing between them, the same number of times: what the
        /// timing itself adds (and how noisy the machine is at the tail).
        public var emptyP50Ns: Int, emptyP99Ns: Int
        /// Rescoring every route touched by every update, untimed inside: mean per route.
        public var rescoreMeanNs: Double
        /// The lazy path the triangular strategy takes: per book update, mark the book and
        /// rescore the active routes (8) that read it; per refresh (every second of event
        /// time), rescore every route whose books changed and rank them.
        public var lazyUpdateP50Ns: Int, lazyUpdateP99Ns: Int, lazyUpdateMaxNs: Int
        public var lazyRefreshMeanNs: Int, lazyRefreshMaxNs: Int
        /// The top_n universe rule over every symbol: its work per market event (a trade's
        /// value, or a book message's depth within 20 bps) and its ranking (every second).
        public var universeEventP50Ns: Int, universeEventP99Ns: Int
        public var universeRefreshMeanNs: Int, universeRefreshMaxNs: Int

        public var line: String {
            let kinds = ["cross", "cross_fx", "triangular"].map { "\(routes[$0] ?? 0) \($0)" }.joined(separator: ", ")
            return String(format: "%@: %d venues × %d symbols, %d instruments, %@\n  rescore per route: mean %.0f ns; timed one by one p50 %d ns p99 %d ns max %d ns (empty timing p50 %d ns p99 %d ns)\n  eager, every route reading the book (%.1f on average): per update p50 %d ns p99 %d ns max %d ns; ranking alone mean %.2f ms max %.2f ms\n  lazy (the triangular strategy's path): per update p50 %d ns p99 %d ns max %d ns; refresh (rescore the changed, rank) mean %.2f ms max %.2f ms\n  universe rule (top_n over %d symbols): per event p50 %d ns p99 %d ns; ranking mean %.2f ms max %.2f ms\n  RSS %.1f MB after the first pass (%.1f MB at the end, three boards)",
                          universe, venues, symbols, instruments, kinds, rescoreMeanNs, rescoreP50Ns, rescoreP99Ns, rescoreMaxNs, emptyP50Ns, emptyP99Ns,
                          Double(routesRescored) / Double(max(1, bookUpdates)), updateP50Ns, updateP99Ns, updateMaxNs,
                          Double(refreshMeanNs) / 1e6, Double(refreshMaxNs) / 1e6,
                          lazyUpdateP50Ns, lazyUpdateP99Ns, lazyUpdateMaxNs, Double(lazyRefreshMeanNs) / 1e6, Double(lazyRefreshMaxNs) / 1e6,
                          symbols, universeEventP50Ns, universeEventP99Ns, Double(universeRefreshMeanNs) / 1e6, Double(universeRefreshMaxNs) / 1e6,
                          Double(rssBytes) / 1_048_576, Double(rssEndBytes) / 1_048_576)
        }
    }

    let plan: RunPlan
    let seed: UInt64
    let events: Int

    public init(plan: RunPlan, seed: UInt64, events: Int) throws {
        guard plan.exchangeNames.count >= 2 else {
            throw BenchSetupError(message: "the route bench needs a manifest with two exchanges; use manifests/paper.toml")
        }
        self.plan = plan; self.seed = seed; self.events = events
    }

    /// The books the board reads, by instrument index, in one block read in place (as
    /// the kernel keeps its own).
    final class Books: RouteBooks {
        let books: UnsafeMutablePointer<OrderBook>
        /// `Touch(books[i])`, refreshed after each change, as the kernel's cache.
        let touches: UnsafeMutablePointer<Touch>
        let count: Int
        init(count: Int) {
            self.count = count
            books = .allocate(capacity: count)
            books.initialize(repeating: OrderBook(), count: count)
            touches = .allocate(capacity: count)
            touches.initialize(repeating: Touch(), count: count)
        }
        deinit { books.deinitialize(count: count); books.deallocate(); touches.deinitialize(count: count); touches.deallocate() }
        func withBook<R>(_ instrument: InstrumentId, _ body: (borrowing OrderBook) -> R) -> R { body(books[instrument.index]) }
        func touch(_ instrument: InstrumentId) -> Touch { touches[instrument.index] }

        /// Applies a book event as the kernel would (book, update time, touch); true at the
        /// end of a message, when the book is whole again and routes may be rescored.
        func apply(_ event: MarketEvent) -> Bool {
            let i = event.instrument.index
            switch event {
            case .bookSnapshot(let s):
                books[i].replace(bids: s.bids, asks: s.asks); books[i].updatedAt = s.exchangeTime
            case .bookDelta(let d):
                books[i].apply(d.side, price: d.price, quantity: d.quantity); books[i].updatedAt = d.exchangeTime
                guard d.endOfMessage else { return false }
            default: return false
            }
            touches[i] = Touch(books[i])
            return true
        }
    }

    /// `venues` venues taking the manifest's plugins in turn (`binance`, `upbit`,
    /// `binance-2`, …: the existing rules under other venue ids), each listing every
    /// symbol in its own quote and in BTC, plus the manifest's FX book.
    func universe(venues venueCount: Int, symbols n: Int) -> (Universe, SyntheticMarketConfig, [InstrumentId]) {
        var universe = Universe()
        let pluginCount = plan.exchangeNames.count
        var names: [String] = []
        for v in 0..<venueCount {
            let base = plan.exchangeNames[v % pluginCount]
            names.append(v < pluginCount ? base : "\(base)-\(v / pluginCount + 1)")
            universe.addVenue(names[v])
        }
        var rng = SplitMix64(seed: seed)
        var symbols: [SyntheticMarketConfig.Symbol] = [.init(base: "BTC", referencePrice: "95000")]
        let catalogue = SyntheticMarketConfig.referencePrices.keys.filter { $0 != "BTC" && $0 != "USDT" && $0 != "USDC" }.sorted()
        for i in 1..<n {
            if i - 1 < catalogue.count {
                symbols.append(.init(base: catalogue[i - 1], referencePrice: Price(SyntheticMarketConfig.referencePrices[catalogue[i - 1]]!)!))
            } else {
                symbols.append(.init(base: String(format: "S%04d", i), referencePrice: Price(raw: Int64(1 + rng.below(2_000)) * 10_000_000 * Int64(1 + rng.below(100)))))
            }
        }
        var listings: [[SyntheticMarketConfig.Listing]] = Array(repeating: [], count: venueCount)
        var throughFX: [Bool] = []
        for v in 0..<venueCount {
            let p = v % pluginCount
            let plugin = plan.plugins[p]
            let quote = plan.quote(ofVenue: p)
            throughFX.append(plan.market.venues[p].pricedThroughFX)
            for (i, s) in symbols.enumerated() {
                let spec = plugin.listing(base: s.base, quote: quote) ?? plugin.syntheticListing(base: s.base, quote: quote, referencePrice: s.referencePrice)
                let id = universe.addInstrument(spec, on: VenueId(v))
                listings[v].append(.init(symbol: i, instrument: universe[id]))
            }
            for (i, s) in symbols.enumerated().dropFirst() {
                let inBTC = Price(raw: max(1, Int64(Int128(s.referencePrice.raw) * Int128(FixedDecimal.unit) / Int128(symbols[0].referencePrice.raw))))
                let spec = plugin.listing(base: s.base, quote: "BTC") ?? plugin.syntheticListing(base: s.base, quote: "BTC", referencePrice: inBTC)
                let id = universe.addInstrument(spec, on: VenueId(v))
                listings[v].append(.init(symbol: i, instrument: universe[id], quote: .symbol(0)))
            }
        }
        var fx: [InstrumentId] = []
        if let planFX = plan.fxInstrument {
            let instrument = plan.universe[planFX]
            if let spec = plan.plugins[instrument.venue.index].listing(symbol: instrument.symbol) {
                fx = [universe.addInstrument(spec, on: instrument.venue)]
            }
        }
        var config = SyntheticMarketConfig(seed: seed, symbols: symbols,
                                           venues: (0..<venueCount).map { .init(listings: listings[$0], pricedThroughFX: throughFX[$0]) },
                                           fxInstrument: fx.first.map { universe[$0] }, fxRate: plan.market.fxRate)
        config.levels = plan.market.levels
        return (universe, config, fx)
    }

    public func measure(name: String, venues: Int, symbols n: Int) -> Result {
        let (universe, config, fx) = universe(venues: venues, symbols: n)
        let routes = RouteEnumerator.routes(in: universe, fxInstruments: fx)
        // Taker fees from each venue's plugin; a size of 1,000 in each quote's units.
        var fees: [Ratio] = []
        for instrument in universe.instruments {
            fees.append(plan.plugins[instrument.venue.index % plan.plugins.count].takerFee(for: instrument))
        }
        var board = RouteBoard(routes: routes, universe: universe, takerFees: fees) { _ in Amount(units: 1_000) }
        var prioritiser = RoutePrioritiser(routeCount: routes.count, now: RunPlan.startTime)
        let books = Books(count: universe.instruments.count)
        var market = SyntheticMarket(config: config, startTime: RunPlan.startTime)
        var perRoute = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        var perUpdate = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        var updates = 0, rescored = 0, refreshTotal: UInt64 = 0, refreshMax: UInt64 = 0, refreshes = 0
        var nextRefresh = RunPlan.startTime
        var seen = 0
        while seen < events, let event = market.next() {
            seen += 1
            let now = event.receivedAt
            guard books.apply(event) else { continue }
            let touched = board.routes(touching: event.instrument)
            let u0 = MonotonicClock.nanoseconds()
            for r in touched {
                let t0 = MonotonicClock.nanoseconds()
                board.rescore(Int(r), books: books, now: now)
                _ = perRoute.record(MonotonicClock.nanoseconds() - t0)
            }
            _ = perUpdate.record(MonotonicClock.nanoseconds() - u0)
            updates += 1
            rescored += touched.count
            if now >= nextRefresh {
                let t0 = MonotonicClock.nanoseconds()
                prioritiser.refresh(health: board.health, now: now)
                let dt = MonotonicClock.nanoseconds() - t0
                refreshTotal += dt; refreshMax = max(refreshMax, dt); refreshes += 1
                nextRefresh = now + .seconds(1)
            }
        }
        let rssFirstPass = MonotonicClock.residentBytes()
        // The same updates again, untimed inside: the mean cost per route.
        var again = SyntheticMarket(config: config, startTime: RunPlan.startTime)
        let fresh = Books(count: universe.instruments.count)
        var seenAgain = 0, rescoredAgain = 0
        var untimed: UInt64 = 0
        while seenAgain < events, let event = again.next() {
            seenAgain += 1
            guard fresh.apply(event) else { continue }
            let t0 = MonotonicClock.nanoseconds()
            rescoredAgain += board.bookChanged(event.instrument, books: fresh, now: event.receivedAt)
            untimed += MonotonicClock.nanoseconds() - t0
        }
        // The lazy path, on the same updates from fresh books and scores.
        var lazyBoard = RouteBoard(routes: routes, universe: universe, takerFees: fees) { _ in Amount(units: 1_000) }
        var lazyPrioritiser = RoutePrioritiser(routeCount: routes.count, now: RunPlan.startTime)
        var lazyMarket = SyntheticMarket(config: config, startTime: RunPlan.startTime)
        let lazyBooks = Books(count: universe.instruments.count)
        var lazyUpdate = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        var lazyRefreshTotal: UInt64 = 0, lazyRefreshMax: UInt64 = 0, lazyRefreshes = 0
        var lazyNext = RunPlan.startTime
        var lazySeen = 0
        while lazySeen < events, let event = lazyMarket.next() {
            lazySeen += 1
            guard lazyBooks.apply(event) else { continue }
            let now = event.receivedAt
            if now >= lazyNext {
                let t0 = MonotonicClock.nanoseconds()
                lazyBoard.rescoreChanged(books: lazyBooks, now: now)
                lazyPrioritiser.refresh(health: lazyBoard.health, now: now)
                let dt = MonotonicClock.nanoseconds() - t0
                lazyRefreshTotal += dt; lazyRefreshMax = max(lazyRefreshMax, dt); lazyRefreshes += 1
                lazyNext = now + .seconds(1)
            }
            let t0 = MonotonicClock.nanoseconds()
            lazyBoard.markChanged(event.instrument)
            for r in lazyPrioritiser.active where lazyBoard.reads(Int(r), event.instrument) {
                lazyBoard.rescore(Int(r), books: lazyBooks, now: now)
            }
            _ = lazyUpdate.record(MonotonicClock.nanoseconds() - t0)
        }
        // The universe rule on the same events (values in each book's own quote: the
        // ranking's cost does not depend on the currency).
        let symbolNames = config.symbols.map(\.base)
        let index = Dictionary(uniqueKeysWithValues: symbolNames.enumerated().map { ($1, $0) })
        var selector = TopNSelector(rule: TopNRule(n: 50, minDepth: Amount(units: 1), refresh: .seconds(1)), symbols: symbolNames,
                                    symbolOfInstrument: universe.instruments.map { index[$0.baseCode] ?? -1 }, start: RunPlan.startTime)
        var universeMarket = SyntheticMarket(config: config, startTime: RunPlan.startTime)
        let universeBooks = Books(count: universe.instruments.count)
        var universeEvent = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        var universeRefreshTotal: UInt64 = 0, universeRefreshMax: UInt64 = 0, universeRefreshes = 0
        var universeSeen = 0
        while universeSeen < events, let event = universeMarket.next() {
            universeSeen += 1
            let i = event.instrument.index
            let t0 = MonotonicClock.nanoseconds()
            switch event {
            case .bookSnapshot(let s):
                universeBooks.books[i].replace(bids: s.bids, asks: s.asks)
                selector.depthChanged(event.instrument, to: TopNSelector.depthWithin(20, of: universeBooks.books[i]))
            case .bookDelta(let d):
                universeBooks.books[i].apply(d.side, price: d.price, quantity: d.quantity)
                if d.endOfMessage { selector.depthChanged(event.instrument, to: TopNSelector.depthWithin(20, of: universeBooks.books[i])) }
            case .trade(let t):
                selector.traded(event.instrument, value: Amount.notional(t.price, t.quantity, .down), at: event.receivedAt)
            case .status: break
            }
            _ = universeEvent.record(MonotonicClock.nanoseconds() - t0)
            if event.receivedAt >= selector.nextRefresh {
                let r0 = MonotonicClock.nanoseconds()
                _ = selector.refreshIfDue(at: event.receivedAt)
                let dt = MonotonicClock.nanoseconds() - r0
                universeRefreshTotal += dt; universeRefreshMax = max(universeRefreshMax, dt); universeRefreshes += 1
            }
        }
        var empty = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        for _ in 0..<max(1, rescored) {
            let t0 = MonotonicClock.nanoseconds()
            _ = empty.record(MonotonicClock.nanoseconds() - t0)
        }
        var kinds: [String: Int] = [:]
        for route in routes { kinds[route.kind.rawValue, default: 0] += 1 }
        return Result(universe: name, venues: venues, symbols: n, instruments: universe.instruments.count, routes: kinds,
                      bookUpdates: updates, routesRescored: rescored,
                      rescoreP50Ns: Int(perRoute.valueAtPercentile(50)), rescoreP99Ns: Int(perRoute.valueAtPercentile(99)), rescoreMaxNs: Int(perRoute.max),
                      updateP50Ns: Int(perUpdate.valueAtPercentile(50)), updateP99Ns: Int(perUpdate.valueAtPercentile(99)), updateMaxNs: Int(perUpdate.max),
                      refreshMeanNs: Int(refreshTotal / UInt64(max(1, refreshes))), refreshMaxNs: Int(refreshMax),
                      rssBytes: rssFirstPass, rssEndBytes: MonotonicClock.residentBytes(),
                      emptyP50Ns: Int(empty.valueAtPercentile(50)), emptyP99Ns: Int(empty.valueAtPercentile(99)),
                      rescoreMeanNs: Double(untimed) / Double(max(1, rescoredAgain)),
                      lazyUpdateP50Ns: Int(lazyUpdate.valueAtPercentile(50)), lazyUpdateP99Ns: Int(lazyUpdate.valueAtPercentile(99)),
                      lazyUpdateMaxNs: Int(lazyUpdate.max), lazyRefreshMeanNs: Int(lazyRefreshTotal / UInt64(max(1, lazyRefreshes))),
                      lazyRefreshMaxNs: Int(lazyRefreshMax),
                      universeEventP50Ns: Int(universeEvent.valueAtPercentile(50)), universeEventP99Ns: Int(universeEvent.valueAtPercentile(99)),
                      universeRefreshMeanNs: Int(universeRefreshTotal / UInt64(max(1, universeRefreshes))), universeRefreshMaxNs: Int(universeRefreshMax))
    }
}

extension ExchangePlugin {
    /// The taker fee this venue's rules charge on `instrument`.
    func takerFee(for instrument: Instrument) -> Ratio { rules.fees(for: instrument).taker }
}
