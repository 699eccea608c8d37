import ArbCore

/// Cross-exchange spread arbitrage between venue A (e.g. Upbit, KRW) and venue B
/// (e.g. Binance, USDT), holding inventory on both.
///
/// On every book update of a traded base it compares, in quote B, buying on one venue
/// and selling on the other: prices converted with the live FX book (never a constant,
/// never older than `max_book_age_ms`), both taker fees included. When the touch clears
/// `min_edge` it sizes the trade to both books (walking them: the edge must hold at the
/// average prices the size would get) and both balances, and sends both legs as IOC
/// limits at the walk's worst prices, checked together by the kernel.
///
/// Broken legs: when the legs end with unequal fills, the gap is hedged on the venue of
/// the missing leg (IOC crossing by `hedge_slippage`), up to `max_hedge_attempts`
/// times; then it is unwound on the venue that filled. What cannot be traded (below a
/// venue's minimum, refused, unfilled) is reported as open exposure at the end.
public final class CrossSpreadStrategy: Strategy {
    public let name = CrossSpreadPlugin.id
    let parameters: CrossSpreadParameters

    struct Pair {
        var base: String
        var a: Instrument
        var b: Instrument
        var routeBuyA: Int32
        var routeBuyB: Int32
        /// Base bought minus sold on each venue by this strategy (gross of fees), in 128
        /// bits: over a long run it can pass Int64 at 1e-9.
        var deltaA = Amount.zero
        var deltaB = Amount.zero
        /// Balance bands: base on A and B, quote A on A, quote B on B.
        var baseBandA = InventoryBand(), baseBandB = InventoryBand()
        var quoteBandA = InventoryBand(), quoteBandB = InventoryBand()
    }

    /// Why an opportunity ended without an order: each has its own counter.
    enum SizeLimit: Int, CaseIterable {
        case orderNotional, buyBalance, sellBalance, inventoryCeiling, inventoryFloor, venueMaximum, bookDepth, lotStep
        var counter: String {
            ["size_zero_order_notional", "size_zero_buy_balance", "size_zero_sell_balance", "size_zero_inventory_ceiling",
             "size_zero_inventory_floor", "size_zero_venue_maximum", "size_zero_book_depth", "size_zero_lot_step"][rawValue]
        }
    }

    enum Phase { case legs, hedging, unwinding }

    struct Attempt {
        var pair: Int
        var buyOnA: Bool
        var route: Int32
        var openOrders: [ClientOrderId]
        var net = Quantity.zero
        var hedges = 0
        var phase = Phase.legs
    }

    var pairs: [Pair] = []
    /// What every decision reads, kept apart from `pairs` so a decision copies no strings.
    struct Hot {
        var a: InstrumentId
        var b: InstrumentId
        var busy = false
        var cooldownUntil = Timestamp.zero
    }
    /// What every decision reads and writes, in one heap block reached through a pointer:
    /// as stored properties of this class each access paid a runtime exclusivity check
    /// (four per decision, measured with callgrind).
    struct DecisionState {
        var hot: [Hot] = []
        var feesA: [Ratio] = []
        var feesB: [Ratio] = []
        var pairByInstrument: [Int] = []
        var fx = InstrumentId(0)
        var counters = Counters()
    }
    let decision: UnsafeMutablePointer<DecisionState>
    var hot: [Hot] { _read { yield decision.pointee.hot } _modify { yield &decision.pointee.hot } }
    /// Taker fees per pair on each venue, looked up once at start.
    var feesA: [Ratio] { _read { yield decision.pointee.feesA } _modify { yield &decision.pointee.feesA } }
    var feesB: [Ratio] { _read { yield decision.pointee.feesB } _modify { yield &decision.pointee.feesB } }
    var pairByInstrument: [Int] {
        _read { yield decision.pointee.pairByInstrument } _modify { yield &decision.pointee.pairByInstrument }
    }
    var fx: InstrumentId { _read { yield decision.pointee.fx } _modify { yield &decision.pointee.fx } }
    var attempts: [UInt64: Attempt] = [:]
    var attemptByOrder: [ClientOrderId: UInt64] = [:]
    var nextAttempt: UInt64 = 0
    public internal(set) var counters: Counters {
        _read { yield decision.pointee.counters } _modify { yield &decision.pointee.counters }
    }
    var notes: [String] = []

