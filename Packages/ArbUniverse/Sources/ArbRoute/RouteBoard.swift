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
    /// The venue of each leg spec (flat, like `legSpecs`): for the slowest round trip.
    let legVenues: [Int32]
    var quoter: RouteQuoter
    /// Every route's legs as the quoter walks them, flat: route r's are
    /// `legSpecs[legStart[r] ..< legStart[r + 1]]` (no route value copied per rescore).
    var legSpecs: [RouteQuoter.LegSpec]
    var legStart: [Int]
    /// Measured order round trip per venue (ns, an exponential average; 0 until measured).
    public private(set) var roundTripNs: [Int64]
    var outcomes: [OutcomeWindow]
    /// Lazy rescoring: a counter of book changes, the count at each instrument's last
    /// change, and at each route's last scoring (-1 = never).
    var changes: Int64 = 0
    var changedAt: [Int64]
    var scoredAt: [Int64]

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
        quoter = RouteQuoter(takerFees: takerFees)
        var specs: [RouteQuoter.LegSpec] = [], starts: [Int] = [0]
        for route in routes { specs += quoter.legSpecs(route); starts.append(specs.count) }
        legSpecs = specs
        legStart = starts
        legVenues = specs.map { Int32(universe[$0.instrument].venue.index) }
        roundTripNs = Array(repeating: 0, count: universe.venueCount)
        changedAt = Array(repeating: 0, count: universe.instruments.count)
        scoredAt = Array(repeating: -1, count: routes.count)
        outcomes = Array(repeating: OutcomeWindow(window: config.window), count: routes.count)
    }

    /// The routes that read `instrument`.
    public func routes(touching instrument: InstrumentId) -> [Int32] { routesByInstrument[instrument.index] }

    /// Whether route `r` reads `instrument` (a leg or its conversion).
    @inline(__always)
    public func reads(_ r: Int, _ instrument: InstrumentId) -> Bool {
        for k in legStart[r] ..< legStart[r + 1] where legSpecs[k].instrument == instrument { return true }
        return false
    }

    /// Rescores every route reading `instrument`, now (the eager path); returns how many.
    @discardableResult
    public mutating func bookChanged<Books: RouteBooks>(_ instrument: InstrumentId, books: Books, now: Timestamp) -> Int {
        markChanged(instrument)
        let touched = routesByInstrument[instrument.index]
        for r in touched { rescore(Int(r), books: books, now: now) }
        return touched.count
    }

    /// Notes that `instrument`'s book changed, without rescoring anything (O(1)):
    /// the lazy path. `rescoreChanged` later rescores each route that reads a changed
    /// book, once however many updates it missed.
    @inline(__always)
    public mutating func markChanged(_ instrument: InstrumentId) {
        changes += 1
        changedAt[instrument.index] = changes
    }

    /// Whether a book route `r` reads changed since the route was last scored.
    @inline(__always)
    public func isOutdated(_ r: Int) -> Bool {
        let scored = scoredAt[r]
        for k in legStart[r] ..< legStart[r + 1] where changedAt[legSpecs[k].instrument.index] > scored { return true }
        return false
    }

    /// Rescores every route whose books changed since it was last scored (before the
    /// prioritiser ranks them); returns how many.
    @discardableResult
    public mutating func rescoreChanged<Books: RouteBooks>(books: Books, now: Timestamp) -> Int {
        var count = 0
        for r in routes.indices where isOutdated(r) {
            rescore(r, books: books, now: now)
            count += 1
        }
        return count
    }

    /// Requotes and rescores one route.
    public mutating func rescore<Books: RouteBooks>(_ r: Int, books: Books, now: Timestamp) {
        scoredAt[r] = changes
        let quote = legSpecs.withUnsafeBufferPointer {
            RouteQuoter.quote(legs: UnsafeBufferPointer(rebasing: $0[legStart[r] ..< legStart[r + 1]]), amount: sizes[r], books: books, now: now)
        }
        health[r].edgePpm = quote.edgePpm
        health[r].executablePpm = quote.input > 0 ? Int64(clamping: RouteQuoter.divide(quote.executable * 1_000_000, by: quote.input)) : 0
        health[r].feedAgeNs = quote.isPriced ? quote.feedAgeNs : .max
        var slowest: Int64 = 0
        for k in legStart[r] ..< legStart[r + 1] { slowest = max(slowest, roundTripNs[Int(legVenues[k])]) }
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
