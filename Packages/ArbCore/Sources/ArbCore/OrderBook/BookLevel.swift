/// Which side of a book a level is on.
public enum BookSide: UInt8, Sendable, Hashable {
    case bid
    case ask
}

/// The side of an order: a buy takes asks, a sell takes bids.
public enum Side: UInt8, Sendable, Hashable, CustomStringConvertible {
    case buy
    case sell

    @inlinable public var opposite: Side { self == .buy ? .sell : .buy }
    /// The book side a taker order of this side consumes.
    @inlinable public var takesFrom: BookSide { self == .buy ? .ask : .bid }
    public var description: String { self == .buy ? "buy" : "sell" }
}

/// One price level: the total quantity resting at a price.
public struct BookLevel: Sendable, Hashable {
    public var price: Price
    public var quantity: Quantity
    @inlinable public init(price: Price, quantity: Quantity) { self.price = price; self.quantity = quantity }
}

/// The outcome of walking a book for a given size.
public struct BookWalk: Sendable, Hashable {
    /// Quantity that the visible book can fill (≤ the requested quantity).
    public var filled: Quantity
    /// Sum of price × quantity over the levels used, each product rounded to the nearest 1e-9.
    public var notional: Amount
    /// The last (worst) price touched; zero if nothing filled.
    public var worstPrice: Price
    /// Levels consumed, fully or partly.
    public var levels: Int

    public init(filled: Quantity = .zero, notional: Amount = .zero, worstPrice: Price = .zero, levels: Int = 0) {
        self.filled = filled; self.notional = notional; self.worstPrice = worstPrice; self.levels = levels
    }

    /// Volume-weighted average price, rounded in the given direction; zero if nothing filled.
    public func averagePrice(_ rounding: Rounding) -> Price {
        guard filled.raw > 0 else { return .zero }
        return Price(raw: Int64(FixedDecimal.divide(notional.raw * Int128(FixedDecimal.unit), by: Int128(filled.raw), rounding: rounding)))
    }
}
