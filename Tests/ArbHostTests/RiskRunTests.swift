import ArbCore
import ArbRisk
import ArbTesting
import Foundation
import Testing
@testable import ArbHost

/// Does what it is told at given times (milliseconds after the start) and keeps what the
/// kernel answered.
final class Script: Strategy {
    let name = "script"
    let watch: [InstrumentId]
    let steps: [(ms: Int64, act: (StrategyContext) -> Result<ClientOrderId, Rejection>)]
    var outcomes: [Int: Result<ClientOrderId, Rejection>] = [:]
    init(watch: [InstrumentId], _ steps: [(ms: Int64, act: (StrategyContext) -> Result<ClientOrderId, Rejection>)]) {
        self.watch = watch; self.steps = steps
    }
    func start(_ context: StrategyContext) throws {
        for id in watch { context.subscribe(id) }
        for (i, step) in steps.enumerated() { context.schedule(after: .milliseconds(step.ms), token: UInt64(i)) }
    }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {}
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func onTimer(_ token: UInt64, _ context: StrategyContext) { outcomes[Int(token)] = steps[Int(token)].act(context) }
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }

    func code(_ step: Int) -> String? {
        switch outcomes[step] {
        case .failure(let r)?: return r.venueCode
        case .success?: return "sent"
        case nil: return nil
        }
    }
}

/// Two generic venues, alpha and beta, with BTC-USDT on each, both funded with 10,000
/// USDT and 1 BTC, and the risk guard in front of the kernel.
struct RiskScenario {
    let s = Scenario(reportingAsset: "USDT")
    let alpha: VenueId, beta: VenueId
    let a: InstrumentId, b: InstrumentId
    var riskGuard: KernelRiskGuard?

