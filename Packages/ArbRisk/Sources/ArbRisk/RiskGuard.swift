import ArbCore

/// An order as the guard sees it: where, which route, which way, how much of each asset,
/// and why.
public struct RiskIntent: Sendable, Hashable {
    public var venue: VenueId
    /// The route it belongs to (-1: none).
    public var route: Int32
    public var base: AssetId
    public var quote: AssetId
    public var side: Side
    /// Base quantity and quote amount (unsigned): what flows in and out of the venue.
    public var quantity: Amount
    public var quoteAmount: Amount
    public var purpose: OrderPurpose

    public init(venue: VenueId, route: Int32, base: AssetId, quote: AssetId, side: Side, quantity: Amount, quoteAmount: Amount,
                purpose: OrderPurpose) {
        self.venue = venue; self.route = route; self.base = base; self.quote = quote; self.side = side
        self.quantity = quantity; self.quoteAmount = quoteAmount; self.purpose = purpose
    }

    /// Hedges and unwinds repair legs already filled: no state or limit blocks them.
    @inlinable public var isRepair: Bool { purpose == .hedge || purpose == .unwind }
    @inlinable var inflow: (AssetId, Amount) { side == .buy ? (base, quantity) : (quote, quoteAmount) }
    @inlinable var outflow: (AssetId, Amount) { side == .buy ? (quote, quoteAmount) : (base, quantity) }
}

/// A decision: allowed, or refused with a stable code, the scope, and the limit against
/// the value the order would have made (nil where a state, not a number, refused it).
public enum RiskDecision: Sendable, Hashable {
    case allowed
    case refused(code: RiskCode, scope: RiskScope, limit: Amount?, measured: Amount?)

    @inlinable public var isAllowed: Bool { if case .allowed = self { return true } else { return false } }
}

/// The 4-tier guard, in process (exchange, route, symbol, global): scope states with
/// their transitions, the exposure book, and each tier's limits, checked for every order
/// intent before the rate limiter and the venue. A check reads dense tables and touches
/// only the cells the order moves: concrete types, no allocation.
///
/// What it learns comes from the caller, in event time: orders sent, fills and balances,
/// orders' ends, rejections and round trips, attempts' outcomes, marks and PnL, feed ages.
public struct RiskGuard: Sendable {
    public var limits: RiskLimits { didSet { scaledLimits = ScaledLimits(limits); exposure.applyLimits(limits) } }
    /// The value limits in `ExposureBook`'s scaled form, computed once per change of
    /// `limits` (a check compares without multiplying them out).
    var scaledLimits: ScaledLimits
    public internal(set) var states: ScopeStates
    public internal(set) var exposure: ExposureBook
    var maxGrossScaled: Int128 = 0
    public var maxGrossExposureSeen: Amount { ExposureBook.amount(maxGrossScaled) }
    /// Refusals by code index (`RiskCode.all`): a refusal counts without hashing.
    var refusalCounts = [Int](repeating: 0, count: RiskCode.all.count)
    /// Refusals by code.
    public var refusals: [RiskCode: Int] {
        var out: [RiskCode: Int] = [:]
        for (i, n) in refusalCounts.enumerated() where n > 0 { out[RiskCode.all[i]] = n }
        return out
    }
    public private(set) var allowed = 0

    struct PendingOrder: Sendable {
        var intent: RiskIntent
        /// What is still open of its inflow and outflow, and its value when sent.
        var inflowLeft: Amount
        var outflowLeft: Amount
        /// Scaled value (see `ExposureBook`).
        var notional: Int128
        var acknowledged = false
        var sentAt: Timestamp
    }
    var orders: [UInt64: PendingOrder] = [:]

    // Route tier, by route id (grown on first use).
    /// Scaled values of each route's open orders.
    var routeOpen: ContiguousArray<Int128> = []
    var routeLosses: ContiguousArray<Int> = []
    var routeRepairs: ContiguousArray<Int> = []
    var routeOutcomes: [RouteOutcomes] = []

    // Global order rate: the send times of the last `maxOrdersPerSecond` orders.
    var sendTimes: ContiguousArray<Timestamp> = []
    var sendNext = 0

    // Exchange health.
    var health: [VenueHealth]
    var scratch: [Int64] = []

