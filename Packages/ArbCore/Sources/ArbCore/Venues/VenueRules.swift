/// One exchange's order rules and wording, as data and pure functions: what a paper
/// venue enforces and what a live adapter checks before sending. Each exchange plugin
/// provides one.
public protocol VenueRules: Sendable {
    /// Plugin id, e.g. `binance`.
    var name: String { get }
    func fees(for instrument: Instrument) -> FeeSchedule
    /// Static checks of an order's form, in the order the venue applies them.
    func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection?
    func insufficientBalance(side: Side) -> Rejection
    /// What the venue does with a post-only order that would take.
    func postOnlyWouldTake(side: Side) -> PostOnlyOutcome
    /// The refusal of a cancel for an order the venue does not have open.
    func unknownOrder() -> Rejection
}

public enum PostOnlyOutcome: Sendable, Hashable {
    /// Refused outright (Binance LIMIT_MAKER: -2010).
    case reject(Rejection)
    /// Accepted, then cancelled without trading.
    case cancel
}

extension VenueRules {
    /// Checks shared by most venues: positive price/quantity, decimals, tick, lot, min/max
    /// quantity, min/max notional. The venue supplies each rejection's wording.
    public func checkForm(_ intent: OrderIntent, instrument: Instrument, wording: (RejectReason) -> Rejection) -> Rejection? {
        if intent.type == .limit {
            guard intent.price.raw > 0 else { return wording(.priceOffTick) }
            if intent.price.decimals > instrument.priceDecimals { return wording(.tooMuchPrecision) }
            if !instrument.tickRule.isValid(intent.price) { return wording(.priceOffTick) }
        }
        if !intent.isQuoteSized {
            guard intent.quantity.raw > 0 else { return wording(.quantityOutOfRange) }
            if intent.quantity.decimals > instrument.quantityDecimals { return wording(.tooMuchPrecision) }
            if !intent.quantity.isMultiple(of: instrument.lotStep) { return wording(.quantityOffLot) }
            if intent.quantity < instrument.minQuantity || intent.quantity > instrument.maxQuantity { return wording(.quantityOutOfRange) }
            if intent.type == .market, let max = instrument.maxMarketQuantity, intent.quantity > max { return wording(.quantityOutOfRange) }
        } else if intent.quoteAmount.decimals > instrument.priceDecimals {
            return wording(.tooMuchPrecision)
        }
        if intent.type == .limit {
            let notional = Amount.notional(intent.price, intent.quantity, .nearestHalfEven)
            if notional < instrument.minNotional { return wording(.belowMinNotional) }
            if let max = instrument.maxNotional, notional > max { return wording(.aboveMaxNotional) }
        } else if intent.isQuoteSized {
            if intent.quoteAmount < instrument.minNotional { return wording(.belowMinNotional) }
            if let max = instrument.maxNotional, intent.quoteAmount > max { return wording(.aboveMaxNotional) }
        }
        return nil
    }
}
