import ArbCore

/// Parameters under `[strategies.<name>.parameters]`.
public struct TriangularParameters: Decodable, Sendable, Hashable {
    /// The venue whose triangles are traded (an enabled exchange's name).
    public var venue: String = "binance"
    /// Only these triangles, as `VENUE:A>B>C>A` (e.g. `binance:USDT>BTC>ETH>USDT`, or the
    /// ids `arbd routes` prints); empty: every triangle of `venue` from an `order_size` asset.
    public var routes: [String] = []
    /// How much of each start asset an attempt puts in; triangles starting from an asset
    /// not listed here are not traded. `{ USDT = "500" }`.
    public var orderSize: [String: Amount] = ["USDT": Amount(units: 500)]
    /// Minimum edge after all three taker fees and the slippage of walking the books.
    public var minEdge: Ratio = Ratio("0.001")
    /// Books older than this (event time) are stale: no trading on them.
    public var maxBookAgeMs: Int64 = 2_000
    /// How long the legs may take before open ones are cancelled and the chain repaired.
    public var legTimeoutMs: Int64 = 3_000
    /// Pause per route after an attempt ends.
    public var cooldownMs: Int64 = 200
    /// Repair orders cross the touch by this much.
    public var hedgeSlippage: Ratio = Ratio("0.003")
    /// Rounds of completing the legs that fell short, then of unwinding to the start asset.
    public var maxHedgeAttempts: Int = 2
    public var maxUnwindAttempts: Int = 2
    /// Routes evaluated on every update of their books and given attempts (the prioritiser).
    public var activeRoutes: Int = 8
    /// Attempts per second the active routes share.
    public var attemptsPerSecond: Int64 = 5
    /// How often the active routes are chosen again.
    public var refreshMs: Int64 = 1_000

    enum CodingKeys: String, CodingKey, CaseIterable {
        case venue, routes, orderSize = "order_size", minEdge = "min_edge", maxBookAgeMs = "max_book_age_ms", legTimeoutMs = "leg_timeout_ms"
        case cooldownMs = "cooldown_ms", hedgeSlippage = "hedge_slippage", maxHedgeAttempts = "max_hedge_attempts"
        case maxUnwindAttempts = "max_unwind_attempts", activeRoutes = "active_routes", attemptsPerSecond = "attempts_per_second"
        case refreshMs = "refresh_ms"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        venue = try c.decode(.venue, default: venue)
        routes = try c.decode(.routes, default: routes)
        orderSize = try c.decode(.orderSize, default: orderSize)
        minEdge = try c.decode(.minEdge, default: minEdge)
        maxBookAgeMs = try c.decode(.maxBookAgeMs, default: maxBookAgeMs)
        legTimeoutMs = try c.decode(.legTimeoutMs, default: legTimeoutMs)
        cooldownMs = try c.decode(.cooldownMs, default: cooldownMs)
        hedgeSlippage = try c.decode(.hedgeSlippage, default: hedgeSlippage)
        maxHedgeAttempts = try c.decode(.maxHedgeAttempts, default: maxHedgeAttempts)
        maxUnwindAttempts = try c.decode(.maxUnwindAttempts, default: maxUnwindAttempts)
        activeRoutes = try c.decode(.activeRoutes, default: activeRoutes)
        attemptsPerSecond = try c.decode(.attemptsPerSecond, default: attemptsPerSecond)
        refreshMs = try c.decode(.refreshMs, default: refreshMs)
    }

