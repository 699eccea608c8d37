import ArbCore
import ArbRoute

/// Cross-exchange spread arbitrage between venue A (e.g. Upbit, KRW) and venue B
/// (e.g. Binance, USDT), holding inventory on both, on ArbRoute's routes: for each base
/// the `cross` (one quote) or `cross_fx` (two quotes joined by the FX book) route each way.
///
/// On every book update of a traded base it compares, in quote B, buying on one venue
/// and selling on the other: prices converted with the live FX book (never a constant,
/// never older than `max_book_age_ms`), both taker fees included. When the touch clears
/// `min_edge` that is an opportunity, recorded in the ledger once per episode with its
/// decision. It sizes the trade to both books (walking them: the edge must hold at the
/// average prices the size would get) and both balances, and sends both legs as IOC
/// limits at the walk's worst prices, checked together by the kernel; with
/// `convert_proceeds` a third leg converts the proceeds back on the FX book.
///
/// Broken legs are ArbRoute's `LegExecutor`'s: the missing leg is hedged on its own
/// venue (IOC crossing by `hedge_slippage`) up to `max_hedge_attempts` times, then the
/// gap is unwound on the venue that filled. What cannot be traded (below a venue's
/// minimum, refused, unfilled) is reported as open exposure at the end.
public final class CrossSpreadStrategy: Strategy {
    public let name = CrossSpreadPlugin.id
    let parameters: CrossSpreadParameters

    struct Pair {
        var base: String
        var a: Instrument
        var b: Instrument
        /// The routes buying on A and buying on B (ArbRoute values), and their tags.
        var buyA: Route
        var buyB: Route
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

