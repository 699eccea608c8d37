import ArbCore
import ArbRateLimit
import ArbRateLimitRedis
import ArbRedis
import Foundation
import Histogram

/// Drives a limiter as hard as it goes for a while, logging every grant: the worker of
/// the multi-process test and of the rate-limit benchmarks.
public struct RateLimitLoad {
    public struct Stats: Codable, Sendable {
        public var attempts: Int
        public var granted: Int
        public var seconds: Double
        public var acquisitionsPerSecond: Double
        public var p50Ns: Int
        public var p99Ns: Int
        public var maxNs: Int
        /// The shared limiter fell back to its local share this many times, came back
        /// this many, and wrote this many own grants back into Redis.
        public var fallbacks: Int = 0
        public var reconnects: Int = 0
        public var writtenBack: Int = 0
    }

    /// The request mix: orders (as hedges: the whole budget), account queries, snapshots.
    static let mix: [RateLimitRequest] = [
        RateLimitRequest(.newOrder, priority: .hedge, instrument: "BTC"),
        RateLimitRequest(.account, priority: .cancel),
        RateLimitRequest(.depthSnapshot(levels: 100), priority: .cancel),
        RateLimitRequest(.newOrder, priority: .hedge, instrument: "ETH"),
    ]

    /// Hammers `limiter` for `seconds` of wall time (its caller's clock `clockOffset`
    /// away). Each grant is logged as "<time ns> <pool> <weight>" per pool it drew on, at
    /// the time the shared counts hold it (Redis's; the caller's for a local limiter).
    public static func run(_ limiter: any RateLimitBackend, rules: any RateLimitRules, seconds: Double,
                           log: inout [String], maxSleep: Duration = .milliseconds(1), clockOffset: Duration = .zero) -> Stats {
        let clock = SystemRateLimitClock()
        let shared = limiter as? RedisRateLimiter
        var histogram = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        let start = MonotonicClock.nanoseconds()
        // Callers check the duration; a bad one here runs for nothing rather than trapping.
        let end = start + UInt64(seconds.isFinite ? min(max(0, seconds), 86_400) * 1e9 : 0)
        var attempts = 0, granted = 0
        while MonotonicClock.nanoseconds() < end {
            let request = mix[attempts % mix.count]
            attempts += 1
            let now = Timestamp(nanoseconds: clock.now().nanoseconds + clockOffset.nanosecondsInt64)
            let t0 = MonotonicClock.nanoseconds()
            let decision = limiter.tryAcquire(request, at: now)
            _ = histogram.record(MonotonicClock.nanoseconds() - t0)
            switch decision {
            case .granted:
                granted += 1
                // Redis grants at Redis's time; local ones at the wall clock (the same
                // clock on one host), not at the limiter's estimate: an audit of true time.
                let micros = shared?.lastGrantWasShared == true ? shared!.lastGrantServerTime!.nanoseconds
                                                                : (now.nanoseconds - clockOffset.nanosecondsInt64) / 1_000 * 1_000
                for cost in rules.costs(for: request) where cost.weight > 0 {
                    let pool = rules.pools[cost.pool]
                    log.append("\(micros) \(pool.scope == .accountInstrument ? "\(pool.id)/\(request.instrument ?? "")" : pool.id) \(cost.weight)")
                }
            case .wait(let until, _), .banned(let until):
                let gap = min(max(0, until.nanoseconds - now.nanoseconds), maxSleep.nanosecondsInt64)
                // maxSleep zero: a busy client, for measuring the limiter itself.
                if gap > 0 { MonotonicClock.sleep(nanoseconds: UInt64(gap)) }
            case .shed, .impossible:
                break
            }
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        return Stats(attempts: attempts, granted: granted, seconds: elapsed, acquisitionsPerSecond: Double(attempts) / elapsed,
                     p50Ns: Int(histogram.valueAtPercentile(50)), p99Ns: Int(histogram.valueAtPercentile(99)), maxNs: Int(histogram.max),
                     fallbacks: shared?.fallbacks ?? 0, reconnects: shared?.reconnects ?? 0, writtenBack: shared?.writtenBack ?? 0)
    }

    /// A Redis-shared limiter on `rules` (whole budget, hard limits).
    public static func sharedLimiter(rules: any RateLimitRules, host: String, port: Int, prefix: String,
                                     fallbackShare: Ratio = Ratio("0.25"), reconnectInterval: Duration = .seconds(1)) -> RedisRateLimiter {
        RedisRateLimiter(rules: rules, policy: RateLimitPolicy(softUtilisation: .one), prefix: prefix, fallbackShare: fallbackShare,
                         reconnectInterval: reconnectInterval, connectTimeout: .milliseconds(500)) {
            try RedisConnection(host: host, port: port, timeoutMilliseconds: 500)
        }
    }

    /// In-process `tryAcquire` cost: `calls` requests on `rules`' pools, event time
    /// advancing 2 µs per call (so grants, waits and window turns all happen).
    public static func inProcessNanosecondsPerCall(rules: any RateLimitRules, calls: Int) -> (nsPerCall: Double, granted: Int) {
        let limiter = RateLimiter(rules: rules, policy: RateLimitPolicy())
        var t: Int64 = 1_800_000_000_000_000_000
        var granted = 0
        let start = MonotonicClock.nanoseconds()
        for i in 0..<calls {
            t += 2_000
            if limiter.tryAcquire(mix[i & 3], at: Timestamp(nanoseconds: t)) == .granted { granted += 1 }
        }
        return (Double(MonotonicClock.nanoseconds() - start) / Double(calls), granted)
    }
}
