import ArbCore
import ArbRateLimit

/// One symbol's filters: PRICE_FILTER.tickSize, LOT_SIZE.stepSize and maxQty,
/// MARKET_LOT_SIZE.maxQty, NOTIONAL.minNotional.
public struct BinanceListing: Decodable, Sendable, Hashable {
    public var tickSize: Price
    public var stepSize: Quantity
    public var minNotional: Amount?
    /// LOT_SIZE.maxQty: 9,000,000 for the USDT symbols bundled here (exchangeInfo values
    /// as commonly seen; a live run reads exchangeInfo).
    public var maxQuantity: Quantity = BinanceListing.defaultMaxQuantity
    /// MARKET_LOT_SIZE.maxQty. Unconfirmed per symbol: defaults to LOT_SIZE.maxQty; set it
    /// per symbol from exchangeInfo.
    public var maxMarketQuantity: Quantity?

    public static let defaultMaxQuantity = Quantity(units: 9_000_000)

    enum CodingKeys: String, CodingKey {
        case tickSize = "tick_size", stepSize = "step_size", minNotional = "min_notional"
        case maxQuantity = "max_quantity", maxMarketQuantity = "max_market_quantity"
    }

    public init(tickSize: Price, stepSize: Quantity, minNotional: Amount? = nil, maxQuantity: Quantity = BinanceListing.defaultMaxQuantity,
                maxMarketQuantity: Quantity? = nil) {
        self.tickSize = tickSize; self.stepSize = stepSize; self.minNotional = minNotional
        self.maxQuantity = maxQuantity; self.maxMarketQuantity = maxMarketQuantity
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tickSize = try c.decode(Price.self, forKey: .tickSize)
        stepSize = try c.decode(Quantity.self, forKey: .stepSize)
        minNotional = try c.decodeIfPresent(Amount.self, forKey: .minNotional)
        guard tickSize.raw > 0 else { throw DecodingError.dataCorruptedError(forKey: .tickSize, in: c, debugDescription: "must be positive, e.g. \"0.01\"") }
        guard stepSize.raw > 0 else { throw DecodingError.dataCorruptedError(forKey: .stepSize, in: c, debugDescription: "must be positive, e.g. \"0.00001\"") }
        if let m = minNotional, m.raw <= 0 { throw DecodingError.dataCorruptedError(forKey: .minNotional, in: c, debugDescription: "must be positive, e.g. \"5\"") }
        maxQuantity = try c.decode(.maxQuantity, default: Self.defaultMaxQuantity)
        maxMarketQuantity = try c.decodeIfPresent(Quantity.self, forKey: .maxMarketQuantity)
        guard maxQuantity >= stepSize else {
            throw DecodingError.dataCorruptedError(forKey: .maxQuantity, in: c, debugDescription: "must not be below the minimum quantity (step_size \(stepSize))")
        }
        if let m = maxMarketQuantity, m < stepSize {
            throw DecodingError.dataCorruptedError(forKey: .maxMarketQuantity, in: c, debugDescription: "must not be below the minimum quantity (step_size \(stepSize))")
        }
    }
}

/// Settings under `[exchanges.binance.settings]`.
public struct BinanceSettings: Decodable, Sendable, Hashable {
    /// Regular-user (VIP 0) rates, 0.1 % (secondary: Binance Square posts, ccxt).
    public var makerFee: Ratio = Ratio("0.001")
    public var takerFee: Ratio = Ratio("0.001")
    /// NOTIONAL.minNotional for USDT symbols: per symbol on Binance; 5 USDT is the usual
    /// value for majors (unconfirmed; the docs' example shows 10).
    public var minNotional: Amount = Amount(units: 5)
    /// Per-symbol filter overrides or additions, keyed by base asset.
    public var listings: [String: BinanceListing] = [:]
    /// NOTIONAL.minNotional for BTC-quoted symbols without their own: 0.0001 BTC as
    /// commonly seen in exchangeInfo (unconfirmed).
    public var btcMinNotional: Amount = Amount("0.0001")
    /// BTC-market filter overrides or additions, keyed by base asset (`ETH` for ETHBTC).
    public var btcListings: [String: BinanceListing] = [:]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case makerFee = "maker_fee", takerFee = "taker_fee", minNotional = "min_notional", listings
        case btcMinNotional = "btc_min_notional", btcListings = "btc_listings"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        makerFee = try c.decode(.makerFee, default: makerFee)
        takerFee = try c.decode(.takerFee, default: takerFee)
        minNotional = try c.decode(.minNotional, default: minNotional)
        listings = try c.decode(.listings, default: [:])
        btcMinNotional = try c.decode(.btcMinNotional, default: btcMinNotional)
        btcListings = try c.decode(.btcListings, default: [:])
    }
}

