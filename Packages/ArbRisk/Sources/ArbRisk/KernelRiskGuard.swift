import ArbCore

/// A refusal as the audit trail records it.
public struct RiskRefusal: Sendable, Hashable {
    public var code: RiskCode
    public var scope: RiskScope
    public var limit: Amount?
    public var measured: Amount?
    public var intent: OrderIntent
    public var strategy: StrategyId
    public var at: Timestamp
}

/// What the audit trail (the journal) is told, as it happens.
public protocol RiskAuditSink: AnyObject {
    func riskRefused(_ refusal: RiskRefusal, guard: KernelRiskGuard)
    func riskTransition(_ transition: RiskTransition, guard: KernelRiskGuard)
}

/// The guard in a run: ArbCore's `OrderGuard`, turning order intents into `RiskIntent`s,
/// fills and reports into the exposure book and health, ledger rows into route outcomes,
/// and reviews into marks, PnL and feed ages. A scope that becomes `halted` has its
/// resting orders cancelled (hedges and unwinds are left to finish).
public final class KernelRiskGuard: OrderGuard {
    public private(set) var guardian: RiskGuard
    public weak var audit: (any RiskAuditSink)?
    /// Route names of the kernel (for scope names), read at the end and by the audit.
    public private(set) weak var kernel: Kernel?
    /// Resting orders cancelled because their scope halted.
    public private(set) var cancelsOnHalt = 0
    /// Per venue, the instruments whose books tell whether its feed is alive.
    let venueInstruments: [[InstrumentId]]

    public init(limits: RiskLimits, universe: Universe) {
        guardian = RiskGuard(limits: limits)
        var byVenue = Array(repeating: [InstrumentId](), count: universe.venueCount)
        for i in universe.instruments { byVenue[i.venue.index].append(i.id) }
        venueInstruments = byVenue
    }

    /// Puts the guard in front of `kernel`'s orders; balances now are both the starting
    /// point and the reference exposure is measured against.
    public func install(on kernel: Kernel) {
        self.kernel = kernel
        for v in 0..<kernel.universe.venueCount {
            for a in 0..<kernel.universe.assetCount {
                guardian.setReference(VenueId(v), AssetId(a), kernel.initialBalances[v].total(AssetId(a)))
                guardian.setBalance(VenueId(v), AssetId(a), kernel.balances[v].total(AssetId(a)))
            }
        }
        kernel.setGuard(self)
    }

    /// The intent's flows: a limit order at its price; a market order at the far touch
    /// (a market buy by quote amount: that amount, and the base it buys there).
    public func riskIntent(_ intent: OrderIntent, _ instrument: Instrument, _ kernel: Kernel) -> RiskIntent {
        var price = intent.price
        if intent.type == .market {
            let touch = kernel.touch(instrument.id)
            price = (intent.side == .buy ? touch.ask?.price : touch.bid?.price) ?? .zero
        }
        var quantity = intent.quantity.asAmount, quoteAmount = Amount.notional(price, intent.quantity, .up)
        if intent.isQuoteSized {
            quoteAmount = intent.quoteAmount
            quantity = price.raw > 0 ? intent.quoteAmount.converted(dividingBy: price, .up) : .zero
        }
        return RiskIntent(venue: instrument.venue, route: intent.route, base: instrument.base, quote: instrument.quote, side: intent.side,
                          quantity: quantity, quoteAmount: quoteAmount, purpose: intent.purpose)
    }

    public func admit(_ intent: OrderIntent, instrument: Instrument, strategy: StrategyId, kernel: Kernel) -> Rejection? {
        let decision = guardian.check(riskIntent(intent, instrument, kernel), at: kernel.now)
        noteTransitions(kernel)
        return rejection(decision, intent, strategy, kernel)
    }

    public func admitPair(_ a: OrderIntent, _ instrumentA: Instrument, _ b: OrderIntent, _ instrumentB: Instrument,
                          strategy: StrategyId, kernel: Kernel) -> (leg: Int, Rejection)? {
        let result = guardian.checkPair(riskIntent(a, instrumentA, kernel), riskIntent(b, instrumentB, kernel), at: kernel.now)
        noteTransitions(kernel)
        guard let (leg, decision) = result, let refused = rejection(decision, leg == 0 ? a : b, strategy, kernel) else { return nil }
        return (leg, refused)
    }

    func rejection(_ decision: RiskDecision, _ intent: OrderIntent, _ strategy: StrategyId, _ kernel: Kernel) -> Rejection? {
        guard case .refused(let code, let scope, let limit, let measured) = decision else { return nil }
        audit?.riskRefused(RiskRefusal(code: code, scope: scope, limit: limit, measured: measured, intent: intent, strategy: strategy, at: kernel.now),
                           guard: self)
        var message = "refused by the risk guard (\(scopeName(scope)))"
        if let limit, let measured { message += ": \(measured) against a limit of \(limit)" }
        return Rejection(reason: .riskLimit, venueCode: code.rawValue, message: message, httpStatus: 0)
    }

