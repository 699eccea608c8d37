extension Kernel {
    /// Checks one leg against the venue's rules (on the client's view of the book) and the
    /// balance left after `extraLock`.
    func preTradeCheck(_ intent: OrderIntent, extraLock: (VenueId, AssetId, Amount)?) -> (Rejection?, OrderLock) {
        let id = intent.instrument
        let instrument = universe.instruments[id.index]
        let venue = venues[instrument.venue.index]
        // An entry on a book the feed cannot vouch for is refused; the repair of a leg
        // already filled still goes (a naked leg is the worse risk).
        if intent.purpose == .entry, let problem = bookProblem(id) {
            return (Rejection(reason: .bookInvalid, venueCode: "BOOK_\(problem.description.uppercased())",
                              message: "\(instrument.symbol)'s book is not usable (feed \(problem)): no entry until its next snapshot", httpStatus: 0),
                    OrderLock(asset: instrument.quote, amount: .zero))
        }
        if let rejection = venue.validate(intent, instrument: instrument, book: books[id.index]) {
            return (rejection, OrderLock(asset: instrument.quote, amount: .zero))
        }
        let lock = OrderLock.required(for: intent, instrument: instrument, fees: feeSchedules[id.index], book: books[id.index])
        var need = lock.amount
        if let (v, a, amount) = extraLock, v == instrument.venue, a == lock.asset { need += amount }
        if need > balances[instrument.venue.index].available[lock.asset.index] {
            return (venue.insufficientBalanceRejection(side: intent.side), lock)
        }
        return (nil, lock)
    }

    func recordPreTradeRejection(_ intent: OrderIntent, _ rejection: Rejection, strategy: StrategyId) {
        counters.preTradeRejections += 1
        let venue = universe.venueNames[universe.instruments[intent.instrument.index].venue.index]
        counters.rejectionsByCode["pre-trade:\(venue):\(rejection.venueCode)", default: 0] += 1
        observer?.preTradeRejected(intent, strategy: strategy, rejection: rejection, at: now)
    }

    func send(_ intent: OrderIntent, lock: OrderLock, strategy: StrategyId) -> ClientOrderId {
        nextOrderId += 1
        let id = ClientOrderId(nextOrderId)
        let venueId = universe.instruments[intent.instrument.index].venue
        let order = Order(id: id, strategy: strategy, venue: venueId, intent: intent, submittedAt: now)
        // The pre-trade check passed on this thread a moment ago, so the lock fits; a
        // failure here is a kernel bug, and money must not move on a bug.
        precondition(balances[venueId.index].lock(lock.asset, lock.amount), "pre-trade check passed, so the lock fits")
        openOrders[id] = OpenOrder(order: order, lock: lock, remainingLock: lock.amount, filled: .zero)
        counters.ordersSent += 1
        orderGuard?.orderSent(order, instrument: universe.instruments[intent.instrument.index], kernel: self)
        observer?.orderSent(order, at: now)
        venues[venueId.index].send(.submit(order), at: now)
        return id
    }

    /// A strategy orders only instruments it subscribed to, and nothing after its stop.
    func strategyMayOrder(_ intent: OrderIntent, strategy: StrategyId) -> Rejection? {
        let i = intent.instrument.index
        guard i >= 0 && i < universe.instruments.count else { return nil }  // the pre-trade check refuses it
        if strategyStopped[strategy.index] {
            return Rejection(reason: .unsupportedOrder, venueCode: "STRATEGY_STOPPED", message: "the strategy has stopped: only cancels are accepted")
        }
        guard !subscribers[i].contains(strategy.index) else { return nil }
        let instrument = universe.instruments[i]
        raise(.unsubscribedInstrument, strategy: strategy,
              problem: "sent an order for \(instrument.symbol) on \(universe.venueNames[instrument.venue.index]) without subscribing to it",
              fix: "call context.subscribe(instrument) in start() for every instrument the strategy trades")
        return Rejection(reason: .unknownInstrument, venueCode: "STRATEGY_FAULT", message: "not subscribed to \(instrument.symbol)")
    }

    func submit(_ intent: OrderIntent, strategy: StrategyId) -> Result<ClientOrderId, Rejection> {
        if let refused = strategyMayOrder(intent, strategy: strategy) { return .failure(refused) }
        let (rejection, lock) = preTradeCheck(intent, extraLock: nil)
        if let rejection {
            recordPreTradeRejection(intent, rejection, strategy: strategy)
            return .failure(rejection)
        }
        if let g = orderGuard, let refused = g.admit(intent, instrument: universe.instruments[intent.instrument.index], strategy: strategy, kernel: self) {
            recordPreTradeRejection(intent, refused, strategy: strategy)
            return .failure(refused)
        }
        if let held = admit(intent) {
            recordPreTradeRejection(intent, held, strategy: strategy)
            return .failure(held)
        }
        return .success(send(intent, lock: lock, strategy: strategy))
    }

    /// The venue's client-side rate limiter, if it has one.
    func admit(_ intent: OrderIntent) -> Rejection? {
        let instrument = universe.instruments[intent.instrument.index]
        guard let throttle = throttles[instrument.venue.index] else { return nil }
        return throttle.admit(.newOrder(intent, instrument), at: now)
    }

    /// Both legs are checked (rules, and balances counting the first leg's lock) before either is sent.
    func submitPair(_ a: OrderIntent, _ b: OrderIntent, strategy: StrategyId) -> PairSubmission {
        if let refused = strategyMayOrder(a, strategy: strategy) { return .rejected(leg: 0, refused) }
        if let refused = strategyMayOrder(b, strategy: strategy) { return .rejected(leg: 1, refused) }
        let (rejectA, lockA) = preTradeCheck(a, extraLock: nil)
        if let rejectA {
            recordPreTradeRejection(a, rejectA, strategy: strategy)
            return .rejected(leg: 0, rejectA)
        }
        let venueA = universe.instruments[a.instrument.index].venue
        let (rejectB, lockB) = preTradeCheck(b, extraLock: (venueA, lockA.asset, lockA.amount))
        if let rejectB {
            recordPreTradeRejection(b, rejectB, strategy: strategy)
            return .rejected(leg: 1, rejectB)
        }
        // The risk guard next, for both legs together (the second as if the first were sent).
        if let g = orderGuard, let (leg, refused) = g.admitPair(a, universe.instruments[a.instrument.index], b, universe.instruments[b.instrument.index],
                                                             strategy: strategy, kernel: self) {
            recordPreTradeRejection(leg == 0 ? a : b, refused, strategy: strategy)
            return .rejected(leg: leg, refused)
        }
        // Rate limits last: both legs must be admitted before either goes. A first leg
        // admitted for a pair that then cannot go has used budget it did not need, which
        // errs on the safe side.
        if let held = admit(a) {
            recordPreTradeRejection(a, held, strategy: strategy)
            return .rejected(leg: 0, held)
        }
        if let held = admit(b) {
            recordPreTradeRejection(b, held, strategy: strategy)
            return .rejected(leg: 1, held)
        }
        let idA = send(a, lock: lockA, strategy: strategy)
        let idB = send(b, lock: lockB, strategy: strategy)
        return .sent(idA, idB)
    }

    func cancel(_ id: ClientOrderId) -> Bool {
        guard let open = openOrders[id] else { return false }
        let instrument = universe.instruments[open.order.intent.instrument.index]
        if let throttle = throttles[open.order.venue.index],
           let held = throttle.admit(.cancel(open.order, instrument, orderAge: now - open.order.submittedAt), at: now) {
            counters.heldCancels += 1
            counters.rejectionsByCode["held:\(universe.venueNames[open.order.venue.index]):\(held.venueCode)", default: 0] += 1
            return false
        }
        counters.cancels += 1
        venues[open.order.venue.index].send(.cancel(open.order), at: now)
        return true
    }
}