/// Binance spot: symbols `BTCUSDT` and `ETHBTC` (BASEQUOTE), per-symbol filters, fee on
/// the received asset. The USDT and BTC markets are catalogued.
public struct BinancePlugin: ExchangePlugin {
    public static let id = "binance"
    public static let summary = "Binance spot USDT and BTC markets: per-symbol PRICE_FILTER/LOT_SIZE/NOTIONAL, 0.1% fee on the received asset"
    public static var defaultSettings: BinanceSettings { BinanceSettings() }
    public static let settingList = [
        PluginParameter("maker_fee", type: "ratio", default: "\"0.001\"", meaning: "maker fee, taken from the asset received"),
        PluginParameter("taker_fee", type: "ratio", default: "\"0.001\"", meaning: "taker fee, taken from the asset received"),
        PluginParameter("min_notional", type: "amount", default: "\"5\"", range: "> 0", meaning: "NOTIONAL.minNotional for symbols without their own (unconfirmed default)"),
        PluginParameter("listings", type: "table of listings", default: "{}",
                        meaning: "per-base filter overrides or additions: `{ PEPE = { tick_size = \"0.00000001\", step_size = \"1\", min_notional = \"1\", max_quantity = \"9000000\", max_market_quantity = \"5000000\" } }`; `max_quantity` is LOT_SIZE.maxQty (9,000,000 by default), `max_market_quantity` MARKET_LOT_SIZE.maxQty (unconfirmed; `max_quantity` by default); neither below `step_size`"),
        PluginParameter("btc_min_notional", type: "amount", default: "\"0.0001\"", range: "> 0", meaning: "NOTIONAL.minNotional in BTC for BTC-market symbols without their own (unconfirmed default)"),
        PluginParameter("btc_listings", type: "table of listings", default: "{}", meaning: "BTC-market filter overrides or additions, keyed by base (`ETH` for ETHBTC), as `listings`"),
    ]

    /// USDT-market filters bundled for paper runs (exchangeInfo values as commonly seen;
    /// secondary: a live run must read exchangeInfo). Override per symbol in settings.
    public static let usdtListings: [String: BinanceListing] = {
        let rows: [(String, String, String)] = [
            ("ADA", "0.0001", "0.1"), ("AVAX", "0.01", "0.01"), ("BCH", "0.1", "0.001"), ("BTC", "0.01", "0.00001"),
            ("DOGE", "0.00001", "1"), ("DOT", "0.001", "0.01"), ("ETC", "0.01", "0.01"), ("ETH", "0.01", "0.0001"),
            ("LINK", "0.01", "0.01"), ("NEAR", "0.001", "0.1"), ("SHIB", "0.00000001", "1"), ("SOL", "0.01", "0.001"),
            ("SUI", "0.0001", "0.1"), ("TRX", "0.0001", "0.1"), ("USDC", "0.0001", "1"), ("XLM", "0.0001", "1"), ("XRP", "0.0001", "0.1"),
        ]
        var table: [String: BinanceListing] = [:]
        for (base, tick, step) in rows { table[base] = BinanceListing(tickSize: Price(tick)!, stepSize: Quantity(step)!) }
        return table
    }()