    init() {
        let fees = FeeSchedule(maker: .zero, taker: .zero, asset: .quote)
        alpha = s.venue("alpha", fees: fees, latencyMs: 5)
        beta = s.venue("beta", fees: fees, latencyMs: 5)
        a = s.instrument(on: alpha, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.0001")
        b = s.instrument(on: beta, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.0001")
        for v in [alpha, beta] { s.deposit("10000", of: "USDT", on: v); s.deposit("1", of: "BTC", on: v) }
    }

    func book(_ id: InstrumentId, at ms: Int64, mid: String) {
        let m = Price(mid)!
        s.book(at: ms, on: id, bids: [(m - Price("0.05"), "10")], asks: [(m + Price("0.05"), "10")])
    }

    /// Runs `script` with `limits` (USDT is cash).
    func run(_ script: Script, until ms: Int64, _ configure: (inout RiskLimits) -> Void) throws -> (ScenarioResult, KernelRiskGuard) {
        var limits = RiskLimits(venueCount: 2, assetCount: s.universe.assetCount)
        limits.isCash[s.universe.assetId("USDT")!.index] = true
        configure(&limits)
        var installed: KernelRiskGuard?
        s.prepareKernel = { kernel in
            let g = KernelRiskGuard(limits: limits, universe: kernel.universe)
            g.install(on: kernel)
            installed = g
        }
        let result = try s.run(script, until: ms)
        return (result, installed!)
    }
}

@Suite("Risk guard in runs: order flow, halts, audit trail")
struct RiskRunTests {
    @Test("a daily loss reached mid-run stops new entries and cancels resting ones, but lets an open leg hedge")
    func dailyLossMidRun() throws {
        let r = RiskScenario()
        r.book(r.a, at: 0, mid: "100"); r.book(r.b, at: 0, mid: "100")
        // The market halves at 1 s: the BTC the first leg bought is worth 50 less.
        r.book(r.a, at: 1_000, mid: "50"); r.book(r.b, at: 1_000, mid: "50")
        let script = Script(watch: [r.a, r.b], [
            (100, { $0.submit(.limit(.buy, on: r.a, price: "100.05", quantity: "1", timeInForce: .immediateOrCancel, route: $0.route(named: "ab"))) }),
            (150, { $0.submit(.limit(.sell, on: r.b, price: "200", quantity: "0.5", route: $0.route(named: "ab"))) }),
            (1_500, { $0.submit(.limit(.buy, on: r.b, price: "50.05", quantity: "0.1", timeInForce: .immediateOrCancel, route: $0.route(named: "ab"))) }),
            (1_600, { $0.submit(.limit(.sell, on: r.b, price: "49.95", quantity: "1", timeInForce: .immediateOrCancel, purpose: .hedge, route: $0.route(named: "ab"))) }),
        ])
        let (result, g) = try r.run(script, until: 3_000) { $0.global.maxDailyLoss = "40" }
        #expect(script.code(0) == "sent" && script.code(1) == "sent")
        #expect(script.code(2) == "risk.global.halted")
        #expect(script.code(3) == "sent")
        // The hedge filled; the resting sell was cancelled by the halt.
        #expect(result.fills.count == 2)
        #expect(g.cancelsOnHalt == 1)
        #expect(result.reports.contains { $0.kind == .cancelled })
        let t = g.guardian.states.transitions
        #expect(t.count == 1 && t[0].code == .dailyLoss && t[0].to == .halted && t[0].recovery == .explicitResume)
        #expect(t[0].at >= r.s.time(1_000) && t[0].at < r.s.time(1_200))
        #expect(result.balance(r.beta, "BTC") == Amount("0"))
        #expect(result.settlementProblems.isEmpty)
    }

    @Test("a stale feed on one venue halts it (and cancels its resting orders); the other venue trades on; fresh again, it recovers after the cool-down")
    func staleFeedOneVenue() throws {
        let r = RiskScenario()
        r.book(r.a, at: 0, mid: "100")
        // Beta's feed ticks every 250 ms; alpha's goes silent after 0 ms, then returns at 4 s.
        for ms in stride(from: Int64(0), through: 8_000, by: 250) { r.book(r.b, at: ms, mid: ms % 500 == 0 ? "100" : "100.01") }
        r.book(r.a, at: 4_000, mid: "100")
        for ms in stride(from: Int64(4_250), through: 8_000, by: 250) { r.book(r.a, at: ms, mid: "100") }
        let buy = { (id: InstrumentId, c: StrategyContext) in c.submit(.limit(.buy, on: id, price: "100.05", quantity: "0.01", timeInForce: .immediateOrCancel)) }
        let script = Script(watch: [r.a, r.b], [
            (100, { $0.submit(.limit(.buy, on: r.a, price: "90", quantity: "0.01")) }),   // rests on alpha
            (3_000, { buy(r.a, $0) }),
            (3_000, { buy(r.b, $0) }),
            (4_500, { buy(r.a, $0) }),     // fresh, but the cool-down (1 s) is not over
            (5_500, { buy(r.a, $0) }),
        ])
        let (result, g) = try r.run(script, until: 8_000) { $0.exchanges[0].maxFeedAge = .seconds(2); $0.exchanges[0].cooldown = .seconds(1) }
        #expect(script.code(0) == "sent")
        #expect(script.code(1) == "risk.exchange.halted")
        #expect(script.code(2) == "sent")
        #expect(script.code(3) == "risk.exchange.halted")
        #expect(script.code(4) == "sent")
        #expect(g.cancelsOnHalt == 1)
        let t = g.guardian.states.transitions
        #expect(t.map(\.scope) == [.exchange(r.alpha), .exchange(r.alpha)])
        #expect(t.map(\.code) == [.staleFeed, .staleFeed] && t.map(\.to) == [.halted, .active])
        // Halted when the newest book passed 2 s (within one review), active 1 s after the feed returned.
        #expect(t[0].at > r.s.time(2_000) && t[0].at <= r.s.time(2_200))
        #expect(t[1].at >= r.s.time(5_000) && t[1].at <= r.s.time(5_200))
        #expect(result.settlementProblems.isEmpty)
    }

    @Test("the guard refuses before the rate limiter: a refused order spends no rate budget")
    func beforeRateLimiter() throws {
        let plan = try load(manifestText(extra: """
        [risk.route]
        max_notional = "100"
        """, withStrategy: false))
        let kernel = try plan.makeKernel()
        let v = plan.universe.venueId("binance")!
        let id = plan.universe.instrument(venue: v, symbol: "BTCUSDT")!.id
        let strategy = Submitter(watch: id, intents: [
            .limit(.buy, on: id, price: Price("95000"), quantity: Quantity("0.01")),     // 950 USDT > 100: refused
            .limit(.buy, on: id, price: Price("95000"), quantity: Quantity("0.001")),    // 95 USDT: sent
        ])
        try kernel.add(strategy)
        var source = ArrayMarketDataSource([.bookSnapshot(BookSnapshot(instrument: id, bids: [BookLevel(price: Price("95000"), quantity: Quantity("10"))],
                                                                       asks: [BookLevel(price: Price("95000.01"), quantity: Quantity("10"))],
                                                                       exchangeTime: RunPlan.startTime + .milliseconds(1),
                                                                       receivedAt: RunPlan.startTime + .milliseconds(1)))])
        kernel.run(&source, until: RunPlan.startTime + .seconds(1))
        let codes = strategy.outcomes.map { if case .failure(let r) = $0 { return r.venueCode } else { return "sent" } }
        #expect(codes == ["risk.route.notional", "sent"])
        if case .failure(let r) = strategy.outcomes[0] { #expect(r.reason == RejectReason.riskLimit && r.message.contains("950") && r.message.contains("100")) }
        // The limiter saw one order, the one sent.
        let limiter = plan.rateLimiters[v.index]!
        #expect(limiter.report(at: kernel.now).counters.granted == 1)
    }
}
