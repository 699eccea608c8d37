import ArbCore
import Testing
@testable import ArbRateLimit

let order = RateLimitRequest(.newOrder, priority: .newOrder)

@Suite("Rate-limit schemes against the documented numbers")
struct SchemeTests {
    @Test("fixed window: Binance 6,000 weight per minute, depth weights by level count")
    func fixedWindowWeights() {
        let l = hard(WeightRules())
        let depth5000 = RateLimitRequest(.depthSnapshot(levels: 5_000), priority: .hedge)
        #expect(grants(l, depth5000, 30, at: ms(1_000)) == 24)  // 24 × 250 = 6,000
        guard case .wait(let until, let pool) = l.tryAcquire(depth5000, at: ms(1_000)) else { Issue.record("expected wait"); return }
        #expect(pool == "request_weight" && until == ms(60_000), "the next minute")
        #expect(l.tryAcquire(depth5000, at: ms(60_000)) == .granted)
        #expect(grants(l, RateLimitRequest(.depthSnapshot(levels: 100), priority: .hedge), 2_000, at: ms(61_000)) == (6_000 - 250) / 5)
    }

    @Test("fixed window: Upbit's order group, 12 per second; the default group is separate")
    func upbitGroups() {
        let l = hard(UpbitLike())
        #expect(grants(l, order, 20, at: ms(100)) == 12)
        #expect(grants(l, RateLimitRequest(.account, priority: .hedge), 40, at: ms(100)) == 30)
        #expect(grants(l, order, 20, at: ms(999)) == 0)
        #expect(grants(l, order, 20, at: ms(1_000)) == 12)
    }

    @Test("sliding window: Bybit's rolling second, 20 creates per second per UID")
    func slidingWindow() {
        let l = hard(BybitRules())
        #expect(grants(l, order, 10, at: ms(0)) == 10)
        #expect(grants(l, order, 20, at: ms(600)) == 10)
        // A fixed window would reset at 1,000 ms; the rolling one frees the first 10 only at 1,000 (0 + 1 s) and the rest at 1,600.
        #expect(grants(l, order, 20, at: ms(1_000)) == 10)
        #expect(grants(l, order, 20, at: ms(1_599)) == 0)
        guard case .wait(let until, _) = l.tryAcquire(order, at: ms(1_599)) else { Issue.record("expected wait"); return }
        #expect(until == ms(1_600))
    }

    @Test("one request draws on several pools: Bybit's IP pool (600 per 5 s) caps all endpoints together")
    func multiplePools() {
        let l = hard(BybitRules())
        var granted = 0
        // 20 creates + 20 cancels + 50 queries per second for 5 s = 450 < 600: all pass.
        for second in 0..<5 {
            let t = ms(Int64(second) * 1_000)
            granted += grants(l, order, 20, at: t) + grants(l, RateLimitRequest(.cancelOrder, priority: .cancel), 20, at: t)
                + grants(l, RateLimitRequest(.queryOrder, priority: .hedge), 50, at: t)
        }
        #expect(granted == 450)
        // Market data on the IP pool only: 150 more fit in the same 5 s.
        #expect(grants(l, RateLimitRequest(.trades, priority: .cancel), 400, at: ms(4_500)) == 150)
    }

    @Test("per instrument: OKX counts 60 orders per 2 s for each instrument separately")
    func perInstrument() {
        let l = hard(OKXRules())
        let btc = RateLimitRequest(.newOrder, priority: .newOrder, instrument: "BTC-USDT")
        let eth = RateLimitRequest(.newOrder, priority: .newOrder, instrument: "ETH-USDT")
        #expect(grants(l, btc, 100, at: ms(0)) == 60)
        #expect(grants(l, eth, 100, at: ms(0)) == 60)
        #expect(grants(l, btc, 10, at: ms(1_999)) == 0)
        #expect(grants(l, btc, 10, at: ms(2_000)) == 10)
        #expect(l.metrics(at: ms(2_000)).filter { $0.pool == "trade/order" }.compactMap(\.instrument).sorted() == ["BTC-USDT", "ETH-USDT"])
    }

