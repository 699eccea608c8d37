/// The top of one book: best bid, best ask and the exchange time of the last update.
/// A trivial value kept by the kernel beside every book, so deciding on the touch reads
/// plain memory instead of the book's arrays.
public struct Touch: Sendable, Hashable {
    /// Best bid, if any.
    public var bid: BookLevel?
    /// Best ask, if any.
    public var ask: BookLevel?
    /// Exchange time of the book's last update: compare with `now` for staleness.
    public var updatedAt: Timestamp

    /// The touch of `book`.
    @inlinable public init(_ book: OrderBook) {
        bid = book.bestBid
        ask = book.bestAsk
        updatedAt = book.updatedAt
    }

    /// An empty touch.
    public init() { bid = nil; ask = nil; updatedAt = .zero }

    /// Halfway between the best bid and the best ask (rounded half to even to 1e-9; not
    /// necessarily on the tick); nil unless both sides have a level.
    @inlinable public var mid: Price? {
        guard let bid, let ask else { return nil }
        return Price(raw: Int64(FixedDecimal.divide(Int128(bid.price.raw) + Int128(ask.price.raw), by: 2, rounding: .nearestHalfEven)))
    }
    /// Best ask minus best bid; nil unless both sides have a level (negative when crossed).
    @inlinable public var spread: Price? {
        guard let bid, let ask else { return nil }
        return ask.price - bid.price
    }
    /// Both sides present and the bid at or above the ask: a book no one should trade on.
    @inlinable public var isCrossed: Bool {
        guard let bid, let ask else { return false }
        return bid.price >= ask.price
    }
}
