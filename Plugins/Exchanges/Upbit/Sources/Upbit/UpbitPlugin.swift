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
    /// BTC market minimum order value (0.00005 BTC, confirmed since 2024-08-19).
    public var btcMinTotal: Amount = Amount("0.00005")
    /// BTC market maximum order value (10 BTC, confirmed since 2025-05-19).
    public var btcMaxTotal: Amount = Amount(units: 10)
    /// USDT market minimum order value (0.5 USDT, confirmed since 2024-08-19).
    public var usdtMinTotal: Amount = Amount("0.5")
    /// USDT market maximum order value: not published (unconfirmed); 1,000,000 USDT here.
    public var usdtMaxTotal: Amount = Amount(units: 1_000_000)
    /// Market orders larger than the first N levels are rejected (30, confirmed).
    public var marketGuardLevels: Int = 30
    /// Extra bases to treat as listed on the KRW market.
    public var extraListings: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case krwFee = "krw_fee", otherMarketsFee = "other_markets_fee", krwMinTotal = "krw_min_total"
        case krwMaxTotal = "krw_max_total"
        case btcMinTotal = "btc_min_total", btcMaxTotal = "btc_max_total", usdtMinTotal = "usdt_min_total", usdtMaxTotal = "usdt_max_total"
        case marketGuardLevels = "market_guard_levels", extraListings = "extra_listings"
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
        btcMinTotal = try c.decode(.btcMinTotal, default: btcMinTotal)
        btcMaxTotal = try c.decode(.btcMaxTotal, default: btcMaxTotal)
        usdtMinTotal = try c.decode(.usdtMinTotal, default: usdtMinTotal)
        usdtMaxTotal = try c.decode(.usdtMaxTotal, default: usdtMaxTotal)
    }

    /// The minimum and maximum order value on a quote market.
    func totals(quote: String) -> (min: Amount, max: Amount) {
        switch quote {
        case "BTC": return (btcMinTotal, btcMaxTotal)
        case "USDT": return (usdtMinTotal, usdtMaxTotal)
        default: return (krwMinTotal, krwMaxTotal)
        }
    }
}

/// Upbit (Korea): the KRW market (symbols `KRW-BTC`, QUOTE-BASE) and the BTC and USDT
/// markets (`BTC-ETH`, `USDT-BTC`) for cross and triangular routes.
public struct UpbitPlugin: ExchangePlugin {
    public static let id = "upbit"
    public static let summary = "Upbit (Korea) KRW, BTC and USDT markets: banded tick tables, 0.05% fee in KRW, 5,000 KRW minimum"
    public static var defaultSettings: UpbitSettings { UpbitSettings() }
    public static let settingList = [
        PluginParameter("krw_fee", type: "ratio", default: "\"0.0005\"", range: "0 ≤ x < 0.1", meaning: "maker and taker fee on the KRW market, charged in KRW"),
        PluginParameter("other_markets_fee", type: "ratio", default: "\"0.0025\"", meaning: "fee on the BTC and USDT markets (unconfirmed)"),
        PluginParameter("krw_min_total", type: "amount", default: "\"5000\"", range: "> 0, below krw_max_total", meaning: "KRW market minimum order value"),
        PluginParameter("krw_max_total", type: "amount", default: "\"1000000000\"", meaning: "KRW market maximum order value"),
        PluginParameter("btc_min_total", type: "amount", default: "\"0.00005\"", range: "> 0, below btc_max_total", meaning: "BTC market minimum order value, in BTC"),
        PluginParameter("btc_max_total", type: "amount", default: "\"10\"", meaning: "BTC market maximum order value, in BTC"),
        PluginParameter("usdt_min_total", type: "amount", default: "\"0.5\"", range: "> 0, below usdt_max_total", meaning: "USDT market minimum order value, in USDT"),
        PluginParameter("usdt_max_total", type: "amount", default: "\"1000000\"", meaning: "USDT market maximum order value (not published; unconfirmed)"),
        PluginParameter("market_guard_levels", type: "integer", default: "30", range: "≥ 1", meaning: "market orders larger than this many levels are rejected"),
        PluginParameter("extra_listings", type: "list of strings", default: "[]", meaning: "extra bases treated as listed on the KRW market"),
    ]

