import ArbCore
import ArbRateLimit
import Testing
@testable import Upbit

@Suite("Upbit rate limits")
struct UpbitRateLimitTests {
    @Test("Remaining-Req: group=…; min=…; sec=N is read; min is ignored")
    func header() {
        #expect(UpbitRateLimits.parseRemaining("group=default; min=1800; sec=29")! == ("default", 29))
        #expect(UpbitRateLimits.parseRemaining("group=order;sec=3")! == ("order", 3))
        #expect(UpbitRateLimits.parseRemaining("nonsense") == nil)
    }

    @Test("the header re-synchronises the group: 2 left means 2 more this second")
    func resync() {
        let t = Timestamp(nanoseconds: 1_800_000_000_000_000_000)
        let l = RateLimiter(rules: UpbitRateLimits(), policy: RateLimitPolicy(softUtilisation: .one))
        l.observe(RateLimitFeedback(status: 200, headers: ["Remaining-Req": "group=order; min=1800; sec=2"]), at: t)
        let order = RateLimitRequest(.newOrder, priority: .hedge)
        #expect((0..<5).filter { _ in l.tryAcquire(order, at: t) == .granted }.count == 2)
        // A 429 on an order blocks the order group (not the default one) for the rest of the second.
        l.observe(RateLimitFeedback(status: 429, request: order), at: t + .milliseconds(1_100))
        #expect(l.tryAcquire(order, at: t + .milliseconds(1_200)) == .wait(until: t + .milliseconds(2_100), pool: "order"))
        #expect(l.tryAcquire(RateLimitRequest(.account, priority: .cancel), at: t + .milliseconds(1_200)) == .granted)
    }

    @Test("cancel-all: one per two seconds")
    func cancelAll() {
        let t = Timestamp(nanoseconds: 1_800_000_000_000_000_000)
        let l = RateLimiter(rules: UpbitRateLimits())
        let r = RateLimitRequest(.cancelAll, priority: .cancel)
        #expect(l.tryAcquire(r, at: t) == .granted)
        #expect(l.tryAcquire(r, at: t + .milliseconds(1_999)) == .wait(until: t + .seconds(2), pool: "order-cancel-all"))
        #expect(l.tryAcquire(r, at: t + .seconds(2)) == .granted)
    }
}