    // PnL (reporting currency) as last marked.
    public private(set) var pnl: Amount?
    public private(set) var dailyPnL: Amount = .zero
    public private(set) var drawdown: Amount = .zero
    var peakPnL: Amount?
    var day: Int64 = .min
    var dayStartPnL: Amount = .zero
    var startEquity: Amount?

    public init(limits: RiskLimits) {
        self.limits = limits
        scaledLimits = ScaledLimits(limits)
        states = ScopeStates(venueCount: limits.venueCount, assetCount: limits.assetCount)
        exposure = ExposureBook(venueCount: limits.venueCount, assetCount: limits.assetCount, isCash: limits.isCash)
        exposure.applyLimits(limits)
        health = Array(repeating: VenueHealth(), count: limits.venueCount)
        if let n = limits.global.maxOrdersPerSecond, n > 0 { sendTimes = ContiguousArray(repeating: Timestamp(nanoseconds: .min), count: n) }
    }

    // MARK: the check

    /// Checks one intent at `time`: states first (global, exchange, route, symbol), then
    /// each limit the order would breach if accepted. Orders that do not add exposure
    /// pass the exposure limits and `reducing` states; hedges and unwinds pass everything.
    public mutating func check(_ intent: RiskIntent, at time: Timestamp) -> RiskDecision {
        states.advance(to: time)
        // A leg already filled is repaired whatever the state: a halted entry never blocks a hedge.
        if intent.isRepair { allowed += 1; return .allowed }
        let (inAsset, inAmount) = intent.inflow, (outAsset, outAmount) = intent.outflow
        // Filled in place: a projection returned by value was copied out through the stack
        // in halves and read back whole, a store-forwarding stall on every check.
        var p = ExposureBook.Projection()
        var projected = false
        // The four scopes in turn (none to read while every scope is active): only a scope
        // not active needs to know, before anything else, whether the order reduces.
        if states.notActiveCount > 0 {
            exposure.project(&p, intent.venue, inflow: inAsset, inAmount, outflow: outAsset, outAmount, base: intent.base)
            projected = true
            if let d = blocked(.global, reduces: p.reduces, halted: .globalHalted, reducing: .globalReducing) { return d }
            if let d = blocked(.exchange(intent.venue), reduces: p.reduces, halted: .exchangeHalted, reducing: .exchangeReducing) { return d }
            if intent.route >= 0, let d = blocked(.route(intent.route), reduces: p.reduces, halted: .routeHalted, reducing: .routeReducing) { return d }
            if let d = blocked(.symbol(intent.base), reduces: p.reduces, halted: .symbolHalted, reducing: .symbolReducing) { return d }
        }

        // Global: orders per second (a pair's second leg counts the first).
        if !sendTimes.isEmpty,
           reservedSends >= sendTimes.count
            || time.nanoseconds < sendTimes[sendNext + reservedSends < sendTimes.count ? sendNext + reservedSends : sendNext + reservedSends - sendTimes.count].nanoseconds &+ 1_000_000_000 {
            return refuse(.orderRate, .global, limit: Amount(units: Int64(sendTimes.count)), measured: Amount(units: Int64(sendTimes.count + 1)))
        }
        // Route: this order's value, and the route's open orders with it (scaled values).
        let notional = exposure.value(intent.quoteAmount, intent.quote.index)
        if let limit = limits.route.maxNotional, notional > scaledLimits.routeNotional {
            return refuse(.routeNotional, .route(intent.route), limit: limit, measured: ExposureBook.amount(notional))
        }
        if let limit = limits.route.maxOpenNotional, intent.route >= 0 {
            let open: Int128 = Int(intent.route) < routeOpen.count ? routeOpen[Int(intent.route)] : 0
            if open + notional > scaledLimits.routeOpenNotional {
                return refuse(.routeOpenNotional, .route(intent.route), limit: limit, measured: ExposureBook.amount(open + notional))
            }
        }
        // The per-cell and per-asset limits live next to the cells and lines the
        // projection reads (`ExposureBook.applyLimits`): a few cache lines per check.
        let v = intent.venue.index
        let cin = exposure.cells[exposure.cell(intent.venue, inAsset)], cout = exposure.cells[exposure.cell(intent.venue, outAsset)]
        let inRaw = ExposureBook.clamp(inAmount.raw), outRaw = ExposureBook.clamp(outAmount.raw)
        // Exchange: the balance floor of what flows out.
        let low = cout.balance &- cout.minus &- outRaw
        if low < cout.floor { return refuse(.balanceFloor, .exchange(intent.venue), limit: Amount(raw: cout.floor), measured: Amount(raw: low)) }
        // Inventory bands: nothing may take a venue's balance further out of its band.
        let high = cin.balance &+ cin.plus &+ inRaw
        if high > cin.bandMax { return refuse(.aboveBand, .exchange(intent.venue), limit: Amount(raw: cin.bandMax), measured: Amount(raw: high)) }
        if low < cout.bandMin { return refuse(.belowBand, .exchange(intent.venue), limit: Amount(raw: cout.bandMin), measured: Amount(raw: low)) }
        // Exposure. The exact projection is needed only near a limit: when even the most
        // this order could add (its flows at their marks) keeps every sum within its limit,
        // no limit can refuse it, whether or not it reduces (`withinHeadroom`).
        if projected || keepsProjection || !exposure.withinHeadroom(v, inflow: inAsset, inRaw, outflow: outAsset, outRaw, base: intent.base,
                                                                        baseQuantity: ExposureBook.clamp(intent.quantity.raw), limits: scaledLimits) {
            if !projected {
                exposure.project(&p, intent.venue, inflow: inAsset, inAmount, outflow: outAsset, outAmount, base: intent.base)
                projected = true
            }
            if !p.reduces {
                if p.unmarked && scaledLimits.limitsExposure { return refuse(.noMark, .global, limit: nil, measured: nil) }
                if p.venueExposure > scaledLimits.venueExposure[v] {
                    return refuse(.exchangeExposure, .exchange(intent.venue), limit: limits.exchanges[v].maxExposure, measured: ExposureBook.amount(p.venueExposure))
                }
                if p.grossExposure > scaledLimits.grossExposure {
                    return refuse(.grossExposure, .global, limit: limits.global.maxGrossExposure, measured: ExposureBook.amount(p.grossExposure))
                }
                if p.netExposure > scaledLimits.netExposure {
                    return refuse(.netExposure, .global, limit: limits.global.maxNetExposure, measured: ExposureBook.amount(p.netExposure))
                }
                if p.baseNetAfter > exposure.lines[intent.base.index].maxNetPosition {
                    return refuse(.symbolPosition, .symbol(intent.base), limit: limits.symbols[intent.base.index].maxNetPosition, measured: Amount(raw: p.baseNetAfter))
                }
            }
        }
        // Symbol: the imbalance between venues, if the order widens it.
        let maxImbalance = exposure.lines[intent.base.index].maxImbalance
        if maxImbalance >= 0 {
            let q = ExposureBook.clamp(intent.quantity.raw)
            let (before, after, total) = exposure.spread(intent.base, change: intent.side == .buy ? q : 0 &- q, on: v)
            // after / total > limit, without dividing (balances below 2^62 raw: the
            // products fit; beyond, saturating).
            if after > before && total > 0, exceeds(after, total, Ratio(raw: maxImbalance)) {
                let measured = Amount(raw: FixedDecimal.divide(after * Int128(FixedDecimal.unit), by: total, rounding: .up))
                return refuse(.symbolImbalance, .symbol(intent.base), limit: Amount(raw: Int128(maxImbalance)), measured: measured)
            }
        }
        allowed += 1
        if projected { lastAllowed = (p.reduces, p.grossExposure, p.venueExposure) }
        return .allowed
    }

