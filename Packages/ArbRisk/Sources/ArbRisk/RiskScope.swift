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
/// summary and dashboards.
public struct RiskCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    /// Position in `all`: refusals are counted in an array by it.
    let index: Int
    init(_ rawValue: String, _ index: Int) { self.rawValue = rawValue; self.index = index }
    public var description: String { rawValue }
    public static func == (a: RiskCode, b: RiskCode) -> Bool { a.index == b.index }
    public func hash(into h: inout Hasher) { h.combine(index) }

    public static let killSwitch = RiskCode("risk.global.kill_switch", 0)
    public static let grossExposure = RiskCode("risk.global.gross_exposure", 1)
    public static let netExposure = RiskCode("risk.global.net_exposure", 2)
    public static let dailyLoss = RiskCode("risk.global.daily_loss", 3)
    public static let drawdown = RiskCode("risk.global.drawdown", 4)
    public static let orderRate = RiskCode("risk.global.order_rate", 5)
    public static let exchangeExposure = RiskCode("risk.exchange.exposure", 6)
    public static let balanceFloor = RiskCode("risk.exchange.balance_floor", 7)
    public static let staleFeed = RiskCode("risk.exchange.stale_feed", 8)
    public static let rejectRate = RiskCode("risk.exchange.reject_rate", 9)
    public static let rateLimited = RiskCode("risk.exchange.rate_limited", 10)
    public static let banned = RiskCode("risk.exchange.banned", 11)
    public static let roundTrip = RiskCode("risk.exchange.round_trip", 12)
    public static let routeNotional = RiskCode("risk.route.notional", 13)
    public static let routeOpenNotional = RiskCode("risk.route.open_notional", 14)
    public static let consecutiveLosses = RiskCode("risk.route.consecutive_losses", 15)
    public static let brokenLegs = RiskCode("risk.route.broken_legs", 16)
    public static let symbolPosition = RiskCode("risk.symbol.net_position", 17)
    public static let symbolImbalance = RiskCode("risk.symbol.imbalance", 18)
    /// The order would take a venue's balance of an asset further out of its target band.
    public static let aboveBand = RiskCode("risk.inventory.above_band", 19)
    public static let belowBand = RiskCode("risk.inventory.below_band", 20)
    /// An exposure limit is set but an asset the order moves has no price yet.
    public static let noMark = RiskCode("risk.global.no_mark", 21)
    /// The scope is halted, or reducing and the order does not reduce.
    public static let globalHalted = RiskCode("risk.global.halted", 22), globalReducing = RiskCode("risk.global.reducing", 23)
    public static let exchangeHalted = RiskCode("risk.exchange.halted", 24), exchangeReducing = RiskCode("risk.exchange.reducing", 25)
    public static let routeHalted = RiskCode("risk.route.halted", 26), routeReducing = RiskCode("risk.route.reducing", 27)
    /// Every code, in index order.
    public static let all: [RiskCode] = [killSwitch, grossExposure, netExposure, dailyLoss, drawdown, orderRate, exchangeExposure, balanceFloor, staleFeed, rejectRate, rateLimited, banned, roundTrip, routeNotional, routeOpenNotional, consecutiveLosses, brokenLegs, symbolPosition, symbolImbalance, aboveBand, belowBand, noMark, globalHalted, globalReducing, exchangeHalted, exchangeReducing, routeHalted, routeReducing, symbolHalted, symbolReducing]
    public static let symbolHalted = RiskCode("risk.symbol.halted", 28), symbolReducing = RiskCode("risk.symbol.reducing", 29)
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
