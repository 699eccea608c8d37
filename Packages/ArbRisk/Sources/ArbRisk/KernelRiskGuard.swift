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

/// A reservation in the shared tier, for the audit trail.
public struct SharedReservation: Sendable, Hashable {
    public var process: String
    /// The shared store's time (µs); nil on the fallback.
    public var serverTimeMicros: Int64?
    /// This process's gross exposure with the order, and all processes' together.
    public var gross: Amount
    public var combinedGross: Amount?
    /// `allowed` or the refusal's code.
    public var decision: String
    public var at: Timestamp
}

/// What the audit trail (the journal) is told, as it happens.
public protocol RiskAuditSink: AnyObject {
    func riskRefused(_ refusal: RiskRefusal, guard: KernelRiskGuard)
    func riskTransition(_ transition: RiskTransition, guard: KernelRiskGuard)
    /// The shared tier answered a reservation.
    func riskShared(_ reservation: SharedReservation, guard: KernelRiskGuard)
    /// The rebalancing planner proposed a transfer (`executed`: sent as a simulated transfer).
    func riskTransferProposed(_ proposal: TransferProposal, executed: Bool, refusal: String?, guard: KernelRiskGuard)
    /// A halt set account-wide reached this process: when it was set and when it was seen
    /// (the shared store's times, µs).
    func riskSharedHalt(scope: String, reason: String, setAtMicros: Int64?, seenAtMicros: Int64?, at: Timestamp, guard: KernelRiskGuard)
}

extension RiskAuditSink {
    public func riskTransferProposed(_ proposal: TransferProposal, executed: Bool, refusal: String?, guard: KernelRiskGuard) {}
    public func riskShared(_ reservation: SharedReservation, guard: KernelRiskGuard) {}
    public func riskSharedHalt(scope: String, reason: String, setAtMicros: Int64?, seenAtMicros: Int64?, at: Timestamp, guard: KernelRiskGuard) {}
}

/// The guard in a run: ArbCore's `OrderGuard`, turning order intents into `RiskIntent`s,
/// fills and reports into the exposure book and health, ledger rows into route outcomes,
/// and reviews into marks, PnL and feed ages. A scope that becomes `halted` has its
/// resting orders cancelled (hedges and unwinds are left to finish).
public final class KernelRiskGuard: OrderGuard {
    public private(set) var guardian: RiskGuard
    public weak var audit: (any RiskAuditSink)?
    /// Route names of the kernel (for scope names), read at the end and by the audit.
    /// Unowned, not weak: a weak reference gives the kernel a side table, and every
    /// retain and release of it then takes the slow path (measured: ~15 % of a paper run).
    /// The kernel owns the guard, so it outlives it.
    public private(set) unowned(unsafe) var kernel: Kernel?
    /// Resting orders cancelled because their scope halted.
    public private(set) var cancelsOnHalt = 0
    /// Per venue, the instruments whose books tell whether its feed is alive.
    let venueInstruments: [[InstrumentId]]
    /// The global and exchange tiers shared with other processes (nil: this process alone).
    public var shared: (any SharedRiskTier)? {
        didSet {
            sharedLimits = Self.sharedLimits(guardian.limits, venueNames: venueNames)
            guardian.keepsProjection = shared != nil
        }
    }
    var sharedLimits: SharedLimits
    let venueNames: [String]
    /// Halts applied from the shared store, by their scope name there.
    var sharedHalts: [String: RiskScope] = [:]
    public private(set) var sharedReservations = 0
    /// Bands, time out of band, and the rebalancing planner (nil without bands).
    public var inventory: InventoryManager?
    /// Per cell: what is on its way to the venue (simulated transfers in flight).
    var inFlightTo: [Amount]
    let assetCount: Int