    /// KRW-market listings bundled for paper runs (a subset of GET /v1/market/all).
    public static let krwListings = [
        "ADA", "AVAX", "BCH", "BTC", "DOGE", "DOT", "ETC", "ETH", "LINK", "NEAR",
        "SHIB", "SOL", "SUI", "TRX", "USDC", "USDT", "XLM", "XRP",
    ]

    /// BTC-market listings bundled for paper runs (a subset of GET /v1/market/all;
    /// which bases Upbit lists against BTC changes: check the live list).
    public static let btcListings = [
        "ADA", "AVAX", "BCH", "DOGE", "DOT", "ETC", "ETH", "LINK", "NEAR", "SOL", "SUI", "TRX", "XLM", "XRP",
    ]

    /// USDT-market listings bundled for paper runs (a subset; unconfirmed per base).
    public static let usdtListings = ["ADA", "BTC", "DOGE", "ETH", "SOL", "TRX", "XRP"]

    public let settings: UpbitSettings
    public let rules: UpbitRules

    public init(settings: UpbitSettings) throws {
        guard settings.krwFee.raw >= 0, settings.krwFee < Ratio("0.1") else {
            throw PluginConfigurationError(plugin: Self.id, setting: "krw_fee", message: "must be between 0 and 0.1, e.g. \"0.0005\"")
        }
        guard settings.krwMinTotal.raw > 0, settings.krwMinTotal < settings.krwMaxTotal else {
            throw PluginConfigurationError(plugin: Self.id, setting: "krw_min_total", message: "must be positive and below krw_max_total")
        }
        for (quote, minKey) in [("BTC", "btc_min_total"), ("USDT", "usdt_min_total")] {
            let totals = settings.totals(quote: quote)
            guard totals.min.raw > 0, totals.min < totals.max else {
                throw PluginConfigurationError(plugin: Self.id, setting: minKey, message: "must be positive and below \(quote.lowercased())_max_total")
            }
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
        switch quote {
        case "KRW": return Array(Set(Self.krwListings + settings.extraListings)).sorted()
        case "BTC": return Self.btcListings
        case "USDT": return Self.usdtListings
        default: return []
        }
    }

    public func listing(base: String, quote: String) -> InstrumentSpec? {
        guard listedBases(quote: quote).contains(base) else { return nil }
        return spec(base: base, quote: quote)
    }

    /// `QUOTE-BASE`.
    public func listing(symbol: String) -> InstrumentSpec? {
        let parts = symbol.split(separator: "-", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        return listing(base: parts[1], quote: parts[0])
    }

    public func syntheticListing(base: String, quote: String, referencePrice: Price) -> InstrumentSpec {
        spec(base: base, quote: ["BTC", "USDT"].contains(quote) ? quote : "KRW")
    }

    /// Each market's tick rule: KRW and USDT banded, BTC a fixed 0.00000001 (confirmed).
    func spec(base: String, quote: String) -> InstrumentSpec {
        let tickRule: TickRule = switch quote {
        case "BTC": .fixed(Price("0.00000001"))
        case "USDT": .banded(UpbitRules.usdtTickTable)
        default: .banded(UpbitRules.krwTickTable)
        }
        let totals = settings.totals(quote: quote)
        // No volume step is published; volumes carry up to 8 decimals (unconfirmed).
        return InstrumentSpec(symbol: Self.symbol(base: base, quote: quote), baseCode: base, quoteCode: quote,
                              tickRule: tickRule, lotStep: Quantity("0.00000001"),
                              minQuantity: Quantity("0.00000001"), maxQuantity: Quantity(raw: .max),
                              minNotional: totals.min, maxNotional: totals.max,
                              priceDecimals: 8, quantityDecimals: 8)
    }
}
