/// What a venue tells the client about one of its orders.
public struct ExecutionReport: Sendable, Hashable {
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
        public var isTerminalKind: Bool { self == .rejected || self == .cancelled || self == .expired }
    }

    public var kind: Kind
    public var orderId: ClientOrderId
    public var venue: VenueId
    public var instrument: InstrumentId
    public var side: Side
    public var fillPrice: Price
    public var fillQuantity: Quantity
    /// Quote value of this fill, exactly as the venue computed it.
    public var fillNotional: Amount
    public var fee: Amount
    public var feeAsset: AssetId
    public var isMaker: Bool
    /// Base quantity still open after this report (zero when done).
    public var leavesQuantity: Quantity
    /// True on the last report of an order (fully filled, cancelled, expired or rejected).
    public var isFinal: Bool
    public var rejection: Rejection?
    /// Venue time of the event.
    public var venueTime: Timestamp

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
