import ArbCore

/// Parameters under `[strategies.<name>.parameters]`.
public struct CrossSpreadParameters: Decodable, Sendable, Hashable {
    /// The two venues (plugin ids) and the quote each trades against.
    public var venueA: String = "upbit"
    public var quoteA: String = "KRW"
    public var venueB: String = "binance"
    public var quoteB: String = "USDT"
    /// Bases to trade; empty = every base listed on both venues.
    public var bases: [String] = []
    /// The FX book on venue A that prices quote B in quote A (Upbit `KRW-USDT`).
    public var fxSymbol: String = "KRW-USDT"
    /// Minimum edge after both taker fees and the slippage of walking both books at the order size.
    public var minEdge: Ratio = Ratio("0.002")
    /// Largest order per attempt, in quote B.
    public var orderNotional: Amount = Amount(units: 500)
    /// FX or leg books older than this (event time) are stale: no trading on them.
    public var maxBookAgeMs: Int64 = 2_000
    /// How long both legs may take before open legs are cancelled and the gap hedged.
    public var legTimeoutMs: Int64 = 3_000
    /// Pause per base after an attempt ends.
    public var cooldownMs: Int64 = 200
    /// Hedge orders cross the book by this much to get filled.
    public var hedgeSlippage: Ratio = Ratio("0.003")
    /// Hedge attempts on the other venue before unwinding on the venue that filled.
    public var maxHedgeAttempts: Int = 2
    /// On `cross_fx` routes, a third leg converts the sale's proceeds back into the
    /// purchase's quote on the FX book (Upbit KRW-USDT), at the same time as the two legs;
    /// it needs some of both quotes on the FX venue. Off: the proceeds stay in the other
    /// quote (inventory), valued through the FX book.
    public var convertProceeds: Bool = false
    /// Per asset, per venue: the balance band the strategy keeps to. A trade is sized so
    /// that no balance falls below its floor or rises above its ceiling; one that cannot
    /// trade a lot within them is skipped and counted.
    /// `inventory = { BTC = { upbit = { floor = "0.1", ceiling = "2" } } }`.
    public var inventory: [String: [String: InventoryBand]] = [:]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case venueA = "venue_a", quoteA = "quote_a", venueB = "venue_b", quoteB = "quote_b", bases
        case fxSymbol = "fx_symbol", minEdge = "min_edge", orderNotional = "order_notional"
        case maxBookAgeMs = "max_book_age_ms", legTimeoutMs = "leg_timeout_ms", cooldownMs = "cooldown_ms"
        case hedgeSlippage = "hedge_slippage", maxHedgeAttempts = "max_hedge_attempts", convertProceeds = "convert_proceeds", inventory
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        venueA = try c.decode(.venueA, default: venueA)
        quoteA = try c.decode(.quoteA, default: quoteA)
        venueB = try c.decode(.venueB, default: venueB)
        quoteB = try c.decode(.quoteB, default: quoteB)
        bases = try c.decode(.bases, default: bases)
        fxSymbol = try c.decode(.fxSymbol, default: fxSymbol)
        minEdge = try c.decode(.minEdge, default: minEdge)
        orderNotional = try c.decode(.orderNotional, default: orderNotional)
        maxBookAgeMs = try c.decode(.maxBookAgeMs, default: maxBookAgeMs)
        legTimeoutMs = try c.decode(.legTimeoutMs, default: legTimeoutMs)
        cooldownMs = try c.decode(.cooldownMs, default: cooldownMs)
        hedgeSlippage = try c.decode(.hedgeSlippage, default: hedgeSlippage)
        maxHedgeAttempts = try c.decode(.maxHedgeAttempts, default: maxHedgeAttempts)
        inventory = try c.decode(.inventory, default: [:])
        convertProceeds = try c.decode(.convertProceeds, default: convertProceeds)
    }

    /// Refuses values that cannot work, naming the parameter.
    public func validated() throws -> CrossSpreadParameters {
        func fail(_ key: String, _ message: String) -> PluginConfigurationError {
            PluginConfigurationError(plugin: CrossSpreadPlugin.id, setting: key, message: message)
        }
        guard venueA != venueB else { throw fail("venue_b", "must differ from venue_a (\(venueA))") }
        guard minEdge.raw >= 0, minEdge < Ratio.one else { throw fail("min_edge", "must be at least 0 and below 1, e.g. \"0.002\"") }
        guard orderNotional.raw > 0 else { throw fail("order_notional", "must be positive, e.g. \"500\"") }
        guard maxBookAgeMs > 0 else { throw fail("max_book_age_ms", "must be positive, e.g. 2000") }
        guard legTimeoutMs > 0 else { throw fail("leg_timeout_ms", "must be positive, e.g. 3000") }
        guard cooldownMs >= 0 else { throw fail("cooldown_ms", "must not be negative") }
        guard hedgeSlippage.raw >= 0, hedgeSlippage < Ratio("0.2") else { throw fail("hedge_slippage", "must be between 0 and 0.2") }
        guard maxHedgeAttempts >= 0 else { throw fail("max_hedge_attempts", "must not be negative") }
        for asset in inventory.keys.sorted() {
            for venue in inventory[asset]!.keys.sorted() {
                let band = inventory[asset]![venue]!
                if let floor = band.floor, floor.isNegative {
                    throw fail("inventory.\(asset).\(venue).floor", "must not be negative (got \(floor))")
                }
                if let floor = band.floor, let ceiling = band.ceiling, floor > ceiling {
                    throw fail("inventory.\(asset).\(venue).floor", "the floor \(floor) is above the ceiling \(ceiling); lower the floor or raise the ceiling")
                }
                guard venue == venueA || venue == venueB else {
                    throw fail("inventory.\(asset).\(venue)", "'\(venue)' is neither venue_a (\(venueA)) nor venue_b (\(venueB))")
                }
            }
        }
        return self
    }
}

