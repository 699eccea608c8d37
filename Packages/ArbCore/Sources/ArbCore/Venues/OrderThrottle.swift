/// A request the kernel is about to send to a venue.
public enum ThrottledAction: Sendable {
    case newOrder(OrderIntent, Instrument)
    /// A cancel, with the age of the order it refers to (some venues charge young orders more).
    case cancel(Order, Instrument, orderAge: Duration)
}

/// The client side of a venue's rate limits (ArbRateLimit behind it). The kernel asks it
/// before sending anything and tells it what the venue answered with 429/418/403.
public protocol OrderThrottle: AnyObject {
    /// `nil` to send now; otherwise why not (the request is not sent).
    func admit(_ action: ThrottledAction, at now: Timestamp) -> Rejection?
    /// The venue refused a request for its rate limits.
    func venueRefused(_ rejection: Rejection, action: ThrottledAction, at now: Timestamp)
    /// An order traded for the first time (partly or fully): venues that count unfilled
    /// orders (Binance ORDERS) take it off their count.
    func orderTraded(_ order: Order, _ instrument: Instrument, at now: Timestamp)
}

extension OrderThrottle {
    public func orderTraded(_ order: Order, _ instrument: Instrument, at now: Timestamp) {}
}
