import ArbCore
import ArbRateLimit
import Testing
@testable import Binance

@Suite("Binance rate limits")
struct BinanceRateLimitTests {
    let t0 = Timestamp(nanoseconds: 1_800_000_000_000_000_000)  // on a minute boundary

    @Test("new orders draw on weight, raw requests and both order counts; depth weight by levels")
    func costs() {
        let r = BinanceRateLimits()
        let order = r.costs(for: RateLimitRequest(.newOrder, priority: .newOrder)).map { r.pools[$0.pool].id }
        #expect(order == ["request_weight", "raw_requests", "orders_10s", "orders_1d"])
        let weights = [100, 500, 1_000, 5_000].map { r.costs(for: RateLimitRequest(.depthSnapshot(levels: $0), priority: .marketData))[0].weight }
        #expect(weights == [5, 25, 50, 250])
    }

    @Test("X-MBX-USED-WEIGHT-1M and X-MBX-ORDER-COUNT-10S re-synchronise; -1015 blocks the order pool, -1003 the weight")
    func feedback() {
        let l = RateLimiter(rules: BinanceRateLimits(), policy: RateLimitPolicy(softUtilisation: .one))
        l.observe(RateLimitFeedback(status: 200, headers: ["X-MBX-USED-WEIGHT-1M": "5999", "X-MBX-ORDER-COUNT-10S": "100"]), at: t0)
        #expect(l.tryAcquire(RateLimitRequest(.newOrder, priority: .hedge), at: t0) == .wait(until: t0 + .seconds(10), pool: "orders_10s"))
        #expect(l.tryAcquire(RateLimitRequest(.serverTime, priority: .cancel), at: t0) == .granted)
        #expect(l.tryAcquire(RateLimitRequest(.serverTime, priority: .cancel), at: t0) == .wait(until: t0 + .seconds(60), pool: "request_weight"))
        let l2 = RateLimiter(rules: BinanceRateLimits())
        l2.observe(RateLimitFeedback(status: 429, headers: ["Retry-After": "7"], code: "-1015"), at: t0)
        #expect(l2.tryAcquire(RateLimitRequest(.newOrder, priority: .hedge), at: t0) == .wait(until: t0 + .seconds(7), pool: "orders_10s"))
        #expect(l2.tryAcquire(RateLimitRequest(.account, priority: .cancel), at: t0) == .granted, "the weight pool is not blocked by -1015")
        l2.observe(RateLimitFeedback(status: 418, headers: ["Retry-After": "180"]), at: t0)
        #expect(l2.tryAcquire(RateLimitRequest(.cancelOrder, priority: .cancel), at: t0) == .banned(until: t0 + .seconds(180)))
    }

    @Test("the paper venue answers -1003 (429), then bans with 418 when the client keeps going")
    func paperVenue() throws {
        var h = VenueHarnessLike()
        var answers: [Int] = []
        for i in 0..<120 { answers.append(h.send(at: .milliseconds(Int64(i)))) }
        #expect(answers.prefix(100).allSatisfy { $0 == 0 }, "100 orders per 10 s")
        #expect(answers[100] == 429)
        #expect(answers[101] == 418, "sent inside Retry-After: banned")
        #expect(h.lastRejection?.message.contains("IP banned") == true)
    }
}

import ArbPaper
import ArbTesting
/// Binance BTCUSDT with enforced limits; orders far from the book (they rest).
struct VenueHarnessLike {
    var harness: VenueHarness
    var lastRejection: Rejection?
    init() {
        harness = VenueHarness(plugin: try! BinancePlugin(settings: .init()), base: "BTC", quote: "USDT", enforceRateLimits: true)
        harness.fund("10000000", of: "USDT")
        harness.setBook(bids: [("90000", "1")], asks: [("100000", "1")])
    }
    mutating func send(at t: Timestamp) -> Int {
        let reports = harness.send(.limit(.buy, on: harness.instrument.id, price: Price("50000"), quantity: Quantity("0.001")), at: t)
        lastRejection = reports.first?.rejection
        return reports.first?.rejection?.httpStatus ?? 0
    }
}

@Suite("Binance unfilled-order count")
struct BinanceOrderCountTests {
    let t0 = Timestamp(nanoseconds: 1_800_000_000_000_000_000)

    @Test("client side: an order's first fill gives its place in orders_10s and orders_1d back")
    func clientRefund() {
        let l = RateLimiter(rules: BinanceRateLimits(), policy: RateLimitPolicy(softUtilisation: .one))
        for _ in 0..<100 { #expect(l.tryAcquire(RateLimitRequest(.newOrder, priority: .newOrder), at: t0) == .granted) }
        #expect(l.tryAcquire(RateLimitRequest(.newOrder, priority: .newOrder), at: t0) == .wait(until: t0 + .seconds(10), pool: "orders_10s"))
        for _ in 0..<30 { l.orderTraded(instrument: "BTCUSDT", at: t0) }
        for _ in 0..<30 { #expect(l.tryAcquire(RateLimitRequest(.newOrder, priority: .newOrder), at: t0) == .granted) }
        #expect(l.tryAcquire(RateLimitRequest(.newOrder, priority: .newOrder), at: t0) != .granted)
        let weight = l.metrics(at: t0).first { $0.pool == "request_weight" }
        #expect(weight?.usedNow == 130, "the weight is not given back")
    }

    @Test("venue side: orders that trade do not count towards the 100 per 10 s")
    func venueRefund() {
        var h = VenueHarness(plugin: try! BinancePlugin(settings: .init()), base: "BTC", quote: "USDT", enforceRateLimits: true)
        h.fund("10000000", of: "USDT")
        h.setBook(bids: [("90000", "1")], asks: [("100000", "1000")])
        var answers: [Int] = []
        for i in 0..<150 {
            let reports = h.send(.limit(.buy, on: h.instrument.id, price: Price("100000"), quantity: Quantity("0.001"), timeInForce: .immediateOrCancel),
                                 at: t0 + .milliseconds(Int64(i)))
            answers.append(reports.first { $0.kind == .rejected }?.rejection?.httpStatus ?? 0)
        }
        #expect(answers.allSatisfy { $0 == 0 }, "150 orders in 150 ms, all filled: none over the unfilled-order count")
    }
}
