import ArbCore
import ArbTesting
import Testing

/// Records what reaches it and when; optionally misbehaves in one way.
final class Probe: Strategy {
    enum Misbehaviour { case none, zeroDelay, negativeDelay, storm, unsubscribedOrder, throwInStart }
    let name = "probe"
    let watch: InstrumentId
    let other: InstrumentId?
    let period: Duration
    let misbehaviour: Misbehaviour
    var startedAt: Timestamp?
    var timerTimes: [Timestamp] = []
    var bookTimes: [Timestamp] = []
    var stopped = false
    var callbacksAfterStop = 0

    struct StartRefused: Error, CustomStringConvertible { var description: String { "no venue named 'gamma'" } }

    init(_ watch: InstrumentId, other: InstrumentId? = nil, period: Duration = .milliseconds(100), misbehaviour: Misbehaviour = .none) {
        self.watch = watch; self.other = other; self.period = period; self.misbehaviour = misbehaviour
    }
    func start(_ context: StrategyContext) throws {
        if misbehaviour == .throwInStart { throw StartRefused() }
        startedAt = context.now
        context.subscribe(watch)
        switch misbehaviour {
        case .zeroDelay: context.schedule(after: .zero, token: 7)
        case .negativeDelay: context.schedule(after: .milliseconds(-5), token: 7)
        case .storm: for token in 0..<20_000 { context.schedule(after: .milliseconds(1), token: UInt64(token)) }
        default: context.schedule(after: period, token: 0)
        }
    }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        if stopped { callbacksAfterStop += 1 }
        bookTimes.append(context.now)
        if misbehaviour == .unsubscribedOrder, let other, bookTimes.count == 1 {
            context.submit(.limit(.buy, on: other, price: "100", quantity: "1"))
        } else if bookTimes.count == 1 {
            // A resting order, so cancels and their reports come after stop.
            context.submit(.limit(.buy, on: watch, price: "90", quantity: "1"))
        }
    }
    func onTimer(_ token: UInt64, _ context: StrategyContext) {
        if stopped { callbacksAfterStop += 1 }
        timerTimes.append(context.now)
        if misbehaviour == .none { context.schedule(after: period, token: 0) }
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {
        if stopped { callbacksAfterStop += 1 }
    }
    func stop(_ context: StrategyContext) -> StrategyReport {
        stopped = true
        for order in context.openOrders() { context.cancel(order.id) }
        return StrategyReport(name: name)
    }
}

