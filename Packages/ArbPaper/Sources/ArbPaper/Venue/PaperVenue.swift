import ArbCore

/// One venue of the simulated exchange, as the client reaches it: orders go out after
/// the outbound latency, match against the exchange's own book (`SimulatedExchange`)
/// with the venue's rules, fees and wording, and reports come back after the inbound
/// latency, in order. It keeps the venue's own view of the account.
///
/// Taker orders walk the exchange's book level by level (one fill per level); what they
/// take stays taken (see `ExchangeBook`). What is left rests (GTC, post-only) or expires
/// (IOC, FOK, market). A resting order has a queue position: the size ahead of it at its
/// price when it arrived. Trades at its price use up the queue first and cancels shrink it
/// pro rata; it fills only when the queue ahead is gone, when a trade prints through its
/// price, or when the other side's book crosses it (after the queue ahead is served).
/// Our resting orders are not added to the levels the exchange publishes.
public final class PaperVenue<Rules: VenueRules>: ExecutionVenue, SimulatedVenue, PaperAccountHolder {
    public let venue: VenueId
    public let rules: Rules
    public var orderRules: any VenueRules { rules }
    public var name: String { rules.name }
    /// The exchange this venue is part of. The venue keeps it alive; the exchange refers
    /// back without owning (no cycle).
    let exchange: SimulatedExchange
    /// The exchange's gate on requests reaching it (rate limits), if any.
    public let admission: (any ExchangeAdmission)?
    private var outbound: LatencySampler
    private var inbound: LatencySampler
    private var lastReportDelivery: Timestamp = .zero
    /// The kernel owns its venues, so it outlives them; `unowned(unsafe)` because a weak
    /// reference would put every retain of the kernel on the slow, side-table path.
    private unowned(unsafe) var sink: (any ExecutionReportSink)?

    /// The venue's own view of the account.
    public private(set) var account: Balances
    private var resting: [[RestingOrder]]
    private var restingIndex: [ClientOrderId: InstrumentId] = [:]
    private var reports: [ExecutionReport] = []
    public private(set) var fillCount = 0
    /// Keep every report sent, for tests that drive a venue without a kernel.
    public var keepsReportLog = false
    public private(set) var reportLog: [ExecutionReport] = []

    /// Creates the venue and attaches it to `exchange`.
    public init(venue: VenueId, rules: Rules, exchange: SimulatedExchange, latency: VenueLatencyModels,
                admission: (any ExchangeAdmission)? = nil, seed: UInt64 = 1) {
        self.venue = venue
        self.rules = rules
        self.exchange = exchange
        self.admission = admission
        self.outbound = LatencySampler(latency.orderOutbound, seed: SeedMixer.mix(seed, stream: 0x0B, index: venue.index))
        self.inbound = LatencySampler(latency.orderInbound, seed: SeedMixer.mix(seed, stream: 0x1B, index: venue.index))
        self.account = Balances(assetCount: exchange.universe.assetCount)
        self.resting = Array(repeating: [], count: exchange.universe.instruments.count)
        exchange.attach(self, as: venue)
    }

    // MARK: ExecutionVenue

    public func connect(_ sink: any ExecutionReportSink) { self.sink = sink }
    public func deposit(_ asset: AssetId, _ amount: Amount) { account.deposit(asset, amount) }
    public func withdraw(_ asset: AssetId, _ amount: Amount) { _ = account.withdraw(asset, amount) }

    public func send(_ request: ExecutionRequest, at now: Timestamp) {
        exchange.schedule(.arrival(venue, request), at: now + .nanoseconds(outbound.nextNanoseconds()))
    }

    public var restingOrderCount: Int { restingIndex.count }

    // MARK: arrivals

    func arrive(_ request: ExecutionRequest, at now: Timestamp) {
        switch request {
        case .submit(let order): arriveOrder(order, at: now)
        case .cancel(let order): arriveCancel(order, at: now)
        }
        flush(at: now)
    }

