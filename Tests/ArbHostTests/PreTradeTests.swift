import ArbCore
import Testing
@testable import ArbHost

/// Submits its intents one by one on the first book it sees and keeps the outcomes.
final class Submitter: Strategy {
    let name = "submitter"
    let watch: InstrumentId
    let intents: [OrderIntent]
    var outcomes: [Result<ClientOrderId, Rejection>] = []
    init(watch: InstrumentId, intents: [OrderIntent]) { self.watch = watch; self.intents = intents }
    func start(_ context: StrategyContext) throws { context.subscribe(watch) }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {
        guard outcomes.isEmpty else { return }
        outcomes = intents.map { context.submit($0) }
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

@Suite("Pre-trade check with the real venue rules")
struct PreTradeTests {
    func outcomes(venue: String, symbol: String, bid: String, ask: String, _ intents: (InstrumentId) -> [OrderIntent]) throws -> ([Result<ClientOrderId, Rejection>], Kernel) {
        // No strategy from the manifest: only the submitter trades.
        let plan = try load(manifestText(withStrategy: false))
        let kernel = try plan.makeKernel()
        let v = plan.universe.venueId(venue)!
        let id = plan.universe.instrument(venue: v, symbol: symbol)!.id
        let strategy = Submitter(watch: id, intents: intents(id))
        try kernel.add(strategy)
        var source = ArrayMarketDataSource([.bookSnapshot(BookSnapshot(instrument: id, bids: [BookLevel(price: Price(bid)!, quantity: Quantity("10"))],
                                                                       asks: [BookLevel(price: Price(ask)!, quantity: Quantity("10"))],
                                                                       exchangeTime: RunPlan.startTime + .milliseconds(1),
                                                                       receivedAt: RunPlan.startTime + .milliseconds(1)))])
        kernel.run(&source, until: RunPlan.startTime + .seconds(1))
        return (strategy.outcomes, kernel)
    }

    func codes(_ outcomes: [Result<ClientOrderId, Rejection>]) -> [String] {
        outcomes.map { if case .failure(let r) = $0 { return r.venueCode } else { return "sent" } }
    }

    @Test("Binance: below minimum, off tick, too many decimals, beyond balance — refused with Binance's codes, nothing sent")
    func binance() throws {
        let (results, kernel) = try outcomes(venue: "binance", symbol: "BTCUSDT", bid: "95000", ask: "95000.01") { id in [
            .limit(.buy, on: id, price: Price("95000"), quantity: Quantity("0.00001")),          // 0.95 USDT < 5
            .limit(.buy, on: id, price: Price("95000.005"), quantity: Quantity("0.001")),        // off the 0.01 tick
            .limit(.buy, on: id, price: Price("95000.000000001"), quantity: Quantity("0.001")),  // 9 decimals > 8
            .limit(.buy, on: id, price: Price("95000"), quantity: Quantity("2")),                // 190,000 > 150,000 USDT
            .limit(.sell, on: id, price: Price("95000"), quantity: Quantity("1.5")),             // 1.5 BTC > 1
        ] }
        #expect(codes(results) == ["-1013", "-1013", "-1111", "-2010", "-2010"])
        if case .failure(let r) = results[1] { #expect(r.message == "Filter failure: PRICE_FILTER") }
        #expect(kernel.counters.ordersSent == 0)
        #expect(kernel.counters.preTradeRejections == 5)
        #expect(kernel.counters.rejectionsByCode["pre-trade:binance:-1013"] == 2)
    }

    @Test("Upbit: below 5,000 KRW, off the KRW tick table, beyond balance — refused with Upbit's names, nothing sent")
    func upbit() throws {
        let (results, kernel) = try outcomes(venue: "upbit", symbol: "KRW-BTC", bid: "133000000", ask: "133001000") { id in [
            .limit(.buy, on: id, price: Price("133000000"), quantity: Quantity("0.00003")),      // 3,990 KRW
            .limit(.sell, on: id, price: Price("133000500"), quantity: Quantity("0.001")),       // tick is 1,000 here
            .limit(.buy, on: id, price: Price("133000000"), quantity: Quantity("2")),            // 266M KRW > 200M
            .limit(.buy, on: id, price: Price("133000000"), quantity: Quantity("0.001")),        // fine
        ] }
        #expect(codes(results) == ["under_min_total_bid", "invalid_price_ask", "insufficient_funds_bid", "sent"])
        #expect(kernel.counters.ordersSent == 1)
    }
}
