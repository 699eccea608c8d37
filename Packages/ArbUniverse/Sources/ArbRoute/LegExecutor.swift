import ArbCore

/// How a strategy's legs are time-boxed and repaired.
public struct LegPolicy: Sendable, Hashable {
    /// Legs still open after this are cancelled.
    public var legTimeout: Duration
    /// Repair orders cross the touch by this much (IOC limits, never market orders).
    public var hedgeSlippage: Ratio
    /// Rounds of hedging (completing the legs that fell short) before unwinding.
    public var maxHedgeAttempts: Int
    /// Rounds of unwinding (reversing what filled, back into the start asset) before giving up.
    public var maxUnwindAttempts: Int

    public init(legTimeout: Duration, hedgeSlippage: Ratio, maxHedgeAttempts: Int, maxUnwindAttempts: Int = 2) {
        self.legTimeout = legTimeout; self.hedgeSlippage = hedgeSlippage
        self.maxHedgeAttempts = maxHedgeAttempts; self.maxUnwindAttempts = maxUnwindAttempts
    }
}

/// One leg as planned: an IOC limit on an instrument.
public struct PlannedLeg: Sendable, Hashable {
    public var instrument: Instrument
    public var side: Side
    public var quantity: Quantity
    public var limit: Price
    public init(instrument: Instrument, side: Side, quantity: Quantity, limit: Price) {
        self.instrument = instrument; self.side = side; self.quantity = quantity; self.limit = limit
    }
}

/// The reusable leg-failure policy: sends a route's legs together as IOC limits,
/// time-boxes them (open legs are cancelled after `legTimeout`), and when they end
/// short repairs the chain.
///
/// The attempt's gap is, per asset, how far it is from its plan: each entry leg's
/// unfilled part undone at its limit price, plus what repair orders filled. Legs that all
/// filled leave no gap, whatever fees and rounding leave. The start asset (and any asset
/// the caller keeps) carries the profit or loss and is never repaired. While a gap is open:
/// 1. **hedge** — up to `maxHedgeAttempts` rounds: every entry leg's missing quantity is
///    sent again on its own instrument, crossing the touch by `hedgeSlippage`;
/// 2. **unwind** — up to `maxUnwindAttempts` rounds: for each asset still off plan, the
///    leg that created the exposure is reversed, preferring one that pairs the asset
///    with the start asset (the chain goes back where it began);
/// 3. **give up** — what is left is reported (`Finished.leftover`, and `dust`).
///
/// A gap below the lot, the minimum quantity or the minimum notional of the instrument
/// that would close it cannot be traded: it is kept per venue and asset (`dust`),
/// reported as exposure, and joins the next unwind of that asset on that venue, so
/// leftovers below a venue's lot are repaired once they add up to one. Timer tokens
/// carry `timerBit`: strategies pass every timer here first.
public final class LegExecutor {
    public enum Outcome: Sendable, Hashable {
        /// Every leg filled in full.
        case completed
        /// Legs broke and the repairs closed every gap.
        case repaired
        /// Something was left: reported as exposure.
        case gaveUp
    }

    /// What one attempt did, when it ends.
    public struct Finished: Sendable {
        public var attempt: UInt64
        public var route: Int
        public var outcome: Outcome
        /// Entry legs: planned and filled base quantity, filled quote value, and the time
        /// from sending to the first acknowledgement and to the last fill.
        public var planned: [Quantity]
        public var filled: [Quantity]
        public var filledNotional: [Amount]
        public var acknowledgedAfter: [Duration?]
        public var filledAfter: [Duration?]
        /// Orders the venue refused, entry legs only.
        public var rejectedLegs: Int
        /// The entry legs ended off plan (one filled more than the others allow): a gap
        /// had to be repaired. Legs that all filled nothing leave no gap and are not broken.
        public var broken: Bool
        public var hedgeOrders: Int
        public var unwindOrders: Int
        /// Per asset, what is left unflat (start asset excluded).
        public var leftover: [AssetId: Amount]
    }

