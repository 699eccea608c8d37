import ArbCore

/// A deterministic synthetic market: for every symbol a latent fair price, for the FX
/// venue a moving FX rate and a mean-reverting premium per symbol, and per venue a
/// little idiosyncratic noise. Each book is a ladder of `levels` valid prices per side
/// (the venue's own tick rule) whose changes come out as one-level deltas; trades print
/// at the touch. Opportunities appear when a symbol's premium, noise and the venues'
/// staleness push the two venues apart by more than fees, and vanish as they revert.
///
/// Integer arithmetic only: the same seed gives the same events on every machine.
public struct SyntheticMarket: MarketDataSource {
    public let config: SyntheticMarketConfig
    private var rng: SplitMix64
    private var now: Int64
    private var latent: [Int64]
    /// Each symbol's premium in parts per billion, and when it was last advanced.
    private(set) var premiumPpb: [Int64]
    private var premiumUpdatedAt: [Int64]
    private var fxRate: Int64
    private var books: [Ladder]
    private var fxBook: Int?
    private var pending: ContiguousArray<MarketEvent> = []
    private var cursor = 0
    private var tradeId: UInt64 = 0
    /// Exchange timestamps trail receive timestamps by this much.
    public var feedDelayNs: Int64 = 2_000_000
    public private(set) var eventsEmitted = 0

    struct Ladder {
        var instrument: Instrument
        var symbol: Int
        var venue: Int
        var throughFX: Bool
        var quote: SyntheticMarketConfig.ListingQuote = .venue
        var noisePpm: Int64 = 0
        /// Best first on both sides.
        var bids: ContiguousArray<BookLevel> = []
        var asks: ContiguousArray<BookLevel> = []
        var sequence: UInt64 = 0
    }

    public init(config: SyntheticMarketConfig, startTime: Timestamp) {
        self.config = config
        self.rng = SplitMix64(seed: config.seed)
        self.now = startTime.nanoseconds
        self.latent = config.symbols.map { $0.referencePrice.raw }
        self.premiumPpb = Array(repeating: config.premiumMeanPpm * 1_000, count: config.symbols.count)
        self.premiumUpdatedAt = Array(repeating: startTime.nanoseconds, count: config.symbols.count)
        self.fxRate = config.fxRate.raw
        var books: [Ladder] = []
        for (v, venue) in config.venues.enumerated() {
            for listing in venue.listings {
                books.append(Ladder(instrument: listing.instrument, symbol: listing.symbol, venue: v, throughFX: venue.pricedThroughFX,
                                    quote: listing.quote))
            }
        }
        if let fx = config.fxInstrument {
            fxBook = books.count
            books.append(Ladder(instrument: fx, symbol: -1, venue: -1, throughFX: false))
        }
        self.books = books
        pending.reserveCapacity(4 * config.levels + 8)
        emitSnapshots()
    }

    public mutating func next() -> MarketEvent? {
        while cursor >= pending.count {
            pending.removeAll(keepingCapacity: true)
            cursor = 0
            generate()
        }
        defer { cursor += 1 }
        eventsEmitted += 1
        return pending[cursor]
    }

    // MARK: generation

    private var tradableBooks: Int { fxBook == nil ? books.count : books.count - 1 }

    private mutating func generate() {
        now += config.meanEventGapNs * Int64(500 + rng.below(1_000)) / 1_000
        if let fx = fxBook, rng.below(1_000) < config.fxShare || tradableBooks == 0 {
            // The rate moves; the book's quantities change too, as a live FX book's do even
            // when its touch stays on the same (coarse) tick.
            fxRate += Int64(Int128(fxRate) * Int128(rng.bell(config.fxStepPpm)) / 1_000_000)
            requote(fx)
            resize(fx)
            return
        }
        let b = Int(rng.below(UInt64(tradableBooks)))
        let roll = rng.below(1_000)
        if roll < config.moveShare {
            let s = books[b].symbol
            latent[s] += Int64(Int128(latent[s]) * Int128(rng.bell(config.priceStepPpm)) / 1_000_000)
            latent[s] = max(latent[s], 1_000)
            advancePremium(s)
            books[b].noisePpm += -books[b].noisePpm / 50 + rng.bell(config.venueNoisePpm / 5)
            requote(b)
        } else if roll < config.moveShare + config.tradeShare {
            trade(b)
        } else {
            resize(b)
        }
    }

