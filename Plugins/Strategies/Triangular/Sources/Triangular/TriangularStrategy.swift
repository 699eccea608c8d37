import ArbCore
import ArbRoute

/// The kernel's books, as the route board reads them.
struct ContextBooks: RouteBooks {
    unowned let context: StrategyContext
    func withBook<R>(_ instrument: InstrumentId, _ body: (borrowing OrderBook) -> R) -> R { context.withBook(instrument, body) }
    func touch(_ instrument: InstrumentId) -> Touch { context.touch(instrument) }
}

/// Triangular arbitrage on one venue: USDT → BTC → ETH → USDT and the like.
///
/// Every triangle the venue's listings close (ArbRoute's `triangular` routes from a start
/// asset in `order_size`) is scored on each update of its books by a `RouteBoard`: the
/// edge after three taker fees walking the books at the order size, the executable size,
/// book age, the venue's measured round trip, and the route's fill, reject and
/// broken-leg rates. A `RoutePrioritiser` keeps the best `active_routes` active (with
/// hysteresis, and aging so that none starves) and shares `attempts_per_second` and the
/// start asset's balance among them.
///
/// An active route whose edge clears `min_edge` is sized along the chain (each leg
/// spends what the last one received after its fee, on lot multiples), checked again at
/// those sizes, and sent as three IOC limits at the walks' worst prices, at once: the
/// strategy holds some of each asset, as a cross-venue one holds inventory on both
/// venues. ArbRoute's `LegExecutor` time-boxes the legs, completes the legs that fell
/// short, else unwinds to the start asset, and reports what is left as exposure.
public final class TriangularStrategy: Strategy {
    public let name = TriangularPlugin.id
    let parameters: TriangularParameters
    let universe: Universe
    let venue: VenueId
    let routes: [Route]
    /// Start amount per route, 1e-9 units of its start asset.
    let orderSizes: [Amount]
    var board: RouteBoard
    var prioritiser: RoutePrioritiser
    let executor: LegExecutor
    var routeTags: [Int32] = []
    var busy: [Bool]
    var cooldownUntil: [Timestamp]
    /// Attempts in flight per instrument: a route reading one of them waits (route busy).
    var instrumentsInFlight: [Int]
    /// The opportunity ledger: a route whose edge keeps clearing is one opportunity until
    /// this time (set by its decision) or until the edge stops clearing.
    var episodeUntil: [Timestamp]
    var inEpisode: [Bool]
    /// Executed opportunities waiting for their legs to end, by attempt.
    var pendingRows: [UInt64: OpportunityRecord] = [:]
    var nextRefresh = Timestamp.zero
    var counters = Counters()
    var notes: [String] = []

    struct Counters {
        var evaluations: Int64 = 0, staleSkips: Int64 = 0, belowEdge: Int64 = 0, opportunities: Int64 = 0
        var noBudget: Int64 = 0, sizeZero: Int64 = 0, pretradeRejected: Int64 = 0, attempts: Int64 = 0
        var completed: Int64 = 0, brokenLegs: Int64 = 0, repaired: Int64 = 0, gaveUp: Int64 = 0
        var hedgeOrders: Int64 = 0, unwindOrders: Int64 = 0
    }