    enum Phase { case legs, hedging, unwinding }

    struct Attempt {
        var route: Int
        var routeTag: Int32
        var legs: [PlannedLeg]
        var startAsset: AssetId
        /// Assets allowed to end unflat besides the start asset (a cross_fx route's second
        /// quote when it does not convert).
        var kept: Set<AssetId>
        var sentAt: Timestamp
        var entryOrders: [ClientOrderId]
        var open: Set<ClientOrderId> = []
        /// Fills of hedge and unwind orders, per asset (gross, at their own prices).
        var repairNet: [AssetId: Int128] = [:]
        /// What hedges filled of each entry leg's shortfall.
        var hedgeFilled: [Quantity]
        var hedgeLeg: [ClientOrderId: Int] = [:]
        /// Assets whose gap is below what any order can trade: carried as dust.
        var dustAssets: Set<AssetId> = []
        var filled: [Quantity]
        var filledNotional: [Amount]
        var acknowledgedAfter: [Duration?]
        var filledAfter: [Duration?]
        var rejectedLegs = 0
        var hedges = 0
        var unwinds = 0
        var hedgeOrders = 0
        var unwindOrders = 0
        var phase = Phase.legs
        var brokeLegs = false
    }

    public let policy: LegPolicy
    let universe: Universe
    var attempts: [UInt64: Attempt] = [:]
    var attemptByOrder: [ClientOrderId: UInt64] = [:]
    var nextAttempt: UInt64 = 0
    /// Untradable leftovers per venue and asset, waiting to be repaired with the next one.
    public private(set) var dust: [DustKey: Amount] = [:]
    public struct DustKey: Hashable, Sendable { public var venue: VenueId; public var asset: AssetId }

    public static let timerBit: UInt64 = 1 << 63
    /// Attempts whose legs were still open at their timeout (and were cancelled).
    public private(set) var timeouts = 0

    public init(policy: LegPolicy, universe: Universe) {
        self.policy = policy
        self.universe = universe
    }

    /// Attempts with orders still open.
    public var openAttempts: Int { attempts.count }
    /// Whether route `r` has an attempt in flight.
    public func isBusy(route r: Int) -> Bool { attempts.values.contains { $0.route == r } }

    /// Checks every leg, then sends them all as IOC limits and arms the timeout. Returns
    /// the attempt id, or the first leg's refusal when a pre-trade check refuses one (then
    /// nothing is sent).
    /// - Parameter keeping: assets besides the start asset that may end unflat.
    public func send(route r: Int, routeTag: Int32, startAsset: AssetId, keeping: Set<AssetId> = [], legs: [PlannedLeg],
                     _ context: StrategyContext) -> Result<UInt64, Rejection> {
        let intents = legs.map {
            OrderIntent.limit($0.side, on: $0.instrument.id, price: $0.limit, quantity: $0.quantity, timeInForce: .immediateOrCancel, route: routeTag)
        }
        if legs.count == 2 {
            switch context.submitPair(first: intents[0], second: intents[1]) {
            case .sent(let a, let b): return .success(register(r, routeTag, startAsset, keeping, legs, [a, b], context))
            case .rejected(_, let rejection): return .failure(rejection)
            }
        }
        for intent in intents { if let refusal = context.validate(intent) { return .failure(refusal) } }
        var ids: [ClientOrderId] = []
        var refused = 0
        for intent in intents {
            // Each leg locks what it spends; a later leg can still be refused for balance.
            switch context.submit(intent) {
            case .success(let id): ids.append(id)
            case .failure(let rejection):
                guard !ids.isEmpty else { return .failure(rejection) }
                refused += 1
                ids.append(ClientOrderId(0))
            }
        }
        let id = register(r, routeTag, startAsset, keeping, legs, ids, context)
        attempts[id]!.rejectedLegs = refused
        return .success(id)
    }