    /// Moves a symbol's premium along its Ornstein–Uhlenbeck path to `now`, exactly in
    /// integers: the gap to the mean decays by dt/τ and the noise has variance
    /// sd²·2dt/τ (the small-step form; steps are milliseconds against a τ of minutes).
    private mutating func advancePremium(_ s: Int) {
        let dt = now - premiumUpdatedAt[s]
        guard dt > 0 else { return }
        premiumUpdatedAt[s] = now
        // τ = half-life / ln 2, in ns.
        let tau = Int128(config.premiumHalfLifeMs) * 1_000_000 * 1_000_000 / 693_147
        guard tau > 0 else { return }
        let mean = Int128(config.premiumMeanPpm) * 1_000
        var p = Int128(premiumPpb[s])
        p -= (p - mean) * Int128(dt) / tau
        // √(2 dt/τ) in millionths, then a unit normal in millionths (bell(1e6)).
        let scaled = Self.squareRoot(Int128(2) * Int128(dt) * 1_000_000_000_000 / tau)
        let z = Int128(rng.bell(1_000_000))
        p += Int128(config.premiumSdPpm) * 1_000 * scaled / 1_000_000 * z / 1_000_000
        premiumPpb[s] = Int64(clamping: p)
    }

    /// ⌊√x⌋ for x ≥ 0 (Newton's method, integers only).
    static func squareRoot(_ x: Int128) -> Int128 {
        guard x > 1 else { return max(0, x) }
        var r = x, next = (x + 1) / 2
        while next < r { r = next; next = (r + x / r) / 2 }
        return r
    }

    /// The fair mid of a book in its own quote currency.
    private func fairMid(_ b: Int) -> Int64 {
        let book = books[b]
        if book.symbol < 0 { return fxRate }
        var mid = Int128(latent[book.symbol])
        switch book.quote {
        case .venue:
            if book.throughFX {
                mid = mid * Int128(fxRate) / Int128(FixedDecimal.unit)
                mid = mid * (1_000_000_000 + Int128(premiumPpb[book.symbol])) / 1_000_000_000
            }
        case .symbol(let q):
            mid = mid * Int128(FixedDecimal.unit) / Int128(max(latent[q], 1))
            if book.throughFX {
                mid = mid * (1_000_000_000 + Int128(premiumPpb[book.symbol])) / max(1, 1_000_000_000 + Int128(premiumPpb[q]))
            }
        case .reference:
            if book.throughFX { mid = mid * (1_000_000_000 + Int128(premiumPpb[book.symbol])) / 1_000_000_000 }
        }
        mid = mid * Int128(1_000_000 + book.noisePpm) / 1_000_000
        return Int64(clamping: mid)
    }

    private mutating func randomQuantity(_ b: Int, at price: Price) -> Quantity {
        let instrument = books[b].instrument
        let symbol = books[b].symbol
        var notional = (symbol >= 0 ? config.symbols[symbol].levelNotional ?? config.levelNotional : config.levelNotional).raw
        switch books[b].quote {
        case .venue: if books[b].throughFX { notional = notional * Int128(fxRate) / Int128(FixedDecimal.unit) }
        case .symbol(let q): notional = notional * Int128(FixedDecimal.unit) / Int128(max(latent[q], 1))
        case .reference: break
        }
        // Unimodal, right-skewed multiplier between 0.2 and 3.0.
        let factor = Int128(200_000 + rng.below(1_000_000) + rng.below(1_000_000) + rng.below(800_000))
        let raw = notional * factor / 1_000_000 * Int128(FixedDecimal.unit) / Int128(max(price.raw, 1))
        let q = Quantity(raw: Int64(clamping: raw)).rounded(toMultipleOf: instrument.lotStep, .down)
        return q.raw > 0 ? q : instrument.lotStep
    }

    private mutating func emitSnapshots() {
        let start = Timestamp(nanoseconds: now)
        for b in books.indices {
            let (bid, ask) = quotes(b)
            var bids: [BookLevel] = [], asks: [BookLevel] = []
            var p = bid
            for _ in 0..<config.levels where p.raw > 0 {
                bids.append(BookLevel(price: p, quantity: randomQuantity(b, at: p)))
                p = books[b].instrument.tickRule.step(p, by: -1)
            }
            p = ask
            for _ in 0..<config.levels {
                asks.append(BookLevel(price: p, quantity: randomQuantity(b, at: p)))
                p = books[b].instrument.tickRule.step(p, by: 1)
            }
            books[b].bids = ContiguousArray(bids)
            books[b].asks = ContiguousArray(asks)
            books[b].sequence += 1
            pending.append(.bookSnapshot(BookSnapshot(instrument: books[b].instrument.id, bids: bids, asks: asks,
                                                      exchangeTime: Timestamp(nanoseconds: now - feedDelayNs), receivedAt: start,
                                                      sequence: books[b].sequence)))
        }
    }

    /// Best bid and ask for the book's fair mid, on its tick grid, never crossed.
    private func quotes(_ b: Int) -> (Price, Price) {
        let rule = books[b].instrument.tickRule
        let mid = fairMid(b)
        let symbol = books[b].symbol
        let halfSpread = symbol >= 0 ? config.symbols[symbol].halfSpreadPpm ?? config.halfSpreadPpm : config.halfSpreadPpm
        let half = Int64(Int128(mid) * Int128(halfSpread) / 1_000_000)
        var bid = rule.round(Price(raw: max(mid - half, 1)), .down)
        if bid.raw <= 0 { bid = rule.tick(at: Price(raw: 1)) }
        var ask = rule.round(Price(raw: mid + half), .up)
        if ask <= bid { ask = rule.step(bid, by: 1) }
        return (bid, ask)
    }

