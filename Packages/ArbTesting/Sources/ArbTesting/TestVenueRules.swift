import ArbCore

/// Plain venue rules for strategy scenarios: the instrument's tick, lot and minimum,
/// a given fee schedule, and codes named after the reason (`TEST_below_min_notional`).
public struct TestVenueRules: VenueRules {
    public let name: String
    public var feeSchedule: FeeSchedule
    public var postOnly: PostOnlyOutcome

    public init(name: String, fees: FeeSchedule, postOnly: PostOnlyOutcome = .cancel) {
        self.name = name; self.feeSchedule = fees; self.postOnly = postOnly
    }

    static func rejection(_ reason: RejectReason) -> Rejection {
        Rejection(reason: reason, venueCode: "TEST_\(reason.rawValue)", message: reason.rawValue)
    }

    public func fees(for instrument: Instrument) -> FeeSchedule { feeSchedule }
    public func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        checkForm(intent, instrument: instrument, wording: Self.rejection)
    }
    public func insufficientBalance(side: Side) -> Rejection { Self.rejection(.insufficientBalance) }
    public func postOnlyWouldTake(side: Side) -> PostOnlyOutcome { postOnly }
    public func unknownOrder() -> Rejection { Self.rejection(.unknownOrder) }
}