    func register(_ r: Int, _ tag: Int32, _ start: AssetId, _ kept: Set<AssetId>, _ legs: [PlannedLeg], _ ids: [ClientOrderId],
                  _ context: StrategyContext) -> UInt64 {
        nextAttempt += 1
        var attempt = Attempt(route: r, routeTag: tag, legs: legs, startAsset: start, kept: kept, sentAt: context.now, entryOrders: ids,
                              hedgeFilled: Array(repeating: .zero, count: legs.count),
                              filled: Array(repeating: .zero, count: legs.count), filledNotional: Array(repeating: .zero, count: legs.count),
                              acknowledgedAfter: Array(repeating: nil, count: legs.count), filledAfter: Array(repeating: nil, count: legs.count))
        for id in ids where id != ClientOrderId(0) { attempt.open.insert(id); attemptByOrder[id] = nextAttempt }
        attempts[nextAttempt] = attempt
        context.schedule(after: policy.legTimeout, token: nextAttempt | Self.timerBit)
        return nextAttempt
    }

    /// Feeds one report; returns the attempt's summary when it has ended.
    public func onReport(_ report: ExecutionReport, _ context: StrategyContext) -> Finished? {
        guard let a = attemptByOrder[report.orderId], var attempt = attempts[a] else { return nil }
        let instrument = universe[report.instrument]
        if let leg = attempt.entryOrders.firstIndex(of: report.orderId) {
            if report.kind == .accepted || report.kind == .fill || report.kind == .rejected, attempt.acknowledgedAfter[leg] == nil {
                attempt.acknowledgedAfter[leg] = context.now - attempt.sentAt
            }
            if report.kind == .rejected { attempt.rejectedLegs += 1 }
            if report.kind == .fill {
                attempt.filled[leg] += report.fillQuantity
                attempt.filledNotional[leg] += report.fillNotional
                attempt.filledAfter[leg] = context.now - attempt.sentAt
            }
        }
        if report.kind == .fill && !attempt.entryOrders.contains(report.orderId) {
            let base = Int128(report.fillQuantity.raw), quote = Int128(report.fillNotional.raw)
            attempt.repairNet[instrument.base, default: 0] += report.side == .buy ? base : -base
            attempt.repairNet[instrument.quote, default: 0] += report.side == .buy ? -quote : quote
            if let k = attempt.hedgeLeg[report.orderId] { attempt.hedgeFilled[k] += report.fillQuantity }
        }
        if report.isFinal {
            attempt.open.remove(report.orderId)
            attemptByOrder[report.orderId] = nil
        }
        attempts[a] = attempt
        return attempt.open.isEmpty ? repair(a, context) : nil
    }

    /// Handles the timeout of an attempt's legs (tokens with `timerBit`); false for other tokens.
    public func onTimer(_ token: UInt64, _ context: StrategyContext) -> Bool {
        guard token & Self.timerBit != 0 else { return false }
        if let attempt = attempts[token & ~Self.timerBit], attempt.phase == .legs, !attempt.open.isEmpty {
            timeouts += 1
            for id in attempt.open { context.cancel(id) }
        }
        return true
    }

    /// Per asset, how far the attempt is from its plan (signed, 1e-9 units): each entry
    /// leg's unfilled part undone at its limit price, plus what repairs filled. An attempt
    /// whose legs all filled has no gap, whatever its fees and rounding left.
    func gaps(_ attempt: Attempt) -> [(AssetId, Int128)] {
        var gap = attempt.repairNet
        let unit = Int128(FixedDecimal.unit)
        for (k, leg) in attempt.legs.enumerated() where attempt.filled[k] < leg.quantity {
            let missing = Int128(leg.quantity.raw - attempt.filled[k].raw)
            let value = missing * Int128(leg.limit.raw) / unit
            gap[leg.instrument.base, default: 0] -= leg.side == .buy ? missing : -missing
            gap[leg.instrument.quote, default: 0] -= leg.side == .buy ? -value : value
        }
        return gap.filter { $0.key != attempt.startAsset && !attempt.kept.contains($0.key) && $0.value != 0 }
            .sorted { $0.key.index < $1.key.index }
            .map { ($0.key, $0.value) }
    }

