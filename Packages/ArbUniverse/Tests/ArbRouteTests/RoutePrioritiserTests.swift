import ArbCore
import Testing
@testable import ArbRoute

@Suite("Route prioritiser")
struct RoutePrioritiserTests {
    func health(_ scores: [Int64]) -> [RouteHealth] {
        scores.map { var h = RouteHealth(); h.score = $0; return h }
    }
    func ms(_ x: Int64) -> Timestamp { .milliseconds(x) }

    @Test("the best routes are active, best first; a route whose health degrades leaves and comes back when it recovers")
    func degradeAndRecover() {
        var config = RoutePrioritiserConfig()
        config.activeSlots = 2; config.agingPerSecond = 0
        var p = RoutePrioritiser(routeCount: 4, config: config, now: ms(0))
        var h = health([100, 900, 500, 50])
        p.refresh(health: h, now: ms(0))
        #expect(p.active == [1, 2])
        // Route 1's legs start breaking: its score falls below route 0's by more than the hysteresis.
        h[1].score = -150
        p.refresh(health: h, now: ms(100))
        #expect(p.active == [2, 0])
        // Its book goes stale: unusable, out at once, even with a free slot.
        h[1].score = RouteHealth.unusable; h[0].score = RouteHealth.unusable
        p.refresh(health: h, now: ms(200))
        #expect(p.active == [2, 3])
        // It recovers.
        h[1].score = 1_000; h[0].score = 100
        p.refresh(health: h, now: ms(300))
        #expect(p.active == [1, 2])
    }

    @Test("hysteresis: scores flickering within it do not churn the active set")
    func hysteresis() {
        var config = RoutePrioritiserConfig()
        config.activeSlots = 1; config.hysteresis = 200; config.agingPerSecond = 0
        var p = RoutePrioritiser(routeCount: 2, config: config, now: ms(0))
        p.refresh(health: health([1_000, 900]), now: ms(0))
        #expect(p.active == [0])
        for step in 1...100 {
            // The two swap places by up to 150 every refresh.
            let up = step % 2 == 0
            p.refresh(health: health(up ? [1_000, 1_150] : [1_050, 1_000]), now: ms(Int64(step) * 100))
        }
        #expect(p.active == [0] && p.changes == 1)
        p.refresh(health: health([1_000, 1_201]), now: ms(20_000))
        #expect(p.active == [1])
    }

    @Test("no route starves: a low-scored usable route becomes active within (gap + hysteresis) / aging, then waits again")
    func noStarvation() {
        var config = RoutePrioritiserConfig()
        config.activeSlots = 2; config.hysteresis = 100; config.agingPerSecond = 100
        var p = RoutePrioritiser(routeCount: 5, config: config, now: ms(0))
        let h = health([2_000, 1_900, 10, 5, -300])
        var firstActive = [Int64?](repeating: nil, count: 5)
        for t in stride(from: Int64(0), through: 120_000, by: 100) {
            p.refresh(health: h, now: ms(t))
            for r in p.active where firstActive[Int(r)] == nil { firstActive[Int(r)] = t }
        }
        // Route 4 (score −300) waits (1,900 + 300 + 100) / 100 ≈ 23 s, give or take the others' turns.
        #expect(firstActive.allSatisfy { $0 != nil }, "\(firstActive)")
        #expect(firstActive[4]! <= 60_000)
        // An unusable route is never made active by waiting.
        var q = RoutePrioritiser(routeCount: 2, config: config, now: ms(0))
        q.refresh(health: health([100, RouteHealth.unusable]), now: ms(1_000_000))
        #expect(q.active == [0])
    }

    @Test("attempt tokens go to active routes, higher ranks first; capital in proportion to score")
    func budgets() {
        var config = RoutePrioritiserConfig()
        config.activeSlots = 2; config.attemptsPerSecond = 4; config.attemptBurst = 4; config.agingPerSecond = 0
        var p = RoutePrioritiser(routeCount: 3, config: config, now: ms(0))
        let h = health([300, 100, 50])
        p.refresh(health: h, now: ms(0))
        #expect(p.active == [0, 1])
        let inactive = p.grantAttempt(2, now: ms(0))
        #expect(!inactive)
        // Rank 1 of 2 must leave half the burst (2) to rank 0.
        let rank1 = (0..<3).map { _ in p.grantAttempt(1, now: ms(0)) }
        let rank0 = (0..<3).map { _ in p.grantAttempt(0, now: ms(0)) }
        #expect(rank1 == [true, true, false] && rank0 == [true, true, false])
        // Tokens come back at 4 a second.
        let later = p.grantAttempt(0, now: ms(250))
        #expect(later)
        #expect(p.capitalShare(0, health: h) == 750_000 && p.capitalShare(1, health: h) == 250_000 && p.capitalShare(2, health: h) == 0)
    }
}
