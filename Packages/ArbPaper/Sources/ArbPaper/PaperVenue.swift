import ArbCore
import ArbRateLimit

/// A venue that enforces exchange-side rate limits (for the summary).
public protocol RateLimitEnforcing {
    var rateLimits: ExchangeSideLimits? { get }
}

/// A paper exchange: its own account books, its own resting orders, matching against
/// the live book with the venue's rules (`Rules`), fees and wording.
///
/// Taker orders walk the book level by level (one fill per level, consuming the
/// liquidity they take); what is left rests (GTC, post-only) or expires (IOC, market).
/// Resting orders fill as maker at their own price when the book moves through them or
/// a trade prints strictly through their price. A trade *at* their price does not fill
/// them: the queue position is unknown, and assuming the front would flatter a strategy.
public final class PaperVenue<Rules: VenueRules>: VenueAdapter, VenueErrorWording, RateLimitEnforcing {
    public let venue: VenueId
    public let rules: Rules
    public var name: String { rules.name }
    public let latency: VenueLatency
    public var outboundLatency: Duration { latency.outbound }
    public var inboundLatency: Duration { latency.inbound }

    /// The venue's own view of the account.
    public private(set) var account: Balances
    private var resting: [[RestingOrder]]
    private var hasResting: [Bool]
    private var restingIndex: [ClientOrderId: InstrumentId] = [:]
    private let universe: Universe
    public private(set) var fillCount = 0
    /// The exchange's own rate limits, when enforced: requests over them get 429, then bans.
    public let rateLimits: ExchangeSideLimits?


    public init(venue: VenueId, rules: Rules, universe: Universe, latency: VenueLatency, rateLimits: ExchangeSideLimits? = nil) {
        self.rateLimits = rateLimits
        self.venue = venue
        self.rules = rules
        self.latency = latency
        self.universe = universe
        self.account = Balances(assetCount: universe.assetCount)
        self.resting = Array(repeating: [], count: universe.instruments.count)
        self.hasResting = Array(repeating: false, count: universe.instruments.count)
    }

