import ArbCore

/// The limits of the four tiers (reporting currency unless said). A nil limit is off.
public struct RiskLimits: Sendable {
    /// Global: total gross exposure across venues, and the day's loss on marked PnL.
    public var maxGrossExposure: Amount?
    public var maxDailyLoss: Amount?
    /// Exchange: gross exposure per venue.
    public var maxExchangeExposure: [VenueId: Amount] = [:]
    /// Route: notional per attempt (one order's value).
    public var maxRouteNotional: Amount?
    /// Symbol: net position per base asset across venues, in base units.
    public var maxSymbolPosition: [AssetId: Amount] = [:]

    public init(maxGrossExposure: Amount? = nil, maxDailyLoss: Amount? = nil, maxRouteNotional: Amount? = nil) {
        self.maxGrossExposure = maxGrossExposure; self.maxDailyLoss = maxDailyLoss; self.maxRouteNotional = maxRouteNotional
    }
}

/// An order as the guard sees it: where, which route and base, which way, how much, why.
public struct RiskIntent: Sendable, Hashable {
    public var venue: VenueId
    public var route: Int32
    public var base: AssetId
    public var side: Side
    /// Base quantity (unsigned) and value in the reporting currency.
    public var quantity: Amount
    public var notional: Amount
    public var purpose: OrderPurpose

    public init(venue: VenueId, route: Int32, base: AssetId, side: Side, quantity: Amount, notional: Amount, purpose: OrderPurpose) {
        self.venue = venue; self.route = route; self.base = base; self.side = side
        self.quantity = quantity; self.notional = notional; self.purpose = purpose
    }

    /// Hedges and unwinds repair legs already filled: no state or limit blocks them.
    public var isRepair: Bool { purpose == .hedge || purpose == .unwind }
}

/// A decision: allowed, or refused with a stable code, the scope, and the limit against
/// the value the order would have made (nil where a state, not a number, refused it).
public enum RiskDecision: Sendable, Hashable {
    case allowed
    case refused(code: RiskCode, scope: RiskScope, limit: Amount?, measured: Amount?)

    public var isAllowed: Bool { self == .allowed }
}

/// The 4-tier guard, in process: scope states (with their transitions) and the limits,
/// checked for every order intent before the rate limiter and the venue. Concrete types,
/// no allocation on a check.
public struct RiskGuard: Sendable {
    public var limits: RiskLimits
    public private(set) var states = ScopeStates()
    /// Gross exposure per venue and in total, and net position per base (base units),
    /// kept from fills.
    public private(set) var venueExposure: [Amount]
    public private(set) var grossExposure: Amount = .zero
    public private(set) var maxGrossExposureSeen: Amount = .zero
    public private(set) var symbolPosition: [Amount]
    /// Decisions by code (allowed ones are not counted).
    public private(set) var refusals: [RiskCode: Int] = [:]

    public init(limits: RiskLimits, venueCount: Int, assetCount: Int) {
        self.limits = limits
        venueExposure = Array(repeating: .zero, count: venueCount)
        symbolPosition = Array(repeating: .zero, count: assetCount)
    }

    /// Checks one intent at `time`: states first (global, exchange, route, symbol), then
    /// each limit the order would breach if accepted.
    public mutating func check(_ intent: RiskIntent, at time: Timestamp) -> RiskDecision {
        states.advance(to: time)
        // A leg already filled is repaired whatever the state: a halted entry never blocks a hedge.
        if intent.isRepair { return .allowed }
        let position = symbolPosition[intent.base.index]
        let after = intent.side == .buy ? position + intent.quantity : position - intent.quantity
        let reduces = abs(after) < abs(position)
        // The four scopes in turn (no array: a check allocates nothing).
        func blocked(_ scope: RiskScope) -> RiskState? {
            let state = states.state(of: scope)
            return state == .halted || (state == .reducing && !reduces) ? state : nil
        }
        if let state = blocked(.global) { return refuse(state == .halted ? .globalHalted : .globalReducing, .global, limit: nil, measured: nil) }
        if let state = blocked(.exchange(intent.venue)) {
            return refuse(state == .halted ? .exchangeHalted : .exchangeReducing, .exchange(intent.venue), limit: nil, measured: nil)
        }
        if let state = blocked(.route(intent.route)) {
            return refuse(state == .halted ? .routeHalted : .routeReducing, .route(intent.route), limit: nil, measured: nil)
        }
        if let state = blocked(.symbol(intent.base)) {
            return refuse(state == .halted ? .symbolHalted : .symbolReducing, .symbol(intent.base), limit: nil, measured: nil)
        }
        if let limit = limits.maxRouteNotional, intent.notional > limit {
            return refuse(.routeNotional, .route(intent.route), limit: limit, measured: intent.notional)
        }
        if !reduces {
            if let limit = limits.maxExchangeExposure[intent.venue], venueExposure[intent.venue.index] + intent.notional > limit {
                return refuse(.exchangeExposure, .exchange(intent.venue), limit: limit, measured: venueExposure[intent.venue.index] + intent.notional)
            }
            if let limit = limits.maxGrossExposure, grossExposure + intent.notional > limit {
                return refuse(.grossExposure, .global, limit: limit, measured: grossExposure + intent.notional)
            }
            if let limit = limits.maxSymbolPosition[intent.base], abs(after) > limit {
                return refuse(.symbolPosition, .symbol(intent.base), limit: limit, measured: abs(after))
            }
        }
        return .allowed
    }

    mutating func refuse(_ code: RiskCode, _ scope: RiskScope, limit: Amount?, measured: Amount?) -> RiskDecision {
        refusals[code, default: 0] += 1
        return .refused(code: code, scope: scope, limit: limit, measured: measured)
    }

    /// A fill: the venue's gross exposure grows by its value, the base's net position moves.
    public mutating func filled(venue: VenueId, base: AssetId, side: Side, quantity: Amount, notional: Amount) {
        venueExposure[venue.index] += notional
        grossExposure += notional
        if grossExposure > maxGrossExposureSeen { maxGrossExposureSeen = grossExposure }
        symbolPosition[base.index] += side == .buy ? quantity : -quantity
    }

    /// The day's marked PnL at `time`: at or beyond the daily loss limit, new entries stop
    /// everywhere (global `halted`, until an explicit resume); hedges and unwinds go on.
    public mutating func marked(dailyPnL: Amount, at time: Timestamp) {
        guard let limit = limits.maxDailyLoss, -dailyPnL >= limit else { return }
        states.escalate(.global, to: .halted, code: .dailyLoss, reason: "daily loss \(-dailyPnL) ≥ \(limit)", at: time, recovery: .explicitResume)
    }

    /// A scope's feed went stale (or came back): its routes may not enter until it recovers.
    public mutating func setState(_ scope: RiskScope, _ state: RiskState, code: RiskCode, reason: String, at time: Timestamp,
                                  recovery: RiskRecovery?) {
        states.escalate(scope, to: state, code: code, reason: reason, at: time, recovery: recovery)
    }

    /// The kill switch: global `halted` until resumed.
    public mutating func halt(reason: String, at time: Timestamp) {
        states.escalate(.global, to: .halted, code: .killSwitch, reason: reason, at: time, recovery: .explicitResume)
    }

    /// An explicit resume of `scope`.
    public mutating func resume(_ scope: RiskScope, reason: String, at time: Timestamp) {
        states.resume(scope, reason: reason, at: time)
    }
}

@inline(__always) func abs(_ a: Amount) -> Amount { a.isNegative ? Amount.zero - a : a }
