import ArbCore

/// Other takers: when the same asset is priced apart on two venues by more than
/// `edgePpm` (after converting quotes at the FX book's mid), someone else takes the
/// dislocated liquidity on both sides after a delay drawn from `delay`, unless it has
/// closed by then. What they take is gone at the simulated exchange, for us too.
///
/// The defaults describe a market with fast competition: real venues' cross-exchange
/// dislocations are arbitraged within tens to hundreds of milliseconds. Turn it off only
/// to study a strategy's logic, never to judge its returns.
public struct CompetitionModel: Sendable, Hashable {
    /// The gap (ppm of the price) beyond which someone else acts: about both venues' taker
    /// fees plus a margin.
    public var edgePpm: Int64
    /// How long until they act.
    public var delay: LatencyModel
    /// Share of the dislocated liquidity they take, ppm (1,000,000: all of it).
    public var sharePpm: Int64

    public init(edgePpm: Int64 = 2_500, delay: LatencyModel = .lognormal(p50: .milliseconds(80), p99: .milliseconds(600)),
                sharePpm: Int64 = 1_000_000) {
        self.edgePpm = edgePpm; self.delay = delay; self.sharePpm = sharePpm
    }

    /// Why the model cannot be used, or nil.
    public var problem: String? {
        if edgePpm < 0 || edgePpm > 1_000_000 { return "edge_ppm must be between 0 and 1000000" }
        if sharePpm <= 0 || sharePpm > 1_000_000 { return "share_ppm must be above 0 and at most 1000000" }
        if let p = delay.problem { return "delay: \(p)" }
        return nil
    }
}

/// The competition model at work: the pairs of listings it watches and its draws. A
/// class, so the per-event check reads it in place.
final class Competition {
    let model: CompetitionModel
    var delay: LatencySampler
    /// Two listings of one base on different venues, and how to compare their prices.
    struct Pair {
        var a: InstrumentId
        var b: InstrumentId
        /// Converts b's quote into a's: a's price ⋛ b's price × rate, with the rate read
        /// from this FX book's mid (nil: same quote), multiplied when `multiply`, else divided.
        var fx: InstrumentId?
        var multiply: Bool
    }
    let pairs: [Pair]
    /// Pairs that involve each instrument (as a, b, or the FX book converting them).
    let pairsOf: [[Int]]

    init(model: CompetitionModel, universe: Universe, seed: UInt64) {
        self.model = model
        delay = LatencySampler(model.delay, seed: seed)
        var pairs: [Pair] = []
        let instruments = universe.instruments
        for i in instruments.indices {
            for j in instruments.indices where j > i {
                let a = instruments[i], b = instruments[j]
                guard a.venue != b.venue, a.base == b.base else { continue }
                if a.quote == b.quote { pairs.append(Pair(a: a.id, b: b.id, fx: nil, multiply: true)); continue }
                // An FX listing between the two quotes (e.g. KRW-USDT: base USDT, quote KRW).
                if let fx = instruments.first(where: { $0.base == b.quote && $0.quote == a.quote }) {
                    pairs.append(Pair(a: a.id, b: b.id, fx: fx.id, multiply: true))
                } else if let fx = instruments.first(where: { $0.base == a.quote && $0.quote == b.quote }) {
                    pairs.append(Pair(a: a.id, b: b.id, fx: fx.id, multiply: false))
                }
            }
        }
        self.pairs = pairs
        var of = Array(repeating: [Int](), count: instruments.count)
        for (k, p) in pairs.enumerated() {
            of[p.a.index].append(k)
            of[p.b.index].append(k)
            if let fx = p.fx { of[fx.index].append(k) }
        }
        pairsOf = of
    }
}

extension SimulatedExchange {
    /// b's quote in a's quote as a fraction (numerator, denominator), from the FX book's mid.
    func conversion(_ pair: Competition.Pair) -> (Int128, Int128)? {
        guard let fx = pair.fx else { return (1, 1) }
        guard let mid = books[fx.index].book.mid, mid.raw > 0 else { return nil }
        return pair.multiply ? (Int128(mid.raw), Int128(FixedDecimal.unit)) : (Int128(FixedDecimal.unit), Int128(mid.raw))
    }