func probeMarket() -> (Scenario, VenueId, InstrumentId, InstrumentId) {
    let s = Scenario(reportingAsset: "USDT")
    let v = s.venue("alpha", fees: FeeSchedule(maker: .zero, taker: .zero, asset: .quote), latencyMs: 5)
    let btc = s.instrument(on: v, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.001")
    let eth = s.instrument(on: v, symbol: "ETH-USDT", base: "ETH", quote: "USDT", tick: "0.01", lot: "0.001")
    s.deposit("100000", of: "USDT", on: v)
    return (s, v, btc, eth)
}

@Suite("One clock, one lifecycle")
struct ClockAndLifecycleTests {
    @Test("start() sees the run's start: 2026 by default, or what the scenario sets; script times count from it")
    func startTime() throws {
        let (s, _, btc, _) = probeMarket()
        s.book(at: 10, on: btc, bids: [("99", "1")], asks: [("101", "1")])
        let probe = Probe(btc)
        _ = try s.run(probe, until: 50)
        #expect(probe.startedAt == .defaultRunStart && s.start == .defaultRunStart)
        #expect(probe.bookTimes.first == .defaultRunStart + .milliseconds(10))

        let (t, _, btc2, _) = probeMarket()
        t.start = Timestamp(nanoseconds: 1_800_000_000_000_000_000)
        t.book(at: 10, on: btc2, bids: [("99", "1")], asks: [("101", "1")])
        let later = Probe(btc2)
        _ = try t.run(later, until: 50)
        #expect(later.startedAt == t.start && later.bookTimes.first == t.start + .milliseconds(10))
    }

    @Test("a timer due before the first market event fires once, at that event's time, then keeps its period")
    func timerBeforeFirstEvent() throws {
        let (s, _, btc, _) = probeMarket()
        // The market opens 10 s after the start: 100 periods of 100 ms are missed.
        s.book(at: 10_000, on: btc, bids: [("99", "1")], asks: [("101", "1")])
        let probe = Probe(btc)
        _ = try s.run(probe, until: 10_350)
        #expect(probe.timerTimes.map { $0 - s.start } == [.seconds(10), .milliseconds(10_100), .milliseconds(10_200), .milliseconds(10_300)])
    }

    @Test("after stop() no callback or timer reaches the strategy, though its cancels settle")
    func nothingAfterStop() throws {
        let (s, v, btc, _) = probeMarket()
        s.book(at: 0, on: btc, bids: [("99", "1")], asks: [("101", "1")])
        s.book(at: 70_000, on: btc, bids: [("98", "1")], asks: [("102", "1")])  // inside the minute after stop
        let probe = Probe(btc)
        let result = try s.run(probe, until: 1_000)
        #expect(probe.stopped && probe.callbacksAfterStop == 0)
        #expect(result.reports.contains { $0.kind == .cancelled }, "the cancel sent at stop was booked")
        #expect(result.available(v, "USDT") == Amount("100000"), "its lock released")
        #expect(probe.timerTimes.allSatisfy { $0 <= s.time(1_000) })
    }

    @Test("a timer with no delay, or a negative one, stops the run with a fault naming the strategy and the fix",
          arguments: [Probe.Misbehaviour.zeroDelay, .negativeDelay])
    func badTimerDelay(_ misbehaviour: Probe.Misbehaviour) throws {
        let (s, _, btc, _) = probeMarket()
        s.book(at: 10, on: btc, bids: [("99", "1")], asks: [("101", "1")])
        let fault = try #require(throws: StrategyFault.self) { try s.run(Probe(btc, misbehaviour: misbehaviour), until: 100) }
        #expect(fault.kind == .timerDelay && fault.strategy == "probe")
        #expect(fault.description.contains("strategy 'probe'") && fault.description.contains("fix: schedule timers with a positive delay"))
    }

    @Test("a timer storm (20,000 timers at one instant) is refused with a fault naming the strategy")
    func timerStorm() throws {
        let (s, _, btc, _) = probeMarket()
        s.book(at: 10, on: btc, bids: [("99", "1")], asks: [("101", "1")])
        let fault = try #require(throws: StrategyFault.self) { try s.run(Probe(btc, misbehaviour: .storm), until: 100) }
        #expect(fault.kind == .timerStorm && fault.problem.contains("10001 timers fired at one instant"))
    }

    @Test("an order for an instrument the strategy never subscribed to stops the run with a fault")
    func unsubscribedOrder() throws {
        let (s, _, btc, eth) = probeMarket()
        s.book(at: 10, on: btc, bids: [("99", "1")], asks: [("101", "1")])
        s.book(at: 10, on: eth, bids: [("99", "1")], asks: [("101", "1")])
        let fault = try #require(throws: StrategyFault.self) { try s.run(Probe(btc, other: eth, misbehaviour: .unsubscribedOrder), until: 100) }
        #expect(fault.kind == .unsubscribedInstrument && fault.problem.contains("ETH-USDT on alpha"))
        #expect(fault.fix.contains("context.subscribe"))
    }

    @Test("what start() throws reaches the caller")
    func throwingStart() {
        let (s, _, btc, _) = probeMarket()
        #expect(throws: Probe.StartRefused.self) { try s.run(Probe(btc, misbehaviour: .throwInStart), until: 100) }
    }
}
