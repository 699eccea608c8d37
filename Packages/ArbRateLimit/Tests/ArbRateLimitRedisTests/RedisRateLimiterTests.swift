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
    static var port: Int? { env["ARBOR_TEST_REDIS_PORT"].flatMap(Int.init) }
    static func connect() throws -> RedisConnection {
        guard let port else {
            throw RedisError(code: .connectionFailed, message: "ARBOR_TEST_REDIS_PORT not set; run under tools/with-services", context: "test")
        }
        return try RedisConnection(host: "127.0.0.1", port: port)
    }
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
        default:
            var actions: [FeedbackAction] = []
            if let used = f.headers["used"].flatMap({ Int64($0) }) { actions.append(.used(pool: 0, used: used)) }
            if let left = f.headers["sliding-remaining"].flatMap({ Int64($0) }) { actions.append(.remaining(pool: 1, remaining: left)) }
            return actions
        }
    }
}

/// Windows long enough that a Redis outage falls inside one: what a restarted Redis
/// forgets must come back from the processes' own ledgers.
struct LongWindowRules: RateLimitRules {
    let exchange = "long"
    let pools = [
        PoolDefinition(id: "fixed5s", scheme: .fixedWindow(limit: 40, window: .seconds(5)), scope: .account),
        PoolDefinition(id: "sliding3s", scheme: .slidingWindow(limit: 30, window: .seconds(3)), scope: .account),
        PoolDefinition(id: "bucket", scheme: .tokenBucket(burst: 20, milliPerSecond: 4_000), scope: .ip),
    ]
    func costs(for r: RateLimitRequest) -> [PoolCost] {
        switch r.endpoint {
        case .newOrder: return [PoolCost(pool: 0, weight: 1), PoolCost(pool: 1, weight: 1)]
        default: return [PoolCost(pool: 2, weight: 1)]
        }
    }
    func interpret(_ f: RateLimitFeedback) -> [FeedbackAction] { [] }
}

func shared(_ prefix: String, rules: any RateLimitRules = MixedRules(), fallbackShare: Ratio = Ratio("0.25"),
            reconnect: Duration = .milliseconds(200), connect: (() throws -> RedisConnection)? = nil) -> RedisRateLimiter {
    RedisRateLimiter(rules: rules, policy: RateLimitPolicy(softUtilisation: .one), prefix: prefix, fallbackShare: fallbackShare,
                     reconnectInterval: reconnect, connect: connect ?? TestRedis.connect)
}

let newOrder = RateLimitRequest(.newOrder, priority: .hedge)
let wall = SystemRateLimitClock()

/// Waits until the wall clock (Redis's too: same host) is 20 ms into a second, so that a
/// short burst stays inside one 1 s window.
func alignToSecond() {
    let ms = (wall.now().nanoseconds / 1_000_000) % 1_000
    usleep(useconds_t((1_020 - ms) % 1_000 * 1_000))
}

/// Every pool instance the audit checks, for rules whose per-instrument pools see "A" and "B".
func auditPools(_ rules: any RateLimitRules) -> [String: (scheme: RateLimitScheme, limit: Int64)] {
    var pools: [String: (scheme: RateLimitScheme, limit: Int64)] = [:]
    for d in rules.pools {
        for name in d.scope == .accountInstrument ? ["\(d.id)/A", "\(d.id)/B"] : [d.id] { pools[name] = (d.scheme, d.scheme.limit) }
    }
    return pools
}