    /// Every check projects the order exactly, far from the limits too, so that the last
    /// entry allowed has its exposure figures (`lastAllowedGross`): the shared tier, which
    /// reserves them, sets it. Decisions are the same either way.
    public var keepsProjection = false

    /// A refusal decided outside the guard (the shared tier) for the entry just allowed.
    public mutating func refusedAfterAllowing(_ code: RiskCode) {
        allowed -= 1
        refusalCounts[code.index] += 1
    }

    /// The last entry allowed: whether it added no exposure, and the gross and venue
    /// exposure (scaled) it would make. The shared tier reserves these; they are kept
    /// only while `keepsProjection` is set.
    var lastAllowed: (reduces: Bool, gross: Int128, venue: Int128) = (true, 0, 0)
    public var lastAllowedAddsExposure: Bool { !lastAllowed.reduces }
    public var lastAllowedGross: Amount { ExposureBook.amount(lastAllowed.gross) }
    public var lastAllowedVenueExposure: Amount { ExposureBook.amount(lastAllowed.venue) }

    /// `part / total > ratio`, by multiplication.
    @inline(__always) func exceeds(_ part: Int128, _ total: Int128, _ ratio: Ratio) -> Bool {
        if part < (1 << 62) && total < (1 << 62) { return part &* ExposureBook.unit > total &* Int128(ratio.raw) }
        let (l, o1) = part.multipliedReportingOverflow(by: ExposureBook.unit)
        let (r, o2) = total.multipliedReportingOverflow(by: Int128(ratio.raw))
        if o1 || o2 { return part > total }  // absurd balances: refuse only a widening past everything
        return l > r
    }