    @Test("decaying counter: Kraken's trading counter, and the cancel penalty by order age")
    func decayingCounter() {
        let l = hard(KrakenRules())
        let add = RateLimitRequest(.newOrder, priority: .newOrder, instrument: "XBT/USD")
        #expect(grants(l, add, 100, at: ms(0)) == 60)
        // Decays 1 per second: one more each second.
        #expect(grants(l, add, 5, at: ms(1_000)) == 1)
        #expect(grants(l, add, 5, at: ms(3_000)) == 2)
        // Cancelling a 2-second-old order costs 8: it needs 8 s of decay.
        let youngCancel = RateLimitRequest(.cancelOrder, priority: .cancel, instrument: "XBT/USD", orderAge: .seconds(2))
        guard case .wait(let until, _) = l.tryAcquire(youngCancel, at: ms(3_000)) else { Issue.record("expected wait"); return }
        #expect(until == ms(11_000))
        // A 10-minute-old order cancels free.
        #expect(l.tryAcquire(RateLimitRequest(.cancelOrder, priority: .cancel, instrument: "XBT/USD", orderAge: .seconds(600)), at: ms(3_000)) == .granted)
        // REST counter: 15, −0.33/s.
        #expect(grants(l, RateLimitRequest(.account, priority: .hedge), 20, at: ms(0)) == 15)
        #expect(grants(l, RateLimitRequest(.account, priority: .hedge), 20, at: ms(3_100)) == 1)
    }

    @Test("token bucket: Coinbase Exchange, burst 30 then 15 per second")
    func tokenBucket() {
        let l = hard(CoinbaseRules())
        #expect(grants(l, order, 50, at: ms(0)) == 30)
        #expect(grants(l, order, 50, at: ms(1_000)) == 15)
        #expect(grants(l, order, 50, at: ms(1_200)) == 3)
    }

    @Test("soft limit: above 80 % new orders wait, cancels and hedges still go; market data is shed when the wait is long")
    func softLimit() {
        let l = RateLimiter(rules: UpbitLike(), policy: RateLimitPolicy(softUtilisation: Ratio("0.8"), maxMarketDataWait: .milliseconds(500)))
        #expect(grants(l, order, 20, at: ms(0)) == 9)   // 80 % of 12, rounded down
        #expect(grants(l, RateLimitRequest(.newOrder, priority: .hedge), 20, at: ms(0)) == 3)
        let l2 = RateLimiter(rules: WeightRules(), policy: RateLimitPolicy(maxMarketDataWait: .seconds(5)))
        #expect(grants(l2, RateLimitRequest(.account, priority: .cancel), 270, at: ms(1_000)) == 270)  // 5,400 weight
        #expect(l2.tryAcquire(RateLimitRequest(.depthSnapshot(levels: 100), priority: .marketData), at: ms(1_000)) == .shed(pool: "request_weight"))
        #expect(l2.tryAcquire(RateLimitRequest(.depthSnapshot(levels: 100), priority: .cancel), at: ms(1_000)) == .granted)
        #expect(l2.counters.sheds == 1)
    }

    @Test("a process's share scales every pool")
    func share() {
        let l = RateLimiter(rules: WeightRules(), policy: RateLimitPolicy(share: Ratio("0.25"), softUtilisation: .one))
        #expect(grants(l, RateLimitRequest(.account, priority: .cancel), 100, at: ms(0)) == 75)  // 1,500 / 20
    }