    /// Refuses values that cannot work, naming the parameter.
    public func validated() throws -> TriangularParameters {
        func fail(_ key: String, _ message: String) -> PluginConfigurationError {
            PluginConfigurationError(plugin: TriangularPlugin.id, setting: key, message: message)
        }
        guard !orderSize.isEmpty else { throw fail("order_size", "name at least one start asset and its size, e.g. { USDT = \"500\" }") }
        for asset in orderSize.keys.sorted() where orderSize[asset]!.raw <= 0 {
            throw fail("order_size.\(asset)", "must be positive, e.g. \"500\"")
        }
        guard minEdge.raw >= 0, minEdge < Ratio.one else { throw fail("min_edge", "must be at least 0 and below 1, e.g. \"0.001\"") }
        guard (1...86_400_000).contains(maxBookAgeMs) else { throw fail("max_book_age_ms", "must be between 1 and 86400000, e.g. 2000") }
        guard (1...86_400_000).contains(legTimeoutMs) else { throw fail("leg_timeout_ms", "must be between 1 and 86400000, e.g. 3000") }
        guard (0...86_400_000).contains(cooldownMs) else { throw fail("cooldown_ms", "must be between 0 and 86400000") }
        guard hedgeSlippage.raw >= 0, hedgeSlippage < Ratio("0.2") else { throw fail("hedge_slippage", "must be between 0 and 0.2") }
        guard (0...10).contains(maxHedgeAttempts) else { throw fail("max_hedge_attempts", "must be between 0 and 10") }
        guard (0...10).contains(maxUnwindAttempts) else { throw fail("max_unwind_attempts", "must be between 0 and 10") }
        guard (1...10_000).contains(activeRoutes) else { throw fail("active_routes", "must be between 1 and 10000, e.g. 8") }
        guard (1...10_000).contains(attemptsPerSecond) else { throw fail("attempts_per_second", "must be between 1 and 10000, e.g. 5") }
        guard (10...3_600_000).contains(refreshMs) else { throw fail("refresh_ms", "must be between 10 and 3600000, e.g. 1000") }
        return self
    }
}

/// Registers the strategy with the host.
public struct TriangularPlugin: StrategyPlugin {
    public static let id = "triangular"
    public static let summary = "triangular arbitrage on one venue: three IOC legs when a cycle's edge after three taker fees clears a threshold; routes scored and prioritised, broken chains completed or unwound to the start asset"
    public static let parameterList = [
        PluginParameter("venue", type: "string", default: "\"binance\"", meaning: "the venue whose triangles are traded; it needs a second quote market (`cross_quotes = [\"BTC\"]`)"),
        PluginParameter("routes", type: "list of strings", default: "[] (every triangle)",
                        meaning: "only these triangles, as `VENUE:A>B>C>A` (`binance:USDT>BTC>ETH>USDT`, or ids from `arbd routes`); a venue that is not enabled, a pair the venue does not list, or legs that do not close the cycle is refused"),
        PluginParameter("order_size", type: "table of amounts", default: "{ USDT = \"500\" }", range: "> 0 each",
                        meaning: "how much of each start asset an attempt puts in; triangles from other start assets are not traded"),
        PluginParameter("min_edge", type: "ratio", default: "\"0.001\"", range: "0 ≤ x < 1", meaning: "minimum edge after all three taker fees, walking the books at the order size"),
        PluginParameter("max_book_age_ms", type: "integer", default: "2000", range: "1–86400000", meaning: "books older than this (event time) are stale: no trading on them"),
        PluginParameter("leg_timeout_ms", type: "integer", default: "3000", range: "1–86400000", meaning: "how long the legs may take before open ones are cancelled and the chain repaired"),
        PluginParameter("cooldown_ms", type: "integer", default: "200", range: "0–86400000", meaning: "pause per route after an attempt ends"),
        PluginParameter("hedge_slippage", type: "ratio", default: "\"0.003\"", range: "0 ≤ x < 0.2", meaning: "repair orders cross the touch by this much"),
        PluginParameter("max_hedge_attempts", type: "integer", default: "2", range: "0–10", meaning: "rounds of completing the legs that fell short"),
        PluginParameter("max_unwind_attempts", type: "integer", default: "2", range: "0–10", meaning: "then rounds of unwinding back to the start asset; what is left is reported as exposure"),
        PluginParameter("active_routes", type: "integer", default: "8", range: "1–10000", meaning: "routes the prioritiser keeps active (evaluated, given attempts)"),
        PluginParameter("attempts_per_second", type: "integer", default: "5", range: "1–10000", meaning: "attempts per second the active routes share, best first"),
        PluginParameter("refresh_ms", type: "integer", default: "1000", range: "10–3600000", meaning: "how often the active routes are chosen again"),
    ]

    public static func make(parameters: TriangularParameters, universe: Universe) throws -> any Strategy {
        try TriangularStrategy(parameters: try parameters.validated(), universe: universe)
    }
}