    @inline(__always)
    mutating func blocked(_ scope: RiskScope, reduces: Bool, halted: RiskCode, reducing: RiskCode) -> RiskDecision? {
        let state = states.state(of: scope)
        if state == .active || (state == .reducing && reduces) { return nil }
        return refuse(state == .halted ? halted : reducing, scope, limit: nil, measured: nil)
    }

    /// Inlined: built in place in the caller's result. Out of line, the decision (about
    /// 80 bytes) was written in halves and copied back whole, a store-forwarding stall.
    @inline(__always)
    mutating func refuse(_ code: RiskCode, _ scope: RiskScope, limit: Amount?, measured: Amount?) -> RiskDecision {
        refusalCounts[code.index] += 1
        return .refused(code: code, scope: scope, limit: limit, measured: measured)
    }

    /// Checks two legs that go together: the second as if the first were already sent.
    /// Returns the leg refused and why, or nil.
    public mutating func checkPair(_ a: RiskIntent, _ b: RiskIntent, at time: Timestamp) -> (leg: Int, RiskDecision)? {
        let first = check(a, at: time)
        guard first.isAllowed else { return (0, first) }
        let (inAsset, inAmount) = a.inflow, (outAsset, outAmount) = a.outflow
        exposure.pend(a.venue, inflow: inAsset, inAmount, outflow: outAsset, outAmount, sign: 1)
        let notional = exposure.value(a.quoteAmount, a.quote.index)
        if a.route >= 0 { growRoutes(to: Int(a.route)); routeOpen[Int(a.route)] += notional }
        reservedSends = 1
        let second = check(b, at: time)
        reservedSends = 0
        if a.route >= 0 { routeOpen[Int(a.route)] -= notional }
        exposure.pend(a.venue, inflow: inAsset, inAmount, outflow: outAsset, outAmount, sign: -1)
        if !second.isAllowed { allowed -= 1; return (1, second) }
        return nil
    }
    var reservedSends = 0

    // MARK: what happened

    /// An order went out: its flows are pending until it fills or ends.
    public mutating func sent(_ id: UInt64, _ intent: RiskIntent, at time: Timestamp) {
        let (inAsset, inAmount) = intent.inflow, (outAsset, outAmount) = intent.outflow
        exposure.pend(intent.venue, inflow: inAsset, inAmount, outflow: outAsset, outAmount, sign: 1)
        let notional = exposure.value(intent.quoteAmount, intent.quote.index)
        orders[id] = PendingOrder(intent: intent, inflowLeft: inAmount, outflowLeft: outAmount, notional: notional, sentAt: time)
        if intent.route >= 0 {
            growRoutes(to: Int(intent.route))
            routeOpen[Int(intent.route)] += notional
            if intent.isRepair { routeRepairs[Int(intent.route)] += 1 }
        }
        if !sendTimes.isEmpty {
            sendTimes[sendNext] = time
            sendNext = (sendNext + 1) % sendTimes.count
        }
        health[intent.venue.index].sent(at: time, window: limits.exchanges[intent.venue.index].healthWindow)
        noteGross()
    }

    /// Part of an order filled: `quantity` base against `quoteAmount` quote leave its
    /// pending flows (the balances come through `setBalance`).
    public mutating func filled(_ id: UInt64, quantity: Amount, quoteAmount: Amount) {
        guard var order = orders[id] else { return }
        let buy = order.intent.side == .buy
        let inDone = Swift.min(order.inflowLeft, buy ? quantity : quoteAmount)
        let outDone = Swift.min(order.outflowLeft, buy ? quoteAmount : quantity)
        let (inAsset, _) = order.intent.inflow, (outAsset, _) = order.intent.outflow
        exposure.pend(order.intent.venue, inflow: inAsset, inDone, outflow: outAsset, outDone, sign: -1)
        order.inflowLeft -= inDone
        order.outflowLeft -= outDone
        orders[id] = order
    }