    private mutating func requote(_ b: Int) {
        let (bid, ask) = quotes(b)
        let before = pending.count
        rebuild(b, side: .bid, best: bid)
        rebuild(b, side: .ask, best: ask)
        markEndOfMessage(from: before)
    }

    /// Moves one side's touch to `best` the way a real book moves: levels now inside the
    /// new touch go, the new best appears, and the back is trimmed or extended (with gaps
    /// of one to three ticks) to keep `levels` levels. A small move costs a few deltas.
    private mutating func rebuild(_ b: Int, side: BookSide, best: Price) {
        let rule = books[b].instrument.tickRule
        var levels = side == .bid ? books[b].bids : books[b].asks
        if side == .bid { books[b].bids = [] } else { books[b].asks = [] }  // keep the buffer unique while editing
        // Levels better than the new best (inside the spread) are gone.
        var inside = 0
        while inside < levels.count && (side == .bid ? levels[inside].price > best : levels[inside].price < best) {
            emit(b, side, levels[inside].price, .zero)
            inside += 1
        }
        if inside > 0 { levels.removeFirst(inside) }
        if levels.first?.price != best {
            let q = randomQuantity(b, at: best)
            levels.insert(BookLevel(price: best, quantity: q), at: 0)
            emit(b, side, best, q)
        }
        while levels.count > config.levels {
            emit(b, side, levels.removeLast().price, .zero)
        }
        while levels.count < config.levels {
            let gap = 1 + Int(rng.below(3))
            let p = rule.step(levels[levels.count - 1].price, by: side == .bid ? -gap : gap)
            if p.raw <= 0 || p == levels[levels.count - 1].price { break }
            let q = randomQuantity(b, at: p)
            levels.append(BookLevel(price: p, quantity: q))
            emit(b, side, p, q)
        }
        if side == .bid { books[b].bids = levels } else { books[b].asks = levels }
    }

    private mutating func trade(_ b: Int) {
        let takerBuys = rng.below(2) == 0
        guard let touch = takerBuys ? books[b].asks.first : books[b].bids.first else { resize(b); return }
        let lot = books[b].instrument.lotStep
        var q = Quantity(raw: Int64(Int128(touch.quantity.raw) * Int128(1 + rng.below(1_000)) / 1_000)).rounded(toMultipleOf: lot, .down)
        if q.raw <= 0 { q = touch.quantity }
        tradeId += 1
        let t = Timestamp(nanoseconds: now)
        pending.append(.trade(Trade(instrument: books[b].instrument.id, price: touch.price, quantity: q, takerSide: takerBuys ? .buy : .sell,
                                    exchangeTime: Timestamp(nanoseconds: now - feedDelayNs), receivedAt: t, tradeId: tradeId)))
        let left = touch.quantity - q
        if takerBuys {
            if left.raw > 0 { books[b].asks[0].quantity = left } else { books[b].asks.removeFirst() }
            emit(b, .ask, touch.price, left)
        } else {
            if left.raw > 0 { books[b].bids[0].quantity = left } else { books[b].bids.removeFirst() }
            emit(b, .bid, touch.price, left)
        }
        markEndOfMessage(from: pending.count - 1)
    }

    private mutating func resize(_ b: Int) {
        let side: BookSide = rng.below(2) == 0 ? .bid : .ask
        let count = side == .bid ? books[b].bids.count : books[b].asks.count
        guard count > 0 else { requote(b); return }
        // Most activity is near the touch: the square of a uniform skews toward level 0.
        let u = rng.below(UInt64(count))
        let level = Int(u * u / UInt64(count))
        let price = side == .bid ? books[b].bids[level].price : books[b].asks[level].price
        let q = randomQuantity(b, at: price)
        if side == .bid { books[b].bids[level].quantity = q } else { books[b].asks[level].quantity = q }
        emit(b, side, price, q)
        markEndOfMessage(from: pending.count - 1)
    }

    @inline(__always)
    private mutating func emit(_ b: Int, _ side: BookSide, _ price: Price, _ quantity: Quantity) {
        books[b].sequence += 1
        pending.append(.bookDelta(BookDelta(instrument: books[b].instrument.id, side: side, price: price, quantity: quantity,
                                            exchangeTime: Timestamp(nanoseconds: now - feedDelayNs), receivedAt: Timestamp(nanoseconds: now),
                                            sequence: books[b].sequence, endOfMessage: false)))
    }

    /// Marks the last delta of a message so strategies wake once per message.
    private mutating func markEndOfMessage(from start: Int) {
        var i = pending.count - 1
        while i >= start {
            if case .bookDelta(var d) = pending[i] { d.endOfMessage = true; pending[i] = .bookDelta(d); return }
            i -= 1
        }
    }
}