/// Drives each limiter from its own thread (its caller's clock `skew` away from the
/// wall) for `seconds`, logging every grant at the Redis time the shared counts hold it
/// at. `meanwhile` runs on the calling thread, e.g. to kill Redis.
func hammer(_ limiters: [(limiter: RedisRateLimiter, skew: Duration)], rules: any RateLimitRules, requests: [RateLimitRequest],
            seconds: Double, meanwhile: () -> Void = {}) -> [RateLimitAuditor.Entry] {
    let logs = Mutex<[RateLimitAuditor.Entry]>([])
    let group = DispatchGroup()
    let end = Date().addingTimeInterval(seconds)
    for (index, worker) in limiters.enumerated() {
        group.enter()
        let box = UncheckedBox(worker.limiter)
        let skew = worker.skew.nanosecondsInt64
        Thread {
            var local: [RateLimitAuditor.Entry] = []
            var state = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
            while Date() < end {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let request = requests[Int((state >> 33) % UInt64(requests.count))]
                let now = Timestamp(nanoseconds: wall.now().nanoseconds + skew)
                switch box.value.tryAcquire(request, at: now) {
                case .granted:
                    // Redis grants at Redis's time; local ones at the true (wall) time.
                    let t = box.value.lastGrantWasShared ? box.value.lastGrantServerTime!.nanoseconds : now.nanoseconds - skew
                    for c in rules.costs(for: request) where c.weight > 0 {
                        let d = rules.pools[c.pool]
                        local.append(.init(time: t, pool: d.scope == .accountInstrument ? "\(d.id)/\(request.instrument!)" : d.id, weight: c.weight))
                    }
                case .wait(let until, _), .banned(let until):
                    usleep(useconds_t(min(1_000, max(0, (until.nanoseconds - now.nanoseconds) / 1_000))))
                default: break
                }
            }
            logs.withLock { $0 += local }
            group.leave()
        }.start()
    }
    meanwhile()
    group.wait()
    return logs.withLock { $0 }
}

/// Hands a limiter (owned by one thread at a time) to its worker thread.
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

let mixedRequests: [RateLimitRequest] = [
    RateLimitRequest(.newOrder, priority: .hedge), RateLimitRequest(.trades, priority: .cancel),
    RateLimitRequest(.cancelOrder, priority: .cancel, instrument: "A"), RateLimitRequest(.cancelOrder, priority: .cancel, instrument: "B"),
    RateLimitRequest(.account, priority: .cancel),
]

@Suite("Redis-shared limiter (real server)", .enabled(if: TestRedis.available, "needs tools/with-services"), .serialized)
struct RedisRateLimiterTests {
    func prefix() -> String { "arbor-test-\(UUID().uuidString.prefix(8))" }

    @Test("two limiters share one budget: fixed and sliding windows, in Redis time")
    func sharedBudget() {
        let p = prefix()
        let a = shared(p), b = shared(p)
        alignToSecond()
        var granted = 0
        for i in 0..<40 { if (i % 2 == 0 ? a : b).tryAcquire(newOrder, at: wall.now()) == .granted { granted += 1 } }
        #expect(granted == 12)
        let now = wall.now()
        guard case .wait(let until, let pool) = a.tryAcquire(newOrder, at: now) else { Issue.record("expected wait"); return }
        // The next fixed window starts at the next whole second of Redis time.
        #expect(pool == "fixed" && until > now && until.nanoseconds - now.nanoseconds < 1_000_000_000)
        #expect(!a.isUsingFallback && !b.isUsingFallback && !a.isRecovering, "a first connection starts no recovery period")
        #expect(a.memberTag != b.memberTag && a.memberTag.count == 16)
    }

    @Test("answers come back on the caller's timeline, whatever its clock says")
    func callerTimeline() {
        let p = prefix()
        let l = shared(p)
        alignToSecond()
        let paperTime = Timestamp(nanoseconds: 1_700_000_000_000_000_000)  // a replay years back
        let granted = (0..<12).filter { _ in l.tryAcquire(newOrder, at: paperTime) == .granted }.count
        let decision = l.tryAcquire(newOrder, at: paperTime)
        guard case .wait(let until, _) = decision else { Issue.record("expected wait: \(decision), granted \(granted)"); return }
        #expect(until > paperTime && until.nanoseconds - paperTime.nanoseconds <= 1_000_000_000)
    }

