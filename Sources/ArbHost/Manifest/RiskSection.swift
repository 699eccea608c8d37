import ArbCore

/// `[risk]`: the 4-tier risk guard (docs/MANIFEST.md, docs/RISK.md). Without the section
/// no guard runs; with it, every order intent passes the guard before the rate limiter.
public struct RiskSection: Decodable, Sendable {
    /// How often marks, PnL, feed health and cool-downs are reviewed (event time).
    public var reviewMs: Int64 = 100
    /// Assets that are cash, not exposure; default: the reporting currency and every
    /// venue's quote currency.
    public var cashAssets: [String]?
    public var global = GlobalRiskSection()
    /// `[risk.exchange.<name>]`.
    public var exchange: [String: ExchangeRiskSection] = [:]
    public var route = RouteRiskSection()
    /// `[risk.symbol.<BASE>]`.
    public var symbol: [String: SymbolRiskSection] = [:]
    /// `[risk.inventory.<ASSET>.<venue>]`: the target band of an asset on a venue.
    public var inventory: [String: [String: InventoryBandSection]] = [:]
    public var rebalance = RebalanceSection()
    /// `local` (this process alone) or `redis`: the global and exchange tiers shared with
    /// every process on the same `account` through `[storage.redis]`.
    public var shared: String = "local"
    public var account: String = "default"
    /// While Redis is unreachable: this process's share of each shared limit.
    public var fallbackShare: Ratio = Ratio("0.25")
    public var reconnectMs: Int64 = 1_000
    /// A process not heard from for this long leaves the shared sums.
    public var processTtlS: Int64 = 30

    enum CodingKeys: String, CodingKey {
        case reviewMs = "review_ms", cashAssets = "cash_assets", global, exchange, route, symbol, inventory, rebalance
        case shared, account, fallbackShare = "fallback_share", reconnectMs = "reconnect_ms", processTtlS = "process_ttl_s"
    }
    init() {}
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reviewMs = try c.decode(.reviewMs, default: reviewMs)
        cashAssets = try c.decodeIfPresent([String].self, forKey: .cashAssets)
        global = try c.decode(.global, default: global)
        exchange = try c.decode(.exchange, default: exchange)
        route = try c.decode(.route, default: route)
        symbol = try c.decode(.symbol, default: symbol)
        inventory = try c.decode(.inventory, default: inventory)
        rebalance = try c.decode(.rebalance, default: rebalance)
        shared = try c.decode(.shared, default: shared)
        account = try c.decode(.account, default: account)
        fallbackShare = try c.decode(.fallbackShare, default: fallbackShare)
        reconnectMs = try c.decode(.reconnectMs, default: reconnectMs)
        processTtlS = try c.decode(.processTtlS, default: processTtlS)
    }
}

/// `[risk.global]` (reporting currency).
public struct GlobalRiskSection: Decodable, Sendable {
    public var maxGrossExposure: Amount?
    public var maxNetExposure: Amount?
    public var maxDailyLoss: Amount?
    public var maxDrawdown: Amount?
    public var maxOrdersPerSecond: Int64?
    /// `trading` (default) or `equity`: which PnL the daily loss and drawdown watch.
    public var pnl: String = "trading"

    enum CodingKeys: String, CodingKey {
        case maxGrossExposure = "max_gross_exposure", maxNetExposure = "max_net_exposure", maxDailyLoss = "max_daily_loss"
        case maxDrawdown = "max_drawdown", maxOrdersPerSecond = "max_orders_per_second", pnl
    }
    init() {}
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxGrossExposure = try c.decodeIfPresent(Amount.self, forKey: .maxGrossExposure)
        maxNetExposure = try c.decodeIfPresent(Amount.self, forKey: .maxNetExposure)
        maxDailyLoss = try c.decodeIfPresent(Amount.self, forKey: .maxDailyLoss)
        maxDrawdown = try c.decodeIfPresent(Amount.self, forKey: .maxDrawdown)
        maxOrdersPerSecond = try c.decodeIfPresent(Int64.self, forKey: .maxOrdersPerSecond)
        pnl = try c.decode(.pnl, default: pnl)
    }
}

/// `[risk.exchange.<name>]`.
public struct ExchangeRiskSection: Decodable, Sendable {
    public var maxExposure: Amount?
    /// Asset code → the balance entries may not take the venue below.
    public var balanceFloors: [String: Amount] = [:]
    public var maxFeedAgeMs: Int64?
    public var maxRejectRate: Ratio?
    public var healthWindowS: Int64 = 60
    public var minSamples: Int64 = 20
    public var maxRoundTripP99Ms: Int64?
    public var cooldownS: Int64 = 30
    public var rateLimitCooldownS: Int64 = 60