    private func arriveOrder(_ order: Order, at now: Timestamp) {
        let intent = order.intent
        let instrument = exchange.universe[intent.instrument]
        func report(_ kind: ExecutionReport.Kind, final: Bool, leaves: Quantity, rejection: Rejection? = nil) {
            reports.append(ExecutionReport(kind: kind, orderId: order.id, venue: venue, instrument: instrument.id, side: intent.side,
                                           leavesQuantity: leaves, isFinal: final, rejection: rejection, venueTime: now))
        }
        // Rate limits count a request on arrival, before anything else is looked at.
        if let admission, let refused = admission.admit(.submit(order), instrument: instrument, at: now) {
            report(.rejected, final: true, leaves: .zero, rejection: refused); return
        }
        var book = exchange.bookForMatching(instrument.id)
        if let rejection = rules.validate(intent, instrument: instrument, book: book) {
            report(.rejected, final: true, leaves: .zero, rejection: rejection); return
        }
        let crosses = Self.crosses(intent, book: book)
        var cancelPostOnly = false
        if intent.timeInForce == .postOnly && crosses {
            switch rules.postOnlyWouldTake(side: intent.side) {
            case .reject(let rejection): report(.rejected, final: true, leaves: .zero, rejection: rejection); return
            case .cancel: cancelPostOnly = true
            }
        }
        let fees = rules.fees(for: instrument)
        let lock = OrderLock.required(for: intent, instrument: instrument, fees: fees, book: book)
        guard account.lock(lock.asset, lock.amount) else {
            report(.rejected, final: true, leaves: .zero, rejection: rules.insufficientBalance(side: intent.side)); return
        }
        var remainingLock = lock.amount
        report(.accepted, final: false, leaves: intent.quantity)
        if cancelPostOnly {
            account.release(lock.asset, remainingLock)
            report(.cancelled, final: true, leaves: .zero); return
        }
        let rests = intent.type == .limit && (intent.timeInForce == .goodTillCancel || intent.timeInForce == .postOnly)
        // Fill-or-kill: the whole quantity must be available within the limit now.
        if intent.timeInForce == .fillOrKill {
            let walk = book.walk(taker: intent.side, quantity: intent.quantity, limit: intent.type == .limit ? intent.price : nil)
            if walk.filled < intent.quantity {
                account.release(lock.asset, remainingLock)
                countShortArrival(order, instrument: instrument.id)
                report(.expired, final: true, leaves: .zero); return
            }
        }
        var remaining = intent.quantity
        var budget = intent.quoteAmount
        var traded = false
        let side = intent.side
        let bookSide = side.takesFrom
        // Walk the opposite side from the touch, one fill per level.
        while true {
            guard let best = bookSide == .ask ? book.bestAsk : book.bestBid else { break }
            if intent.type == .limit {
                if side == .buy ? best.price > intent.price : best.price < intent.price { break }
            }
            var take: Quantity
            if intent.isQuoteSized {
                let full = Amount.notional(best.price, best.quantity, .up)
                if full <= budget { take = best.quantity }
                else {
                    guard let affordable = budget.converted(dividingBy: best.price, .down).asQuantity else { break }
                    take = affordable.rounded(toMultipleOf: instrument.lotStep, .down)
                }
            } else {
                take = best.quantity < remaining ? best.quantity : remaining
            }
            if take.raw <= 0 { break }
            let notional = Amount.notional(best.price, take, .nearestHalfEven)
            exchange.take(instrument.id, bookSide, price: best.price, quantity: take)
            book = exchange.books[instrument.id.index].book
            if intent.isQuoteSized { budget -= notional } else { remaining -= take }
            let done = intent.isQuoteSized ? (budget < Amount.notional(best.price, instrument.lotStep, .up)) : remaining.raw == 0
            fill(order, instrument: instrument, price: best.price, quantity: take, notional: notional, isMaker: false,
                 fees: fees, remainingLock: &remainingLock, leaves: intent.isQuoteSized ? .zero : remaining,
                 firstFill: !traded, now: now)
            traded = true
            if done { break }
        }
        let filledAll = intent.isQuoteSized ? false : remaining.raw == 0
        if filledAll {
            finish(order, instrument: instrument, lockAsset: lock.asset, remainingLock: remainingLock, filled: true, now: now)
            return
        }
        if rests {
            let ahead = book.quantityAt(side == .buy ? .bid : .ask, price: intent.price)
            resting[instrument.id.index].append(RestingOrder(order: order, remaining: remaining, remainingLock: remainingLock,
                                                             lockAsset: lock.asset, ahead: ahead, traded: traded))
            exchange.hasResting[instrument.id.index] = true
            restingIndex[order.id] = instrument.id
        } else {
            if !intent.isQuoteSized { countShortArrival(order, instrument: instrument.id) }
            finish(order, instrument: instrument, lockAsset: lock.asset, remainingLock: remainingLock, filled: false, now: now)
        }
    }