    @Test("decaying counters and token buckets behave as in process, and their keys expire")
    func continuousSchemes() throws {
        let p = prefix()
        let l = shared(p)
        let cancel = RateLimitRequest(.cancelOrder, priority: .cancel, instrument: "XBT/USD")
        #expect((0..<10).filter { _ in l.tryAcquire(cancel, at: wall.now()) == .granted }.count == 5)  // 15 / 3
        let now = wall.now()
        guard case .wait(let until, _) = l.tryAcquire(cancel, at: now) else { Issue.record("expected wait"); return }
        let wait = until.nanoseconds - now.nanoseconds
        #expect(wait > 2_800_000_000 && wait <= 3_000_000_000, "3 units at 1/s: \(wait) ns")
        #expect(l.tryAcquire(RateLimitRequest(.cancelOrder, priority: .cancel, instrument: "ETH/USD"), at: wall.now()) == .granted, "per instrument")
        let query = RateLimitRequest(.account, priority: .cancel)
        #expect((0..<50).filter { _ in l.tryAcquire(query, at: wall.now()) == .granted }.count == 30)
        // Each key expires when it would mean what a missing key means (drained, refilled).
        let c = try TestRedis.connect()
        let bucketTTL = try #require(c.command(["PTTL", l.key(3, nil)]).integer)
        #expect(bucketTTL > 2_000 && bucketTTL <= 3_000, "30 tokens at 15/s refill in 2 s, + 1 s: \(bucketTTL) ms")
        let counterTTL = try #require(c.command(["PTTL", l.key(2, "XBT/USD")]).integer)
        #expect(counterTTL > 14_000 && counterTTL <= 16_000, "15 units at 1/s drain in 15 s, + 1 s: \(counterTTL) ms")
        _ = l.tryAcquire(newOrder, at: wall.now())
        let fixedTTL = try #require(c.command(["PTTL", l.key(0, nil)]).integer)
        #expect(fixedTTL > 0 && fixedTTL <= 2_001)
    }

    @Test("every key of a budget carries its hash tag")
    func hashTags() throws {
        let l = shared("arbor")
        for key in [l.banKey, l.epochKey, l.key(0, nil), l.key(2, "BTC-USDT") + ":block"] {
            #expect(key.hasPrefix("{arbor:rl:mixed}:"), "\(key)")
        }
    }

    @Test("a ban one process hears of stops every process; a 429 blocks the pool for all")
    func sharedBan() {
        let p = prefix()
        let a = shared(p), b = shared(p)
        let now = wall.now()
        a.observe(RateLimitFeedback(status: 429, retryAfter: .seconds(2)), at: now)
        let decision = b.tryAcquire(newOrder, at: now)
        guard case .wait(let until, let pool) = decision else { Issue.record("expected wait: \(decision)"); return }
        #expect(pool == "fixed" && abs(until.nanoseconds - now.nanoseconds - 2_000_000_000) < 100_000_000)
        a.observe(RateLimitFeedback(status: 418, retryAfter: .seconds(120)), at: now)
        guard case .banned(let end) = b.tryAcquire(RateLimitRequest(.account, priority: .cancel), at: now) else { Issue.record("expected ban"); return }
        #expect(abs(end.nanoseconds - now.nanoseconds - 120_000_000_000) < 100_000_000)
    }

    @Test("usage headers raise the shared count: fixed windows (used) and sliding windows (remaining)")
    func resync() {
        let p = prefix()
        let a = shared(p), b = shared(p)
        alignToSecond()
        a.observe(RateLimitFeedback(status: 200, headers: ["used": "10"]), at: wall.now())
        #expect((0..<5).filter { _ in b.tryAcquire(newOrder, at: wall.now()) == .granted }.count == 2)
        let q = prefix()
        let c = shared(q), d = shared(q)
        c.observe(RateLimitFeedback(status: 200, headers: ["sliding-remaining": "4"]), at: wall.now())
        let trades = RateLimitRequest(.trades, priority: .cancel)  // 2 of the sliding 20
        #expect((0..<5).filter { _ in d.tryAcquire(trades, at: wall.now()) == .granted }.count == 2)
    }

    @Test("Redis unreachable: the fallback share, after assuming the current window used up")
    func fallback() {
        let l = shared(prefix()) { try RedisConnection(host: "127.0.0.1", port: 1, timeoutMilliseconds: 200) }
        let t0 = Timestamp(nanoseconds: 1_800_000_000_100_000_000)
        #expect((0..<40).filter { _ in l.tryAcquire(newOrder, at: t0) == .granted }.isEmpty, "the others may have used this window")
        // Its windows count 100 ms longer each side (its clock is an estimate of Redis's).
        let early = Timestamp(nanoseconds: 1_800_000_001_200_000_000)
        #expect((0..<40).filter { _ in l.tryAcquire(newOrder, at: early) == .granted }.isEmpty, "within 1 s + 2 × 100 ms of the assumed use")
        let t1 = Timestamp(nanoseconds: 1_800_000_001_400_000_000)
        #expect((0..<40).filter { _ in l.tryAcquire(newOrder, at: t1) == .granted }.count == 3, "a quarter of 12")
        #expect(l.isUsingFallback && l.fallbacks == 1)
        #expect(l.report(at: t1).fallbacks == 1)
    }