    public init(limits: RiskLimits, universe: Universe) {
        guardian = RiskGuard(limits: limits)
        venueNames = universe.venueNames
        assetCount = universe.assetCount
        inFlightTo = Array(repeating: .zero, count: universe.venueCount * universe.assetCount)
        sharedLimits = Self.sharedLimits(limits, venueNames: universe.venueNames)
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

    static func sharedLimits(_ limits: RiskLimits, venueNames: [String]) -> SharedLimits {
        var venues: [String: Amount] = [:]
        for (v, name) in venueNames.enumerated() { if let x = limits.exchanges[v].maxExposure { venues[name] = x } }
        return SharedLimits(grossExposure: limits.global.maxGrossExposure, venueExposure: venues, dailyLoss: limits.global.maxDailyLoss)
    }

    public func admit(_ intent: OrderIntent, instrument: Instrument, strategy: StrategyId, kernel: Kernel) -> Rejection? {
        var decision = guardian.check(riskIntent(intent, instrument, kernel), at: kernel.now)
        if decision.isAllowed, intent.purpose == .entry { decision = reserveShared(instrument.venue, kernel) }
        noteTransitions(kernel)
        return rejection(decision, intent, strategy, kernel)
    }

    /// An entry the local guard allowed and that adds exposure is reserved in the shared
    /// tier: the processes together must stay within the global and exchange limits.
    func reserveShared(_ venue: VenueId, _ kernel: Kernel) -> RiskDecision {
        guard let shared, guardian.lastAllowedAddsExposure else { return .allowed }
        let gross = guardian.lastAllowedGross
        let answer = shared.reserve(gross: gross, venue: venueNames[venue.index], venueExposure: guardian.lastAllowedVenueExposure,
                                    limits: sharedLimits, at: kernel.now)
        sharedReservations += 1
        switch answer {
        case .allowed(let combined, let time):
            audit?.riskShared(SharedReservation(process: shared.processId, serverTimeMicros: time,
                                                gross: gross, combinedGross: combined, decision: "allowed", at: kernel.now), guard: self)
            return .allowed
        case .refused(let code, let scopeName, let limit, let measured):
            guardian.refusedAfterAllowing(code)
            audit?.riskShared(SharedReservation(process: shared.processId, serverTimeMicros: nil,
                                                gross: gross, combinedGross: measured, decision: code.rawValue, at: kernel.now), guard: self)
            let scope = ScopeName(parsing: scopeName).flatMap(resolve) ?? .global
            return .refused(code: code, scope: scope, limit: limit, measured: measured)
        }
    }

    public func admitPair(_ a: OrderIntent, _ instrumentA: Instrument, _ b: OrderIntent, _ instrumentB: Instrument,
                          strategy: StrategyId, kernel: Kernel) -> (leg: Int, Rejection)? {
        var result = guardian.checkPair(riskIntent(a, instrumentA, kernel), riskIntent(b, instrumentB, kernel), at: kernel.now)
        // Both legs together in the shared tier: the second leg's projection includes the first.
        if result == nil, a.purpose == .entry || b.purpose == .entry {
            let decision = reserveShared(instrumentB.venue, kernel)
            if !decision.isAllowed { result = (1, decision) }
        }
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
            refresh(order.venue, instrument.base, kernel)
            refresh(order.venue, instrument.quote, kernel)
            if report.feeAsset != instrument.base && report.feeAsset != instrument.quote { refresh(order.venue, report.feeAsset, kernel) }
        case .rejected, .cancelRejected:
            if let r = report.rejection, report.kind == .rejected || r.httpStatus == 429 || r.httpStatus == 418 || r.httpStatus == 403 {
                guardian.venueRejected(order.venue, httpStatus: r.httpStatus, retryAfter: r.retryAfter, at: kernel.now)
            }
        default:
            break
        }
        if report.isFinal { guardian.finished(id) }
        noteTransitions(kernel)
    }

    /// A transfer left or arrived: the two balances move. The guard counts only what is
    /// on a venue (floors and bands must not lean on coins still on their way, and coins
    /// in flight show as exposure until they land: the conservative side); the planner
    /// counts what is in flight at its destination, so it never sends the same gap twice.
    public func transferMoved(_ transfer: Transfer, kernel: Kernel) {
        let c = transfer.to.index * assetCount + transfer.asset.index
        inFlightTo[c] += transfer.arrived ? Amount.zero - transfer.received : transfer.received
        refresh(transfer.from, transfer.asset, kernel)
        refresh(transfer.to, transfer.asset, kernel)
    }

    func refresh(_ v: VenueId, _ a: AssetId, _ kernel: Kernel) {
        guardian.setBalance(v, a, kernel.balances[v.index].total(a))
    }

