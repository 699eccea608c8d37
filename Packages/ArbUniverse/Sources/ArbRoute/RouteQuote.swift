import ArbCore

/// What a route would do right now with a given amount of its start asset: every leg
/// walked through its book as a taker, each leg's taker fee taken from what it
/// receives, and for `cross_fx` the proceeds converted back through the FX book (walked
/// too, never at the mid). Integers at 1e-9 throughout.
public struct RouteQuote: Sendable, Hashable {
    /// The start asset put in.
    public var input: Int128 = 0
    /// The start asset that comes back (after every fee and the conversion).
    public var output: Int128 = 0
    /// How much of `input` the books could carry through every leg (1e-9 units): the
    /// executable size at this edge.
    public var executable: Int128 = 0
    /// Oldest leg's book, as `now` minus its last update (ns); conversion book included.
    public var feedAgeNs: Int64 = 0
    /// Output over input minus one, in parts per million; `Int64.min` when a leg's book
    /// is empty, crossed or absent (nothing can be said).
    public var edgePpm: Int64 = .min

    public init() {}

    /// Whether every book had both sides and was not crossed.
    public var isPriced: Bool { edgePpm != .min }
}

/// Reads the books a route walks. Generic so the hot loop is specialised for the
/// concrete reader (the kernel's books, a test's array).
public protocol RouteBooks {
    func book(_ instrument: InstrumentId) -> OrderBook
}

/// Walks a route's legs through books. Stateless apart from the fee table it was given.
public struct RouteQuoter: Sendable {
    /// Taker fee of each instrument, by instrument index.
    public var takerFees: [Ratio]

    public init(takerFees: [Ratio]) { self.takerFees = takerFees }

    /// The start asset of a route: what its first leg spends.
    public static func startAsset(of route: Route, in universe: Universe) -> AssetId {
        let first = universe[route.legs[0].instrument]
        return route.legs[0].side == .buy ? first.quote : first.base
    }

    /// Quotes `route` for `amount` (1e-9 units of its start asset) at `now`.
    public func quote<Books: RouteBooks>(_ route: Route, amount: Int128, books: Books, now: Timestamp) -> RouteQuote {
        var result = RouteQuote()
        result.input = amount
        guard amount > 0 else { return result }
        var held = amount
        // The share of the input that gets through every leg so far, in ppm: each leg
        // that cannot carry all it is given scales it down.
        var filledPpm: Int128 = 1_000_000
        var oldest = now.nanoseconds
        func leg(_ leg: RouteLeg) -> Bool {
            let book = books.book(leg.instrument)
            guard let bid = book.bestBid, let ask = book.bestAsk, bid.price < ask.price else { return false }
            oldest = min(oldest, book.updatedAt.nanoseconds)
            let fee = leg.instrument.index < takerFees.count ? takerFees[leg.instrument.index] : .zero
            let (received, spent) = leg.side == .buy ? Self.buy(spending: held, in: book) : Self.sell(held, in: book)
            if spent < held { filledPpm = filledPpm * spent / held }
            held = received - received * Int128(fee.raw) / Int128(FixedDecimal.unit)
            return held > 0
        }
        for l in route.legs { guard leg(l) else { return result } }
        if let conversion = route.conversion { guard leg(conversion) else { return result } }
        result.output = held
        result.executable = amount * filledPpm / 1_000_000
        result.feedAgeNs = now.nanoseconds - oldest
        result.edgePpm = Int64(clamping: (held - amount) * 1_000_000 / amount)
        return result
    }

    /// Spends up to `budget` of the quote on the asks, best first: (base received, quote spent).
    @inline(__always)
    static func buy(spending budget: Int128, in book: OrderBook) -> (Int128, Int128) {
        var left = budget, received: Int128 = 0
        let unit = Int128(FixedDecimal.unit)
        var i = book.asks.count - 1
        while i >= 0 && left > 0 {
            let level = book.asks[i]
            let price = Int128(level.price.raw), quantity = Int128(level.quantity.raw)
            let cost = price * quantity / unit
            if cost <= left {
                received += quantity; left -= cost
            } else {
                received += left * unit / price; left = 0
            }
            i -= 1
        }
        return (received, budget - left)
    }

    /// Sells up to `quantity` of the base into the bids, best first: (quote received, base sold).
    @inline(__always)
    static func sell(_ quantity: Int128, in book: OrderBook) -> (Int128, Int128) {
        var left = quantity, received: Int128 = 0
        let unit = Int128(FixedDecimal.unit)
        var i = book.bids.count - 1
        while i >= 0 && left > 0 {
            let level = book.bids[i]
            let take = min(left, Int128(level.quantity.raw))
            received += Int128(level.price.raw) * take / unit
            left -= take
            i -= 1
        }
        return (received, quantity - left)
    }
}
