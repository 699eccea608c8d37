import ArbCore

/// Every route's health, kept current incrementally: a book update rescores only the
/// routes that read that instrument (`bookChanged`), order outcomes and round trips are
/// recorded as they happen. Built once from the route list; no allocation afterwards.
public struct RouteBoard: Sendable {
    public let routes: [Route]
    public var config: RouteHealthConfig
    public private(set) var health: [RouteHealth]
    /// Each route's size to quote at, in 1e-9 units of its start asset.
    public private(set) var sizes: [Int128]
    public let startAssets: [AssetId]
    /// Route indices by instrument index: who must be rescored when that book changes.
    let routesByInstrument: [[Int32]]
    /// Venue indices each route trades on.
    let venuesOfRoute: [[Int32]]
    var quoter: RouteQuoter
    /// Measured order round trip per venue (ns, an exponential average; 0 until measured).
    public private(set) var roundTripNs: [Int64]
    var outcomes: [OutcomeWindow]

    /// - Parameters:
    ///   - takerFees: each instrument's taker fee, by instrument index.
    ///   - sizeOf: how much of a start asset to quote a route at (e.g. 1,000 USDT's worth).
    public init(routes: [Route], universe: Universe, takerFees: [Ratio], config: RouteHealthConfig = RouteHealthConfig(),
                sizeOf: (AssetId) -> Amount) {
        self.routes = routes
        self.config = config
        health = Array(repeating: RouteHealth(), count: routes.count)
        startAssets = routes.map { RouteQuoter.startAsset(of: $0, in: universe) }
        sizes = startAssets.map { Int128(sizeOf($0).raw) }
        var byInstrument = Array(repeating: [Int32](), count: universe.instruments.count)
        for (r, route) in routes.enumerated() {
            for leg in route.legs + (route.conversion.map { [$0] } ?? []) where !byInstrument[leg.instrument.index].contains(Int32(r)) {
                byInstrument[leg.instrument.index].append(Int32(r))
            }
        }
        routesByInstrument = byInstrument
        venuesOfRoute = routes.map { Array(Set($0.legs.map { Int32($0.venue.index) })).sorted() }
        quoter = RouteQuoter(takerFees: takerFees)
        roundTripNs = Array(repeating: 0, count: universe.venueCount)
        outcomes = Array(repeating: OutcomeWindow(window: config.window), count: routes.count)
    }

    /// The routes that read `instrument`.
    public func routes(touching instrument: InstrumentId) -> [Int32] { routesByInstrument[instrument.index] }

    /// Rescores every route reading `instrument`; returns how many.
    @discardableResult
    public mutating func bookChanged<Books: RouteBooks>(_ instrument: InstrumentId, books: Books, now: Timestamp) -> Int {
        let touched = routesByInstrument[instrument.index]
        for r in touched { rescore(Int(r), books: books, now: now) }
        return touched.count
    }

    /// Requotes and rescores one route.
    public mutating func rescore<Books: RouteBooks>(_ r: Int, books: Books, now: Timestamp) {
        let quote = quoter.quote(routes[r], amount: sizes[r], books: books, now: now)
        health[r].edgePpm = quote.edgePpm
        health[r].executablePpm = quote.input > 0 ? Int64(quote.executable * 1_000_000 / quote.input) : 0
        health[r].feedAgeNs = quote.isPriced ? quote.feedAgeNs : .max
        var slowest: Int64 = 0
        for v in venuesOfRoute[r] { slowest = max(slowest, roundTripNs[Int(v)]) }
        health[r].roundTripNs = slowest
        health[r].rescore(config)
    }

    /// Sets the size a route is quoted at (in its start asset).
    public mutating func setSize(_ r: Int, _ amount: Amount) { sizes[r] = Int128(amount.raw) }

    /// A measured order round trip on `venue` (submit to acknowledgement): an exponential
    /// average with weight 1/8 for the newest, as TCP's smoothed round trip.
    public mutating func recordRoundTrip(venue: VenueId, _ duration: Duration) {
        let ns = max(0, duration.nanosecondsInt64)
        let old = roundTripNs[venue.index]
        roundTripNs[venue.index] = old == 0 ? ns : old + (ns - old) / 8
    }

    /// Outcomes of route `r`'s orders at `now`; the rates are refreshed at once.
    public mutating func recordOutcome(_ r: Int, _ counts: OutcomeWindow.Counts, at now: Timestamp) {
        outcomes[r].record(counts, at: now)
        refreshRates(r, now: now)
    }

    /// Drops outcomes older than the window for route `r` and recomputes its rates.
    public mutating func refreshRates(_ r: Int, now: Timestamp) {
        outcomes[r].advance(to: now)
        let t = outcomes[r].total
        if t.legsSent < config.minimumLegs {
            health[r].fillRatioPpm = 1_000_000; health[r].rejectRatePpm = 0; health[r].brokenLegRatePpm = 0
        } else {
            health[r].fillRatioPpm = t.legsFilled * 1_000_000 / t.legsSent
            health[r].rejectRatePpm = t.rejects * 1_000_000 / t.legsSent
            health[r].brokenLegRatePpm = t.attempts > 0 ? t.brokenLegs * 1_000_000 / t.attempts : 0
        }
        health[r].rescore(config)
    }

    /// What was counted for route `r` in the window.
    public func outcomeCounts(_ r: Int) -> OutcomeWindow.Counts { outcomes[r].total }
}
