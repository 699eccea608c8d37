import ArbCore
import ArbTesting
import Testing

/// Buys 0.01 BTC on alpha at the ask on every book it sees, crossed or not, and reports
/// nothing open: what the conformance check is for.
final class Reckless: Strategy {
    let name = "reckless"
    let btc: InstrumentId
    init(_ market: ConformanceMarket) { btc = market.btcAlpha }
    func start(_ context: StrategyContext) throws { context.subscribe(btc) }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        let price = context.bestAsk(btc)?.price ?? "140000000"
        context.submit(.limit(.buy, on: btc, price: price, quantity: "0.01", timeInForce: .immediateOrCancel))
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

/// Watches and does nothing.
final class Idle: Strategy {
    let name = "idle"
    func start(_ context: StrategyContext) throws {}
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {}
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

@Suite("Strategy conformance")
struct ConformanceTests {
    @Test("a strategy that does nothing passes every case")
    func idlePasses() {
        #expect(StrategyConformance.check(pricesThroughFX: true) { _ in Idle() }.isEmpty)
    }

    @Test("a reckless strategy is caught: orders on empty and crossed books, exposure it does not report")
    func recklessIsCaught() {
        let findings = StrategyConformance.check { Reckless($0) }
        let cases = Set(findings.map(\.case))
        #expect(cases.contains(.emptyBooks) && cases.contains(.crossedBook), "\(findings)")
        #expect(findings.contains { $0.problem.contains("reports 0 BTC open but holds") }, "\(findings)")
    }
}