    @Test("two limiters in one process (one PID) hammering every scheme: zero violations in Redis time")
    func samePID() {
        let p = prefix()
        let rules = MixedRules()
        let log = hammer([(shared(p), .zero), (shared(p), .zero)], rules: rules, requests: mixedRequests, seconds: 1.5)
        let violations = RateLimitAuditor().violations(log, pools: auditPools(rules))
        #expect(violations.isEmpty, "\(violations.prefix(3))")
        #expect(log.filter { $0.pool == "sliding" }.count >= 20, "the sliding window was filled")
    }

    @Test("two processes whose clocks differ by 2 s: zero violations, the budget still used")
    func clockSkew() {
        let p = prefix()
        let rules = MixedRules()
        let log = hammer([(shared(p), .zero), (shared(p), .seconds(2))], rules: rules, requests: mixedRequests, seconds: 2.2)
        let violations = RateLimitAuditor().violations(log, pools: auditPools(rules))
        #expect(violations.isEmpty, "\(violations.prefix(3))")
        // The rolling 20 per second (drawn on by orders and trades) stayed in use: in
        // 2.2 s at least 40 went out.
        let sliding = log.filter { $0.pool == "sliding" }.map(\.weight).reduce(0, +)
        #expect(sliding >= 40, "\(sliding)")
    }

    @Test("Redis killed and restarted empty mid-window: zero violations; grants written back; Redis used again")
    func restart() throws {
        let server = try RedisServerProcess()
        let rules = LongWindowRules()
        let connect = { try RedisConnection(host: "127.0.0.1", port: server.port, timeoutMilliseconds: 300) }
        let limiters = (0..<2).map { _ in shared("restart", rules: rules, fallbackShare: Ratio("0.5"), connect: connect) }
        let requests = [newOrder, RateLimitRequest(.account, priority: .cancel)]
        let log = hammer(limiters.map { ($0, .zero) }, rules: rules, requests: requests, seconds: 5) {
            usleep(800_000)
            server.kill()
            usleep(700_000)
            try? server.start()
        }
        let violations = RateLimitAuditor().violations(log, pools: auditPools(rules))
        #expect(violations.isEmpty, "\(violations.prefix(3))")
        for l in limiters {
            #expect(l.fallbacks >= 1 && l.reconnects >= 1 && !l.isUsingFallback, "fallbacks \(l.fallbacks), reconnects \(l.reconnects)")
        }
        #expect(limiters.map(\.writtenBack).reduce(0, +) > 0)
        // Redis grants again after the recovery period (restart at ~1.5 s + 1.7 s).
        let start = log.map(\.time).min() ?? 0
        #expect(log.contains { $0.pool == "bucket" && $0.time > start + 3_500_000_000 })
    }

    @Test("on a Redis Cluster node every script keeps its keys in one slot")
    func cluster() throws {
        let server = try RedisServerProcess(clusterEnabled: true)
        let c = try RedisConnection(host: "127.0.0.1", port: server.port)
        // The node refuses keys of several slots in one script: the test can tell.
        guard case .error(let message) = try c.command(["EVAL", "return 1", "2", "a", "b"]) else { Issue.record("expected CROSSSLOT"); return }
        #expect(message.hasPrefix("CROSSSLOT"))
        let l = shared("cluster") { try RedisConnection(host: "127.0.0.1", port: server.port) }
        for request in mixedRequests + [newOrder] { _ = l.tryAcquire(request, at: wall.now()) }
        l.observe(RateLimitFeedback(status: 200, headers: ["used": "3", "sliding-remaining": "10"]), at: wall.now())
        l.observe(RateLimitFeedback(status: 429, retryAfter: .milliseconds(10)), at: wall.now())
        l.observe(RateLimitFeedback(status: 418, retryAfter: .milliseconds(10)), at: wall.now())
        #expect(l.fallbacks == 0 && l.counters.granted >= 5)
        // A restart on a cluster node: hello and write-back run there too.
        server.kill()
        _ = l.tryAcquire(newOrder, at: wall.now())
        try server.start()
        usleep(300_000)
        _ = l.tryAcquire(newOrder, at: wall.now())
        #expect(l.reconnects == 1 && l.writtenBack > 0 && !l.isUsingFallback)
    }
}