    private func countShortArrival(_ order: Order, instrument: InstrumentId) {
        exchange.statistics.ordersShortOnArrival += 1
        if exchange.lastCompetitorTake[instrument.index] >= order.submittedAt && exchange.lastCompetitorTake[instrument.index] > .zero {
            exchange.statistics.ordersBeatenByCompetitor += 1
        }
    }

    private func arriveCancel(_ order: Order, at now: Timestamp) {
        let id = order.id
        let instrument = exchange.universe[order.intent.instrument]
        if let admission, let refused = admission.admit(.cancel(order), instrument: instrument, at: now) {
            reports.append(ExecutionReport(kind: .cancelRejected, orderId: id, venue: venue, instrument: instrument.id,
                                           side: order.intent.side, isFinal: false, rejection: refused, venueTime: now))
            return
        }
        guard let at = restingIndex[id], let i = resting[at.index].firstIndex(where: { $0.order.id == id }) else {
            // Already filled or ended (or not arrived yet): the venue refuses the cancel.
            reports.append(ExecutionReport(kind: .cancelRejected, orderId: id, venue: venue, instrument: instrument.id,
                                           side: order.intent.side, isFinal: false, rejection: rules.unknownOrder(), venueTime: now))
            return
        }
        let removed = resting[at.index].remove(at: i)
        exchange.hasResting[at.index] = !resting[at.index].isEmpty
        restingIndex[id] = nil
        account.release(removed.lockAsset, removed.remainingLock)
        reports.append(ExecutionReport(kind: .cancelled, orderId: id, venue: venue, instrument: at, side: order.intent.side,
                                       isFinal: true, venueTime: now))
    }

    // MARK: resting orders and the market

    func restingPrices(_ id: InstrumentId) -> [(BookSide, Price)] {
        resting[id.index].map { ($0.order.intent.side == .buy ? .bid : .ask, $0.order.intent.price) }
    }

    func levelChanged(_ id: InstrumentId, side: BookSide, price: Price, from before: Quantity, to after: Quantity, at now: Timestamp) {
        var i = 0
        while i < resting[id.index].count {
            let ownSide: BookSide = resting[id.index][i].order.intent.side == .buy ? .bid : .ask
            if ownSide == side && resting[id.index][i].order.intent.price == price {
                resting[id.index][i].levelShrank(from: before, to: after)
            }
            i += 1
        }
    }

    func tradePrinted(_ id: InstrumentId, price: Price, quantity: Quantity, takerSide: Side, at now: Timestamp) {
        matchResting(id, at: now) { order in
            let side = order.order.intent.side
            let limit = order.order.intent.price
            // A buy rests on the bids: sellers hit it.
            guard takerSide != side else { return .zero }
            if side == .buy ? price < limit : price > limit {
                // A trade through our price: we would have traded first.
                order.ahead = .zero
                return quantity < order.remaining ? quantity : order.remaining
            }
            guard price == limit else { return .zero }
            order.tradedAtPrice += quantity
            let reachesUs = quantity - order.ahead
            order.ahead = order.ahead > quantity ? order.ahead - quantity : .zero
            guard reachesUs.raw > 0 else { return .zero }
            return reachesUs < order.remaining ? reachesUs : order.remaining
        }
    }