    /// What the strategy counted; in the summary under its name.
    public struct Counters: Sendable, Hashable {
        public var evaluations: Int64 = 0
        public var opportunities: Int64 = 0
        public var staleSkips: Int64 = 0
        /// Evaluations skipped because a leg's book was crossed.
        public var crossedSkips: Int64 = 0
        public var attempts: Int64 = 0
        public var pretradeRejected: Int64 = 0
        public var completed: Int64 = 0
        public var brokenLegs: Int64 = 0
        public var hedgeOrders: Int64 = 0
        public var unwindOrders: Int64 = 0
        public var gaveUp: Int64 = 0
        public var timeouts: Int64 = 0
        /// Opportunities that ended at size 0, by the limit that made it 0.
        public var sizeZero: [Int64] = Array(repeating: 0, count: SizeLimit.allCases.count)
        /// Orders sized down (not to 0) by an inventory band.
        public var sizedDownByInventory: Int64 = 0
    }

    /// Resolves the venues, the FX book and every pair from `universe`; throws
    /// `PluginConfigurationError` naming the parameter when one is missing.
    public init(parameters: CrossSpreadParameters, universe u: Universe) throws {
        self.parameters = parameters
        let name = CrossSpreadPlugin.id
        func fail(_ key: String, _ message: String) -> PluginConfigurationError {
            PluginConfigurationError(plugin: name, setting: key, message: message)
        }
        guard let venueA = u.venueId(parameters.venueA) else { throw fail("venue_a", "venue '\(parameters.venueA)' is not enabled; enabled: \(u.venueNames.joined(separator: ", "))") }
        guard let venueB = u.venueId(parameters.venueB) else { throw fail("venue_b", "venue '\(parameters.venueB)' is not enabled; enabled: \(u.venueNames.joined(separator: ", "))") }
        guard let fxInstrument = u.instrument(venue: venueA, symbol: parameters.fxSymbol) else {
            throw fail("fx_symbol", "'\(parameters.fxSymbol)' is not an instrument of \(parameters.venueA) in this run; add it to the universe")
        }
        guard fxInstrument.quoteCode == parameters.quoteA, fxInstrument.baseCode == parameters.quoteB else {
            throw fail("fx_symbol", "'\(parameters.fxSymbol)' must price \(parameters.quoteB) in \(parameters.quoteA)")
        }
        var bases = parameters.bases
        if bases.isEmpty {
            let onA = Set(u.instruments.filter { $0.venue == venueA && $0.quoteCode == parameters.quoteA }.map(\.baseCode))
            let onB = Set(u.instruments.filter { $0.venue == venueB && $0.quoteCode == parameters.quoteB }.map(\.baseCode))
            bases = onA.intersection(onB).subtracting([parameters.quoteB]).sorted()
        }
        var state = DecisionState()
        state.fx = fxInstrument.id
        state.pairByInstrument = Array(repeating: -1, count: u.instruments.count)
        var pairs: [Pair] = []
        for base in bases {
            guard let baseId = u.assetId(base), let quoteA = u.assetId(parameters.quoteA), let quoteB = u.assetId(parameters.quoteB),
                  let a = u.instrument(venue: venueA, base: baseId, quote: quoteA),
                  let b = u.instrument(venue: venueB, base: baseId, quote: quoteB) else {
                throw fail("bases", "\(base) is not traded on both \(parameters.venueA) (\(parameters.quoteA)) and \(parameters.venueB) (\(parameters.quoteB)) in this run")
            }
            var pair = Pair(base: base, a: a, b: b, routeBuyA: -1, routeBuyB: -1)
            let bands = parameters.inventory
            pair.baseBandA = bands[base]?[parameters.venueA] ?? InventoryBand()
            pair.baseBandB = bands[base]?[parameters.venueB] ?? InventoryBand()
            pair.quoteBandA = bands[parameters.quoteA]?[parameters.venueA] ?? InventoryBand()
            pair.quoteBandB = bands[parameters.quoteB]?[parameters.venueB] ?? InventoryBand()
            state.pairByInstrument[a.id.index] = pairs.count
            state.pairByInstrument[b.id.index] = pairs.count
            pairs.append(pair)
            state.hot.append(Hot(a: a.id, b: b.id))
        }
        self.pairs = pairs
        decision = .allocate(capacity: 1)
        decision.initialize(to: state)
    }

    deinit {
        decision.deinitialize(count: 1)
        decision.deallocate()
    }

    // MARK: set-up