    /// All orders of the attempt have ended: send the next round of repairs or finish.
    /// Hedge rounds first: each entry leg's missing quantity is sent again. Then unwind
    /// rounds on what is still off plan; a gap too small for any order becomes dust.
    func repair(_ a: UInt64, _ context: StrategyContext) -> Finished? {
        guard var attempt = attempts[a] else { return nil }
        if attempt.phase == .legs { attempt.brokeLegs = !gaps(attempt).isEmpty }
        while attempt.hedges < policy.maxHedgeAttempts && !gaps(attempt).isEmpty {
            attempt.hedges += 1
            var sent = false
            // Bring every leg up to the share of its plan the furthest leg reached: the
            // smallest repair that closes the gaps (not the whole plan: its edge may be gone).
            var best = 0
            for k in attempt.legs.indices where Int128(attempt.filled[k].raw) * Int128(attempt.legs[best].quantity.raw)
                > Int128(attempt.filled[best].raw) * Int128(attempt.legs[k].quantity.raw) { best = k }
            for (k, leg) in attempt.legs.enumerated() {
                let target = Int128(leg.quantity.raw) * Int128(attempt.filled[best].raw) / Int128(max(1, attempt.legs[best].quantity.raw))
                let missing = Quantity(raw: Int64(clamping: target - Int128(attempt.filled[k].raw) - Int128(attempt.hedgeFilled[k].raw)))
                guard missing.raw > 0 else { continue }
                if let id = sendRepair(a, &attempt, instrument: leg.instrument, side: leg.side, quantity: missing, purpose: .hedge, context) {
                    attempt.hedgeLeg[id] = k
                    sent = true
                }
            }
            guard sent else { break }
            attempt.phase = .hedging
            attempts[a] = attempt
            return nil
        }
        while attempt.unwinds < policy.maxUnwindAttempts {
            let open = gaps(attempt).filter { !attempt.dustAssets.contains($0.0) }
            guard !open.isEmpty else { break }
            attempt.unwinds += 1
            var sent = false
            for (asset, gap) in open {
                // Reverse the leg that created the exposure, preferring one that pairs the
                // asset with the start asset (the chain goes back where it began).
                let long = gap > 0
                let creators = attempt.legs.filter { leg in
                    let spends = leg.side == .buy ? leg.instrument.quote : leg.instrument.base
                    let gets = leg.side == .buy ? leg.instrument.base : leg.instrument.quote
                    return long ? gets == asset : spends == asset
                }
                guard let leg = creators.first(where: { Set([$0.instrument.base, $0.instrument.quote]).contains(attempt.startAsset) }) ?? creators.first
                else { continue }
                let side: Side = leg.side == .buy ? .sell : .buy
                // Dust of this asset left on this venue by earlier attempts, same way round, joins in.
                let key = DustKey(venue: leg.instrument.venue, asset: asset)
                let carried = Int128(dust[key]?.raw ?? 0)
                let adopt = carried != 0 && (carried > 0) == long
                switch unwindQuantity(asset: asset, gap: gap + (adopt ? carried : 0), on: leg.instrument, side: side, context) {
                case .some(let quantity):
                    if sendRepair(a, &attempt, instrument: leg.instrument, side: side, quantity: quantity, purpose: .unwind, context) != nil {
                        sent = true
                        if adopt { attempt.repairNet[asset, default: 0] += carried; dust[key] = nil }
                    }
                case .none:
                    attempt.dustAssets.insert(asset)
                }
            }
            guard sent else { break }
            attempt.phase = .unwinding
            attempts[a] = attempt
            return nil
        }
        return finish(a, attempt)
    }