    var pairs: [Pair] = []
    /// What every decision reads, kept apart from `pairs` so a decision copies no strings.
    struct Hot {
        var a: InstrumentId
        var b: InstrumentId
        var busy = false
        var cooldownUntil = Timestamp.zero
        /// The ledger's episodes, buying on A and on B: while the edge keeps clearing one
        /// opportunity stands, until its decision's wait is over.
        var inEpisodeBuyA = false, inEpisodeBuyB = false
        var episodeUntilBuyA = Timestamp.zero, episodeUntilBuyB = Timestamp.zero
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
    let executor: LegExecutor
    /// Pair of each attempt in flight, and its ledger row.
    var attemptPair: [UInt64: Int] = [:]
    var pendingRows: [UInt64: OpportunityRecord] = [:]
    /// The FX rate a row's realised edge is valued at (quote of the purchase per quote of
    /// the sale; nil for one quote, or when the proceeds are converted).
    var pendingFX: [UInt64: Price?] = [:]
    /// Pair index by route tag, for the fills of repair orders.
    var pairByRouteTag: [Int32: Int] = [:]
    let fxRoutes: Bool
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
        /// Attempts that ended flat: every leg filled, or the gap was repaired.
        public var completed: Int64 = 0
        public var repaired: Int64 = 0
        public var brokenLegs: Int64 = 0
        public var hedgeOrders: Int64 = 0
        public var unwindOrders: Int64 = 0
        public var gaveUp: Int64 = 0
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
        // Two quotes need the FX book; one quote (cross routes) does not.
        let sameQuote = parameters.quoteA == parameters.quoteB
        var fxId: InstrumentId? = nil
        if !sameQuote {
            guard let fxInstrument = u.instrument(venue: venueA, symbol: parameters.fxSymbol) else {
                throw fail("fx_symbol", "'\(parameters.fxSymbol)' is not an instrument of \(parameters.venueA) in this run; add it to the universe")
            }
            guard fxInstrument.quoteCode == parameters.quoteA, fxInstrument.baseCode == parameters.quoteB else {
                throw fail("fx_symbol", "'\(parameters.fxSymbol)' must price \(parameters.quoteB) in \(parameters.quoteA)")
            }
            fxId = fxInstrument.id
        }
        let allRoutes = RouteEnumerator.routes(in: u, fxInstruments: fxId.map { [$0] } ?? [])
        var bases = parameters.bases
        if bases.isEmpty {
            let onA = Set(u.instruments.filter { $0.venue == venueA && $0.quoteCode == parameters.quoteA }.map(\.baseCode))
            let onB = Set(u.instruments.filter { $0.venue == venueB && $0.quoteCode == parameters.quoteB }.map(\.baseCode))
            bases = onA.intersection(onB).subtracting([parameters.quoteB]).sorted()
        }
        var state = DecisionState()
        state.fx = fxId ?? InstrumentId(0)
        state.pairByInstrument = Array(repeating: -1, count: u.instruments.count)
        var pairs: [Pair] = []
        for base in bases {
            guard let baseId = u.assetId(base), let quoteA = u.assetId(parameters.quoteA), let quoteB = u.assetId(parameters.quoteB),
                  let a = u.instrument(venue: venueA, base: baseId, quote: quoteA),
                  let b = u.instrument(venue: venueB, base: baseId, quote: quoteB) else {
                throw fail("bases", "\(base) is not traded on both \(parameters.venueA) (\(parameters.quoteA)) and \(parameters.venueB) (\(parameters.quoteB)) in this run")
            }
            func route(buying buy: Instrument, selling sell: Instrument) -> Route? {
                allRoutes.first { ($0.kind == .cross || $0.kind == .crossFX) && $0.legs[0].instrument == buy.id && $0.legs[1].instrument == sell.id }
            }
            guard var buyA = route(buying: a, selling: b), var buyB = route(buying: b, selling: a) else {
                throw fail("bases", "no route joins \(base) on \(parameters.venueA) and \(parameters.venueB) in this run")
            }
            if !parameters.convertProceeds { buyA.conversion = nil; buyB.conversion = nil }
            var pair = Pair(base: base, a: a, b: b, buyA: buyA, buyB: buyB, routeBuyA: -1, routeBuyB: -1)
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
        self.fxRoutes = !sameQuote
        executor = LegExecutor(policy: LegPolicy(legTimeout: .milliseconds(parameters.legTimeoutMs), hedgeSlippage: parameters.hedgeSlippage,
                                                 maxHedgeAttempts: parameters.maxHedgeAttempts), universe: u)
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
            pairs[k].routeBuyA = context.route(named: pair.buyA.id)
            pairs[k].routeBuyB = context.route(named: pair.buyB.id)
            pairByRouteTag[pairs[k].routeBuyA] = k
            pairByRouteTag[pairs[k].routeBuyB] = k
            for (venue, asset, band) in [(pair.a.venue, pair.a.base, pair.baseBandA), (pair.b.venue, pair.b.base, pair.baseBandB),
                                         (pair.a.venue, pair.a.quote, pair.quoteBandA), (pair.b.venue, pair.b.quote, pair.quoteBandB)] {
                if let floor = band.floor { context.watchFloor(venue, asset, floor: floor) }
            }
            feesA.append(context.fees(pair.a.id).taker)
            feesB.append(context.fees(pair.b.id).taker)
            context.subscribe(pair.a.id)
            context.subscribe(pair.b.id)
        }
        if fxRoutes { context.subscribe(fx) }
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
        // A base the universe rule has not selected is not traded, nor counted.
        guard context.isTradable(pair.a), context.isTradable(pair.b) else { return }
        counters.evaluations += 1
        // Touches only: books are copied only on an opportunity.
        let maxAge = parameters.maxBookAgeMs * 1_000_000
        let touchA = context.touch(pair.a), touchB = context.touch(pair.b)
        var stale = now.nanoseconds - touchA.updatedAt.nanoseconds > maxAge || now.nanoseconds - touchB.updatedAt.nanoseconds > maxAge
        var fxMid = Price(raw: FixedDecimal.unit)  // one quote: prices compare as they are
        if fxRoutes {
            let fxTouch = context.touch(fx)
            // A non-positive FX price (a damaged feed) cannot value anything: as stale.
            guard let fxBid = fxTouch.bid, let fxAsk = fxTouch.ask, fxBid.price.raw > 0, fxBid.price < fxAsk.price else { counters.staleSkips += 1; return }
            if now.nanoseconds - fxTouch.updatedAt.nanoseconds > maxAge { stale = true }
            fxMid = Price(raw: Int64((Int128(fxBid.price.raw) + Int128(fxAsk.price.raw)) / 2))
        }
        if stale { counters.staleSkips += 1 }
        guard let askA = touchA.ask, let bidA = touchA.bid, let askB = touchB.ask, let bidB = touchB.bid else { return }
        // A crossed book is a broken picture of the venue (a missed delta, a bad
        // snapshot): its prices are not there to be had.
        guard bidA.price < askA.price, bidB.price < askB.price else { counters.crossedSkips += 1; return }
        let feeA = feesA[k], feeB = feesB[k]
        let buyOnA = clears(buy: toQuoteB(askA.price, fx: fxMid), buyFee: feeA, sell: bidB.price, sellFee: feeB)
        let buyOnB = !buyOnA && clears(buy: askB.price, buyFee: feeB, sell: toQuoteB(bidA.price, fx: fxMid), sellFee: feeA)
        // Writes only when an episode ends: most evaluations clear nothing and touch no state.
        if !buyOnA && pair.inEpisodeBuyA { hot[k].inEpisodeBuyA = false }
        if !buyOnB && pair.inEpisodeBuyB { hot[k].inEpisodeBuyB = false }
        guard buyOnA || buyOnB else { return }
        // One opportunity per episode: while the edge keeps clearing, until its decision's wait is over.
        if buyOnA ? (pair.inEpisodeBuyA && now < pair.episodeUntilBuyA) : (pair.inEpisodeBuyB && now < pair.episodeUntilBuyB) { return }
        let buyPrice = buyOnA ? toQuoteB(askA.price, fx: fxMid) : askB.price
        let sellPrice = buyOnA ? bidB.price : toQuoteB(bidA.price, fx: fxMid)
        detect(k, buyOnA: buyOnA, fxMid: fxMid, stale: stale,
               edgePpm: OpportunityRecord.chainEdgePpm(prices: [(.buy, buyPrice, buyOnA ? feeA : feeB), (.sell, sellPrice, buyOnA ? feeB : feeA)]) ?? 0,
               context)
    }

