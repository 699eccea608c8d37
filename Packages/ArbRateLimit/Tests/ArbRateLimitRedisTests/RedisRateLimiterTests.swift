import ArbCore
import ArbRateLimit
import ArbRedis
import Foundation
import Synchronization
import Testing
@testable import ArbRateLimitRedis

enum TestRedis {
    static let env = ProcessInfo.processInfo.environment
    static var available: Bool { env["ARBOR_TEST_REDIS_PORT"] != nil || env["ARBOR_REQUIRE_SERVICES"] == "1" }
    static func connect() throws -> RedisConnection {
        guard let port = env["ARBOR_TEST_REDIS_PORT"].flatMap(Int.init) else {
            throw RedisError(code: .connectionFailed, message: "ARBOR_TEST_REDIS_PORT not set; run under tools/with-services", context: "test")
        }
        return try RedisConnection(host: "127.0.0.1", port: port)
    }
}

/// Simulated time for the shared limiter.
final class ManualClock: RateLimitClock {
    let time = Mutex<Int64>(1_800_000_000_000_000_000)
    func now() -> Timestamp { Timestamp(nanoseconds: time.withLock { $0 }) }
    func sleep(until: Timestamp) async throws { time.withLock { $0 = max($0, until.nanoseconds) } }
    func set(_ ms: Int64) { time.withLock { $0 = 1_800_000_000_000_000_000 + ms * 1_000_000 } }
}

struct MixedRules: RateLimitRules {
    let exchange = "mixed"
    let pools = [
        PoolDefinition(id: "fixed", scheme: .fixedWindow(limit: 12, window: .seconds(1)), scope: .account),
        PoolDefinition(id: "sliding", scheme: .slidingWindow(limit: 20, window: .seconds(1)), scope: .account),
        PoolDefinition(id: "decay", scheme: .decayingCounter(capacity: 15, decayMilliPerSecond: 1_000), scope: .accountInstrument),
        PoolDefinition(id: "bucket", scheme: .tokenBucket(burst: 30, milliPerSecond: 15_000), scope: .ip),
    ]
    func costs(for r: RateLimitRequest) -> [PoolCost] {
        switch r.endpoint {
        case .newOrder: return [PoolCost(pool: 0, weight: 1), PoolCost(pool: 1, weight: 1)]
        case .cancelOrder: return [PoolCost(pool: 2, weight: 3)]
        case .account: return [PoolCost(pool: 3, weight: 1)]
        default: return [PoolCost(pool: 1, weight: 2)]
        }
    }
    func interpret(_ f: RateLimitFeedback) -> [FeedbackAction] {
        switch f.status {
        case 429: return [.blockPool(pool: 0, for: f.retryAfter ?? .seconds(1))]
        case 418: return [.ban(for: f.retryAfter ?? .seconds(120))]
        default: return f.headers["used"].flatMap { Int64($0) }.map { [.used(pool: 0, used: $0)] } ?? []
        }
    }
}

func shared(_ prefix: String, clock: ManualClock, share: Ratio = .one, connect: (() throws -> RedisConnection)? = nil) -> RedisRateLimiter {
    RedisRateLimiter(rules: MixedRules(), policy: RateLimitPolicy(softUtilisation: .one), prefix: prefix, fallbackShare: Ratio("0.25")!,
                     processTag: UUID().uuidString, clock: clock, connect: connect ?? TestRedis.connect)
}

let newOrder = RateLimitRequest(.newOrder, priority: .hedge)

@Suite("Redis-shared limiter (real server)", .enabled(if: TestRedis.available, "needs tools/with-services"), .serialized)
struct RedisRateLimiterTests {
    func prefix() -> String { "arbor-test-\(UUID().uuidString.prefix(8))" }

    @Test("two limiters share one budget: fixed and sliding windows")
    func sharedBudget() {
        let clock = ManualClock(); clock.set(0)
        let p = prefix()
        let a = shared(p, clock: clock), b = shared(p, clock: clock)
        var granted = 0
        for i in 0..<40 { if (i % 2 == 0 ? a : b).tryAcquire(newOrder, at: clock.now()) == .granted { granted += 1 } }
        #expect(granted == 12)
        guard case .wait(let until, let pool) = a.tryAcquire(newOrder, at: clock.now()) else { Issue.record("expected wait"); return }
        #expect(pool == "fixed" && until == Timestamp(nanoseconds: 1_800_000_001_000_000_000))
        // Half a second into the next fixed window, the rolling second (500 ms, 1,500 ms]
        // no longer holds the 12 from t = 0: the fixed pool's 12 are the limit again...
        clock.set(1_500)
        #expect((0..<20).filter { _ in b.tryAcquire(newOrder, at: clock.now()) == .granted }.count == 12)
        // ...but at 2,000 ms the rolling second still holds those 12: only 8 more fit it.
        clock.set(2_000)
        #expect((0..<20).filter { _ in a.tryAcquire(newOrder, at: clock.now()) == .granted }.count == 8)
        #expect(!a.isUsingFallback && !b.isUsingFallback)
    }

