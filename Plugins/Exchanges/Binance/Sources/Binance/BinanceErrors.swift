import ArbCore

/// Binance spot error codes and messages (binance-spot-api-docs errors.md;
/// body format `{"code": -1013, "msg": "..."}`).
public enum BinanceErrors {
    public static let insufficientBalance = Rejection(reason: .insufficientBalance, venueCode: "-2010",
                                                      message: "Account has insufficient balance for requested action.")
    public static let priceFilter = Rejection(reason: .priceOffTick, venueCode: "-1013", message: "Filter failure: PRICE_FILTER")
    public static let lotSize = Rejection(reason: .quantityOffLot, venueCode: "-1013", message: "Filter failure: LOT_SIZE")
    public static let lotSizeRange = Rejection(reason: .quantityOutOfRange, venueCode: "-1013", message: "Filter failure: LOT_SIZE")
    public static let notional = Rejection(reason: .belowMinNotional, venueCode: "-1013", message: "Filter failure: NOTIONAL")
    public static let notionalMax = Rejection(reason: .aboveMaxNotional, venueCode: "-1013", message: "Filter failure: NOTIONAL")
    public static func tooMuchPrecision(_ parameter: String) -> Rejection {
        Rejection(reason: .tooMuchPrecision, venueCode: "-1111", message: "Parameter '\(parameter)' has too much precision.")
    }
    public static let wouldTake = Rejection(reason: .postOnlyWouldTake, venueCode: "-2010", message: "Order would immediately match and take.")
    public static let unknownOrder = Rejection(reason: .unknownOrder, venueCode: "-2011", message: "Unknown order sent.")
    /// quoteOrderQty on a SELL exists on Binance but this paper venue does not simulate it.
    public static let sellByQuoteNotSimulated = Rejection(reason: .unsupportedOrder, venueCode: "paper:unsupported",
                                                          message: "MARKET SELL with quoteOrderQty is not simulated by the paper venue; send quantity instead.")
}