    /// The base quantity that closes `gap` of `asset` on `instrument`, or nil when it is
    /// below the lot or minimum there (dust).
    func unwindQuantity(asset: AssetId, gap: Int128, on instrument: Instrument, side: Side, _ context: StrategyContext) -> Quantity? {
        let magnitude = abs(gap)
        var raw = magnitude
        if asset != instrument.base {
            guard let touch = side == .sell ? context.book(instrument.id).bestBid : context.book(instrument.id).bestAsk, touch.price.raw > 0 else {
                return Quantity(raw: 1)  // no price now: not dust, the send will fail and it is reported
            }
            raw = magnitude * Int128(FixedDecimal.unit) / Int128(touch.price.raw)
        }
        let quantity = Quantity(raw: Int64(clamping: raw)).rounded(toMultipleOf: instrument.lotStep, .down)
        guard quantity.raw > 0, quantity >= instrument.minQuantity else { return nil }
        if let touch = context.book(instrument.id).bestBid ?? context.book(instrument.id).bestAsk,
           Amount.notional(touch.price, quantity, .down) < instrument.minNotional { return nil }
        return quantity
    }

    /// Sends one IOC repair order for `quantity`, crossing the touch by the policy's
    /// slippage. Nil when it cannot be sent (no touch, below the lot, refused).
    func sendRepair(_ a: UInt64, _ attempt: inout Attempt, instrument: Instrument, side: Side, quantity wanted: Quantity,
                    purpose: OrderPurpose, _ context: StrategyContext) -> ClientOrderId? {
        let book = context.book(instrument.id)
        guard let touch = side == .sell ? book.bestBid : book.bestAsk, touch.price.raw > 0 else { return nil }
        let crossing = side == .sell ? Ratio.one - policy.hedgeSlippage : Ratio.one + policy.hedgeSlippage
        let limit = instrument.tickRule.round(touch.price.scaled(by: crossing, side == .sell ? .down : .up), side == .sell ? .down : .up)
        let quantity = wanted.rounded(toMultipleOf: instrument.lotStep, .down)
        guard limit.raw > 0, quantity.raw > 0, quantity >= instrument.minQuantity else { return nil }
        let intent = OrderIntent.limit(side, on: instrument.id, price: limit, quantity: quantity, timeInForce: .immediateOrCancel,
                                       purpose: purpose, route: attempt.routeTag)
        guard case .success(let id) = context.submit(intent) else { return nil }
        if purpose == .hedge { attempt.hedgeOrders += 1 } else { attempt.unwindOrders += 1 }
        attempt.open.insert(id)
        attemptByOrder[id] = a
        return id
    }

    func finish(_ a: UInt64, _ attempt: Attempt) -> Finished {
        attempts[a] = nil
        var leftover: [AssetId: Amount] = [:]
        var unrepaired = false
        for (asset, amount) in gaps(attempt) {
            leftover[asset] = Amount(raw: amount)
            if !attempt.dustAssets.contains(asset) { unrepaired = true }
            // Keep it on the venue of the legs that trade it: reported as exposure, and
            // repaired with the next gap of that asset there once it adds up to a lot.
            if let venue = attempt.legs.first(where: { $0.instrument.base == asset || $0.instrument.quote == asset })?.instrument.venue {
                dust[DustKey(venue: venue, asset: asset), default: .zero] += Amount(raw: amount)
            }
        }
        let broken = attempt.brokeLegs
        let outcome: Outcome = unrepaired ? .gaveUp : (broken ? .repaired : .completed)
        return Finished(attempt: a, route: attempt.route, outcome: outcome, planned: attempt.legs.map(\.quantity), filled: attempt.filled,
                        filledNotional: attempt.filledNotional, acknowledgedAfter: attempt.acknowledgedAfter, filledAfter: attempt.filledAfter,
                        rejectedLegs: attempt.rejectedLegs, broken: broken, hedgeOrders: attempt.hedgeOrders, unwindOrders: attempt.unwindOrders,
                        leftover: leftover)
    }

    /// Cancels every open order of every attempt (at the end of a run).
    public func cancelAll(_ context: StrategyContext) {
        for attempt in attempts.values { for id in attempt.open { context.cancel(id) } }
    }
}
