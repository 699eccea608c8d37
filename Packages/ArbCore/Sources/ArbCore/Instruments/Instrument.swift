/// A tradable instrument on one venue with the venue's own rules.
public struct Instrument: Sendable, Hashable {
    /// Its id in the universe.
    public let id: InstrumentId
    /// The venue that lists it.
    public let venue: VenueId
    /// The exchange-native symbol: `KRW-BTC` on Upbit, `BTCUSDT` on Binance.
    public let symbol: String
    /// What is bought or sold.
    public let base: AssetId
    /// What it is priced in.
    public let quote: AssetId
    /// The base's code (`BTC`).
    public let baseCode: String
    /// The quote's code (`KRW`).
    public let quoteCode: String
    /// Valid prices: one tick, or a banded table (Upbit KRW).
    public let tickRule: TickRule
    /// Quantity step (Binance LOT_SIZE.stepSize); Upbit publishes none and uses 1e-8.
    public let lotStep: Quantity
    /// Smallest order quantity.
    public let minQuantity: Quantity
    /// Largest order quantity.
    public let maxQuantity: Quantity
    /// Largest quantity of a market order, where it differs (Binance MARKET_LOT_SIZE.maxQty).
    public let maxMarketQuantity: Quantity?
    /// Minimum order value in the quote asset (Binance NOTIONAL, Upbit min_total).
    public let minNotional: Amount
    /// Maximum order value in the quote asset, if the venue has one.
    public let maxNotional: Amount?
    /// Most decimals the venue accepts in a price / quantity before rejecting for precision.
    public let priceDecimals: Int
    /// Decimals a quantity may have.
    public let quantityDecimals: Int

    /// An instrument; the universe makes these from listings.
    public init(id: InstrumentId, venue: VenueId, symbol: String, base: AssetId, quote: AssetId,
                baseCode: String, quoteCode: String, tickRule: TickRule, lotStep: Quantity,
                minQuantity: Quantity, maxQuantity: Quantity, minNotional: Amount, maxNotional: Amount?,
                priceDecimals: Int = 8, quantityDecimals: Int = 8, maxMarketQuantity: Quantity? = nil) {
        self.maxMarketQuantity = maxMarketQuantity
        self.id = id; self.venue = venue; self.symbol = symbol
        self.base = base; self.quote = quote; self.baseCode = baseCode; self.quoteCode = quoteCode
        self.tickRule = tickRule; self.lotStep = lotStep
        self.minQuantity = minQuantity; self.maxQuantity = maxQuantity
        self.minNotional = minNotional; self.maxNotional = maxNotional
        self.priceDecimals = priceDecimals; self.quantityDecimals = quantityDecimals
    }
}

/// What an exchange plugin knows about one listing before the run assigns ids.
public struct InstrumentSpec: Sendable, Hashable {
    /// The venue's own symbol.
    public var symbol: String
    /// The base's code.
    public var baseCode: String
    /// The quote's code.
    public var quoteCode: String
    /// Valid prices.
    public var tickRule: TickRule
    /// Quantities are multiples of this.
    public var lotStep: Quantity
    /// Smallest order quantity.
    public var minQuantity: Quantity
    /// Largest order quantity.
    public var maxQuantity: Quantity
    /// Largest market-order quantity, where it differs from `maxQuantity`.
    public var maxMarketQuantity: Quantity?
    /// Smallest order value in the quote.
    public var minNotional: Amount
    /// Largest order value in the quote, if the venue has one.
    public var maxNotional: Amount?
    /// Decimals a price may have.
    public var priceDecimals: Int
    /// Decimals a quantity may have.
    public var quantityDecimals: Int

    /// A listing as a plugin's catalogue gives it.
    public init(symbol: String, baseCode: String, quoteCode: String, tickRule: TickRule, lotStep: Quantity,
                minQuantity: Quantity, maxQuantity: Quantity, minNotional: Amount, maxNotional: Amount?,
                priceDecimals: Int, quantityDecimals: Int, maxMarketQuantity: Quantity? = nil) {
        self.maxMarketQuantity = maxMarketQuantity
        self.symbol = symbol; self.baseCode = baseCode; self.quoteCode = quoteCode
        self.tickRule = tickRule; self.lotStep = lotStep; self.minQuantity = minQuantity; self.maxQuantity = maxQuantity
        self.minNotional = minNotional; self.maxNotional = maxNotional
        self.priceDecimals = priceDecimals; self.quantityDecimals = quantityDecimals
    }
}
