import ArbCore
import ArbRoute

/// The kernel's books, as the route board reads them.
struct ContextBooks: RouteBooks {
    unowned let context: StrategyContext
    func book(_ instrument: InstrumentId) -> OrderBook { context.book(instrument) }
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
        for route in RouteEnumerator.routes(in: u) where route.kind == .triangular && route.legs[0].venue == venue {
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

    public func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        let books = ContextBooks(context: context)
        board.bookChanged(instrument, books: books, now: context.now)
        if context.now >= nextRefresh {
            prioritiser.refresh(health: board.health, now: context.now)
            nextRefresh = context.now + .milliseconds(parameters.refreshMs)
        }
        for r in board.routes(touching: instrument) {
            prioritiser.admitIfFree(Int(r), health: board.health[Int(r)], now: context.now)
            if prioritiser.isActive(Int(r)) { evaluate(Int(r), context) }
        }
    }

    func evaluate(_ r: Int, _ context: StrategyContext) {
        guard !busy[r], context.now >= cooldownUntil[r] else { return }
        counters.evaluations += 1
        let health = board.health[r]
        guard health.edgePpm != .min, health.feedAgeNs <= parameters.maxBookAgeMs * 1_000_000 else { counters.staleSkips += 1; return }
        let minEdgePpm = parameters.minEdge.raw / 1_000
        guard health.edgePpm >= minEdgePpm else { counters.belowEdge += 1; return }
        counters.opportunities += 1
        context.countOpportunity()
        guard prioritiser.grantAttempt(r, now: context.now) else { counters.noBudget += 1; return }
        guard let legs = plan(r, context) else {
            counters.sizeZero += 1
            cooldownUntil[r] = context.now + .milliseconds(parameters.cooldownMs)
            return
        }
        let start = RouteQuoter.startAsset(of: routes[r], in: universe)
        switch executor.send(route: r, routeTag: routeTags[r], startAsset: start, legs: legs, context) {
        case .success:
            counters.attempts += 1
            busy[r] = true
        case .failure:
            counters.pretradeRejected += 1
            cooldownUntil[r] = context.now + .milliseconds(parameters.cooldownMs)
        }
    }

    /// Sizes the chain: the start amount (the order size, within this route's share of the
    /// start asset's balance), each leg spending what the last received after its fee, on
    /// lot multiples; nil when a leg rounds to nothing or the rounded chain no longer
    /// clears `min_edge`.
    func plan(_ r: Int, _ context: StrategyContext) -> [PlannedLeg]? {
        let route = routes[r]
        let start = RouteQuoter.startAsset(of: route, in: universe)
        let share = prioritiser.capitalShare(r, health: board.health)
        let allowance = context.available(venue, start).scaled(by: Ratio(raw: share * 1_000), .down)
        let input = min(orderSizes[r], allowance)
        guard input.raw > 0 else { return nil }
        var held = input
        var legs: [PlannedLeg] = []
        for leg in route.legs {
            let instrument = universe[leg.instrument]
            let book = context.book(leg.instrument)
            let fee = context.fees(leg.instrument).taker
            let afterFee = Ratio.one - fee
            if leg.side == .buy {
                let walk = book.walkBuying(spending: held, lotStep: instrument.lotStep)
                let quantity = walk.filled.rounded(toMultipleOf: instrument.lotStep, .down)
                guard quantity.raw > 0 else { return nil }
                legs.append(PlannedLeg(instrument: instrument, side: .buy, quantity: quantity, limit: walk.worstPrice))
                held = quantity.asAmount.scaled(by: afterFee, .down)
            } else {
                guard let owned = held.asQuantity else { return nil }
                let quantity = owned.rounded(toMultipleOf: instrument.lotStep, .down)
                guard quantity.raw > 0 else { return nil }
                let walk = book.walk(taker: .sell, quantity: quantity)
                guard walk.filled == quantity else { return nil }
                legs.append(PlannedLeg(instrument: instrument, side: .sell, quantity: quantity, limit: walk.worstPrice))
                held = walk.notional.scaled(by: afterFee, .down)
            }
        }
        // What comes back must clear the edge at these sizes: held ≥ input × (1 + min_edge).
        guard held >= input.scaled(by: Ratio.one + parameters.minEdge, .up) else { return nil }
        return legs
    }

    // MARK: repairing

    public func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {
        guard let done = executor.onReport(report, context) else { return }
        busy[done.route] = false
        cooldownUntil[done.route] = context.now + .milliseconds(parameters.cooldownMs)
        for (k, ack) in done.acknowledgedAfter.enumerated() where ack != nil && k < routes[done.route].legs.count {
            board.recordRoundTrip(venue: routes[done.route].legs[k].venue, ack!)
        }
        var outcome = OutcomeWindow.Counts()
        outcome.attempts = 1
        outcome.legsSent = Int64(done.planned.count)
        outcome.legsFilled = Int64(zip(done.planned, done.filled).filter { $0.0 == $0.1 }.count)
        outcome.rejects = Int64(done.rejectedLegs)
        outcome.brokenLegs = done.broken ? 1 : 0
        board.recordOutcome(done.route, outcome, at: context.now)
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
                notes.append("\(routes[done.route].id): left \(left.joined(separator: ", ")) at \(context.now.nanoseconds)ns")
            }
        case .notSent: break
        }
    }

    public func onTimer(_ token: UInt64, _ context: StrategyContext) {
        _ = executor.onTimer(token, context)
    }

    // MARK: ending

    public func stop(_ context: StrategyContext) -> StrategyReport {
        executor.cancelAll(context)
        let exposure = executor.dust.keys.sorted { ($0.venue.index, $0.asset.index) < ($1.venue.index, $1.asset.index) }.compactMap { key -> ExposureLine? in
            let amount = executor.dust[key]!
            return amount.raw == 0 ? nil : ExposureLine(venue: universe.venueName(key.venue), asset: universe.assetCode(key.asset), quantity: amount)
        }
        let c = counters
        let values: [String: Int64] = [
            "routes": Int64(routes.count), "evaluations": c.evaluations, "stale_skips": c.staleSkips, "below_edge": c.belowEdge,
            "opportunities": c.opportunities, "no_budget": c.noBudget, "size_zero": c.sizeZero, "pretrade_rejected": c.pretradeRejected,
            "attempts": c.attempts, "completed": c.completed, "broken_legs": c.brokenLegs, "repaired": c.repaired, "gave_up": c.gaveUp,
            "hedge_orders": c.hedgeOrders, "unwind_orders": c.unwindOrders, "open_attempts": Int64(executor.openAttempts),
            "active_set_changes": Int64(prioritiser.changes),
        ]
        return StrategyReport(name: name, counters: values.mapValues { .count($0) }, openExposure: exposure, notes: notes)
    }
}
