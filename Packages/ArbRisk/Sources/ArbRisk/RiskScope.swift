import ArbCore

/// What a limit or a state applies to: the whole account, one venue, one route, or one
/// base asset across venues.
public enum RiskScope: Hashable, Sendable {
    case global
    case exchange(VenueId)
    case route(Int32)
    case symbol(AssetId)

    /// `global`, `exchange:binance`, `route:<id>`, `symbol:BTC` (the form `arbd risk halt --scope` takes).
    public func name(in universe: Universe, routeName: (Int32) -> String) -> String {
        switch self {
        case .global: return "global"
        case .exchange(let v): return "exchange:\(universe.venueName(v))"
        case .route(let r): return "route:\(routeName(r))"
        case .symbol(let a): return "symbol:\(universe.assetCode(a))"
        }
    }
}

/// A scope as a person writes it (`arbd risk halt --scope`, the control file): names,
/// resolved against a run's universe and routes when applied.
public enum ScopeName: Hashable, Sendable, CustomStringConvertible {
    case global
    case exchange(String)
    case route(String)
    case symbol(String)

    /// `global`, `exchange:NAME`, `route:ID`, `symbol:BASE`; nil for anything else.
    public init?(parsing text: String) {
        if text == "global" { self = .global; return }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let kind = text[..<colon], name = String(text[text.index(after: colon)...])
        guard !name.isEmpty, !name.contains(where: \.isWhitespace) else { return nil }
        switch kind {
        case "exchange": self = .exchange(name)
        case "route": self = .route(name)
        case "symbol": self = .symbol(name)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .global: return "global"
        case .exchange(let n): return "exchange:\(n)"
        case .route(let n): return "route:\(n)"
        case .symbol(let n): return "symbol:\(n)"
        }
    }

    public static let forms = "global, exchange:NAME, route:ID or symbol:BASE"
}

/// A scope's state. `reducing` lets through only what reduces exposure or hedges and
/// unwinds open legs; `halted` lets through only the repair of legs already filled.
public enum RiskState: String, Sendable, Hashable, Comparable {
    case active, reducing, halted

    var severity: Int { self == .active ? 0 : self == .reducing ? 1 : 2 }
    public static func < (a: RiskState, b: RiskState) -> Bool { a.severity < b.severity }
}

/// Why a scope left `active` or an order was refused: a stable code for the journal, the
/// summary and dashboards. A plain enum (no stored string), so a decision carrying one is
/// a trivial value: a check copies and drops it without reference counting.
public enum RiskCode: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case killSwitch = "risk.global.kill_switch"
    case grossExposure = "risk.global.gross_exposure"
    case netExposure = "risk.global.net_exposure"
    case dailyLoss = "risk.global.daily_loss"
    case drawdown = "risk.global.drawdown"
    case orderRate = "risk.global.order_rate"
    case exchangeExposure = "risk.exchange.exposure"
    case balanceFloor = "risk.exchange.balance_floor"
    case staleFeed = "risk.exchange.stale_feed"
    case rejectRate = "risk.exchange.reject_rate"
    case rateLimited = "risk.exchange.rate_limited"
    case banned = "risk.exchange.banned"
    case roundTrip = "risk.exchange.round_trip"
    case routeNotional = "risk.route.notional"
    case routeOpenNotional = "risk.route.open_notional"
    case consecutiveLosses = "risk.route.consecutive_losses"
    case brokenLegs = "risk.route.broken_legs"
    case symbolPosition = "risk.symbol.net_position"
    case symbolImbalance = "risk.symbol.imbalance"
    /// The order would take a venue's balance of an asset further out of its target band.
    case aboveBand = "risk.inventory.above_band"
    case belowBand = "risk.inventory.below_band"
    /// An exposure limit is set but an asset the order moves has no price yet.
    case noMark = "risk.global.no_mark"
    /// The scope is halted, or reducing and the order does not reduce.
    case globalHalted = "risk.global.halted"
    case globalReducing = "risk.global.reducing"
    case exchangeHalted = "risk.exchange.halted"
    case exchangeReducing = "risk.exchange.reducing"
    case routeHalted = "risk.route.halted"
    case routeReducing = "risk.route.reducing"
    case symbolHalted = "risk.symbol.halted"
    case symbolReducing = "risk.symbol.reducing"

    public var description: String { rawValue }
    /// Position in `all` (declaration order): refusals are counted in an array by it.
    @inline(__always) var index: Int { Int(unsafeBitCast(self, to: UInt8.self)) }
    /// Every code, in index order.
    public static let all: [RiskCode] = allCases
}

/// How a scope gets back to `active`.
public enum RiskRecovery: Hashable, Sendable {
    /// By itself, at this event time.
    case cooldown(until: Timestamp)
    /// Only by an explicit resume (`arbd risk resume`).
    case explicitResume
}

/// A scope's change of state, with its reason and how it recovers: the audit trail.
public struct RiskTransition: Hashable, Sendable {
    public var scope: RiskScope
    public var from: RiskState
    public var to: RiskState
    public var code: RiskCode
    /// Measured against limit, in words (`daily loss 1,250 USDT ≥ 1,000`).
    public var reason: String
    public var at: Timestamp
    public var recovery: RiskRecovery?
}
