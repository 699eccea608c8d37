import ArbCore
import Testing
@testable import ArbTesting

/// Buys once at the touch when it first sees a book.
final class BuyOnce: Strategy {
    let name = "buy-once"
    let instrument: InstrumentId
    var sent = false
    init(_ instrument: InstrumentId) { self.instrument = instrument }
    func start(_ context: StrategyContext) throws { context.subscribe(instrument) }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        guard !sent, let ask = context.book(instrument).bestAsk else { return }
        sent = true
        context.submit(.limit(.buy, on: instrument, price: ask.price, quantity: Quantity("1"), timeInForce: .immediateOrCancel))
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

@Suite("Scenario harness")
struct ScenarioTests {
    @Test("records orders, reports and balances of a scripted run, with latency")
    func recordsEverything() throws {
        let s = Scenario(reportingAsset: "USDT")
        let v = s.venue("x", fees: FeeSchedule(maker: .zero, taker: Ratio("0.001"), asset: .quote), latencyMs: 5)
        let i = s.instrument(on: v, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.001")
        s.deposit("1000", of: "USDT", on: v)
        s.book(at: 0, on: i, bids: [("99", "1")], asks: [("100", "2")])
        let result = try s.run(BuyOnce(i), until: 100)
        #expect(result.orders.count == 1)
        #expect(result.reports.map(\.kind) == [.accepted, .fill])
        #expect(result.fills.first?.venueTime == s.time(5))
        #expect(result.balance(v, "USDT") == Amount("899.9"))
        #expect(result.balance(v, "BTC") == Amount("1"))
        #expect(result.venueBalance(v, "USDT") == result.balance(v, "USDT"))
        #expect(result.settlementProblems.isEmpty)
    }
}

/// Tries to buy 10 at the touch every 100 ms of event time, whatever the book says.
final class BuyEvery100ms: Strategy {
    let name = "buy-every-100ms"
    let instrument: InstrumentId
    init(_ instrument: InstrumentId) { self.instrument = instrument }
    func start(_ context: StrategyContext) throws {
        context.subscribe(instrument)
        context.schedule(after: .milliseconds(100), token: 0)
    }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {}
    func onTimer(_ token: UInt64, _ context: StrategyContext) {
        context.submit(.limit(.buy, on: instrument, price: Price("100"), quantity: Quantity("10"), timeInForce: .immediateOrCancel))
        context.schedule(after: .milliseconds(100), token: 0)
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

/// Buys at the first ask it sees, once, and remembers when it saw a book.
final class WatchAndBuy: Strategy {
    let name = "watch"
    let instrument: InstrumentId
    var sawBookAt: [Timestamp] = []
    init(_ instrument: InstrumentId) { self.instrument = instrument }
    func start(_ context: StrategyContext) throws { context.subscribe(instrument) }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        sawBookAt.append(context.now)
        if sawBookAt.count == 1, let ask = context.bestAsk(instrument) {
            context.submit(.limit(.buy, on: instrument, price: ask.price, quantity: ask.quantity, timeInForce: .immediateOrCancel))
        }
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

@Suite("Scenario harness: the simulated exchange")
struct ScenarioExchangeTests {
    func market(feedLatencyMs: Int64 = 0) -> (Scenario, VenueId, InstrumentId) {
        let s = Scenario(reportingAsset: "USDT")
        let v = s.venue("x", fees: FeeSchedule(maker: .zero, taker: Ratio("0.001"), asset: .quote), latencyMs: 5, feedLatencyMs: feedLatencyMs)
        let i = s.instrument(on: v, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.001")
        s.deposit("1000000", of: "USDT", on: v)
        return (s, v, i)
    }

    @Test("a level of 10 fed unchanged for 10 s, a strategy trying every 100 ms: 10 filled in all, not 10 per try")
    func consumedLiquidity() throws {
        let (s, v, i) = market()
        s.book(at: 0, on: i, bids: [("99", "5")], asks: [("100", "10")])
        for ms in stride(from: Int64(50), to: 10_000, by: 100) { s.level(at: ms, on: i, side: .ask, price: "100", quantity: "10") }
        let result = try s.run(BuyEvery100ms(i), until: 10_000)
        #expect(result.orders.count >= 99)
        #expect(result.fills.reduce(Quantity.zero) { $0 + $1.fillQuantity } == Quantity("10"))
        #expect(result.balance(v, "BTC") == Amount("10"))
        #expect(result.exchange.statistics.ordersShortOnArrival == result.orders.count - 1)
        #expect(result.kernel.book(i).bestAsk == nil, "the client's feed shows the level gone too")
        #expect(result.settlementProblems.isEmpty, "\(result.settlementProblems)")
    }

    @Test("the strategy sees the market a feed latency late, and the liquidity it took gone")
    func feedLatency() throws {
        let (s, _, i) = market(feedLatencyMs: 40)
        s.book(at: 10, on: i, bids: [("99", "5")], asks: [("100", "2")])
        let strategy = WatchAndBuy(i)
        let result = try s.run(strategy, until: 1_000)
        // Book at 10 ms seen at 50; the order reaches the venue at 55; its effect published then, seen at 95.
        #expect(strategy.sawBookAt == [s.time(50), s.time(95)])
        #expect(result.fills.first?.venueTime == s.time(55))
        #expect(result.kernel.book(i).bestAsk == nil)
        #expect(result.exchange.exchangeBook(i).bestAsk == nil)
    }
}