    public init(parameters: TriangularParameters, universe u: Universe) throws {
        func fail(_ key: String, _ message: String) -> PluginConfigurationError {
            PluginConfigurationError(plugin: TriangularPlugin.id, setting: key, message: message)
        }
        guard let venue = u.venueId(parameters.venue) else {
            throw fail("venue", "venue '\(parameters.venue)' is not enabled; enabled: \(u.venueNames.joined(separator: ", "))")
        }
        var routes: [Route] = [], sizes: [Amount] = []
        let chosen = try parameters.routes.map { try Self.route(parsing: $0, in: u) }
        for route in chosen.isEmpty ? RouteEnumerator.routes(in: u) : chosen where route.kind == .triangular && route.legs[0].venue == venue {
            let start = u.assetCode(RouteQuoter.startAsset(of: route, in: u))
            guard let size = parameters.orderSize[start] else { continue }
            routes.append(route); sizes.append(size)
        }
        guard !routes.isEmpty else {
            throw fail("venue", "\(parameters.venue) has no triangle starting from \(parameters.orderSize.keys.sorted().joined(separator: ", ")) in this run: add a second quote market (cross_quotes = [\"BTC\"] under [exchanges.\(parameters.venue)]) or another start asset to order_size")
        }
        self.parameters = parameters
        self.universe = u
        self.venue = venue
        self.routes = routes
        self.orderSizes = sizes
        var health = RouteHealthConfig()
        health.staleAge = .milliseconds(parameters.maxBookAgeMs)
        health.freshAge = .milliseconds(parameters.maxBookAgeMs / 4)
        let sizeByAsset = Dictionary(uniqueKeysWithValues: parameters.orderSize.compactMap { code, size in u.assetId(code).map { ($0, size) } })
        board = RouteBoard(routes: routes, universe: u, takerFees: [], config: health) { sizeByAsset[$0] ?? .zero }
        var config = RoutePrioritiserConfig()
        config.activeSlots = parameters.activeRoutes
        config.attemptsPerSecond = parameters.attemptsPerSecond
        config.attemptBurst = parameters.attemptsPerSecond
        prioritiser = RoutePrioritiser(routeCount: routes.count, config: config, now: .zero)
        executor = LegExecutor(policy: LegPolicy(legTimeout: .milliseconds(parameters.legTimeoutMs), hedgeSlippage: parameters.hedgeSlippage,
                                                 maxHedgeAttempts: parameters.maxHedgeAttempts, maxUnwindAttempts: parameters.maxUnwindAttempts),
                               universe: u)
        busy = Array(repeating: false, count: routes.count)
        cooldownUntil = Array(repeating: .zero, count: routes.count)
        instrumentsInFlight = Array(repeating: 0, count: u.instruments.count)
        episodeUntil = Array(repeating: .zero, count: routes.count)
        inEpisode = Array(repeating: false, count: routes.count)
    }

    /// A triangle written `VENUE:A>B>C>A` (optionally prefixed `triangular:`): each step is
    /// the venue's instrument joining the two assets, bought with the first or sold for
    /// the second. Refused, naming the problem: a venue that is not enabled, an unknown
    /// asset or pair, legs that do not chain or do not close the cycle.
    static func route(parsing text: String, in u: Universe) throws -> Route {
        func fail(_ message: String) -> PluginConfigurationError {
            PluginConfigurationError(plugin: TriangularPlugin.id, setting: "routes", message: "'\(text)': \(message)")
        }
        var parts = text.split(separator: ":").map(String.init)
        if parts.first == "triangular" { parts.removeFirst() }
        guard parts.count == 2 else { throw fail("write VENUE:A>B>C>A, e.g. binance:USDT>BTC>ETH>USDT") }
        guard let venue = u.venueId(parts[0]) else {
            throw fail("venue '\(parts[0])' is not enabled; enabled: \(u.venueNames.joined(separator: ", "))")
        }
        let assets = parts[1].split(separator: ">").map(String.init)
        guard assets.count == 4 else { throw fail("a triangle names four assets, the first again at the end (A>B>C>A); got \(assets.count)") }
        var legs: [RouteLeg] = []
        for (from, to) in zip(assets, assets.dropFirst()) {
            guard let a = u.assetId(from), let b = u.assetId(to) else { throw fail("\(u.assetId(from) == nil ? from : to) is not an asset of this run") }
            if let i = u.instrument(venue: venue, base: b, quote: a) {
                legs.append(RouteLeg(venue: venue, instrument: i.id, side: .buy))
            } else if let i = u.instrument(venue: venue, base: a, quote: b) {
                legs.append(RouteLeg(venue: venue, instrument: i.id, side: .sell))
            } else {
                throw fail("\(parts[0]) lists no pair of \(from) and \(to) in this run (add cross_quotes under [exchanges.\(parts[0])])")
            }
        }
        let route = Route(id: "triangular:\(parts[0]):\(parts[1])", kind: .triangular, legs: legs)
        if let problem = route.problem(in: u) { throw fail(problem) }
        return route
    }

    /// Reads the taker fees, names the routes and subscribes to every book they read.
    public func start(_ context: StrategyContext) throws {
        let fees = universe.instruments.map { $0.venue == venue ? context.fees($0.id).taker : .zero }
        board = RouteBoard(routes: routes, universe: universe, takerFees: fees, config: board.config) { [orderSizes, routes, universe] asset in
            routes.indices.first { RouteQuoter.startAsset(of: routes[$0], in: universe) == asset }.map { orderSizes[$0] } ?? .zero
        }
        prioritiser = RoutePrioritiser(routeCount: routes.count, config: prioritiser.config, now: context.now)
        routeTags = routes.map { context.route(named: $0.id) }
        var subscribed = Set<InstrumentId>()
        for route in routes { for leg in route.legs where subscribed.insert(leg.instrument).inserted { context.subscribe(leg.instrument) } }
    }