    /// Registers the routes, reads the fees, declares the inventory floors and subscribes
    /// to both legs of every pair and to the FX book.
    public func start(_ context: StrategyContext) throws {
        for k in pairs.indices {
            let pair = pairs[k]
            pairs[k].routeBuyA = context.route(named: "\(parameters.venueA)>\(parameters.venueB):\(pair.base)")
            pairs[k].routeBuyB = context.route(named: "\(parameters.venueB)>\(parameters.venueA):\(pair.base)")
            for (venue, asset, band) in [(pair.a.venue, pair.a.base, pair.baseBandA), (pair.b.venue, pair.b.base, pair.baseBandB),
                                         (pair.a.venue, pair.a.quote, pair.quoteBandA), (pair.b.venue, pair.b.quote, pair.quoteBandB)] {
                if let floor = band.floor { context.watchFloor(venue, asset, floor: floor) }
            }
            feesA.append(context.fees(pair.a.id).taker)
            feesB.append(context.fees(pair.b.id).taker)
            context.subscribe(pair.a.id)
            context.subscribe(pair.b.id)
        }
        context.subscribe(fx)
    }

    // MARK: deciding

    public func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        let k = instrument.index < pairByInstrument.count ? pairByInstrument[instrument.index] : -1
        guard k >= 0 else { return }
        evaluate(k, context)
    }

    /// Quote-A price converted into quote B at the FX mid.
    @inline(__always)
    func toQuoteB(_ price: Price, fx: Price) -> Price {
        Price(raw: Int64(clamping: FixedDecimal.divide(Int128(price.raw) * Int128(FixedDecimal.unit), by: Int128(fx.raw), rounding: .nearestHalfEven)))
    }

    /// Whether selling at `sell` after its fee beats buying at `buy` after its fee by `min_edge`
    /// (both in quote B): sell·(1−f_s) ≥ buy·(1+f_b)·(1+e), cross-multiplied so it needs no
    /// division (≤ 9.2e18 · 1e9 · 1e9 fits 128 bits).
    @inline(__always)
    func clears(buy: Price, buyFee: Ratio, sell: Price, sellFee: Ratio) -> Bool {
        let unit = Int128(FixedDecimal.unit)
        let proceeds = Int128(sell.raw) * Int128(FixedDecimal.unit - sellFee.raw) * unit
        let required = Int128(buy.raw) * Int128(FixedDecimal.unit + buyFee.raw) * Int128(FixedDecimal.unit + parameters.minEdge.raw)
        return proceeds >= required
    }

    func evaluate(_ k: Int, _ context: StrategyContext) {
        let now = context.now
        let pair = hot[k]
        guard !pair.busy, now >= pair.cooldownUntil else { return }
        counters.evaluations += 1
        // Touches only: books are copied only on an opportunity.
        let maxAge = parameters.maxBookAgeMs * 1_000_000
        let fxTouch = context.touch(fx), touchA = context.touch(pair.a), touchB = context.touch(pair.b)
        guard now.nanoseconds - fxTouch.updatedAt.nanoseconds <= maxAge,
              now.nanoseconds - touchA.updatedAt.nanoseconds <= maxAge,
              now.nanoseconds - touchB.updatedAt.nanoseconds <= maxAge,
              let fxBid = fxTouch.bid, let fxAsk = fxTouch.ask, fxBid.price < fxAsk.price else {
            counters.staleSkips += 1; return
        }
        let fxMid = Price(raw: Int64((Int128(fxBid.price.raw) + Int128(fxAsk.price.raw)) / 2))
        guard let askA = touchA.ask, let bidA = touchA.bid, let askB = touchB.ask, let bidB = touchB.bid else { return }
        // A crossed book is a broken picture of the venue (a missed delta, a bad
        // snapshot): its prices are not there to be had.
        guard bidA.price < askA.price, bidB.price < askB.price else { counters.crossedSkips += 1; return }
        let feeA = feesA[k], feeB = feesB[k]
        if clears(buy: toQuoteB(askA.price, fx: fxMid), buyFee: feeA, sell: bidB.price, sellFee: feeB) {
            counters.opportunities += 1
            context.countOpportunity()
            trade(k, buyOnA: true, fxMid: fxMid, context)
        } else if clears(buy: askB.price, buyFee: feeB, sell: toQuoteB(bidA.price, fx: fxMid), sellFee: feeA) {
            counters.opportunities += 1
            context.countOpportunity()
            trade(k, buyOnA: false, fxMid: fxMid, context)
        }
    }

    /// Sizes and sends both legs of one opportunity.
    func trade(_ k: Int, buyOnA: Bool, fxMid: Price, _ context: StrategyContext) {
        let pair = pairs[k]
        let buyInstrument = buyOnA ? pair.a : pair.b
        let sellInstrument = buyOnA ? pair.b : pair.a
        let buyBook = context.book(buyInstrument.id), sellBook = context.book(sellInstrument.id)
        let buyFee = context.fees(buyInstrument.id).taker, sellFee = context.fees(sellInstrument.id).taker
        let lot = max(buyInstrument.lotStep, sellInstrument.lotStep)
        func inB(_ price: Price, on instrument: Instrument) -> Price { instrument.id == pair.a.id ? toQuoteB(price, fx: fxMid) : price }

        // Size: the order notional at the touch, then what both accounts can carry, the
        // venues' maximum and the inventory bands; the smallest bound wins and is blamed
        // if it leaves nothing. An amount beyond Int64 at 1e-9 (10^10 SHIB) bounds nothing
        // an order could reach: it counts as no bound, never as zero.
        let unbounded = Quantity(raw: .max)
        func units(_ amount: Amount) -> Quantity { amount.isNegative ? .zero : (amount.asQuantity ?? unbounded) }
        let buyTouch = buyBook.bestAsk!.price
        let buyPriceWithFee = buyTouch.raw > 0 ? buyTouch : Price(raw: 1)
        var bounds: [(SizeLimit, Quantity)] = []
        bounds.append((.orderNotional, units(parameters.orderNotional.converted(dividingBy: inB(buyTouch, on: buyInstrument), .down))))
        let spendable = context.available(buyInstrument.venue, buyInstrument.quote)
        let afterFee = spendable.scaled(by: Ratio(raw: FixedDecimal.unit * FixedDecimal.unit / (FixedDecimal.unit + buyFee.raw)), .down)
        bounds.append((.buyBalance, units(afterFee.converted(dividingBy: buyPriceWithFee, .down))))
        bounds.append((.sellBalance, units(context.available(sellInstrument.venue, sellInstrument.base))))
        bounds.append((.venueMaximum, min(buyInstrument.maxQuantity, sellInstrument.maxQuantity)))
        let buyBaseBand = buyOnA ? pair.baseBandA : pair.baseBandB, sellBaseBand = buyOnA ? pair.baseBandB : pair.baseBandA
        let buyQuoteBand = buyOnA ? pair.quoteBandA : pair.quoteBandB, sellQuoteBand = buyOnA ? pair.quoteBandB : pair.quoteBandA
        var inventoryBound = unbounded
        if let ceiling = buyBaseBand.ceiling {
            bounds.append((.inventoryCeiling, units(ceiling - context.total(buyInstrument.venue, buyInstrument.base))))
            inventoryBound = min(inventoryBound, bounds.last!.1)
        }
        if let floor = sellBaseBand.floor {
            bounds.append((.inventoryFloor, units(context.total(sellInstrument.venue, sellInstrument.base) - floor)))
            inventoryBound = min(inventoryBound, bounds.last!.1)
        }
        if let floor = buyQuoteBand.floor {
            let room = (context.total(buyInstrument.venue, buyInstrument.quote) - floor)
                .scaled(by: Ratio(raw: FixedDecimal.unit * FixedDecimal.unit / (FixedDecimal.unit + buyFee.raw)), .down)
            bounds.append((.inventoryFloor, units(room.converted(dividingBy: buyPriceWithFee, .down))))
            inventoryBound = min(inventoryBound, bounds.last!.1)
        }
        if let ceiling = sellQuoteBand.ceiling, let bid = sellBook.bestBid, bid.price.raw > 0 {
            let room = ceiling - context.total(sellInstrument.venue, sellInstrument.quote)
            bounds.append((.inventoryCeiling, units(room.converted(dividingBy: bid.price, .down))))
            inventoryBound = min(inventoryBound, bounds.last!.1)
        }
        var quantity = unbounded
        var binding = SizeLimit.orderNotional
        for (limit, bound) in bounds where bound < quantity { quantity = bound; binding = limit }
        quantity = quantity.rounded(toMultipleOf: lot, .down)
        guard quantity.raw > 0 else {
            skip(k, because: binding, context)
            return
        }
        if inventoryBound < unbounded && quantity == inventoryBound.rounded(toMultipleOf: lot, .down) { counters.sizedDownByInventory += 1 }

        // Walk both books together and stop at the first pair of levels whose own prices
        // no longer clear the edge: every unit traded then clears it at the margin, so the
        // average does too, and the limits are the last levels used.
        var taken = Quantity.zero
        var buyLimit = Price.zero, sellLimit = Price.zero
        var i = 0, j = 0
        var usedAtAsk = Quantity.zero, usedAtBid = Quantity.zero
        while taken < quantity && i < buyBook.depth(.ask) && j < sellBook.depth(.bid) {
            let ask = buyBook.level(.ask, i), bid = sellBook.level(.bid, j)
            guard clears(buy: inB(ask.price, on: buyInstrument), buyFee: buyFee, sell: inB(bid.price, on: sellInstrument), sellFee: sellFee) else { break }
            let take = min(ask.quantity - usedAtAsk, bid.quantity - usedAtBid, quantity - taken)
            taken += take; usedAtAsk += take; usedAtBid += take
            buyLimit = ask.price; sellLimit = bid.price
            if usedAtAsk == ask.quantity { i += 1; usedAtAsk = .zero }
            if usedAtBid == bid.quantity { j += 1; usedAtBid = .zero }
        }
        let walked = taken
        quantity = taken.rounded(toMultipleOf: lot, .down)
        if quantity.raw > 0 {
            send(k, buyOnA: buyOnA, quantity: quantity, buyLimit: buyLimit, sellLimit: sellLimit, context)
            return
        }
        // Not tradable at a size the venues accept: count why, and wait.
        skip(k, because: walked.raw == 0 ? .bookDepth : .lotStep, context)
    }

    /// An opportunity that ends at size 0: counted by its reason, then a cool-down.
    func skip(_ k: Int, because limit: SizeLimit, _ context: StrategyContext) {
        counters.sizeZero[limit.rawValue] += 1
        hot[k].cooldownUntil = context.now + .milliseconds(parameters.cooldownMs)
    }

    func send(_ k: Int, buyOnA: Bool, quantity: Quantity, buyLimit: Price, sellLimit: Price, _ context: StrategyContext) {
        let pair = pairs[k]
        let route = buyOnA ? pair.routeBuyA : pair.routeBuyB
        let buy = OrderIntent.limit(.buy, on: buyOnA ? pair.a.id : pair.b.id, price: buyLimit, quantity: quantity, timeInForce: .immediateOrCancel, route: route)
        let sell = OrderIntent.limit(.sell, on: buyOnA ? pair.b.id : pair.a.id, price: sellLimit, quantity: quantity, timeInForce: .immediateOrCancel, route: route)
        switch context.submitPair(first: buy, second: sell) {
        case .sent(let buyId, let sellId):
            counters.attempts += 1
            nextAttempt += 1
            attempts[nextAttempt] = Attempt(pair: k, buyOnA: buyOnA, route: route, openOrders: [buyId, sellId])
            attemptByOrder[buyId] = nextAttempt
            attemptByOrder[sellId] = nextAttempt
            hot[k].busy = true
            context.schedule(after: .milliseconds(parameters.legTimeoutMs), token: nextAttempt)
        case .rejected:
            // Neither leg went out (balance or venue rule): nothing to repair.
            counters.pretradeRejected += 1
            hot[k].cooldownUntil = context.now + .milliseconds(parameters.cooldownMs)
        }
    }

    // MARK: repairing

    public func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {
        guard let attemptId = attemptByOrder[report.orderId], var attempt = attempts[attemptId] else { return }
        let k = attempt.pair
        if report.kind == .fill {
            // Traded quantity, gross of fees: fees are costs (in the PnL), not exposure.
            let signed = report.side == .buy ? report.fillQuantity : -report.fillQuantity
            if order.venue == pairs[k].a.venue { pairs[k].deltaA += signed.asAmount } else { pairs[k].deltaB += signed.asAmount }
            attempt.net += signed
        }
        if report.isFinal {
            attempt.openOrders.removeAll { $0 == report.orderId }
            attemptByOrder[report.orderId] = nil
        }
        attempts[attemptId] = attempt
        if attempt.openOrders.isEmpty { reconcile(attemptId, context) }
    }

    public func onTimer(_ token: UInt64, _ context: StrategyContext) {
        guard let attempt = attempts[token], attempt.phase == .legs, !attempt.openOrders.isEmpty else { return }
        counters.timeouts += 1
        for id in attempt.openOrders { context.cancel(id) }
    }

    /// All orders of the attempt have ended: close the gap between what was bought and sold.
    func reconcile(_ attemptId: UInt64, _ context: StrategyContext) {
        guard var attempt = attempts[attemptId] else { return }
        let k = attempt.pair
        let pair = pairs[k]
        if attempt.phase == .legs && attempt.net.raw != 0 { counters.brokenLegs += 1 }
        let buyVenueIsA = attempt.buyOnA
        // Stages: `max_hedge_attempts` hedges on the missing leg's venue, then up to two
        // unwinds on the venue that filled, then give up and report the exposure.
        while attempt.net.raw != 0 {
            let hedging = attempt.hedges < parameters.maxHedgeAttempts
            guard hedging || attempt.hedges < parameters.maxHedgeAttempts + 2 else { break }
            // A long gap means the sell leg underfilled, a short gap the buy leg.
            let needSell = attempt.net.raw > 0
            let missingLegOnA = needSell ? !buyVenueIsA : buyVenueIsA
            let instrument = (hedging ? missingLegOnA : !missingLegOnA) ? pair.a : pair.b
            let book = context.book(instrument.id)
            let quantity = Quantity(raw: abs(attempt.net.raw)).rounded(toMultipleOf: instrument.lotStep, .down)
            guard quantity.raw > 0 else { break }
            guard let touch = needSell ? book.bestBid : book.bestAsk else {
                // Nothing to trade against here: a hedge moves on to unwinding.
                guard hedging else { break }
                attempt.hedges = parameters.maxHedgeAttempts
                continue
            }
            let crossing = needSell ? Ratio.one - parameters.hedgeSlippage : Ratio.one + parameters.hedgeSlippage
            let limit = instrument.tickRule.round(touch.price.scaled(by: crossing, needSell ? .down : .up), needSell ? .down : .up)
            let intent = OrderIntent.limit(needSell ? .sell : .buy, on: instrument.id, price: limit, quantity: quantity,
                                           timeInForce: .immediateOrCancel, purpose: hedging ? .hedge : .unwind, route: attempt.route)
            attempt.hedges += 1
            attempt.phase = hedging ? .hedging : .unwinding
            if case .success(let id) = context.submit(intent) {
                if hedging { counters.hedgeOrders += 1 } else { counters.unwindOrders += 1 }
                attempt.openOrders.append(id)
                attemptByOrder[id] = attemptId
                attempts[attemptId] = attempt
                return
            }
            // Refused before sending (minimum, balance): a refused hedge moves on to unwinding.
            guard hedging else { break }
            attempt.hedges = parameters.maxHedgeAttempts
        }
        if attempt.net.raw != 0 {
            counters.gaveUp += 1
            if notes.count < 20 {
                notes.append("\(pair.base): left \(attempt.net) unhedged at \(context.now.nanoseconds)ns after \(attempt.hedges) repair orders")
            }
        } else {
            counters.completed += 1
        }
        attempts[attemptId] = nil
        hot[k].busy = false
        hot[k].cooldownUntil = context.now + .milliseconds(parameters.cooldownMs)
    }

    // MARK: ending

    public func stop(_ context: StrategyContext) -> StrategyReport {
        for order in context.openOrders() { context.cancel(order.id) }
        var exposure: [ExposureLine] = []
        // Net base bought minus sold across both venues: what is unhedged. Inventory moving
        // from one venue to the other is the strategy working, not exposure.
        for pair in pairs where (pair.deltaA + pair.deltaB).raw != 0 {
            exposure.append(ExposureLine(venue: "\(parameters.venueA)+\(parameters.venueB)", asset: pair.base, quantity: pair.deltaA + pair.deltaB))
        }
        let c = counters
        var sizeCounters: [String: Int64] = ["sized_down_by_inventory": c.sizedDownByInventory]
        for limit in SizeLimit.allCases { sizeCounters[limit.counter] = c.sizeZero[limit.rawValue] }
        return StrategyReport(name: name, counters: sizeCounters.merging([
            "evaluations": c.evaluations, "opportunities": c.opportunities, "stale_skips": c.staleSkips, "crossed_skips": c.crossedSkips,
            "attempts": c.attempts, "pretrade_rejected": c.pretradeRejected, "completed": c.completed,
            "broken_legs": c.brokenLegs, "hedge_orders": c.hedgeOrders, "unwind_orders": c.unwindOrders,
            "gave_up": c.gaveUp, "timeouts": c.timeouts, "open_attempts": Int64(attempts.count),
        ]) { $1 }.mapValues { .count($0) }, openExposure: exposure, notes: notes)
    }
}
