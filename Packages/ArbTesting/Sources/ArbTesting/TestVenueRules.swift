import ArbCore

/// Plain venue rules for strategy scenarios: the instrument's tick, lot and minimum,
/// a given fee schedule, and codes named after the reason (`TEST_below_min_notional`).
public struct TestVenueRules: VenueRules {
    /// The venue's name.
    public let name: String
    /// Its fees, on every instrument.
    public var feeSchedule: FeeSchedule
    /// What it does with a post-only order that would take.
    public var postOnly: PostOnlyOutcome

    /// Generic rules with these fees.
    public init(name: String, fees: FeeSchedule, postOnly: PostOnlyOutcome = .cancel) {
        self.name = name; self.feeSchedule = fees; self.postOnly = postOnly
    }

    static func rejection(_ reason: RejectReason) -> Rejection {
        Rejection(reason: reason, venueCode: "TEST_\(reason.rawValue)", message: reason.rawValue)
    }

    /// The same fees everywhere.
    public func fees(for instrument: Instrument) -> FeeSchedule { feeSchedule }
    /// The form checks every venue makes, with `TEST_*` codes.
    public func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        checkForm(intent, instrument: instrument, wording: Self.rejection)
    }
    /// `TEST_insufficient_balance`.
    public func insufficientBalance(side: Side) -> Rejection { Self.rejection(.insufficientBalance) }
    /// As configured.
    public func postOnlyWouldTake(side: Side) -> PostOnlyOutcome { postOnly }
    /// `TEST_unknown_order`.
    public func unknownOrder() -> Rejection { Self.rejection(.unknownOrder) }
}
