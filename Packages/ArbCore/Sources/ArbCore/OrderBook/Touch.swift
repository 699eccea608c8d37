/// The top of one book: best bid, best ask and the exchange time of the last update.
/// A trivial value kept by the kernel beside every book, so deciding on the touch reads
/// plain memory instead of the book's arrays.
public struct Touch: Sendable, Hashable {
    public var bid: BookLevel?
    public var ask: BookLevel?
    public var updatedAt: Timestamp

    @inlinable public init(_ book: OrderBook) {
        bid = book.bestBid
        ask = book.bestAsk
        updatedAt = book.updatedAt
    }

    public init() { bid = nil; ask = nil; updatedAt = .zero }
}