    public func orderSent(_ order: Order, instrument: Instrument, kernel: Kernel) {
        guardian.sent(order.id.value, riskIntent(order.intent, instrument, kernel), at: kernel.now)
    }

    public func orderReported(_ report: ExecutionReport, order: Order, instrument: Instrument, kernel: Kernel) {
        let id = order.id.value
        guardian.acknowledged(id, at: kernel.now)
        switch report.kind {
        case .fill:
            guardian.filled(id, quantity: report.fillQuantity.asAmount, quoteAmount: report.fillNotional)
            let v = order.venue.index
            for asset in [instrument.base, instrument.quote] { guardian.setBalance(order.venue, asset, kernel.balances[v].total(asset)) }
            if report.feeAsset != instrument.base && report.feeAsset != instrument.quote {
                guardian.setBalance(order.venue, report.feeAsset, kernel.balances[v].total(report.feeAsset))
            }
        case .rejected, .cancelRejected:
            if let r = report.rejection, report.kind == .rejected || [429, 418, 403].contains(r.httpStatus) {
                guardian.venueRejected(order.venue, httpStatus: r.httpStatus, retryAfter: r.retryAfter, at: kernel.now)
            }
        default:
            break
        }
        if report.isFinal { guardian.finished(id) }
        noteTransitions(kernel)
    }

    public func opportunityRecorded(_ record: OpportunityRecord, kernel: Kernel) {
        guard record.decision == .executed else { return }
        guardian.attemptFinished(route: record.route, realisedEdgePpm: record.realisedEdgePpm, at: kernel.now)
        noteTransitions(kernel)
    }

    public func review(kernel: Kernel) -> Timestamp {
        let now = kernel.now
        let marks = kernel.currentMarks()
        guardian.setMarks { marks.value(Amount(units: 1), of: $0) }
        var equity = Amount.zero, reference = Amount.zero
        for v in 0..<kernel.universe.venueCount {
            for a in 0..<kernel.universe.assetCount {
                let asset = AssetId(a)
                guard let unit = marks.value(Amount(units: 1), of: asset), unit.raw > 0 else { continue }
                equity += marks.value(kernel.balances[v].total(asset), of: asset) ?? .zero
                reference += marks.value(guardian.exposure.reference(VenueId(v), asset), of: asset) ?? .zero
            }
        }
        guardian.marked(equity: equity, referenceEquity: reference, at: now)
        for (v, instruments) in venueInstruments.enumerated() {
            var newest = Timestamp.zero
            for id in instruments { newest = max(newest, kernel.touch(id).updatedAt) }
            // A venue whose feed has not started yet is not stale: nothing can trade there.
            if newest > .zero { guardian.feedAge(VenueId(v), now - newest, at: now) }
        }
        guardian.reviewHealth(at: now)
        deliverTransitions(kernel)
        return now + guardian.limits.reviewInterval
    }

    /// The kill switch and its resume, from the host (`arbd risk`, SIGUSR1, Redis).
    public func halt(_ scope: RiskScope, reason: String, kernel: Kernel) {
        guardian.halt(scope, reason: reason, at: kernel.now)
        deliverTransitions(kernel)
    }

    public func resume(_ scope: RiskScope, reason: String, kernel: Kernel) {
        guardian.resume(scope, reason: reason, at: kernel.now)
        deliverTransitions(kernel)
    }

    /// A transition waits for the next step's review, where it is journaled and its
    /// scope's resting orders cancelled (never inside a strategy's call into the kernel).
    @inline(__always) func noteTransitions(_ kernel: Kernel) {
        if !guardian.states.pending.isEmpty { kernel.requestGuardReview() }
    }

    func deliverTransitions(_ kernel: Kernel) {
        for t in guardian.states.takeNew() {
            audit?.riskTransition(t, guard: self)
            guard t.to == .halted else { continue }
            let universe = kernel.universe
            cancelsOnHalt += kernel.cancelOpenOrders { order in
                guard order.intent.purpose == .entry else { return false }
                switch t.scope {
                case .global: return true
                case .exchange(let v): return order.venue == v
                case .route(let r): return order.intent.route == r
                case .symbol(let a): return universe.instruments[order.intent.instrument.index].base == a
                }
            }
        }
    }

    /// `global`, `exchange:binance`, `route:<name>`, `symbol:BTC`.
    public func scopeName(_ scope: RiskScope) -> String {
        guard let kernel else { return "\(scope)" }
        return scope.name(in: kernel.universe) { r in r >= 0 && Int(r) < kernel.routeNames.count ? kernel.routeNames[Int(r)] : "#\(r)" }
    }

    /// A scope a person named, in this run: nil if the venue, route or asset is unknown.
    public func resolve(_ name: ScopeName) -> RiskScope? {
        guard let kernel else { return nil }
        let u = kernel.universe
        switch name {
        case .global: return .global
        case .exchange(let n): return u.venueNames.firstIndex(of: n).map { .exchange(VenueId($0)) }
        case .symbol(let n): return u.assetId(n).map { .symbol($0) }
        case .route(let n): return kernel.routeNames.firstIndex(of: n).map { .route(Int32($0)) }
        }
    }
}
