import ArbCore

/// How a process uses an exchange's budget: its share, overrides, the soft limit.
public struct RateLimitPolicy: Sendable, Hashable {
    /// This process's share of every pool (e.g. 0.25 when four processes split one IP
    /// statically). 1 = the whole budget.
    public var share: Ratio
    /// Above this utilisation lower-priority traffic waits or is shed.
    public var softUtilisation: Ratio
    /// Per-pool limits replacing the documented ones (an account's real ORDERS limit).
    public var limitOverrides: [String: Int64]
    /// Market-data requests that would wait longer than this are shed instead.
    public var maxMarketDataWait: Duration

    public init(share: Ratio = .one, softUtilisation: Ratio = Ratio("0.8"), limitOverrides: [String: Int64] = [:],
                maxMarketDataWait: Duration = .seconds(30)) {
        self.share = share; self.softUtilisation = softUtilisation
        self.limitOverrides = limitOverrides; self.maxMarketDataWait = maxMarketDataWait
    }

    /// The fraction of a pool a priority may fill: cancels and hedges all of it, new
    /// orders up to the soft limit, account queries 10 points less, market data 20 less.
    public func ceiling(_ priority: RequestPriority) -> Ratio {
        let soft = softUtilisation
        switch priority {
        case .cancel, .hedge: return .one
        case .newOrder: return soft
        case .accountQuery: return max(Ratio("0.05"), soft - Ratio("0.1"))
        case .marketData: return max(Ratio("0.05"), soft - Ratio("0.2"))
        }
    }

    /// A pool's budget for this process.
    public func limit(of pool: PoolDefinition) -> Int64 {
        Self.fraction(share, of: limitOverrides[pool.id] ?? pool.scheme.limit)
    }

    /// This process's share of a refill or drain rate (milli-units per second), rounded
    /// down: the safe side for a refill. A drain rate rounded down is the safe side too.
    public func shareOfRate(_ rate: Int64) -> Int64 {
        Int64(Int128(rate) * Int128(share.raw) / Int128(FixedDecimal.unit))
    }

    /// How much of a budget `limit` a priority may fill.
    public func ceiling(_ priority: RequestPriority, of limit: Int64) -> Int64 {
        Self.fraction(ceiling(priority), of: limit)
    }

    /// `ratio × limit`, rounded down, never below 1 (a pool always admits something).
    static func fraction(_ ratio: Ratio, of limit: Int64) -> Int64 {
        max(1, Int64(Int128(limit) * Int128(ratio.raw) / Int128(FixedDecimal.unit)))
    }
}

/// The answer to a request for budget.
public enum RateLimitDecision: Sendable, Hashable {
    case granted
    /// Not now; it can go at `until` (earliest). Nothing was counted.
    case wait(until: Timestamp, pool: String)
    /// Low-priority traffic dropped rather than queued that long.
    case shed(pool: String)
    /// The exchange banned this IP/account; nothing goes until `until`.
    case banned(until: Timestamp)
    /// The request can never fit (its cost exceeds the pool's budget for its priority).
    case impossible(pool: String)

    public var isGranted: Bool { self == .granted }
}
