import ArbCore
import ArbRateLimit
import ArbRateLimitRedis
import ArbRedis
import Binance
import Foundation
import Histogram
import Upbit

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
    }

    public static func rules(for exchange: String) -> (any RateLimitRules)? {
        switch exchange {
        case "upbit": return UpbitRateLimits()
        case "binance": return BinanceRateLimits()
        default: return nil
        }
    }

    /// The request mix: orders (as hedges: the whole budget), account queries, snapshots.
    static let mix: [RateLimitRequest] = [
        RateLimitRequest(.newOrder, priority: .hedge, instrument: "BTC"),
        RateLimitRequest(.account, priority: .cancel),
        RateLimitRequest(.depthSnapshot(levels: 100), priority: .cancel),
        RateLimitRequest(.newOrder, priority: .hedge, instrument: "ETH"),
    ]

    /// Hammers `limiter` for `seconds` of wall time. Each grant is logged as
    /// "<µs-rounded time ns> <pool> <weight>" per pool it drew on.
    public static func run(_ limiter: any RateLimitBackend, rules: any RateLimitRules, seconds: Double,
                           log: inout [String], maxSleep: Duration = .milliseconds(1)) -> Stats {
        let clock = SystemRateLimitClock()
        var histogram = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        let start = MonotonicClock.nanoseconds()
        let end = start + UInt64(seconds * 1e9)
        var attempts = 0, granted = 0
        while MonotonicClock.nanoseconds() < end {
            let request = mix[attempts % mix.count]
            attempts += 1
            let now = clock.now()
            let t0 = MonotonicClock.nanoseconds()
            let decision = limiter.tryAcquire(request, at: now)
            _ = histogram.record(MonotonicClock.nanoseconds() - t0)
            switch decision {
            case .granted:
                granted += 1
                let micros = now.nanoseconds / 1_000 * 1_000
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
                     p50Ns: Int(histogram.valueAtPercentile(50)), p99Ns: Int(histogram.valueAtPercentile(99)), maxNs: Int(histogram.max))
    }

    /// A Redis-shared limiter for `exchange` (whole budget, hard limits).
    public static func sharedLimiter(exchange: String, host: String, port: Int, prefix: String) -> RedisRateLimiter? {
        guard let rules = rules(for: exchange) else { return nil }
        return RedisRateLimiter(rules: rules, policy: RateLimitPolicy(softUtilisation: .one), prefix: prefix, fallbackShare: Ratio("0.25")!,
                                processTag: "\(ProcessInfo.processInfo.processIdentifier)") {
            try RedisConnection(host: host, port: port, timeoutMilliseconds: 500)
        }
    }

    /// In-process `tryAcquire` cost: `calls` requests on Binance's pools, event time
    /// advancing 2 µs per call (so grants, waits and window turns all happen).
    public static func inProcessNanosecondsPerCall(calls: Int) -> (nsPerCall: Double, granted: Int) {
        let limiter = RateLimiter(rules: BinanceRateLimits(), policy: RateLimitPolicy())
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