    @Test("feedback: usage headers re-synchronise; 429 stops the pool until Retry-After; 418 stops everything")
    func feedback() {
        let l = hard(WeightRules())
        l.observe(RateLimitFeedback(status: 200, headers: ["X-MBX-USED-WEIGHT-1M": "5990"]), at: ms(1_000))
        #expect(grants(l, RateLimitRequest(.account, priority: .cancel), 5, at: ms(1_000)) == 0, "only 10 left: another process used the rest")
        #expect(grants(l, RateLimitRequest(.serverTime, priority: .cancel), 20, at: ms(1_000)) == 10)
        l.observe(RateLimitFeedback(status: 429, retryAfter: .seconds(30)), at: ms(70_000))
        #expect(l.tryAcquire(RateLimitRequest(.serverTime, priority: .cancel), at: ms(99_999)) == .wait(until: ms(100_000), pool: "request_weight"))
        #expect(l.tryAcquire(RateLimitRequest(.serverTime, priority: .cancel), at: ms(100_000)) == .granted)
        l.observe(RateLimitFeedback(status: 418, retryAfter: .seconds(120)), at: ms(110_000))
        #expect(l.tryAcquire(order, at: ms(200_000)) == .banned(until: ms(230_000)))
        #expect(l.tryAcquire(order, at: ms(230_000)) == .granted)
        #expect(l.counters.bans == 1 && l.counters.tooManyRequests == 1)
    }

    @Test("a request larger than the budget is impossible, not a wait")
    func impossible() {
        let huge = hard(WeightRules())
        #expect(huge.tryAcquire(RateLimitRequest(.depthSnapshot(levels: 5_000), priority: .cancel), at: ms(0)) == .granted)
        let tiny = RateLimiter(rules: WeightRules(), policy: RateLimitPolicy(limitOverrides: ["request_weight": 100]))
        #expect(tiny.tryAcquire(RateLimitRequest(.depthSnapshot(levels: 5_000), priority: .cancel), at: ms(0)) == .impossible(pool: "request_weight"))
    }
}

/// Upbit's groups without the plugin.
struct UpbitLike: RateLimitRules {
    let exchange = "upbit-like"
    let pools = [
        PoolDefinition(id: "default", scheme: .fixedWindow(limit: 30, window: .seconds(1)), scope: .account),
        PoolDefinition(id: "order", scheme: .fixedWindow(limit: 12, window: .seconds(1)), scope: .account),
    ]
    func costs(for r: RateLimitRequest) -> [PoolCost] { [PoolCost(pool: r.endpoint == .newOrder ? 1 : 0, weight: 1)] }
    func interpret(_ f: RateLimitFeedback) -> [FeedbackAction] { [] }
}

final class TestClock: RateLimitClock, @unchecked Sendable {
    var time: Int64 = 0
    func now() -> Timestamp { Timestamp(nanoseconds: time) }
    func sleep(until: Timestamp) async throws { time = max(time, until.nanoseconds) }
}

@Suite("Feedback and waiting")
struct FeedbackTests {
    @Test("Bybit: X-Bapi-Limit-Status re-synchronises the endpoint pool; an IP 403 stops everything for 10 minutes")
    func bybit() {
        let l = hard(BybitRules())
        l.observe(RateLimitFeedback(status: 200, headers: ["X-Bapi-Limit-Status": "3"], request: order), at: ms(0))
        #expect(grants(l, order, 10, at: ms(0)) == 3)
        l.observe(RateLimitFeedback(status: 403), at: ms(100))
        #expect(l.tryAcquire(RateLimitRequest(.cancelOrder, priority: .cancel), at: ms(599_000)) == .banned(until: ms(600_100)))
        #expect(l.tryAcquire(RateLimitRequest(.cancelOrder, priority: .cancel), at: ms(600_100)) == .granted)
    }

    @Test("async acquire waits through a 429 until Retry-After, and gives up at its deadline")
    func acquire() async throws {
        let l = hard(CoinbaseRules())
        let clock = TestClock()
        l.observe(RateLimitFeedback(status: 429, retryAfter: .seconds(3)), at: clock.now())
        let outcome = try await l.acquire(order, deadline: Timestamp(nanoseconds: 10_000_000_000), clock: clock)
        #expect(outcome == .granted)
        #expect(clock.time == 3_000_000_000, "it slept exactly until Retry-After, never sent before")
        l.observe(RateLimitFeedback(status: 429, retryAfter: .seconds(60)), at: clock.now())
        let late = try await l.acquire(order, deadline: clock.now() + .seconds(5), clock: clock)
        guard case .timedOut = late else { Issue.record("expected a time-out, got \(late)"); return }
        #expect(clock.time == 3_000_000_000, "no sleep when the wait is past the deadline")
    }
}