    /// Direction 0 buys on a and sells on b; direction 1 the reverse. True when the cheap
    /// side's ask, converted, is below the rich side's bid by more than the edge.
    func isDislocated(_ pair: Competition.Pair, direction: Int, askPrice: Price, bidPrice: Price,
                      rate: (Int128, Int128), edgePpm: Int64) -> Bool {
        // In a's quote: priceA vs priceB × num / den, cross-multiplied. Every factor is below
        // 2^63, so each product is below 2^126; unsigned 128 bits then hold the sum below.
        guard askPrice.raw > 0, bidPrice.raw > 0, rate.0 > 0, rate.1 > 0 else { return false }
        let (num, den) = (UInt128(rate.0), UInt128(rate.1))
        let cheap: UInt128, rich: UInt128
        if direction == 0 {
            cheap = UInt128(askPrice.raw) * den           // a's ask
            rich = UInt128(bidPrice.raw) * num            // b's bid
        } else {
            cheap = UInt128(askPrice.raw) * num           // b's ask
            rich = UInt128(bidPrice.raw) * den            // a's bid
        }
        // cheap × (10^6 + edge) < rich × 10^6, exactly when both products fit (always, for
        // prices and rates below about 2^100); otherwise with cheap / 10^6 rounded down: a
        // hair more dislocations than exact, the side that does not flatter us.
        let (left, overLeft) = cheap.multipliedReportingOverflow(by: UInt128(1_000_000 + edgePpm))
        let (right, overRight) = rich.multipliedReportingOverflow(by: 1_000_000)
        if !overLeft && !overRight { return left < right }
        return cheap + cheap / 1_000_000 * UInt128(edgePpm) < rich
    }

    func lookForDislocations(after id: InstrumentId) {
        guard let competition else { return }
        for k in competition.pairsOf[id.index] {
            let pair = competition.pairs[k]
            guard let rate = conversion(pair) else { continue }
            for direction in 0..<2 where !state.pointee.competitorPending[2 * k + direction] {
                let (buy, sell) = direction == 0 ? (pair.a, pair.b) : (pair.b, pair.a)
                guard let ask = books[buy.index].book.bestAsk, let bid = books[sell.index].book.bestBid else { continue }
                if isDislocated(pair, direction: direction, askPrice: ask.price, bidPrice: bid.price, rate: rate, edgePpm: competition.model.edgePpm) {
                    state.pointee.competitorPending[2 * k + direction] = true
                    let delay = competition.delay.nextNanoseconds()
                    schedule(.competitor(pair: k, direction: direction), at: now + .nanoseconds(delay))
                }
            }
        }
    }

    /// A competitor takes what is still dislocated: level by level, the cheap side's asks
    /// against the rich side's bids while the pair stays beyond the edge.
    func competitorActs(pair k: Int, direction: Int) {
        guard let competition else { return }
        state.pointee.competitorPending[2 * k + direction] = false
        let pair = competition.pairs[k]
        guard let rate = conversion(pair) else { return }
        let (buy, sell) = direction == 0 ? (pair.a, pair.b) : (pair.b, pair.a)
        var total = Quantity.zero
        var guardSteps = 0
        while guardSteps < 10_000 {
            guardSteps += 1
            guard let ask = books[buy.index].book.bestAsk, let bid = books[sell.index].book.bestBid,
                  isDislocated(pair, direction: direction, askPrice: ask.price, bidPrice: bid.price, rate: rate,
                               edgePpm: competition.model.edgePpm) else { break }
            var q = ask.quantity < bid.quantity ? ask.quantity : bid.quantity
            if competition.model.sharePpm < 1_000_000 {
                q = Quantity(raw: Int64(Int128(q.raw) * Int128(competition.model.sharePpm) / 1_000_000))
                if q.raw <= 0 { break }
            }
            take(buy, .ask, price: ask.price, quantity: q)
            take(sell, .bid, price: bid.price, quantity: q)
            // Our resting orders at those prices are hit as by any taker.
            if hasResting[buy.index] { venues[venueOfInstrument[buy.index]].venue?.tradePrinted(buy, price: ask.price, quantity: q, takerSide: .buy, at: now) }
            if hasResting[sell.index] { venues[venueOfInstrument[sell.index]].venue?.tradePrinted(sell, price: bid.price, quantity: q, takerSide: .sell, at: now) }
            total += q
            if competition.model.sharePpm < 1_000_000 { break }  // a partial taker takes once
        }
        guard total.raw > 0 else { return }
        statistics.competitorTakes += 1
        lastCompetitorTake[buy.index] = now
        lastCompetitorTake[sell.index] = now
    }
}