    /// The first answer to an order: its round trip.
    public mutating func acknowledged(_ id: UInt64, at time: Timestamp) {
        guard var order = orders[id], !order.acknowledged else { return }
        order.acknowledged = true
        orders[id] = order
        health[order.intent.venue.index].roundTrip(time - order.sentAt)
    }

    /// The order is over (filled, cancelled, expired, rejected): what it did not fill
    /// leaves the pending flows and the route's open value.
    public mutating func finished(_ id: UInt64) {
        guard let order = orders.removeValue(forKey: id) else { return }
        let (inAsset, _) = order.intent.inflow, (outAsset, _) = order.intent.outflow
        exposure.pend(order.intent.venue, inflow: inAsset, order.inflowLeft, outflow: outAsset, order.outflowLeft, sign: -1)
        let r = Int(order.intent.route)
        if r >= 0 && r < routeOpen.count { routeOpen[r] -= order.notional }
    }

    /// A venue's balance of an asset is now `total`.
    public mutating func setBalance(_ venue: VenueId, _ asset: AssetId, _ total: Amount) {
        exposure.setBalance(venue, asset, total)
        noteGross()
    }

    /// The reference balance exposure and trading PnL are measured against.
    public mutating func setReference(_ venue: VenueId, _ asset: AssetId, _ amount: Amount) {
        exposure.setReference(venue, asset, amount)
    }

    mutating func noteGross() {
        if exposure.grossScaled > maxGrossScaled { maxGrossScaled = exposure.grossScaled }
    }

    /// The venue refused an order. A 429 halts the venue until its Retry-After (or the
    /// configured cool-down), a 418 or 403 (a ban) likewise; any refusal counts toward
    /// its reject rate.
    public mutating func venueRejected(_ venue: VenueId, httpStatus: Int, retryAfter: Duration?, at time: Timestamp) {
        let limits = self.limits.exchanges[venue.index]
        health[venue.index].rejected(at: time, window: limits.healthWindow)
        if httpStatus == 429 || httpStatus == 418 || httpStatus == 403 {
            let code: RiskCode = httpStatus == 429 ? .rateLimited : .banned
            let wait = retryAfter ?? limits.rateLimitCooldown
            states.escalate(.exchange(venue), to: .halted, code: code, reason: "HTTP \(httpStatus): retry after \(wait)", at: time,
                            recovery: .cooldown(until: time + wait))
        }
    }

    /// An attempt on `route` ended (a row of the opportunity ledger that executed): its
    /// realised edge feeds the loss streak, and whether it needed a hedge or an unwind
    /// feeds the broken-leg rate.
    public mutating func attemptFinished(route: Int32, realisedEdgePpm: Int64?, at time: Timestamp) {
        guard route >= 0 else { return }
        let r = Int(route)
        growRoutes(to: r)
        let broken = routeRepairs[r] > 0
        routeRepairs[r] = 0
        if let edge = realisedEdgePpm, edge < 0 { routeLosses[r] += 1 } else if realisedEdgePpm != nil { routeLosses[r] = 0 }
        let route = self.limits.route
        if let limit = route.maxConsecutiveLosses, routeLosses[r] >= limit {
            states.escalate(.route(Int32(r)), to: .halted, code: .consecutiveLosses, reason: "\(routeLosses[r]) losing attempts in a row (limit \(limit))",
                            at: time, recovery: .cooldown(until: time + route.lossCooldown))
            routeLosses[r] = 0
        }
        routeOutcomes[r].add(broken: broken, window: route.brokenLegWindow)
        if let limit = route.maxBrokenLegRate, routeOutcomes[r].count >= route.minAttempts {
            let rate = routeOutcomes[r].rate
            if rate > limit {
                states.escalate(.route(Int32(r)), to: .halted, code: .brokenLegs,
                                reason: "\(routeOutcomes[r].broken) of the last \(routeOutcomes[r].count) attempts broke a leg (limit \(limit))",
                                at: time, recovery: .explicitResume)
            }
        }
    }

    mutating func growRoutes(to r: Int) {
        while routeOpen.count <= r {
            routeOpen.append(0); routeLosses.append(0); routeRepairs.append(0); routeOutcomes.append(RouteOutcomes())
        }
    }