/// A balance band: stay at or above `floor`, at or below `ceiling` (either may be absent).
public struct InventoryBand: Decodable, Sendable, Hashable {
    public var floor: Amount?
    public var ceiling: Amount?
    public init(floor: Amount? = nil, ceiling: Amount? = nil) { self.floor = floor; self.ceiling = ceiling }
}

/// Registers the strategy with the host.
public struct CrossSpreadPlugin: StrategyPlugin {
    public static let id = "cross-spread"
    public static let summary = "cross-exchange spread on ArbRoute's cross and cross_fx routes: buys on one venue, sells on the other when the edge after fees, live FX and slippage clears a threshold; hedges or unwinds broken legs (LegExecutor)"
    public static let parameterList = [
        PluginParameter("venue_a", type: "string", default: "\"upbit\"", meaning: "the first venue (an enabled exchange's name)"),
        PluginParameter("quote_a", type: "asset code", default: "\"KRW\"", meaning: "the quote currency of venue A's legs"),
        PluginParameter("venue_b", type: "string", default: "\"binance\"", range: "≠ venue_a", meaning: "the second venue"),
        PluginParameter("quote_b", type: "asset code", default: "\"USDT\"", meaning: "the quote currency of venue B's legs"),
        PluginParameter("bases", type: "list of strings", default: "[] (every base both venues list)", meaning: "the bases to trade"),
        PluginParameter("fx_symbol", type: "string", default: "\"KRW-USDT\"", meaning: "the FX book on venue A that prices quote B in quote A (unused when the two quotes are the same: cross routes)"),
        PluginParameter("min_edge", type: "ratio", default: "\"0.002\"", range: "0 ≤ x < 1", meaning: "minimum edge after both taker fees and the slippage of walking both books at the order size"),
        PluginParameter("order_notional", type: "amount", default: "\"500\"", range: "> 0", meaning: "largest order per attempt, in quote B"),
        PluginParameter("max_book_age_ms", type: "integer", default: "2000", range: "> 0", meaning: "leg or FX books older than this (event time) are stale: no trading on them"),
        PluginParameter("leg_timeout_ms", type: "integer", default: "3000", range: "> 0", meaning: "how long both legs may take before open legs are cancelled and the gap hedged"),
        PluginParameter("cooldown_ms", type: "integer", default: "200", range: "≥ 0", meaning: "pause per base after an attempt ends"),
        PluginParameter("hedge_slippage", type: "ratio", default: "\"0.003\"", range: "0 ≤ x < 0.2", meaning: "hedge orders cross the book by this much to get filled"),
        PluginParameter("max_hedge_attempts", type: "integer", default: "2", range: "≥ 0", meaning: "hedge attempts on the other venue before unwinding on the venue that filled"),
        PluginParameter("convert_proceeds", type: "boolean", default: "false",
                        meaning: "on cross_fx routes, a third leg converts the sale's proceeds back into the purchase's quote on the FX book, sent with the two legs (needs both quotes on the FX venue)"),
        PluginParameter("inventory", type: "table of bands", default: "{} (none)",
                        meaning: "per asset and venue, the balance band trades keep to: `{ BTC = { upbit = { floor = \"0.1\", ceiling = \"2\" } } }`; a floor above its ceiling, a negative floor or a venue other than venue_a or venue_b is refused. Opportunities sized to 0 are counted by cause (`size_zero_order_notional`, `_buy_balance`, `_sell_balance`, `_inventory_ceiling`, `_inventory_floor`, `_venue_maximum`, `_book_depth`, `_lot_step`)"),
    ]

    public static func make(parameters: CrossSpreadParameters, universe: Universe) throws -> any Strategy {
        try CrossSpreadStrategy(parameters: try parameters.validated(), universe: universe)
    }
}