    /// An opportunity: a ledger row with the first reason that stops it, or executed.
    func detect(_ k: Int, buyOnA: Bool, fxMid: Price, stale: Bool, edgePpm: Int64, _ context: StrategyContext) {
        let now = context.now
        counters.opportunities += 1
        context.countOpportunity()
        let pair = pairs[k]
        var row = OpportunityRecord(id: context.newOpportunityId(), strategy: StrategyId(0), route: buyOnA ? pair.routeBuyA : pair.routeBuyB,
                                    detectedAt: now, detectedEdgePpm: edgePpm, detectedSize: parameters.orderNotional, sizeAsset: pair.b.quote,
                                    decision: .executed)
        func episode(until: Timestamp) {
            if buyOnA { hot[k].inEpisodeBuyA = true; hot[k].episodeUntilBuyA = until } else { hot[k].inEpisodeBuyB = true; hot[k].episodeUntilBuyB = until }
        }
        func skip(_ reason: OpportunitySkip, until: Timestamp) {
            row.decision = .skipped(reason)
            episode(until: until)
            context.recordOpportunity(row)
        }
        if stale { return skip(.staleFeed, until: now + .milliseconds(max(1, parameters.maxBookAgeMs / 2))) }
        // An attempt in flight on this base: the episode lasts until it ends.
        if hot[k].busy { return skip(.routeBusy, until: .distantFuture) }
        if now < hot[k].cooldownUntil { return skip(.cooldown, until: hot[k].cooldownUntil) }
        if let reason = trade(k, buyOnA: buyOnA, fxMid: fxMid, row: &row, context) {
            hot[k].cooldownUntil = now + .milliseconds(parameters.cooldownMs)
            return skip(reason, until: hot[k].cooldownUntil)
        }
        episode(until: .distantFuture)
    }

