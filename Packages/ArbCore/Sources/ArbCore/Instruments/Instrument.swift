/// A tradable instrument on one venue with the venue's own rules.
public struct Instrument: Sendable, Hashable {
    public let id: InstrumentId
    public let venue: VenueId
    /// The exchange-native symbol: `KRW-BTC` on Upbit, `BTCUSDT` on Binance.
    public let symbol: String
    public let base: AssetId
    public let quote: AssetId
    public let baseCode: String
    public let quoteCode: String
    public let tickRule: TickRule
    /// Quantity step (Binance LOT_SIZE.stepSize); Upbit publishes none and uses 1e-8.
    public let lotStep: Quantity
    public let minQuantity: Quantity
    public let maxQuantity: Quantity
    /// Largest quantity of a market order, where it differs (Binance MARKET_LOT_SIZE.maxQty).
    public let maxMarketQuantity: Quantity?
    /// Minimum order value in the quote asset (Binance NOTIONAL, Upbit min_total).
    public let minNotional: Amount
    /// Maximum order value in the quote asset, if the venue has one.
    public let maxNotional: Amount?
    /// Most decimals the venue accepts in a price / quantity before rejecting for precision.
    public let priceDecimals: Int
    public let quantityDecimals: Int

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
    public var symbol: String
    public var baseCode: String
    public var quoteCode: String
    public var tickRule: TickRule
    public var lotStep: Quantity
    public var minQuantity: Quantity
    public var maxQuantity: Quantity
    /// Largest market-order quantity, where it differs from `maxQuantity`.
    public var maxMarketQuantity: Quantity?
    public var minNotional: Amount
    public var maxNotional: Amount?
    public var priceDecimals: Int
    public var quantityDecimals: Int

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
