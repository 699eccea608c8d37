/// A client order id, unique within a run: assigned by the kernel in submission order.
public struct ClientOrderId: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Sequential from 1 in a run.
    public let value: UInt64
    /// An id; the kernel assigns them.
    @inlinable public init(_ value: UInt64) { self.value = value }
    @inlinable public static func < (a: ClientOrderId, b: ClientOrderId) -> Bool { a.value < b.value }
    public var description: String { "arb-\(value)" }
}

/// Limit (at a price) or market (at any price, immediate).
public enum OrderType: UInt8, Sendable, Hashable, CustomStringConvertible {
    case limit
    case market
    public var description: String { self == .limit ? "limit" : "market" }
}

/// How long an order may rest.
public enum TimeInForce: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// Rests until cancelled.
    case goodTillCancel
    /// Fills what it can now, the rest is cancelled.
    case immediateOrCancel
    /// Fills completely now or not at all.
    case fillOrKill
    /// Only rests; the venue rejects or cancels it if it would take.
    case postOnly

    public var description: String {
        switch self {
        case .goodTillCancel: return "GTC"
        case .immediateOrCancel: return "IOC"
        case .fillOrKill: return "FOK"
        case .postOnly: return "POST_ONLY"
        }
    }
}

/// Why an order is sent; the risk layer and the summary use it.
public enum OrderPurpose: UInt8, Sendable, Hashable, CustomStringConvertible {
    case entry
    case hedge
    case unwind
    public var description: String { ["entry", "hedge", "unwind"][Int(rawValue)] }
}

/// What a strategy asks for. The kernel checks it, assigns a client id and sends it.
public struct OrderIntent: Sendable, Hashable {
    /// What to trade.
    public var instrument: InstrumentId
    /// Buy or sell.
    public var side: Side
    /// Limit or market.
    public var type: OrderType
    /// How long it may rest: good till cancel, IOC, FOK, post only.
    public var timeInForce: TimeInForce
    /// Limit price; zero for market orders.
    public var price: Price
    /// Base quantity; zero for a market buy by quote amount.
    public var quantity: Quantity
    /// Quote amount to spend for a market buy by quote (Upbit `ord_type=price`, Binance `quoteOrderQty`).
    public var quoteAmount: Amount
    /// Entry, or the hedge or unwind of a broken leg (for attribution and the risk guard).
    public var purpose: OrderPurpose
    /// Route this order belongs to, for PnL attribution (-1 = none).
    public var route: Int32

    /// Every field; `.limit`, `.market` and `.marketBuy` read better.
    public init(instrument: InstrumentId, side: Side, type: OrderType = .limit, timeInForce: TimeInForce = .goodTillCancel,
                price: Price = .zero, quantity: Quantity = .zero, quoteAmount: Amount = .zero,
                purpose: OrderPurpose = .entry, route: Int32 = -1) {
        self.instrument = instrument; self.side = side; self.type = type; self.timeInForce = timeInForce
        self.price = price; self.quantity = quantity; self.quoteAmount = quoteAmount; self.purpose = purpose; self.route = route
    }

    /// A limit order: `.limit(.buy, on: btc, price: "100", quantity: "0.5", timeInForce: .immediateOrCancel)`.
    /// - Parameters:
    ///   - purpose: entry (default), or the hedge or unwind of a leg that filled alone.
    ///   - route: the route it belongs to (`StrategyContext.route(named:)`), for PnL attribution.
    public static func limit(_ side: Side, on instrument: InstrumentId, price: Price, quantity: Quantity,
                             timeInForce: TimeInForce = .goodTillCancel, purpose: OrderPurpose = .entry, route: Int32 = -1) -> OrderIntent {
        OrderIntent(instrument: instrument, side: side, type: .limit, timeInForce: timeInForce, price: price, quantity: quantity, purpose: purpose, route: route)
    }

    /// A market order for a base quantity (immediate or cancel): `.market(.sell, on: btc, quantity: "0.5")`.
    public static func market(_ side: Side, on instrument: InstrumentId, quantity: Quantity, purpose: OrderPurpose = .entry, route: Int32 = -1) -> OrderIntent {
        OrderIntent(instrument: instrument, side: side, type: .market, timeInForce: .immediateOrCancel, quantity: quantity, purpose: purpose, route: route)
    }

    /// A market buy spending a quote amount (Upbit `ord_type=price`, Binance `quoteOrderQty`):
    /// `.marketBuy(on: btc, spending: "1000")`.
    public static func marketBuy(on instrument: InstrumentId, spending amount: Amount, purpose: OrderPurpose = .entry, route: Int32 = -1) -> OrderIntent {
        OrderIntent(instrument: instrument, side: .buy, type: .market, timeInForce: .immediateOrCancel, quoteAmount: amount, purpose: purpose, route: route)
    }

    /// A market buy sized in quote currency.
    @inlinable public var isQuoteSized: Bool { type == .market && side == .buy && quoteAmount.raw > 0 && quantity.raw == 0 }
}

/// An order as sent: the intent with its id and who sent it.
public struct Order: Sendable, Hashable {
    /// The kernel's id for it.
    public var id: ClientOrderId
    /// The strategy that sent it.
    public var strategy: StrategyId
    /// Where it went.
    public var venue: VenueId
    /// What was asked.
    public var intent: OrderIntent
    /// Event time it was sent.
    public var submittedAt: Timestamp

    /// An order as sent; the kernel makes these.
    public init(id: ClientOrderId, strategy: StrategyId, venue: VenueId, intent: OrderIntent, submittedAt: Timestamp) {
        self.id = id; self.strategy = strategy; self.venue = venue; self.intent = intent; self.submittedAt = submittedAt
    }
}
