extension Kernel {
    /// Processes the next thing due: a client-side action (a report arriving, a timer),
    /// something inside the simulation (an order reaching a venue, a feed message reaching
    /// the client), or the next market event (at exchange time when simulating, at its
    /// receive time otherwise), in that order on ties. Returns false when nothing is left
    /// before `end` (the end itself is exclusive).
    @inline(__always)
    public func step<Source: MarketDataSource>(_ source: inout Source, until end: Timestamp) -> Bool {
        let market = nextMarketTime(&source)
        let simulated = simulation?.nextDueTime ?? .distantFuture
        let scheduled = scheduler.nextTime ?? .distantFuture
        let due = Swift.min(market, simulated, scheduled)
        guard due < end, due != .distantFuture, !hot.pointee.faulted else { return false }
        // The risk guard's review comes first at its time (never the only thing keeping a
        // run going): marks, PnL and feed ages are judged before the next event is.
        if hot.pointee.nextGuardReview <= due {
            if hot.pointee.nextGuardReview > now { now = hot.pointee.nextGuardReview }
            reviewGuard()
            return true
        }
        if scheduled == due && !hot.pointee.marketStarted && market != .distantFuture && market > due,
           case .timer = hot.pointee.scheduler.nextAction {
            // Before the first market event a timer waits for it: it fires once at that
            // event's time, not once per period missed since the run's start.
            let (_, action) = hot.pointee.scheduler.popNext()!
            scheduler.schedule(action, at: market)
            return true
        }
        if due > now { now = due }
        if scheduled == due {
            let (_, action) = hot.pointee.scheduler.popNext()!
            counters.scheduledActions += 1
            perform(action)
        } else if simulated == due {
            if let delivered = simulation!.performNext() { handle(delivered) }
        } else {
            var event = Kernel.emptySlot
            swap(&event, &hot.pointee.pendingEvent)
            hot.pointee.hasPending = false
            hot.pointee.marketStarted = true
            if let simulation {
                hot.pointee.lastExchangeTime = due
                simulation.exchangeReceives(event, at: due)
            } else {
                handle(event)
            }
        }
        if hot.pointee.checksInvariants { checkInvariants() }
        return true
    }

    /// When the pending market event happens: its exchange time (kept non-decreasing)
    /// when simulating, its receive time otherwise.
    @inline(__always)
    func nextMarketTime<Source: MarketDataSource>(_ source: inout Source) -> Timestamp {
        if !hot.pointee.hasPending {
            guard let event = source.next() else { return .distantFuture }
            var t = event.receivedAt
            if simulation != nil {
                t = event.exchangeTime
                if t < hot.pointee.lastExchangeTime { t = hot.pointee.lastExchangeTime }
            }
            hot.pointee.pendingEvent = event
            hot.pointee.pendingTime = t
            hot.pointee.hasPending = true
        }
        return hot.pointee.pendingTime
    }

    /// Event time of the next thing due, if any.
    public func nextDueTime<Source: MarketDataSource>(_ source: inout Source) -> Timestamp? {
        let due = Swift.min(nextMarketTime(&source), simulation?.nextDueTime ?? .distantFuture,
                            scheduler.nextTime ?? .distantFuture)
        return due == .distantFuture ? nil : due
    }

    /// Runs until the source and the schedules are exhausted or `end` is reached; the
    /// kernel's clock is then set to `end` (if finite).
    public func run<Source: MarketDataSource>(_ source: inout Source, until end: Timestamp = .distantFuture) {
        while step(&source, until: end) {}
        if end != .distantFuture { now = Swift.max(now, end) }
    }

    /// Applies one market event to the client's view, as the client receives it, and
    /// wakes the strategies that watch the instrument.
    public func handle(_ event: MarketEvent) {
        counters.marketEvents += 1
        let id = event.instrument
        guard id.index >= 0 && id.index < books.count else { counters.unknownInstrumentEvents += 1; return }
        var notify = true
        switch event {
        case .bookDelta(let d):
            counters.bookUpdates += 1
            books[id.index].apply(d.side, price: d.price, quantity: d.quantity)
            books[id.index].sequence = d.sequence
            books[id.index].updatedAt = d.exchangeTime
            notify = d.endOfMessage
        case .bookSnapshot(let s):
            counters.bookUpdates += 1
            books[id.index].replace(bids: s.bids, asks: s.asks)
            books[id.index].sequence = s.sequence
            books[id.index].updatedAt = s.exchangeTime
            hot.pointee.bookTrouble[id.index] = 0
        case .trade:
            counters.trades += 1
            notify = false
        case .status(let s):
            counters.feedStatusEvents += 1
            // A gap, a resync or staleness means the book can no longer be trusted: empty
            // it and refuse entries on it until the next snapshot, so no strategy trades
            // on a stale picture.
            if s.kind != .reconnect {
                books[id.index].clear()
                hot.pointee.bookTrouble[id.index] = s.kind.rawValue + 1
            }
        }
        refreshTouch(id.index)
        if let watcher = hot.pointee.watcher { watcher.marketEvent(event, kernel: self) }
        // Start marks: looked for every 256 events until taken (a pass over every book).
        if hot.pointee.awaitingStartMarks && counters.marketEvents & 255 == 1 { takeStartMarksIfReady() }
        if notify {
            var i = 0
            while i < subscribers[id.index].count {
                let s = subscribers[id.index][i]
                counters.strategyWakeups += 1
                strategies[s].onBook(id, contexts[s])
                i += 1
            }
        }
    }

    func perform(_ action: KernelAction) {
        switch action {
        case .report(let report):
            apply(report)
        case .timer(let strategy, let token):
            let s = strategy.index
            guard !strategyStopped[s] else { return }
            if timerBursts[s].instant == now {
                timerBursts[s].count += 1
                if timerBursts[s].count > maxTimerFiringsPerInstant {
                    raise(.timerStorm, strategy: strategy,
                          problem: "\(timerBursts[s].count) timers fired at one instant of event time (\(now)): a timer that reschedules itself without moving time on",
                          fix: "give every timer a positive delay, and do not reschedule from onTimer more than once per firing")
                    return
                }
            } else {
                timerBursts[s] = (now, 1)
            }
            strategies[s].onTimer(token, contexts[s])
        case .transferArrival(let id):
            arrive(id)
        }
    }

    /// A venue's report reaches the client at `time`: booked then, as a scheduled event.
    public func deliver(_ report: ExecutionReport, at time: Timestamp) {
        scheduler.schedule(.report(report), at: time > now ? time : now)
    }

    func scheduleTimer(_ strategy: StrategyId, after delay: Duration, token: UInt64) {
        guard delay > .zero else {
            raise(.timerDelay, strategy: strategy, problem: "scheduled timer \(token) \(delay) ahead",
                  fix: "schedule timers with a positive delay, e.g. context.schedule(after: .milliseconds(100), token: \(token))")
            return
        }
        guard !strategyStopped[strategy.index] else { return }
        scheduler.schedule(.timer(strategy, token), at: now + delay)
    }
}