    func bookMoved(_ id: InstrumentId, at now: Timestamp) {
        matchResting(id, at: now) { order in
            let side = order.order.intent.side
            let limit = order.order.intent.price
            // The other side now reaches our price: those orders trade with the queue at our
            // price, the orders ahead of us first.
            let crossing = exchange.books[id.index].book.walk(taker: side, quantity: Quantity(raw: .max), limit: limit).filled
            guard crossing.raw > 0 else { return .zero }
            let toAhead = crossing < order.ahead ? crossing : order.ahead
            order.ahead -= toAhead
            let left = crossing - toAhead
            let matched = left < order.remaining ? left : order.remaining
            Self.consume(exchange, id, taker: side, quantity: toAhead + matched, limit: limit)
            return matched
        }
    }

    /// Visits each order resting on `id`: `match` updates its queue and returns what fills
    /// as maker now; filled orders leave the book; reports go out after.
    private func matchResting(_ id: InstrumentId, at now: Timestamp, _ match: (inout RestingOrder) -> Quantity) {
        let instrument = exchange.universe[id]
        var i = 0
        while i < resting[id.index].count {
            var order = resting[id.index][i]
            let matched = match(&order)
            if matched.raw > 0, makerFill(&order, instrument: instrument, quantity: matched, now: now) {
                remove(at: i, instrument: id)
                continue
            }
            resting[id.index][i] = order
            i += 1
        }
        flush(at: now)
    }

    /// Fills a resting order as maker at its price; true when it is done.
    private func makerFill(_ order: inout RestingOrder, instrument: Instrument, quantity: Quantity, now: Timestamp) -> Bool {
        order.remaining -= quantity
        let firstFill = !order.traded
        order.traded = true
        let limit = order.order.intent.price
        let notional = Amount.notional(limit, quantity, .nearestHalfEven)
        fill(order.order, instrument: instrument, price: limit, quantity: quantity, notional: notional, isMaker: true,
             fees: rules.fees(for: instrument), remainingLock: &order.remainingLock, leaves: order.remaining,
             firstFill: firstFill, now: now)
        guard order.remaining.raw == 0 else { return false }
        finish(order.order, instrument: instrument, lockAsset: order.lockAsset, remainingLock: order.remainingLock, filled: true, now: now)
        return true
    }

    private func remove(at i: Int, instrument id: InstrumentId) {
        let order = resting[id.index].remove(at: i)
        exchange.hasResting[id.index] = !resting[id.index].isEmpty
        restingIndex[order.order.id] = nil
    }

    // MARK: helpers

    static func crosses(_ intent: OrderIntent, book: OrderBook) -> Bool {
        guard intent.type == .limit else { return true }
        if intent.side == .buy { return book.bestAsk.map { $0.price <= intent.price } ?? false }
        return book.bestBid.map { $0.price >= intent.price } ?? false
    }

    /// Takes up to `quantity` from the side `side` takes from, within `limit`.
    static func consume(_ exchange: SimulatedExchange, _ id: InstrumentId, taker side: Side, quantity: Quantity, limit: Price) {
        var left = quantity
        let bookSide = side.takesFrom
        while left.raw > 0 {
            let book = exchange.books[id.index].book
            guard let best = bookSide == .ask ? book.bestAsk : book.bestBid else { break }
            if side == .buy ? best.price > limit : best.price < limit { break }
            let take = best.quantity < left ? best.quantity : left
            exchange.take(id, bookSide, price: best.price, quantity: take)
            left -= take
        }
    }

