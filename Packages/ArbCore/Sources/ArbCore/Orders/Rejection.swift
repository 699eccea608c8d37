/// Stable categories of rejection, shared by every venue.
public enum RejectReason: String, Sendable, Hashable, CaseIterable {
    case insufficientBalance = "insufficient_balance"
    case belowMinNotional = "below_min_notional"
    case aboveMaxNotional = "above_max_notional"
    case priceOffTick = "price_off_tick"
    case quantityOffLot = "quantity_off_lot"
    case quantityOutOfRange = "quantity_out_of_range"
    case tooMuchPrecision = "too_much_precision"
    case postOnlyWouldTake = "post_only_would_take"
    case fillOrKillUnfillable = "fill_or_kill_unfillable"
    case insufficientLiquidity = "insufficient_liquidity"
    case unsupportedOrder = "unsupported_order"
    case unknownInstrument = "unknown_instrument"
    case unknownOrder = "unknown_order"
    case rateLimited = "rate_limited"
    case banned = "banned"
    case riskLimit = "risk_limit"
    case legRejected = "other_leg_rejected"
    /// The book is not usable: a feed gap, resync or staleness, until its next snapshot.
    case bookInvalid = "book_invalid"
}

/// A rejection as the venue would word it: its own code and message, plus the
/// stable category Arbor uses for counting and policy.
public struct Rejection: Sendable, Hashable, CustomStringConvertible, Error {
    /// The category, the same for every venue.
    public var reason: RejectReason
    /// The venue's own code: Binance `-1013`, Upbit `under_min_total_bid`.
    public var venueCode: String
    /// The venue's own message.
    public var message: String
    /// HTTP status the venue answers with (400, 429...).
    public var httpStatus: Int
    /// With 429/418/403: how long the venue says to stay away (its Retry-After).
    public var retryAfter: Duration?

    /// A refusal; venue rules make these.
    public init(reason: RejectReason, venueCode: String, message: String, httpStatus: Int = 400, retryAfter: Duration? = nil) {
        self.reason = reason; self.venueCode = venueCode; self.message = message; self.httpStatus = httpStatus; self.retryAfter = retryAfter
    }

    public var description: String { "\(venueCode): \(message)" }
}