    enum CodingKeys: String, CodingKey {
        case maxExposure = "max_exposure", balanceFloors = "balance_floors", maxFeedAgeMs = "max_feed_age_ms", maxRejectRate = "max_reject_rate"
        case healthWindowS = "health_window_s", minSamples = "min_samples", maxRoundTripP99Ms = "max_round_trip_p99_ms"
        case cooldownS = "cooldown_s", rateLimitCooldownS = "rate_limit_cooldown_s"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxExposure = try c.decodeIfPresent(Amount.self, forKey: .maxExposure)
        balanceFloors = try c.decode(.balanceFloors, default: balanceFloors)
        maxFeedAgeMs = try c.decodeIfPresent(Int64.self, forKey: .maxFeedAgeMs)
        maxRejectRate = try c.decodeIfPresent(Ratio.self, forKey: .maxRejectRate)
        healthWindowS = try c.decode(.healthWindowS, default: healthWindowS)
        minSamples = try c.decode(.minSamples, default: minSamples)
        maxRoundTripP99Ms = try c.decodeIfPresent(Int64.self, forKey: .maxRoundTripP99Ms)
        cooldownS = try c.decode(.cooldownS, default: cooldownS)
        rateLimitCooldownS = try c.decode(.rateLimitCooldownS, default: rateLimitCooldownS)
    }
}

/// `[risk.route]` (every route alike).
public struct RouteRiskSection: Decodable, Sendable {
    public var maxNotional: Amount?
    public var maxOpenNotional: Amount?
    public var maxConsecutiveLosses: Int64?
    public var lossCooldownS: Int64 = 300
    public var maxBrokenLegRate: Ratio?
    public var brokenLegWindow: Int64 = 20
    public var minAttempts: Int64 = 5

    enum CodingKeys: String, CodingKey {
        case maxNotional = "max_notional", maxOpenNotional = "max_open_notional", maxConsecutiveLosses = "max_consecutive_losses"
        case lossCooldownS = "loss_cooldown_s", maxBrokenLegRate = "max_broken_leg_rate", brokenLegWindow = "broken_leg_window"
        case minAttempts = "min_attempts"
    }
    init() {}
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxNotional = try c.decodeIfPresent(Amount.self, forKey: .maxNotional)
        maxOpenNotional = try c.decodeIfPresent(Amount.self, forKey: .maxOpenNotional)
        maxConsecutiveLosses = try c.decodeIfPresent(Int64.self, forKey: .maxConsecutiveLosses)
        lossCooldownS = try c.decode(.lossCooldownS, default: lossCooldownS)
        maxBrokenLegRate = try c.decodeIfPresent(Ratio.self, forKey: .maxBrokenLegRate)
        brokenLegWindow = try c.decode(.brokenLegWindow, default: brokenLegWindow)
        minAttempts = try c.decode(.minAttempts, default: minAttempts)
    }
}

/// `[risk.symbol.<BASE>]`.
public struct SymbolRiskSection: Decodable, Sendable {
    /// Net position change across venues, in the asset's units.
    public var maxNetPosition: Amount?
    /// (largest − smallest venue balance) ÷ total, e.g. "0.6".
    public var maxImbalance: Ratio?

    enum CodingKeys: String, CodingKey { case maxNetPosition = "max_net_position", maxImbalance = "max_imbalance" }
}

/// `[risk.inventory.<ASSET>.<venue>]`: `min` and `max` in the asset's units, the
/// target a rebalance aims at, and the venue's withdrawal terms for the asset (none are
/// defaulted: neither venue's fees are in the facts file, and a free transfer would flatter).
public struct InventoryBandSection: Decodable, Sendable {
    public var min: Amount
    public var max: Amount
    public var target: Amount?
    public var network: String?
    public var withdrawalFee: Amount?
    public var withdrawalMin: Amount?
    public var arrivalS: Int64?

    enum CodingKeys: String, CodingKey {
        case min, max, target, network, withdrawalFee = "withdrawal_fee", withdrawalMin = "withdrawal_min", arrivalS = "arrival_s"
    }
}

/// `[risk.rebalance]`: the rebalancing planner.
public struct RebalanceSection: Decodable, Sendable {
    /// Send the planner's transfers as simulated transfers (paper runs): debit, delay, credit.
    public var execute = false
    /// How often the planner looks (event time).
    public var everyS: Int64 = 60
    /// How far from its target toward its band's edge a venue may go before a transfer
    /// is proposed.
    public var trigger: Ratio = Ratio("0.8")

    enum CodingKeys: String, CodingKey { case execute, everyS = "every_s", trigger }
    init() {}
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        execute = try c.decode(.execute, default: execute)
        everyS = try c.decode(.everyS, default: everyS)
        trigger = try c.decode(.trigger, default: trigger)
    }
}