    /// BTC-market filters bundled for paper runs (exchangeInfo values as commonly seen,
    /// unconfirmed: a live run must read exchangeInfo). Override in `btc_listings`.
    public static let btcMarketListings: [String: BinanceListing] = {
        let rows: [(String, String, String)] = [
            ("ADA", "0.00000001", "0.1"), ("AVAX", "0.0000001", "0.01"), ("BCH", "0.00001", "0.001"), ("DOGE", "0.00000001", "1"),
            ("DOT", "0.0000001", "0.01"), ("ETC", "0.000001", "0.01"), ("ETH", "0.00001", "0.0001"), ("LINK", "0.0000001", "0.01"),
            ("NEAR", "0.00000001", "0.1"), ("SOL", "0.000001", "0.001"), ("SUI", "0.00000001", "0.1"), ("TRX", "0.00000001", "1"),
            ("XLM", "0.00000001", "1"), ("XRP", "0.00000001", "1"),
        ]
        var table: [String: BinanceListing] = [:]
        for (base, tick, step) in rows { table[base] = BinanceListing(tickSize: Price(tick)!, stepSize: Quantity(step)!) }
        return table
    }()

    public let settings: BinanceSettings
    public let rules: BinanceRules

    public init(settings: BinanceSettings) throws {
        for (key, fee) in [("maker_fee", settings.makerFee), ("taker_fee", settings.takerFee)] where fee.raw < 0 || fee >= Ratio("0.1") {
            throw PluginConfigurationError(plugin: Self.id, setting: key, message: "must be between 0 and 0.1, e.g. \"0.001\"")
        }
        guard settings.minNotional.raw > 0 else {
            throw PluginConfigurationError(plugin: Self.id, setting: "min_notional", message: "must be positive, e.g. \"5\"")
        }
        guard settings.btcMinNotional.raw > 0 else {
            throw PluginConfigurationError(plugin: Self.id, setting: "btc_min_notional", message: "must be positive, e.g. \"0.0001\"")
        }
        self.settings = settings
        self.rules = BinanceRules(settings: settings)
    }

    public var defaultQuote: String { "USDT" }

    public static func symbol(base: String, quote: String) -> String { base + quote }

    public func listedBases(quote: String) -> [String] {
        switch quote {
        case "USDT": return Set(Self.usdtListings.keys).union(settings.listings.keys).sorted()
        case "BTC": return Set(Self.btcMarketListings.keys).union(settings.btcListings.keys).subtracting(["BTC"]).sorted()
        default: return []
        }
    }

    public func listing(base: String, quote: String) -> InstrumentSpec? {
        switch quote {
        case "USDT":
            guard let listing = settings.listings[base] ?? Self.usdtListings[base] else { return nil }
            return spec(base: base, quote: quote, listing)
        case "BTC":
            guard base != "BTC", let listing = settings.btcListings[base] ?? Self.btcMarketListings[base] else { return nil }
            return spec(base: base, quote: quote, listing)
        default: return nil
        }
    }

    /// `BASEQUOTE`: the USDT and BTC markets are the ones this plugin lists.
    public func listing(symbol: String) -> InstrumentSpec? {
        for quote in ["USDT", "BTC"] where symbol.hasSuffix(quote) && symbol.count > quote.count {
            return listing(base: String(symbol.dropLast(quote.count)), quote: quote)
        }
        return nil
    }

    /// Tick at about six significant digits of the price, step worth about 1 % of a unit of quote.
    public func syntheticListing(base: String, quote: String, referencePrice: Price) -> InstrumentSpec {
        let magnitude = max(0, String(referencePrice.raw).count - 1)  // floor(log10(raw))
        let tickRaw = FixedDecimal.powerOfTen(max(1, magnitude - 5))
        let stepRaw = FixedDecimal.powerOfTen(max(1, min(18, 16 - magnitude)))
        let listing = BinanceListing(tickSize: Price(raw: tickRaw), stepSize: Quantity(raw: stepRaw))
        return spec(base: base, quote: quote, listing)
    }

    func spec(base: String, quote: String, _ listing: BinanceListing) -> InstrumentSpec {
        InstrumentSpec(symbol: Self.symbol(base: base, quote: quote), baseCode: base, quoteCode: quote,
                       tickRule: .fixed(listing.tickSize), lotStep: listing.stepSize,
                       minQuantity: listing.stepSize, maxQuantity: listing.maxQuantity,
                       minNotional: listing.minNotional ?? (quote == "BTC" ? settings.btcMinNotional : settings.minNotional), maxNotional: Amount(units: 9_000_000),
                       priceDecimals: 8, quantityDecimals: 8, maxMarketQuantity: listing.maxMarketQuantity ?? listing.maxQuantity)
    }
}