    /// Sizes and sends the legs of one opportunity; nil when sent, else why not.
    func trade(_ k: Int, buyOnA: Bool, fxMid: Price, row: inout OpportunityRecord, _ context: StrategyContext) -> OpportunitySkip? {
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
        guard quantity.raw > 0 else { return skip(because: binding) }
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
        // Not tradable at a size the venues accept: count why, and wait.
        guard quantity.raw > 0 else { return skip(because: walked.raw == 0 ? .bookDepth : .lotStep) }
        row.detectedSize = Amount.notional(inB(buyLimit, on: buyInstrument), quantity, .nearestHalfEven)
        // The prices the legs expect: the walks' averages at this quantity.
        row.legs = [OpportunityLeg(instrument: buyInstrument.id, side: .buy,
                                   expectedPrice: buyBook.walk(taker: .buy, quantity: quantity, limit: buyLimit).averagePrice(.down), plannedQuantity: quantity),
                    OpportunityLeg(instrument: sellInstrument.id, side: .sell,
                                   expectedPrice: sellBook.walk(taker: .sell, quantity: quantity, limit: sellLimit).averagePrice(.down), plannedQuantity: quantity)]
        return send(k, buyOnA: buyOnA, quantity: quantity, buyLimit: buyLimit, sellLimit: sellLimit, fxMid: fxMid, row: &row, context)
    }

    /// An opportunity that ends at size 0: counted by its reason (the ledger's reason:
    /// an inventory band is `inventory`, the others `size_zero.<cause>`).
    func skip(because limit: SizeLimit) -> OpportunitySkip {
        counters.sizeZero[limit.rawValue] += 1
        switch limit {
        case .inventoryCeiling, .inventoryFloor: return .inventory
        default: return .sizeZero(String(limit.counter.dropFirst("size_zero_".count)))
        }
    }

    /// Sends the two legs (and with `convert_proceeds` the conversion) through the leg
    /// policy; nil when sent, else why not.
    func send(_ k: Int, buyOnA: Bool, quantity: Quantity, buyLimit: Price, sellLimit: Price, fxMid: Price,
              row: inout OpportunityRecord, _ context: StrategyContext) -> OpportunitySkip? {
        let pair = pairs[k]
        let route = buyOnA ? pair.buyA : pair.buyB
        let tag = buyOnA ? pair.routeBuyA : pair.routeBuyB
        let buy = buyOnA ? pair.a : pair.b, sell = buyOnA ? pair.b : pair.a
        var legs = [PlannedLeg(instrument: buy, side: .buy, quantity: quantity, limit: buyLimit),
                     PlannedLeg(instrument: sell, side: .sell, quantity: quantity, limit: sellLimit)]
        if let conversion = route.conversion {
            // Convert the quote B the trade moves: what the sale on B brings, or what the
            // purchase on B spends, at the FX book's walk.
            let fxInstrument = context.universe[conversion.instrument]
            let onB = buyOnA ? sellLimit : buyLimit
            let amount = Amount.notional(onB, quantity, .down)
            guard let units = amount.asQuantity else { return .sizeZero("order_notional") }
            let size = units.rounded(toMultipleOf: fxInstrument.lotStep, .down)
            let walk = context.book(fxInstrument.id).walk(taker: conversion.side, quantity: size)
            guard size.raw > 0, walk.filled == size else { return .sizeZero("book_depth") }
            legs.append(PlannedLeg(instrument: fxInstrument, side: conversion.side, quantity: size, limit: walk.worstPrice))
            row.legs.append(OpportunityLeg(instrument: fxInstrument.id, side: conversion.side,
                                           expectedPrice: walk.averagePrice(.down),
                                           plannedQuantity: size))
        }
        let keeping: Set<AssetId> = route.conversion == nil && buy.quote != sell.quote ? [sell.quote] : []
        switch executor.send(route: k, routeTag: tag, startAsset: buy.quote, keeping: keeping, legs: legs, context) {
        case .success(let attempt):
            counters.attempts += 1
            attemptPair[attempt] = k
            pendingRows[attempt] = row
            pendingFX[attempt] = route.conversion == nil && fxRoutes ? (buyOnA ? fxMid : Price(raw: Int64(Int128(FixedDecimal.unit) * Int128(FixedDecimal.unit) / Int128(fxMid.raw)))) : nil
            hot[k].busy = true
            return nil
        case .failure(let rejection):
            // Nothing went out (balance or venue rule): nothing to repair.
            counters.pretradeRejected += 1
            switch rejection.reason {
            case .rateLimited, .banned: return .rateLimit
            case .riskLimit: return .risk
            default: return .pretradeRejected
            }
        }
    }

