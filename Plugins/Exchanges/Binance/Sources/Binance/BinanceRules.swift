import ArbCore

/// Binance spot order rules: per-symbol PRICE_FILTER, LOT_SIZE and NOTIONAL filters
/// (confirmed mechanism; the per-symbol numbers come from exchangeInfo at run time on
/// a live account and from `BinanceSettings` here).
public struct BinanceRules: VenueRules {
    public let name = "binance"
    public var settings: BinanceSettings

    public init(settings: BinanceSettings) { self.settings = settings }

    public func fees(for instrument: Instrument) -> FeeSchedule {
        // Charged on the asset received (BUY → base, SELL → quote) without the BNB discount.
        FeeSchedule(maker: settings.makerFee, taker: settings.takerFee, asset: .received)
    }

    public func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        if intent.type == .market && intent.side == .sell && intent.quoteAmount.raw > 0 { return BinanceErrors.sellByQuoteNotSimulated }
        // -1111 names the parameter, so precision is checked before the filters.
        if intent.type == .limit && intent.price.decimals > instrument.priceDecimals { return BinanceErrors.tooMuchPrecision("price") }
        if intent.quantity.decimals > instrument.quantityDecimals { return BinanceErrors.tooMuchPrecision("quantity") }
        if intent.quoteAmount.decimals > instrument.priceDecimals { return BinanceErrors.tooMuchPrecision("quoteOrderQty") }
        if let rejection = checkForm(intent, instrument: instrument, wording: { reason in
            switch reason {
            case .priceOffTick: return BinanceErrors.priceFilter
            case .quantityOffLot: return BinanceErrors.lotSize
            case .belowMinNotional: return BinanceErrors.notional
            case .aboveMaxNotional: return BinanceErrors.notionalMax
            default: return BinanceErrors.lotSizeRange
            }
        }) { return rejection }
        // NOTIONAL applies to MARKET orders too (applyMinToMarket), valued at the touch.
        if intent.type == .market && !intent.isQuoteSized {
            let touch = intent.side == .buy ? book.bestAsk : book.bestBid
            if let touch, Amount.notional(touch.price, intent.quantity, .nearestHalfEven) < instrument.minNotional {
                return BinanceErrors.notional
            }
        }
        return nil
    }

    public func insufficientBalance(side: Side) -> Rejection { BinanceErrors.insufficientBalance }
    /// LIMIT_MAKER is rejected outright when it would take.
    public func postOnlyWouldTake(side: Side) -> PostOnlyOutcome { .reject(BinanceErrors.wouldTake) }
    public func unknownOrder() -> Rejection { BinanceErrors.unknownOrder }
}