    // MARK: deciding

    /// A book update rescores only the active routes that read it, and evaluates them;
    /// every other route reading it is marked and rescored at the next refresh (so a BTC
    /// book read by thousands of triangles costs a few rescores, not thousands).
    public func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        let books = ContextBooks(context: context)
        board.markChanged(instrument)
        if context.now >= nextRefresh { refresh(books, context) }
        if prioritiser.active.count < parameters.activeRoutes {
            // Free slots (a universe with few usable routes, or the first books): the routes
            // reading this book are rescored now and the usable ones admitted at once.
            for r in board.routes(touching: instrument) {
                board.rescore(Int(r), books: books, now: context.now)
                prioritiser.admitIfFree(Int(r), health: board.health[Int(r)], now: context.now)
            }
        }
        for r in prioritiser.active where board.reads(Int(r), instrument) {
            board.rescore(Int(r), books: books, now: context.now)
            evaluate(Int(r), context)
        }
    }

    /// Rescores the routes whose books changed, ranks them again, and looks at the routes
    /// left out: one whose edge clears is an opportunity, skipped as `not_prioritised`.
    /// While slots are free it comes round every 100 ms at most, so a route whose books
    /// just arrived need not wait a whole `refresh_ms`.
    func refresh(_ books: ContextBooks, _ context: StrategyContext) {
        board.rescoreChanged(books: books, now: context.now)
        prioritiser.refresh(health: board.health, now: context.now)
        let full = prioritiser.active.count >= parameters.activeRoutes
        let wait = full ? parameters.refreshMs : min(parameters.refreshMs, 100)
        nextRefresh = context.now + .milliseconds(wait)
        // Also on a timer: quiet books must not stop the ranking.
        if !refreshTimerPending {
            refreshTimerPending = true
            context.schedule(after: .milliseconds(wait), token: Self.refreshToken)
        }
        for r in routes.indices where !prioritiser.isActive(r) { evaluate(r, context) }
    }

    static let refreshToken: UInt64 = 1
    var refreshTimerPending = false

    /// A route whose edge clears `min_edge` is an opportunity: it gets one ledger row per
    /// episode (until its edge stops clearing, or until its decision's wait is over), with
    /// the first reason that stops it, or executed.
    func evaluate(_ r: Int, _ context: StrategyContext) {
        let now = context.now
        let health = board.health[r]
        let minEdgePpm = parameters.minEdge.raw / 1_000
        // A route through a symbol the universe rule has not selected is not traded, nor counted.
        for leg in routes[r].legs where !context.isTradable(leg.instrument) { return }
        counters.evaluations += 1
        guard health.edgePpm != .min, health.edgePpm >= minEdgePpm else { inEpisode[r] = false; counters.belowEdge += 1; return }
        guard !inEpisode[r] || now >= episodeUntil[r] else { return }
        counters.opportunities += 1
        context.countOpportunity()
        inEpisode[r] = true
        let start = RouteQuoter.startAsset(of: routes[r], in: universe)
        var row = OpportunityRecord(id: context.newOpportunityId(), strategy: StrategyId(0), route: routeTags[r], detectedAt: now,
                                    detectedEdgePpm: health.edgePpm, detectedSize: board.sizes[r] > 0 ? Amount(raw: board.sizes[r]) : .zero,
                                    sizeAsset: start, decision: .executed)
        func skip(_ reason: OpportunitySkip, until: Timestamp) {
            row.decision = .skipped(reason)
            episodeUntil[r] = until
            context.recordOpportunity(row)
        }
        let cooldown = now + .milliseconds(parameters.cooldownMs)
        if health.feedAgeNs > parameters.maxBookAgeMs * 1_000_000 {
            counters.staleSkips += 1
            return skip(.staleFeed, until: now + .milliseconds(max(1, parameters.maxBookAgeMs / 2)))
        }
        if !prioritiser.isActive(r) { return skip(.notPrioritised, until: nextRefresh) }
        if busy[r] || routes[r].legs.contains(where: { instrumentsInFlight[$0.instrument.index] > 0 }) {
            return skip(.routeBusy, until: now + .milliseconds(max(1, parameters.cooldownMs)))
        }
        if now < cooldownUntil[r] { return skip(.cooldown, until: cooldownUntil[r]) }
        guard prioritiser.grantAttempt(r, now: now) else {
            counters.noBudget += 1
            return skip(.rateLimit, until: now + .nanoseconds(1_000_000_000 / parameters.attemptsPerSecond))
        }
        let planned = plan(r, context)
        guard case .success(let legs) = planned else {
            if case .failure(let reason) = planned { counters.sizeZero += reason == .belowEdge ? 0 : 1 }
            cooldownUntil[r] = cooldown
            if case .failure(let reason) = planned { skip(reason, until: cooldown) }
            return
        }
        row.detectedSize = legs.input
        row.legs = legs.legs.map { OpportunityLeg(instrument: $0.instrument.id, side: $0.side, expectedPrice: $0.expected, plannedQuantity: $0.quantity) }
        switch executor.send(route: r, routeTag: routeTags[r], startAsset: start, legs: legs.legs.map(\.planned), context) {
        case .success(let attempt):
            counters.attempts += 1
            busy[r] = true
            for leg in routes[r].legs { instrumentsInFlight[leg.instrument.index] += 1 }
            episodeUntil[r] = .distantFuture
            pendingRows[attempt] = row
        case .failure:
            counters.pretradeRejected += 1
            cooldownUntil[r] = cooldown
            skip(.pretradeRejected, until: cooldown)
        }
    }

    /// One leg of a sized chain: the order, and the average price its walk expects.
    struct SizedLeg {
        var instrument: Instrument
        var side: Side
        var quantity: Quantity
        var limit: Price
        var expected: Price
        var planned: PlannedLeg { PlannedLeg(instrument: instrument, side: side, quantity: quantity, limit: limit) }
    }

    /// Sizes the chain: the start amount (the order size, within this route's share of the
    /// start asset's balance), each leg spending what the last received after its fee, on
    /// lot multiples. Fails with why: nothing to spend (`size_zero.balance`), a leg
    /// rounding to nothing or running out of book (`size_zero.book_depth`), or the rounded
    /// chain no longer clearing `min_edge` (`below_edge`).
    func plan(_ r: Int, _ context: StrategyContext) -> Result<(input: Amount, legs: [SizedLeg]), OpportunitySkip> {
        let route = routes[r]
        let start = RouteQuoter.startAsset(of: route, in: universe)
        let share = prioritiser.capitalShare(r, health: board.health)
        let allowance = context.available(venue, start).scaled(by: Ratio(raw: share * 1_000), .down)
        let input = min(orderSizes[r], allowance)
        guard input.raw > 0 else { return .failure(.sizeZero("balance")) }
        var held = input
        var legs: [SizedLeg] = []
        for leg in route.legs {
            let instrument = universe[leg.instrument]
            let book = context.book(leg.instrument)
            let afterFee = Ratio.one - context.fees(leg.instrument).taker
            if leg.side == .buy {
                let walk = book.walkBuying(spending: held, lotStep: instrument.lotStep)
                let quantity = walk.filled.rounded(toMultipleOf: instrument.lotStep, .down)
                guard quantity.raw > 0 else { return .failure(.sizeZero("book_depth")) }
                let average = walk.averagePrice(.down)
                legs.append(SizedLeg(instrument: instrument, side: .buy, quantity: quantity, limit: walk.worstPrice, expected: average))
                held = quantity.asAmount.scaled(by: afterFee, .down)
            } else {
                guard let owned = held.asQuantity else { return .failure(.sizeZero("order_size")) }
                let quantity = owned.rounded(toMultipleOf: instrument.lotStep, .down)
                guard quantity.raw > 0 else { return .failure(.sizeZero("lot_step")) }
                let walk = book.walk(taker: .sell, quantity: quantity)
                guard walk.filled == quantity else { return .failure(.sizeZero("book_depth")) }
                let average = walk.averagePrice(.down)
                legs.append(SizedLeg(instrument: instrument, side: .sell, quantity: quantity, limit: walk.worstPrice, expected: average))
                held = walk.notional.scaled(by: afterFee, .down)
            }
        }
        // What comes back must clear the edge at these sizes: held ≥ input × (1 + min_edge).
        guard held >= input.scaled(by: Ratio.one + parameters.minEdge, .up) else { return .failure(.belowEdge) }
        return .success((input, legs))
    }

    // MARK: repairing

    public func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {
        guard let done = executor.onReport(report, context) else { return }
        let r = done.route
        busy[r] = false
        for leg in routes[r].legs { instrumentsInFlight[leg.instrument.index] -= 1 }
        cooldownUntil[r] = context.now + .milliseconds(parameters.cooldownMs)
        episodeUntil[r] = cooldownUntil[r]
        for (k, ack) in done.acknowledgedAfter.enumerated() where ack != nil && k < routes[r].legs.count {
            board.recordRoundTrip(venue: routes[r].legs[k].venue, ack!)
        }
        var outcome = OutcomeWindow.Counts()
        outcome.attempts = 1
        outcome.legsSent = Int64(done.planned.count)
        outcome.legsFilled = Int64(zip(done.planned, done.filled).filter { $0.0 == $0.1 }.count)
        outcome.rejects = Int64(done.rejectedLegs)
        outcome.brokenLegs = done.broken ? 1 : 0
        board.recordOutcome(r, outcome, at: context.now)
        counters.hedgeOrders += Int64(done.hedgeOrders)
        counters.unwindOrders += Int64(done.unwindOrders)
        if done.broken { counters.brokenLegs += 1 }
        switch done.outcome {
        case .completed: counters.completed += 1
        case .repaired: counters.repaired += 1
        case .gaveUp:
            counters.gaveUp += 1
            if notes.count < 20 {
                let left = done.leftover.keys.sorted { $0.index < $1.index }.map { "\(done.leftover[$0]!) \(universe.assetCode($0))" }
                notes.append("\(routes[r].id): left \(left.joined(separator: ", ")) at \(context.now.nanoseconds)ns")
            }
        }
        if var row = pendingRows.removeValue(forKey: done.attempt) {
            row.complete(with: done) { context.fees($0).taker }
            context.recordOpportunity(row)
        }
    }

    public func onTimer(_ token: UInt64, _ context: StrategyContext) {
        if executor.onTimer(token, context) { return }
        guard token == Self.refreshToken else { return }
        refreshTimerPending = false
        let before = Set(prioritiser.active)
        if context.now >= nextRefresh { refresh(ContextBooks(context: context), context) }
        if !refreshTimerPending {
            refreshTimerPending = true
            context.schedule(after: max(.milliseconds(1), nextRefresh - context.now), token: Self.refreshToken)
        }
        // Routes that became active are evaluated at once; the others wait for their books.
        for r in prioritiser.active where !before.contains(r) { evaluate(Int(r), context) }
    }

    // MARK: ending

    public func stop(_ context: StrategyContext) -> StrategyReport {
        executor.cancelAll(context)
        // Executed opportunities whose legs had not ended: recorded as they stand.
        for attempt in pendingRows.keys.sorted() { context.recordOpportunity(pendingRows[attempt]!) }
        pendingRows = [:]
        let exposure = executor.dust.keys.sorted { ($0.venue.index, $0.asset.index) < ($1.venue.index, $1.asset.index) }.compactMap { key -> ExposureLine? in
            let amount = executor.dust[key]!
            return amount.raw == 0 ? nil : ExposureLine(venue: universe.venueName(key.venue), asset: universe.assetCode(key.asset), quantity: amount)
        }
        // The active routes' health at the end, each quantity the score is built from
        // (docs/ROUTES.md), best first.
        var health = notes
        for r in prioritiser.active.prefix(8) {
            board.rescore(Int(r), books: ContextBooks(context: context), now: context.now)
            let h = board.health[Int(r)]
            let o = board.outcomeCounts(Int(r))
            health.append("\(routes[Int(r)].id): score \(h.score) = edge \(h.edgePpm == .min ? "-" : String(h.edgePpm)) ppm × executable \(h.executablePpm) ppm, "
                + "feed age \(h.feedAgeNs == .max ? "-" : String(h.feedAgeNs / 1_000_000)) ms, round trip \(h.roundTripNs / 1_000_000) ms, "
                + "fill ratio \(h.fillRatioPpm) ppm, rejects \(h.rejectRatePpm) ppm, broken legs \(h.brokenLegRatePpm) ppm (\(o.attempts) attempts, \(o.legsSent) legs in the window)")
        }
        let c = counters
        let values: [String: Int64] = [
            "routes": Int64(routes.count), "evaluations": c.evaluations, "stale_skips": c.staleSkips, "below_edge": c.belowEdge,
            "opportunities": c.opportunities, "no_budget": c.noBudget, "size_zero": c.sizeZero, "pretrade_rejected": c.pretradeRejected,
            "attempts": c.attempts, "completed": c.completed, "broken_legs": c.brokenLegs, "repaired": c.repaired, "gave_up": c.gaveUp,
            "hedge_orders": c.hedgeOrders, "unwind_orders": c.unwindOrders, "open_attempts": Int64(executor.openAttempts),
            "active_set_changes": Int64(prioritiser.changes),
        ]
        return StrategyReport(name: name, counters: values.mapValues { .count($0) }, openExposure: exposure, notes: health)
    }
}
