/// What a venue tells the client about one of its orders.
public struct ExecutionReport: Sendable, Hashable {
    /// What happened to the order.
    public enum Kind: UInt8, Sendable, Hashable, CustomStringConvertible {
        /// The venue accepted the order (it may rest or be about to fill).
        case accepted
        /// The venue refused it; nothing was locked on its side.
        case rejected
        /// A (partial) fill; `fillQuantity`/`fillPrice`/`fee` are set.
        case fill
        /// Cancelled on request, or post-only that would take (venue-specific).
        case cancelled
        /// The unfilled rest of an IOC/FOK/market order ended without filling.
        case expired
        /// A cancel request was refused (the order had already ended); the order is unchanged.
        case cancelRejected

        public var description: String { ["accepted", "rejected", "fill", "cancelled", "expired", "cancel_rejected"][Int(rawValue)] }
        /// The order is over (rejected, cancelled, expired).
        public var isTerminalKind: Bool { self == .rejected || self == .cancelled || self == .expired }
    }

    /// What happened.
    public var kind: Kind
    /// The order it is about.
    public var orderId: ClientOrderId
    /// The venue.
    public var venue: VenueId
    /// The instrument.
    public var instrument: InstrumentId
    /// The order's side.
    public var side: Side
    /// Price of this fill (fills only).
    public var fillPrice: Price
    /// Base quantity of this fill (fills only).
    public var fillQuantity: Quantity
    /// Quote value of this fill, exactly as the venue computed it.
    public var fillNotional: Amount
    /// Fee charged on this fill.
    public var fee: Amount
    /// The asset the fee was taken in.
    public var feeAsset: AssetId
    /// The fill rested first (maker fee).
    public var isMaker: Bool
    /// Base quantity still open after this report (zero when done).
    public var leavesQuantity: Quantity
    /// True on the last report of an order (fully filled, cancelled, expired or rejected).
    public var isFinal: Bool
    /// Why it was refused (rejections only).
    public var rejection: Rejection?
    /// Venue time of the event.
    public var venueTime: Timestamp

    /// A report; venues make these.
    public init(kind: Kind, orderId: ClientOrderId, venue: VenueId, instrument: InstrumentId, side: Side,
                fillPrice: Price = .zero, fillQuantity: Quantity = .zero, fillNotional: Amount = .zero,
                fee: Amount = .zero, feeAsset: AssetId = AssetId(0), isMaker: Bool = false,
                leavesQuantity: Quantity = .zero, isFinal: Bool = false, rejection: Rejection? = nil, venueTime: Timestamp) {
        self.kind = kind; self.orderId = orderId; self.venue = venue; self.instrument = instrument; self.side = side
        self.fillPrice = fillPrice; self.fillQuantity = fillQuantity; self.fillNotional = fillNotional
        self.fee = fee; self.feeAsset = feeAsset; self.isMaker = isMaker; self.leavesQuantity = leavesQuantity
        self.isFinal = isFinal; self.rejection = rejection; self.venueTime = venueTime
    }
}