    private func fill(_ order: Order, instrument: Instrument, price: Price, quantity: Quantity, notional: Amount, isMaker: Bool,
                      fees: FeeSchedule, remainingLock: inout Amount, leaves: Quantity, firstFill: Bool, now: Timestamp) {
        let side = order.intent.side
        let fee = fees.fee(side: side, quantity: quantity, notional: notional, isMaker: isMaker, instrument: instrument)
        let feeAsset = fees.feeAsset(side, instrument)
        account.settleFill(side: side, instrument: instrument, quantity: quantity, notional: notional, fee: fee,
                           feeAsset: feeAsset, remainingLock: &remainingLock)
        fillCount += 1
        if firstFill { admission?.orderTraded(order, instrument: instrument, at: now) }
        reports.append(ExecutionReport(kind: .fill, orderId: order.id, venue: venue, instrument: instrument.id, side: side,
                                       fillPrice: price, fillQuantity: quantity, fillNotional: notional, fee: fee, feeAsset: feeAsset,
                                       isMaker: isMaker, leavesQuantity: leaves, isFinal: false, venueTime: now))
    }

    /// Ends an order: releases what is still locked and marks the last report final (the
    /// last fill when it filled completely, else a new expired report).
    private func finish(_ order: Order, instrument: Instrument, lockAsset: AssetId, remainingLock: Amount, filled: Bool, now: Timestamp) {
        if remainingLock.raw != 0 { account.release(lockAsset, remainingLock) }
        if filled, let last = reports.indices.last, reports[last].orderId == order.id, reports[last].kind == .fill {
            reports[last].isFinal = true
            reports[last].leavesQuantity = .zero
        } else {
            reports.append(ExecutionReport(kind: .expired, orderId: order.id, venue: venue, instrument: order.intent.instrument,
                                           side: order.intent.side, leavesQuantity: .zero, isFinal: true, venueTime: now))
        }
    }

    /// Sends what the venue has to say, each report an inbound latency later and in order.
    private func flush(at now: Timestamp) {
        guard !reports.isEmpty else { return }
        for report in reports {
            var t = now + .nanoseconds(inbound.nextNanoseconds())
            if t < lastReportDelivery { t = lastReportDelivery }
            lastReportDelivery = t
            sink?.deliver(report, at: t)
            if keepsReportLog { reportLog.append(report) }
        }
        reports.removeAll(keepingCapacity: true)
    }
}

/// An order resting at the exchange. Outside the generic venue so that its array's
/// metadata is static.
struct RestingOrder {
    var order: Order
    var remaining: Quantity
    var remainingLock: Amount
    var lockAsset: AssetId
    /// Size queued ahead of the order at its price.
    var ahead: Quantity
    /// Trades at our price not yet seen as a smaller level in the feed: a level that then
    /// shrinks by that much was traded, not cancelled.
    var tradedAtPrice: Quantity = .zero
    /// Whether the order has traded at all (venues count an order's first fill).
    var traded: Bool

    /// Our price level went from `before` to `after` at the exchange. A shrink the trades
    /// do not explain is cancels, spread pro rata over the queue (rounded in favour of
    /// the queue ahead: the conservative side).
    mutating func levelShrank(from before: Quantity, to after: Quantity) {
        guard after < before else { return }
        let shrink = before - after
        let traded = shrink < tradedAtPrice ? shrink : tradedAtPrice
        tradedAtPrice -= traded
        let cancelled = shrink - traded
        let base = before - traded
        if cancelled.raw > 0 && ahead.raw > 0 && base.raw > 0 {
            let reduction = Int64(Int128(cancelled.raw) * Int128(ahead.raw) / Int128(base.raw))
            ahead = Quantity(raw: max(0, ahead.raw - reduction))
        }
        if after < ahead { ahead = after }
    }
}

/// What any paper venue shows of itself, whatever its rules type: its own view of the
/// account and the exchange-side gate in front of it.
public protocol PaperAccountHolder: AnyObject {
    var account: Balances { get }
    var admission: (any ExchangeAdmission)? { get }
}
