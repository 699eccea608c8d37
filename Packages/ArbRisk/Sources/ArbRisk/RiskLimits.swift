import ArbCore

/// Which PnL the daily-loss and drawdown limits watch.
public enum RiskPnLBasis: String, Sendable, Hashable {
    /// What trading did: the account at current marks against the starting (reference)
    /// balances at the same marks. The market's move on inventory the team would hold
    /// anyway is left out; the move on inventory trading changed, FX included, is in.
    case trading
    /// The whole account's marked equity against its value at the first marks: the
    /// inventory's own market move counts too (stricter).
    case equity
}

/// The global tier (reporting currency).
public struct GlobalLimits: Sendable, Hashable {
    public var maxGrossExposure: Amount?
    public var maxNetExposure: Amount?
    public var maxDailyLoss: Amount?
    public var maxDrawdown: Amount?
    /// Orders sent per second of event time, all venues together (hedges included).
    public var maxOrdersPerSecond: Int?
    public var pnlBasis: RiskPnLBasis = .trading
    public init() {}
}

/// One venue's tier.
public struct ExchangeLimits: Sendable, Hashable {
    /// Gross exposure on this venue (reporting currency).
    public var maxExposure: Amount?
    /// Per asset (by asset index): the balance an entry may not take the venue below.
    public var balanceFloors: [Amount?] = []
    /// Health: the venue's newest book older than this halts it (until fresh again, then
    /// the cool-down).
    public var maxFeedAge: Duration?
    /// Health: venue rejections over orders sent in `healthWindow`, once `minSamples`
    /// orders were sent, above this halts the venue for the cool-down.
    public var maxRejectRate: Ratio?
    public var healthWindow: Duration = .seconds(60)
    public var minSamples = 20
    /// Health: the order round trip's p99 over the last 256 orders above this puts the
    /// venue in `reducing` for the cool-down.
    public var maxRoundTripP99: Duration?
    /// How long a health halt lasts after the cause is gone.
    public var cooldown: Duration = .seconds(30)
    /// A 429 or 418 without Retry-After halts the venue this long.
    public var rateLimitCooldown: Duration = .seconds(60)
    public init() {}
}

/// The route tier (the same for every route).
public struct RouteLimits: Sendable, Hashable {
    /// One order's value (reporting currency).
    public var maxNotional: Amount?
    /// The value of a route's open orders together, this one included.
    public var maxOpenNotional: Amount?
    /// This many losing attempts in a row (realised edge below zero) cool the route down.
    public var maxConsecutiveLosses: Int?
    public var lossCooldown: Duration = .seconds(300)
    /// Attempts that needed a hedge or unwind, over the last `brokenLegWindow` attempts,
    /// above this halt the route until resumed (once `minAttempts` were made).
    public var maxBrokenLegRate: Ratio?
    public var brokenLegWindow = 20
    public var minAttempts = 5
    public init() {}
}

/// One base asset's tier, across venues.
public struct SymbolLimits: Sendable, Hashable {
    /// Net position change across venues, in the asset's units.
    public var maxNetPosition: Amount?
    /// (largest − smallest venue balance) ÷ the total across venues.
    public var maxImbalance: Ratio?
    public init() {}
}

/// A venue's target band for one asset, in the asset's units.
public struct InventoryBand: Sendable, Hashable {
    public var min: Amount
    public var max: Amount
    public init(min: Amount, max: Amount) { self.min = min; self.max = max }
    public func contains(_ x: Amount) -> Bool { x >= min && x <= max }
}

/// The limits of the four tiers and the inventory bands, in dense tables (venue and
/// asset indices) so that a check looks them up by index. A nil limit is off.
public struct RiskLimits: Sendable {
    public var global = GlobalLimits()
    public var exchanges: [ExchangeLimits]
    public var route = RouteLimits()
    public var symbols: [SymbolLimits]
    /// `bands[venue][asset]`.
    public var bands: [[InventoryBand?]]
    /// Assets that are cash (the reporting currency and the venues' quote currencies):
    /// holding more or less of them is not exposure (their FX move is in the PnL limits).
    public var isCash: [Bool]
    /// How often marks, PnL, health and cool-downs are reviewed (event time).
    public var reviewInterval: Duration = .milliseconds(100)

    public init(venueCount: Int, assetCount: Int) {
        exchanges = Array(repeating: ExchangeLimits(), count: venueCount)
        symbols = Array(repeating: SymbolLimits(), count: assetCount)
        bands = Array(repeating: Array(repeating: nil, count: assetCount), count: venueCount)
        isCash = Array(repeating: false, count: assetCount)
    }

    var venueCount: Int { exchanges.count }
    var assetCount: Int { symbols.count }

    /// Any exposure limit set: assets without a mark then cannot take on exposure.
    var limitsExposure: Bool {
        global.maxGrossExposure != nil || global.maxNetExposure != nil || exchanges.contains { $0.maxExposure != nil }
    }
}