    // MARK: reviews (event time, every `reviewInterval`)

    /// New marks: the value of one unit of each asset (nil: no price yet).
    public mutating func setMarks(_ unitValue: (AssetId) -> Amount?) {
        for a in 0..<limits.assetCount {
            if let v = unitValue(AssetId(a)), v.raw > 0 { exposure.setMark(AssetId(a), v) }
        }
        exposure.revalueAll()
        noteGross()
    }

    /// The account valued at the marks (`equity`) and the reference balances at the same
    /// marks: PnL on the configured basis, the day's PnL (UTC days of event time) and the
    /// drawdown from its peak. At the daily loss or drawdown limit new entries stop
    /// everywhere (global `halted`, until an explicit resume); hedges and unwinds go on.
    public mutating func marked(equity: Amount, referenceEquity: Amount, at time: Timestamp) {
        if startEquity == nil { startEquity = equity }
        let pnl = limits.global.pnlBasis == .trading ? equity - referenceEquity : equity - startEquity!
        self.pnl = pnl
        let today = time.nanoseconds / 86_400_000_000_000
        if today != day { day = today; dayStartPnL = pnl }
        dailyPnL = pnl - dayStartPnL
        if peakPnL == nil || pnl > peakPnL! { peakPnL = pnl }
        drawdown = peakPnL! - pnl
        if let limit = limits.global.maxDailyLoss, Amount.zero - dailyPnL >= limit {
            states.escalate(.global, to: .halted, code: .dailyLoss, reason: "daily loss \(Amount.zero - dailyPnL) ≥ \(limit)", at: time, recovery: .explicitResume)
        }
        if let limit = limits.global.maxDrawdown, drawdown >= limit {
            states.escalate(.global, to: .halted, code: .drawdown, reason: "drawdown \(drawdown) from the peak ≥ \(limit)", at: time, recovery: .explicitResume)
        }
    }

    /// The venue's newest book is `age` old: beyond the limit the venue halts, and stays
    /// halted until the feed is fresh for the cool-down.
    public mutating func feedAge(_ venue: VenueId, _ age: Duration, at time: Timestamp) {
        let limits = self.limits.exchanges[venue.index]
        guard let limit = limits.maxFeedAge, age > limit else { return }
        states.escalate(.exchange(venue), to: .halted, code: .staleFeed, reason: "newest book \(age) old (limit \(limit))", at: time,
                        recovery: .cooldown(until: time + limits.cooldown))
    }

    /// Each venue's reject rate and round-trip p99 against their limits.
    public mutating func reviewHealth(at time: Timestamp) {
        for v in health.indices {
            let limits = self.limits.exchanges[v]
            if let limit = limits.maxRejectRate {
                let (sent, rejected) = health[v].counts(at: time, window: limits.healthWindow)
                if sent >= limits.minSamples, sent > 0,
                   Int128(rejected) * Int128(FixedDecimal.unit) > Int128(sent) * Int128(limit.raw) {
                    states.escalate(.exchange(VenueId(v)), to: .halted, code: .rejectRate,
                                    reason: "\(rejected) of \(sent) orders rejected in \(limits.healthWindow) (limit \(limit))", at: time,
                                    recovery: .cooldown(until: time + limits.cooldown))
                }
            }
            if let limit = limits.maxRoundTripP99, let p99 = health[v].roundTripP99(scratch: &scratch), p99 > limit {
                states.escalate(.exchange(VenueId(v)), to: .reducing, code: .roundTrip, reason: "order round trip p99 \(p99) (limit \(limit))", at: time,
                                recovery: .cooldown(until: time + limits.cooldown))
            }
        }
        states.advance(to: time)
    }

    // MARK: states by hand

    /// Puts `scope` in `state` (never relaxing it).
    public mutating func setState(_ scope: RiskScope, _ state: RiskState, code: RiskCode, reason: String, at time: Timestamp,
                                  recovery: RiskRecovery?) {
        states.escalate(scope, to: state, code: code, reason: reason, at: time, recovery: recovery)
    }

    /// The kill switch: `scope` (global by default) halted until resumed.
    public mutating func halt(_ scope: RiskScope = .global, reason: String, at time: Timestamp) {
        states.escalate(scope, to: .halted, code: .killSwitch, reason: reason, at: time, recovery: .explicitResume)
    }