    public func fees(for instrument: Instrument) -> FeeSchedule { rules.fees(for: instrument) }
    public func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        rules.validate(intent, instrument: instrument, book: book)
    }
    public func insufficientBalance(side: Side) -> Rejection { rules.insufficientBalance(side: side) }
    public func deposit(_ asset: AssetId, _ amount: Amount) { account.deposit(asset, amount) }
    /// Read on every market event: a plain `[Bool]`, so no generic metadata is touched.
    public func hasRestingOrders(on instrument: InstrumentId) -> Bool { hasResting[instrument.index] }
    public var restingOrderCount: Int { restingIndex.count }

    public func receive(_ order: Order, instrument: Instrument, book: inout OrderBook, now: Timestamp, reports: inout [ExecutionReport]) {
        let intent = order.intent
        func report(_ kind: ExecutionReport.Kind, final: Bool, leaves: Quantity, rejection: Rejection? = nil) {
            reports.append(ExecutionReport(kind: kind, orderId: order.id, venue: venue, instrument: instrument.id, side: intent.side,
                                           leavesQuantity: leaves, isFinal: final, rejection: rejection, venueTime: now))
        }
        // Rate limits count a request on arrival, before anything else is looked at.
        if let rateLimits, let refused = rateLimits.admit(RateLimitRequest(.newOrder, priority: .newOrder, instrument: instrument.symbol), at: now) {
            report(.rejected, final: true, leaves: .zero, rejection: refused); return
        }
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
        // Fill-or-kill: the whole quantity must be available within the limit now.
        if intent.timeInForce == .fillOrKill {
            let walk = book.walk(taker: intent.side, quantity: intent.quantity, limit: intent.type == .limit ? intent.price : nil)
            if walk.filled < intent.quantity {
                account.release(lock.asset, remainingLock)
                report(.expired, final: true, leaves: .zero); return
            }
        }
        var remaining = intent.quantity
        var budget = intent.quoteAmount
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
            book.consume(bookSide, price: best.price, quantity: take)
            if intent.isQuoteSized { budget -= notional } else { remaining -= take }
            let done = intent.isQuoteSized ? (budget < Amount.notional(best.price, instrument.lotStep, .up)) : remaining.raw == 0
            fill(order, instrument: instrument, price: best.price, quantity: take, notional: notional, isMaker: false,
                 fees: fees, remainingLock: &remainingLock, leaves: intent.isQuoteSized ? .zero : remaining,
                 final: false, now: now, reports: &reports)
            if done { break }
        }
        let filledAll = intent.isQuoteSized ? false : remaining.raw == 0
        if filledAll {
            finish(order, lockAsset: lock.asset, remainingLock: remainingLock, kind: .fill, reports: &reports, now: now, markLastFillFinal: true)
            return
        }
        let rests = intent.type == .limit && (intent.timeInForce == .goodTillCancel || intent.timeInForce == .postOnly)
        if rests {
            resting[instrument.id.index].append(RestingOrder(order: order, remaining: remaining, remainingLock: remainingLock, lockAsset: lock.asset))
            hasResting[instrument.id.index] = true
            restingIndex[order.id] = instrument.id
        } else {
            finish(order, lockAsset: lock.asset, remainingLock: remainingLock, kind: .expired, reports: &reports, now: now, markLastFillFinal: false)
        }
    }

    public func receiveCancel(_ id: ClientOrderId, now: Timestamp, reports: inout [ExecutionReport]) {
        if let rateLimits {
            let resting = restingIndex[id].flatMap { i in self.resting[i.index].first { $0.order.id == id } }
            let request = RateLimitRequest(.cancelOrder, priority: .cancel, instrument: resting.map { universe[$0.order.intent.instrument].symbol },
                                           orderAge: resting.map { now - $0.order.submittedAt })
            if let refused = rateLimits.admit(request, at: now) {
                reports.append(ExecutionReport(kind: .cancelRejected, orderId: id, venue: venue, instrument: resting?.order.intent.instrument ?? InstrumentId(0),
                                               side: resting?.order.intent.side ?? .buy, isFinal: false, rejection: refused, venueTime: now))
                return
            }
        }
        guard let instrument = restingIndex[id], let i = resting[instrument.index].firstIndex(where: { $0.order.id == id }) else {
            // Already filled or ended: the venue refuses the cancel.
            reports.append(ExecutionReport(kind: .cancelRejected, orderId: id, venue: venue, instrument: InstrumentId(0), side: .buy,
                                           isFinal: false, rejection: rules.unknownOrder(), venueTime: now))
            return
        }
        let order = resting[instrument.index].remove(at: i)
        hasResting[instrument.index] = !resting[instrument.index].isEmpty
        restingIndex[id] = nil
        account.release(order.lockAsset, order.remainingLock)
        reports.append(ExecutionReport(kind: .cancelled, orderId: id, venue: venue, instrument: instrument, side: order.order.intent.side,
                                       isFinal: true, venueTime: now))
    }

    public func marketDidUpdate(_ instrument: Instrument, book: inout OrderBook, trade: Trade?, now: Timestamp, reports: inout [ExecutionReport]) {
        let fees = rules.fees(for: instrument)
        var i = 0
        while i < resting[instrument.id.index].count {
            var order = resting[instrument.id.index][i]
            let side = order.order.intent.side
            let limit = order.order.intent.price
            var matched = Quantity.zero
            if let trade {
                // A trade strictly through our price means our order would have traded first.
                let through = side == .buy ? (trade.price < limit && trade.takerSide == .sell) : (trade.price > limit && trade.takerSide == .buy)
                if through { matched = trade.quantity < order.remaining ? trade.quantity : order.remaining }
            } else {
                // The book moved through our price: the crossing liquidity would have hit us.
                let walk = book.walk(taker: side, quantity: order.remaining, limit: limit)
                matched = walk.filled
                if matched.raw > 0 { Self.consume(&book, taker: side, quantity: matched, limit: limit) }
            }
            if matched.raw > 0 {
                order.remaining -= matched
                let notional = Amount.notional(limit, matched, .nearestHalfEven)
                let done = order.remaining.raw == 0
                fill(order.order, instrument: instrument, price: limit, quantity: matched, notional: notional, isMaker: true,
                     fees: fees, remainingLock: &order.remainingLock, leaves: order.remaining, final: false, now: now, reports: &reports)
                if done {
                    finish(order.order, lockAsset: order.lockAsset, remainingLock: order.remainingLock, kind: .fill, reports: &reports, now: now, markLastFillFinal: true)
                    resting[instrument.id.index].remove(at: i)
                    hasResting[instrument.id.index] = !resting[instrument.id.index].isEmpty
                    restingIndex[order.order.id] = nil
                    continue
                }
                resting[instrument.id.index][i] = order
            }
            i += 1
        }
    }

    // MARK: helpers

    static func crosses(_ intent: OrderIntent, book: OrderBook) -> Bool {
        guard intent.type == .limit else { return true }
        if intent.side == .buy { return book.bestAsk.map { $0.price <= intent.price } ?? false }
        return book.bestBid.map { $0.price >= intent.price } ?? false
    }

    static func consume(_ book: inout OrderBook, taker side: Side, quantity: Quantity, limit: Price) {
        var left = quantity
        let bookSide = side.takesFrom
        while left.raw > 0, let best = bookSide == .ask ? book.bestAsk : book.bestBid {
            if side == .buy ? best.price > limit : best.price < limit { break }
            let take = best.quantity < left ? best.quantity : left
            book.consume(bookSide, price: best.price, quantity: take)
            left -= take
        }
    }

    private func fill(_ order: Order, instrument: Instrument, price: Price, quantity: Quantity, notional: Amount, isMaker: Bool,
                      fees: FeeSchedule, remainingLock: inout Amount, leaves: Quantity, final: Bool, now: Timestamp,
                      reports: inout [ExecutionReport]) {
        let side = order.intent.side
        let fee = fees.fee(side: side, quantity: quantity, notional: notional, isMaker: isMaker, instrument: instrument)
        let feeAsset = fees.feeAsset(side, instrument)
        account.settleFill(side: side, instrument: instrument, quantity: quantity, notional: notional, fee: fee, feeAsset: feeAsset, remainingLock: &remainingLock)
        fillCount += 1
        reports.append(ExecutionReport(kind: .fill, orderId: order.id, venue: venue, instrument: instrument.id, side: side,
                                       fillPrice: price, fillQuantity: quantity, fillNotional: notional, fee: fee, feeAsset: feeAsset,
                                       isMaker: isMaker, leavesQuantity: leaves, isFinal: final, venueTime: now))
    }

    /// Ends an order: releases what is still locked and marks the last report final
    /// (the last fill, or a new expired report when the rest did not fill).
    private func finish(_ order: Order, lockAsset: AssetId, remainingLock: Amount, kind: ExecutionReport.Kind,
                        reports: inout [ExecutionReport], now: Timestamp, markLastFillFinal: Bool) {
        if remainingLock.raw != 0 { account.release(lockAsset, remainingLock) }
        if markLastFillFinal, let last = reports.indices.last, reports[last].orderId == order.id, reports[last].kind == .fill {
            reports[last].isFinal = true
            reports[last].leavesQuantity = .zero
        } else {
            reports.append(ExecutionReport(kind: kind == .fill ? .expired : kind, orderId: order.id, venue: venue,
                                           instrument: order.intent.instrument, side: order.intent.side,
                                           leavesQuantity: .zero, isFinal: true, venueTime: now))
        }
    }
}

/// An order resting on a paper venue's book. Outside the generic venue so that its
/// array's metadata is static.
struct RestingOrder {
    var order: Order
    var remaining: Quantity
    var remainingLock: Amount
    var lockAsset: AssetId
}