    @Test("decaying counters and token buckets behave as in process")
    func continuousSchemes() {
        let clock = ManualClock(); clock.set(0)
        let l = shared(prefix(), clock: clock)
        let cancel = RateLimitRequest(.cancelOrder, priority: .cancel, instrument: "XBT/USD")
        #expect((0..<10).filter { _ in l.tryAcquire(cancel, at: clock.now()) == .granted }.count == 5)  // 15 / 3
        guard case .wait(let until, _) = l.tryAcquire(cancel, at: clock.now()) else { Issue.record("expected wait"); return }
        #expect(until == Timestamp(nanoseconds: 1_800_000_003_000_000_000), "3 units at 1/s")
        #expect(l.tryAcquire(RateLimitRequest(.cancelOrder, priority: .cancel, instrument: "ETH/USD"), at: clock.now()) == .granted, "per instrument")
        let query = RateLimitRequest(.account, priority: .cancel)
        #expect((0..<50).filter { _ in l.tryAcquire(query, at: clock.now()) == .granted }.count == 30)
        clock.set(1_000)
        #expect((0..<50).filter { _ in l.tryAcquire(query, at: clock.now()) == .granted }.count == 15)
    }

    @Test("a ban one process hears of stops every process; a 429 blocks the pool for all")
    func sharedBan() {
        let clock = ManualClock(); clock.set(0)
        let p = prefix()
        let a = shared(p, clock: clock), b = shared(p, clock: clock)
        a.observe(RateLimitFeedback(status: 429, retryAfter: .seconds(2)), at: clock.now())
        #expect(b.tryAcquire(newOrder, at: clock.now()) == .wait(until: Timestamp(nanoseconds: 1_800_000_002_000_000_000), pool: "fixed"))
        a.observe(RateLimitFeedback(status: 418, retryAfter: .seconds(120)), at: clock.now())
        #expect(b.tryAcquire(RateLimitRequest(.account, priority: .cancel), at: clock.now()) == .banned(until: Timestamp(nanoseconds: 1_800_000_120_000_000_000)))
    }

    @Test("usage headers raise the shared count")
    func resync() {
        let clock = ManualClock(); clock.set(0)
        let p = prefix()
        let a = shared(p, clock: clock), b = shared(p, clock: clock)
        a.observe(RateLimitFeedback(status: 200, headers: ["used": "10"]), at: clock.now())
        #expect((0..<5).filter { _ in b.tryAcquire(newOrder, at: clock.now()) == .granted }.count == 2)
    }

    @Test("Redis unreachable: falls back to the conservative local share and says so")
    func fallback() {
        let clock = ManualClock(); clock.set(0)
        let l = shared(prefix(), clock: clock) { try RedisConnection(host: "127.0.0.1", port: 1, timeoutMilliseconds: 200) }
        let granted = (0..<40).filter { _ in l.tryAcquire(newOrder, at: clock.now()) == .granted }.count
        #expect(granted == 3, "a quarter of 12")
        #expect(l.isUsingFallback && l.fallbacks == 1)
        #expect(l.report(at: clock.now()).fallbacks == 1)
    }

    @Test("random mixes from two limiters sharing Redis never exceed a pool (audited)")
    func propertyShared() {
        let clock = ManualClock(); clock.set(0)
        let p = prefix()
        let limiters = [shared(p, clock: clock), shared(p, clock: clock)]
        var state: UInt64 = 42
        func next(_ n: UInt64) -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return (state >> 33) % n }
        var log: [RateLimitAuditor.Entry] = []
        var t: Int64 = 0
        let rules = MixedRules()
        let endpoints: [Endpoint] = [.newOrder, .cancelOrder, .account, .trades]
        for _ in 0..<4_000 {
            t += Int64(next(10))
            clock.set(t)
            let request = RateLimitRequest(endpoints[Int(next(4))], priority: .cancel, instrument: ["A", "B"][Int(next(2))])
            if limiters[Int(next(2))].tryAcquire(request, at: clock.now()) == .granted {
                for c in rules.costs(for: request) {
                    let def = rules.pools[c.pool]
                    // Redis works in microseconds.
                    let micros = clock.now().nanoseconds / 1_000 * 1_000
                    log.append(.init(time: micros, pool: def.scope == .accountInstrument ? "\(def.id)/\(request.instrument!)" : def.id, weight: c.weight))
                }
            }
        }
        var pools: [String: (scheme: RateLimitScheme, limit: Int64)] = [:]
        for d in rules.pools {
            for name in d.scope == .accountInstrument ? ["\(d.id)/A", "\(d.id)/B"] : [d.id] { pools[name] = (d.scheme, d.scheme.limit) }
        }
        let violations = RateLimitAuditor().violations(log, pools: pools)
        #expect(violations.isEmpty, "\(violations.prefix(3))")
        #expect(log.count > 500)
    }
}
