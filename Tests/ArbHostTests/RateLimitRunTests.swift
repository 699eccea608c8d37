import ArbCore
import ArbRateLimit
import Foundation
import Testing
@testable import ArbHost

/// Sends a small IOC buy every 5 ms of event time, whatever happens.
final class Hammer: Strategy {
    let name = "hammer"
    let instrument: InstrumentId
    var held: [(Timestamp, String)] = []
    init(_ instrument: InstrumentId) { self.instrument = instrument }
    func start(_ context: StrategyContext) throws { context.subscribe(instrument); context.schedule(after: .milliseconds(5), token: 0) }
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {}
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func onTimer(_ token: UInt64, _ context: StrategyContext) {
        if case .failure(let r) = context.submit(.limit(.buy, on: instrument, price: Price("100000000"), quantity: Quantity("0.0001"), timeInForce: .immediateOrCancel)) {
            held.append((context.now, r.venueCode))
        }
        context.schedule(after: .milliseconds(5), token: 0)
    }
    func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
}

final class Recorder: KernelObserver {
    var sent: [Timestamp] = []
    var reports: [(Timestamp, ExecutionReport)] = []
    func orderSent(_ order: Order, at time: Timestamp) { sent.append(time) }
    func orderReport(_ report: ExecutionReport, order: Order, valued: FillValue?, at time: Timestamp) { reports.append((time, report)) }
    func preTradeRejected(_ intent: OrderIntent, strategy: StrategyId, rejection: Rejection, at time: Timestamp) {}
}

@Suite("Rate limits in a run")
struct RateLimitRunTests {
    @Test("the paper venue answers 429 then 418; the client stops, waits out the ban, then resumes")
    func tooManyRequestsThenBan() throws {
        let text = manifestText(withStrategy: false).replacingOccurrences(of: "[exchanges.binance]", with: """
            [exchanges.upbit.rate_limits]
            venue_limits = { order = 2 }

            [exchanges.binance]
            """)
        let plan = try load(text)
        let kernel = try plan.makeKernel()
        let upbit = plan.universe.venueId("upbit")!
        let btc = plan.universe.instrument(venue: upbit, symbol: "KRW-BTC")!.id
        let hammer = Hammer(btc)
        try kernel.add(hammer)
        let recorder = Recorder()
        kernel.observer = recorder
        var source = ArrayMarketDataSource([.bookSnapshot(BookSnapshot(instrument: btc, bids: [BookLevel(price: Price("133000000"), quantity: Quantity("1"))],
                                                                       asks: [BookLevel(price: Price("133001000"), quantity: Quantity("1"))],
                                                                       exchangeTime: RunPlan.startTime + .milliseconds(1),
                                                                       receivedAt: RunPlan.startTime + .milliseconds(1)))])
        kernel.run(&source, until: RunPlan.startTime + .seconds(70))

        let refusals = recorder.reports.filter { $0.1.rejection.map { [429, 418].contains($0.httpStatus) } ?? false }
        let first429 = try #require(refusals.first { $0.1.rejection?.httpStatus == 429 })
        let first418 = try #require(refusals.first { $0.1.rejection?.httpStatus == 418 })
        #expect(first429.0 < first418.0, "a 429 first, then the ban")
        #expect(first429.1.rejection?.venueCode == "too_many_requests")
        let banEnd = first418.0 + first418.1.rejection!.retryAfter!
        #expect(banEnd.nanoseconds - first418.0.nanoseconds == 60_000_000_000, "Upbit's first ban: 60 s")
        // Nothing was sent from the moment the client heard of the ban until it ended.
        #expect(recorder.sent.filter { $0 >= first418.0 && $0 < banEnd }.isEmpty)
        #expect(hammer.held.contains { $0.1 == "client:banned" })
        // It resumed after the ban and the venue took orders again.
        let resumed = recorder.sent.filter { $0 >= banEnd }
        #expect(!resumed.isEmpty)
        #expect(recorder.reports.contains { $0.0 > banEnd && $0.1.kind == .accepted })
        // And it stopped for the 429: nothing sent between the 429 and its Retry-After, except what was already in flight.
        let retryEnd = first429.0 + first429.1.rejection!.retryAfter!
        #expect(recorder.sent.filter { $0 > first429.0 && $0 < retryEnd }.isEmpty)
        let venueSide = (kernel.venue(upbit) as? any PaperAccountHolder)?.admission as? ExchangeSideLimits
        #expect(venueSide?.bansIssued ?? 0 >= 1)
        let client = try #require(plan.rateLimiters[upbit.index]).report(at: kernel.now)
        #expect(client.counters.bans >= 1 && client.counters.tooManyRequests >= 1 && client.counters.deniedWhileBanned > 0)
    }

    @Test("rate-limit settings are validated against the exchange's pools")
    func validation() {
        let message = problem(manifestText().replacingOccurrences(of: "[exchanges.binance]", with: """
            [exchanges.upbit.rate_limits]
            limits = { orders = 5 }
            share = "1.5"

            [exchanges.binance]
            """))
        #expect(message.contains("exchanges.upbit.rate_limits.limits.orders") && message.contains("unknown pool 'orders'") && message.contains("order, order-test"), "\(message)")
        #expect(message.contains("exchanges.upbit.rate_limits.share"))
        let redis = problem(manifestText().replacingOccurrences(of: "[exchanges.binance]", with: "[exchanges.upbit.rate_limits]\nbackend = \"redis\"\n\n[exchanges.binance]"))
        #expect(redis.contains("needs a [storage.redis] section"), "\(redis)")
    }
}
import ArbPaper
