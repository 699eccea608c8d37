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
    /// The book's touch (best levels and last update), from a dense cache: most quotes
    /// need nothing else.
    func touch(_ instrument: InstrumentId) -> Touch
    /// Calls `body` with the book, borrowed: no copy, no reference counting per read.
    func withBook<R>(_ instrument: InstrumentId, _ body: (borrowing OrderBook) -> R) -> R
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

    /// One leg as the quoter walks it: the instrument, the side, the taker fee (raw, 1e-9).
    public struct LegSpec: Sendable, Hashable {
        public var instrument: InstrumentId
        public var side: Side
        public var feeRaw: Int64
        public init(instrument: InstrumentId, side: Side, feeRaw: Int64) { self.instrument = instrument; self.side = side; self.feeRaw = feeRaw }
    }

    /// The legs `quote` walks for `route` (its conversion last), with their fees.
    public func legSpecs(_ route: Route) -> [LegSpec] {
        (route.legs + (route.conversion.map { [$0] } ?? [])).map {
            LegSpec(instrument: $0.instrument, side: $0.side, feeRaw: $0.instrument.index < takerFees.count ? takerFees[$0.instrument.index].raw : 0)
        }
    }

    /// Quotes `route` for `amount` (1e-9 units of its start asset) at `now`.
    public func quote<Books: RouteBooks>(_ route: Route, amount: Int128, books: Books, now: Timestamp) -> RouteQuote {
        legSpecs(route).withUnsafeBufferPointer { Self.quote(legs: $0, amount: amount, books: books, now: now) }
    }

    /// The quote over legs given as specs (what `RouteBoard` keeps, flat, per route).
    @inline(__always)
    public static func quote<Books: RouteBooks>(legs: UnsafeBufferPointer<LegSpec>, amount: Int128, books: Books, now: Timestamp) -> RouteQuote {
        var result = RouteQuote()
        result.input = amount
        guard amount > 0 else { return result }
        var held = amount
        // The share of the input that gets through every leg so far, in ppm: each leg
        // that cannot carry all it is given scales it down.
        var filledPpm: Int128 = 1_000_000
        var oldest = now.nanoseconds
        let unit = Int128(FixedDecimal.unit)
        for leg in legs {
            // The touch first: an amount its best level can carry needs no walk (and no
            // book read, only the dense touch cache).
            let t = books.touch(leg.instrument)
            guard let bid = t.bid, let ask = t.ask, bid.price < ask.price else { return result }
            oldest = min(oldest, t.updatedAt.nanoseconds)
            var received: Int128, spent: Int128
            if leg.side == .buy {
                let budget = held * unit
                if budget <= Int128(ask.price.raw) * Int128(ask.quantity.raw) {
                    received = divide(budget, ask.price.raw); spent = held
                } else {
                    (received, spent) = books.withBook(leg.instrument) { buy(spending: held, in: $0) }
                }
            } else if held <= Int128(bid.quantity.raw) {
                received = divide(Int128(bid.price.raw) * held, FixedDecimal.unit); spent = held
            } else {
                (received, spent) = books.withBook(leg.instrument) { sell(held, in: $0) }
            }
            if spent < held { filledPpm = filledPpm * spent / held }  // rare: a leg the books cannot carry
            let (afterFee, feeOverflow) = received.multipliedReportingOverflow(by: unit - Int128(leg.feeRaw))
            held = feeOverflow ? received : divide(afterFee, FixedDecimal.unit)
            guard held > 0 else { return result }
        }
        result.output = held
        result.executable = filledPpm == 1_000_000 ? amount : divide(amount * filledPpm, 1_000_000)
        result.feedAgeNs = now.nanoseconds - oldest
        let (gain, overflow) = (held - amount).multipliedReportingOverflow(by: 1_000_000)
        let edge = overflow ? Int128(Int64.max) : (gain >= 0 ? divide(gain, by: amount) : -divide(-gain, by: amount))
        result.edgePpm = Int64(clamping: edge)
        return result
    }

    /// x / d for x ≥ 0 and d > 0, with one 128-by-64 hardware division when the quotient
    /// fits 64 bits (the usual case), instead of the generic 128-bit routine.
    @inline(__always)
    static func divide(_ x: Int128, by d: Int128) -> Int128 {
        guard d > 0, d <= Int128(Int64.max) else { return x / d }
        return divide(x, Int64(d))
    }

    @inline(__always)
    static func divide(_ x: Int128, _ d: Int64) -> Int128 {
        guard x >= 0, d > 0 else { return x / Int128(d) }
        let u = UInt128(x), divisor = UInt64(d)
        if u >> 64 == 0 { return Int128(UInt64(truncatingIfNeeded: u) / divisor) }
        let high = UInt64(truncatingIfNeeded: u >> 64)
        guard high < divisor else { return x / Int128(d) }
        return Int128(divisor.dividingFullWidth((high: high, low: UInt64(truncatingIfNeeded: u))).quotient)
    }

    /// Spends up to `budget` of the quote on the asks, best first: (base received, quote
    /// spent). Whole levels are compared cross-multiplied (no division); only the last,
    /// partly taken level divides.
    @inline(__always)
    static func buy(spending budget: Int128, in book: borrowing OrderBook) -> (Int128, Int128) {
        let unit = Int128(FixedDecimal.unit)
        var left = budget * unit  // quote, at 1e-18
        var received: Int128 = 0
        book.asks.withUnsafeBufferPointer { asks in
            var i = asks.count - 1
            while i >= 0 && left > 0 {
                let price = Int128(asks[i].price.raw), quantity = Int128(asks[i].quantity.raw)
                let cost = price * quantity
                if cost <= left {
                    received += quantity; left -= cost
                } else {
                    received += left / price; left = 0
                }
                i -= 1
            }
        }
        return (received, budget - left / unit)
    }

    /// Sells up to `quantity` of the base into the bids, best first: (quote received,
    /// base sold); one division at the end.
    @inline(__always)
    static func sell(_ quantity: Int128, in book: borrowing OrderBook) -> (Int128, Int128) {
        var left = quantity, value: Int128 = 0
        book.bids.withUnsafeBufferPointer { bids in
            var i = bids.count - 1
            while i >= 0 && left > 0 {
                let take = min(left, Int128(bids[i].quantity.raw))
                // Saturating: a hostile book (prices and sizes near Int64.max) must not trap.
                let (sum, overflow) = value.addingReportingOverflow(Int128(bids[i].price.raw) * take)
                value = overflow ? .max : sum
                left -= take
                i -= 1
            }
        }
        return (value / Int128(FixedDecimal.unit), quantity - left)
    }
}
