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
        context.submit(.limit(instrument, .buy, price: ask.price, quantity: Quantity("1")!, tif: .immediateOrCancel))
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

@Suite("Scenario harness")
struct ScenarioTests {
    @Test("records orders, reports and balances of a scripted run, with latency")
    func recordsEverything() throws {
        let s = Scenario(reportingAsset: "USDT")
        let v = s.venue("x", fees: FeeSchedule(maker: .zero, taker: Ratio("0.001")!, asset: .quote), latencyMs: 5)
        let i = s.instrument(on: v, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.001")
        s.deposit(v, "USDT", "1000")
        s.book(at: 0, i, bids: [("99", "1")], asks: [("100", "2")])
        let result = try s.run(BuyOnce(i), until: 100)
        #expect(result.orders.count == 1)
        #expect(result.reports.map(\.kind) == [.accepted, .fill])
        #expect(result.fills.first?.venueTime == .milliseconds(5))
        #expect(result.balance(v, "USDT") == Amount("899.9")!)
        #expect(result.balance(v, "BTC") == Amount("1")!)
        #expect(result.venueBalance(v, "USDT") == result.balance(v, "USDT"))
    }
}