    /// An explicit resume of `scope`. A PnL limit still breached halts again at the next mark.
    public mutating func resume(_ scope: RiskScope, reason: String, at time: Timestamp) {
        states.resume(scope, reason: reason, at: time)
        if scope == .global, let pnl {
            // Resuming after a daily loss or drawdown starts counting from here.
            dayStartPnL = pnl; peakPnL = pnl; dailyPnL = .zero; drawdown = .zero
        }
    }

    /// The open orders' routes and venues (for cancelling a halted scope's resting orders).
    public func openOrder(_ id: UInt64) -> RiskIntent? { orders[id]?.intent }
}

/// The value limits, scaled (`ExposureBook.scaled`): `Int128.max / 4` where off.
struct ScaledLimits: Sendable {
    var routeNotional: Int128, routeOpenNotional: Int128, grossExposure: Int128, netExposure: Int128
    var venueExposure: [Int128]
    /// Any exposure limit set (assets without a mark then cannot take on exposure).
    var limitsExposure: Bool
    init(_ l: RiskLimits) {
        limitsExposure = l.limitsExposure
        func s(_ a: Amount?) -> Int128 { a.map(ExposureBook.scaled) ?? ExposureBook.saturation }
        routeNotional = s(l.route.maxNotional); routeOpenNotional = s(l.route.maxOpenNotional)
        grossExposure = s(l.global.maxGrossExposure); netExposure = s(l.global.maxNetExposure)
        venueExposure = l.exchanges.map { s($0.maxExposure) }
    }
}

/// A venue's recent orders, rejections and round trips.
struct VenueHealth: Sendable {
    static let buckets = 10
    var slot = ContiguousArray<Int64>(repeating: .min, count: buckets)
    var sentCount = ContiguousArray<Int>(repeating: 0, count: buckets)
    var rejectedCount = ContiguousArray<Int>(repeating: 0, count: buckets)
    var trips = ContiguousArray<Int64>(repeating: 0, count: 256)
    var tripCount = 0

    mutating func bucket(at time: Timestamp, window: Duration) -> Int {
        let width = Swift.max(1, window.nanosecondsInt64 / Int64(Self.buckets))
        let s = time.nanoseconds / width
        let i = Int(s % Int64(Self.buckets))
        if slot[i] != s { slot[i] = s; sentCount[i] = 0; rejectedCount[i] = 0 }
        return i
    }
    mutating func sent(at time: Timestamp, window: Duration) { sentCount[bucket(at: time, window: window)] += 1 }
    mutating func rejected(at time: Timestamp, window: Duration) { rejectedCount[bucket(at: time, window: window)] += 1 }

    func counts(at time: Timestamp, window: Duration) -> (sent: Int, rejected: Int) {
        let width = Swift.max(1, window.nanosecondsInt64 / Int64(Self.buckets))
        let now = time.nanoseconds / width
        var sent = 0, rejected = 0
        for i in 0..<Self.buckets where slot[i] > now - Int64(Self.buckets) && slot[i] <= now {
            sent += sentCount[i]; rejected += rejectedCount[i]
        }
        return (sent, rejected)
    }

    mutating func roundTrip(_ d: Duration) {
        trips[tripCount % trips.count] = d.nanosecondsInt64
        tripCount += 1
    }

    /// p99 of the last 256 round trips (nil before 20).
    func roundTripP99(scratch: inout [Int64]) -> Duration? {
        let n = Swift.min(tripCount, trips.count)
        guard n >= 20 else { return nil }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: trips[0..<n])
        scratch.sort()
        return .nanoseconds(scratch[Swift.min(n - 1, (n * 99 + 99) / 100 - 1)])
    }
}

/// A route's last attempts: broken or not.
struct RouteOutcomes: Sendable {
    var ring: [Bool] = []
    var next = 0
    var broken = 0
    var count: Int { ring.count }
    var rate: Ratio { ring.isEmpty ? .zero : Ratio(raw: Int64(broken) * FixedDecimal.unit / Int64(ring.count)) }

    mutating func add(broken b: Bool, window: Int) {
        if ring.count < Swift.max(1, window) {
            ring.append(b)
        } else {
            if ring[next] { broken -= 1 }
            ring[next] = b
            next = (next + 1) % ring.count
        }
        if b { broken += 1 }
    }
}