    // MARK: repairing

    public func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {
        if report.kind == .fill, let k = pairByRouteTag[order.intent.route] {
            // Traded quantity, gross of fees: fees are costs (in the PnL), not exposure.
            let signed = report.side == .buy ? report.fillQuantity : -report.fillQuantity
            if order.intent.instrument == pairs[k].a.id { pairs[k].deltaA += signed.asAmount }
            else if order.intent.instrument == pairs[k].b.id { pairs[k].deltaB += signed.asAmount }
        }
        guard let done = executor.onReport(report, context), let k = attemptPair.removeValue(forKey: done.attempt) else { return }
        if done.broken { counters.brokenLegs += 1 }
        counters.hedgeOrders += Int64(done.hedgeOrders)
        counters.unwindOrders += Int64(done.unwindOrders)
        switch done.outcome {
        case .completed: counters.completed += 1
        case .repaired: counters.completed += 1; counters.repaired += 1
        case .gaveUp:
            counters.gaveUp += 1
            if notes.count < 20 {
                let left = done.leftover.keys.sorted { $0.index < $1.index }.map { "\(done.leftover[$0]!) \(context.universe.assetCode($0))" }
                notes.append("\(pairs[k].base): left \(left.joined(separator: ", ")) unhedged at \(context.now.nanoseconds)ns after \(done.hedgeOrders + done.unwindOrders) repair orders")
            }
        }
        hot[k].busy = false
        hot[k].cooldownUntil = context.now + .milliseconds(parameters.cooldownMs)
        // Both directions' episodes may start again once the cool-down is over.
        hot[k].episodeUntilBuyA = hot[k].cooldownUntil
        hot[k].episodeUntilBuyB = hot[k].cooldownUntil
        if var row = pendingRows.removeValue(forKey: done.attempt) {
            // Through the detection's FX mid, or the conversion's own fill.
            let fxRate = pendingFX.removeValue(forKey: done.attempt) ?? nil
            row.complete(with: done, fxRate: fxRate) { context.fees($0).taker }
            context.recordOpportunity(row)
        }
    }

    public func onTimer(_ token: UInt64, _ context: StrategyContext) {
        _ = executor.onTimer(token, context)
    }

    // MARK: ending

    public func stop(_ context: StrategyContext) -> StrategyReport {
        for order in context.openOrders() { context.cancel(order.id) }
        // Executed opportunities whose legs had not ended: recorded as they stand.
        for attempt in pendingRows.keys.sorted() { context.recordOpportunity(pendingRows[attempt]!) }
        pendingRows = [:]
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
            "attempts": c.attempts, "pretrade_rejected": c.pretradeRejected, "completed": c.completed, "repaired": c.repaired,
            "broken_legs": c.brokenLegs, "hedge_orders": c.hedgeOrders, "unwind_orders": c.unwindOrders,
            "gave_up": c.gaveUp, "timeouts": Int64(executor.timeouts), "open_attempts": Int64(executor.openAttempts),
        ]) { $1 }.mapValues { .count($0) }, openExposure: exposure, notes: notes)
    }
}