    /// The inventory tier at a review: time out of band, then the planner when due, its
    /// proposals journaled and, with `execute`, sent as simulated transfers.
    func reviewInventory(_ kernel: Kernel) {
        guard var manager = inventory else { return }
        let now = kernel.now
        manager.accrue(at: now) { v, a in kernel.balances[v].total(AssetId(a)) + inFlightTo[v * assetCount + a] }
        if let plan = manager.due(at: now, balance: { kernel.balances[$0.index].total($1) },
                                  inFlight: { v, a in inFlightTo[v.index * assetCount + a.index] }) {
            for (asset, venue) in plan.blocked {
                manager.noteBlocked("\(kernel.universe.assetCode(asset)) from \(venueNames[venue.index]): no withdrawal terms")
            }
            inventory = manager
            for p in plan.proposals {
                var refusal: String? = nil
                if manager.execute {
                    if case .failure(let r) = kernel.sendTransfer(asset: p.asset, from: p.from, to: p.to, amount: p.amount, fee: p.fee,
                                                                  network: p.network, arrival: p.arrivesAt - now) {
                        refusal = r.description
                    }
                }
                audit?.riskTransferProposed(p, executed: manager.execute && refusal == nil, refusal: refusal, guard: self)
            }
            return
        }
        inventory = manager
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
        reviewInventory(kernel)
        if let shared {
            var venues: [String: Amount] = [:]
            for (v, name) in venueNames.enumerated() { venues[name] = guardian.exposure.venueExposure(VenueId(v)) }
            let gross = guardian.exposure.grossExposure
            let state = shared.publish(gross: gross, venueExposures: venues, dailyPnL: guardian.dailyPnL, limits: sharedLimits, at: now)
            if state.reachable {
                audit?.riskShared(SharedReservation(process: shared.processId, serverTimeMicros: state.serverTimeMicros,
                                                    gross: gross, combinedGross: nil, decision: "published", at: now), guard: self)
            }
            apply(state, kernel)
        }
        deliverTransitions(kernel)
        return now + guardian.limits.reviewInterval
    }

    /// What is halted account-wide, looked at between reviews (the host polls every few
    /// tens of milliseconds of wall time).
    public func pollShared(kernel: Kernel) {
        guard let shared else { return }
        apply(shared.poll(), kernel)
        deliverTransitions(kernel)
    }

    /// Halts set in the shared store that this process has not applied yet are applied
    /// (explicit resume); those lifted there are resumed here. Unreachable: nothing changes.
    func apply(_ state: SharedState, _ kernel: Kernel) {
        guard state.reachable else { return }
        for name in state.halts.keys.sorted() where sharedHalts[name] == nil {
            guard let parsed = ScopeName(parsing: name), let scope = resolve(parsed) else { continue }
            let (reason, setAt) = sharedHaltParts(state.halts[name]!)
            let code: RiskCode = reason.hasPrefix("daily loss") ? .dailyLoss : .killSwitch
            guardian.setState(scope, .halted, code: code, reason: "shared: \(reason)", at: kernel.now, recovery: .explicitResume)
            sharedHalts[name] = scope
            audit?.riskSharedHalt(scope: name, reason: reason, setAtMicros: setAt, seenAtMicros: state.serverTimeMicros, at: kernel.now, guard: self)
        }
        for name in sharedHalts.keys.sorted() where state.halts[name] == nil {
            guardian.resume(sharedHalts[name]!, reason: "shared: resumed", at: kernel.now)
            sharedHalts[name] = nil
        }
    }

    /// The kill switch and its resume, from the host (`arbd risk`, SIGUSR1, Redis). With
    /// a shared tier, a halt is also set account-wide, so every process stops. Applied
    /// here in any case; returns why it could not be set account-wide, if it could not.
    @discardableResult
    public func halt(_ scope: RiskScope, reason: String, kernel: Kernel) -> String? {
        guardian.halt(scope, reason: reason, at: kernel.now)
        return setShared(scope, halted: true, reason: reason, kernel)
    }

    @discardableResult
    public func resume(_ scope: RiskScope, reason: String, kernel: Kernel) -> String? {
        guardian.resume(scope, reason: reason, at: kernel.now)
        return setShared(scope, halted: false, reason: reason, kernel)
    }

    func setShared(_ scope: RiskScope, halted: Bool, reason: String, _ kernel: Kernel) -> String? {
        defer { deliverTransitions(kernel) }
        guard let shared else { return nil }
        let name = scopeName(scope)
        sharedHalts[name] = halted ? scope : nil
        do {
            try shared.setHalt(name, reason: halted ? reason : nil)
            return nil
        } catch {
            return "\(halted ? "halt" : "resume") \(name) applied here only, not account-wide: \(error)"
        }
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
