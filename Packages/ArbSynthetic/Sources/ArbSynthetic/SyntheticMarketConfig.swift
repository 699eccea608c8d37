import ArbCore

/// How the synthetic market behaves. All rates are integers (parts per million) so the
/// generator is exact and identical on every machine.
public struct SyntheticMarketConfig: Sendable, Hashable {
    /// One traded base with its starting price in the reference currency (USDT).
    public struct Symbol: Sendable, Hashable {
        public var base: String
        public var referencePrice: Price
        /// This symbol's half spread and level size; nil takes the profile of its class
        /// (`SyntheticMarketConfig.profiles`), else the market-wide defaults.
        public var halfSpreadPpm: Int64?
        public var levelNotional: Amount?
        public init(base: String, referencePrice: Price, halfSpreadPpm: Int64? = nil, levelNotional: Amount? = nil) {
            self.base = base; self.referencePrice = referencePrice
            self.halfSpreadPpm = halfSpreadPpm ?? SyntheticMarketConfig.profiles[base]?.halfSpreadPpm
            self.levelNotional = levelNotional ?? SyntheticMarketConfig.profiles[base]?.levelNotional
        }
    }

    /// Spread and depth by liquidity class: the deepest books (BTC, ETH) quote tight and
    /// thick, large caps less so, the rest take the defaults. Estimates from the usual
    /// shape of public books, unconfirmed: calibrate them on a recording of your own.
    public static let profiles: [String: (halfSpreadPpm: Int64, levelNotional: Amount)] = {
        var table: [String: (halfSpreadPpm: Int64, levelNotional: Amount)] = [:]
        for base in ["BTC", "ETH"] { table[base] = (30, Amount(units: 20_000)) }
        for base in ["SOL", "XRP", "DOGE"] { table[base] = (60, Amount(units: 8_000)) }
        for base in ["ADA", "AVAX", "LINK", "TRX", "DOT", "BCH", "SUI"] { table[base] = (100, Amount(units: 4_000)) }
        return table
    }()

    /// What a listing's prices are in.
    public enum ListingQuote: Sendable, Hashable {
        /// The venue's own quote: the reference currency, or through the FX rate on the FX venue.
        case venue
        /// Another symbol (ETH priced in BTC): the ratio of the two latent prices, and on
        /// the FX venue of their premiums too, so the cross book agrees with the two
        /// books it closes a triangle with.
        case symbol(Int)
        /// The reference currency on the FX venue (Upbit's USDT market): the latent price
        /// with the venue's premium, as its KRW book divided by the FX rate would give.
        case reference
    }

    /// One venue's listing of a symbol.
    public struct Listing: Sendable, Hashable {
        public var symbol: Int
        public var instrument: Instrument
        public var quote: ListingQuote
        public init(symbol: Int, instrument: Instrument, quote: ListingQuote = .venue) {
            self.symbol = symbol; self.instrument = instrument; self.quote = quote
        }
    }

    /// A venue whose prices are in the reference currency or converted through the FX rate.
    public struct Venue: Sendable, Hashable {
        public var listings: [Listing]
        /// Prices = reference × FX rate × (1 + premium) when true (the KRW venue).
        public var pricedThroughFX: Bool
        public init(listings: [Listing], pricedThroughFX: Bool) { self.listings = listings; self.pricedThroughFX = pricedThroughFX }
    }

    public var seed: UInt64
    public var symbols: [Symbol]
    public var venues: [Venue]
    /// The book publishing the FX rate (Upbit `KRW-USDT`), and its starting rate.
    public var fxInstrument: Instrument?
    public var fxRate: Price
    /// Mean time between events, in nanoseconds of event time.
    public var meanEventGapNs: Int64 = 500_000
    /// Levels kept on each side of every book.
    public var levels: Int = 20
    /// Half the quoted spread, ppm of the mid.
    public var halfSpreadPpm: Int64 = 150
    /// Per-move volatility of each latent price, ppm.
    public var priceStepPpm: Int64 = 8
    /// The FX rate's per-move volatility, ppm.
    /// At the bundled 2,000 events/s (~40 FX moves/s) 3 ppm a move is about 0.55 % a
    /// day, USD/KRW's usual range; it scales with the event rate (docs/SIMULATION.md).
    public var fxStepPpm: Int64 = 3
    /// The premium of the FX venue's prices over the FX-converted ones, per symbol: a
    /// mean-reverting (Ornstein–Uhlenbeck) path in event time with this mean, this
    /// stationary standard deviation and this half-life. It wanders over minutes, not
    /// seconds; docs/SIMULATION.md gives the reasoning for the defaults.
    public var premiumMeanPpm: Int64 = 0
    public var premiumSdPpm: Int64 = 1_200
    public var premiumHalfLifeMs: Int64 = 300_000
    /// Per-venue idiosyncratic noise around the fair price, ppm.
    public var venueNoisePpm: Int64 = 80
    /// Typical value of one level, in the reference currency.
    public var levelNotional: Amount = Amount(units: 2_000)
    /// Out of 1,000 events: how many move a price, how many are trades (the rest resize a level).
    public var moveShare: UInt64 = 250
    public var tradeShare: UInt64 = 50
    /// Out of 1,000 events: how many touch the FX book.
    public var fxShare: UInt64 = 20

    public init(seed: UInt64, symbols: [Symbol], venues: [Venue], fxInstrument: Instrument?, fxRate: Price) {
        self.seed = seed; self.symbols = symbols; self.venues = venues; self.fxInstrument = fxInstrument; self.fxRate = fxRate
    }

    /// Starting prices (USDT) of well-known assets; others get one from the seed.
    public static let referencePrices: [String: String] = [
        "ADA": "0.65", "AVAX": "28", "BCH": "450", "BTC": "95000", "DOGE": "0.18", "DOT": "5.2", "ETC": "21",
        "ETH": "3300", "LINK": "17", "NEAR": "4.1", "SHIB": "0.000014", "SOL": "180", "SUI": "3.6",
        "TRX": "0.25", "USDC": "1", "XLM": "0.32", "XRP": "2.3",
    ]
}
