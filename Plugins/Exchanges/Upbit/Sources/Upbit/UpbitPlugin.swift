import ArbCore
import ArbRateLimit

/// Settings under `[exchanges.upbit.settings]`. Defaults from docs.upbit.com; the
/// fee rate is secondary (ccxt, /v1/orders/chance samples), so it is configurable.
public struct UpbitSettings: Decodable, Sendable, Hashable {
    /// Maker and taker fee on the KRW market (0.05 %), charged in KRW.
    public var krwFee: Ratio = Ratio("0.0005")
    /// Fee on the BTC and USDT markets: 0.25 % per ccxt, unconfirmed.
    public var otherMarketsFee: Ratio = Ratio("0.0025")
    /// KRW market minimum order value (5,000 KRW, secondary).
    public var krwMinTotal: Amount = Amount(units: 5_000)
    /// KRW market maximum order value (1,000,000,000 KRW, secondary).
    public var krwMaxTotal: Amount = Amount(units: 1_000_000_000)
    /// Market orders larger than the first N levels are rejected (30, confirmed).
    public var marketGuardLevels: Int = 30
    /// Extra bases to treat as listed on the KRW market.
    public var extraListings: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case krwFee = "krw_fee", otherMarketsFee = "other_markets_fee", krwMinTotal = "krw_min_total"
        case krwMaxTotal = "krw_max_total", marketGuardLevels = "market_guard_levels", extraListings = "extra_listings"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        krwFee = try c.decode(.krwFee, default: krwFee)
        otherMarketsFee = try c.decode(.otherMarketsFee, default: otherMarketsFee)
        krwMinTotal = try c.decode(.krwMinTotal, default: krwMinTotal)
        krwMaxTotal = try c.decode(.krwMaxTotal, default: krwMaxTotal)
        marketGuardLevels = try c.decode(.marketGuardLevels, default: marketGuardLevels)
        extraListings = try c.decode(.extraListings, default: extraListings)
    }
}

/// Upbit (Korea): KRW market, symbols `KRW-BTC` (QUOTE-BASE).
public struct UpbitPlugin: ExchangePlugin {
    public static let id = "upbit"
    public static let summary = "Upbit (Korea) KRW market: banded KRW tick table, 0.05% fee in KRW, 5,000 KRW minimum"
    public static var defaultSettings: UpbitSettings { UpbitSettings() }
    public static let settingList = [
        PluginParameter("krw_fee", type: "ratio", default: "\"0.0005\"", range: "0 ≤ x < 0.1", meaning: "maker and taker fee on the KRW market, charged in KRW"),
        PluginParameter("other_markets_fee", type: "ratio", default: "\"0.0025\"", meaning: "fee on the BTC and USDT markets (unconfirmed)"),
        PluginParameter("krw_min_total", type: "amount", default: "\"5000\"", range: "> 0, below krw_max_total", meaning: "KRW market minimum order value"),
        PluginParameter("krw_max_total", type: "amount", default: "\"1000000000\"", meaning: "KRW market maximum order value"),
        PluginParameter("market_guard_levels", type: "integer", default: "30", range: "≥ 1", meaning: "market orders larger than this many levels are rejected"),
        PluginParameter("extra_listings", type: "list of strings", default: "[]", meaning: "extra bases treated as listed on the KRW market"),
    ]

    /// KRW-market listings bundled for paper runs (a subset of GET /v1/market/all).
    public static let krwListings = [
        "ADA", "AVAX", "BCH", "BTC", "DOGE", "DOT", "ETC", "ETH", "LINK", "NEAR",
        "SHIB", "SOL", "SUI", "TRX", "USDC", "USDT", "XLM", "XRP",
    ]

    public let settings: UpbitSettings
    public let rules: UpbitRules

    public init(settings: UpbitSettings) throws {
        guard settings.krwFee.raw >= 0, settings.krwFee < Ratio("0.1") else {
            throw PluginConfigurationError(plugin: Self.id, setting: "krw_fee", message: "must be between 0 and 0.1, e.g. \"0.0005\"")
        }
        guard settings.krwMinTotal.raw > 0, settings.krwMinTotal < settings.krwMaxTotal else {
            throw PluginConfigurationError(plugin: Self.id, setting: "krw_min_total", message: "must be positive and below krw_max_total")
        }
        guard settings.marketGuardLevels > 0 else {
            throw PluginConfigurationError(plugin: Self.id, setting: "market_guard_levels", message: "must be at least 1")
        }
        self.settings = settings
        self.rules = UpbitRules(settings: settings)
    }

    public var defaultQuote: String { "KRW" }

    public static func symbol(base: String, quote: String) -> String { "\(quote)-\(base)" }

    public func listedBases(quote: String) -> [String] {
        guard quote == "KRW" else { return [] }
        return Array(Set(Self.krwListings + settings.extraListings)).sorted()
    }

    public func listing(base: String, quote: String) -> InstrumentSpec? {
        guard quote == "KRW", listedBases(quote: quote).contains(base) else { return nil }
        return krwSpec(base: base)
    }

    /// `QUOTE-BASE`.
    public func listing(symbol: String) -> InstrumentSpec? {
        let parts = symbol.split(separator: "-", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        return listing(base: parts[1], quote: parts[0])
    }

    public func syntheticListing(base: String, quote: String, referencePrice: Price) -> InstrumentSpec {
        krwSpec(base: base)
    }

    func krwSpec(base: String) -> InstrumentSpec {
        // No volume step is published; volumes carry up to 8 decimals (unconfirmed).
        InstrumentSpec(symbol: Self.symbol(base: base, quote: "KRW"), baseCode: base, quoteCode: "KRW",
                       tickRule: .banded(UpbitRules.krwTickTable), lotStep: Quantity("0.00000001"),
                       minQuantity: Quantity("0.00000001"), maxQuantity: Quantity(raw: .max),
                       minNotional: settings.krwMinTotal, maxNotional: settings.krwMaxTotal,
                       priceDecimals: 8, quantityDecimals: 8)
    }
}
