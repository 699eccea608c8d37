import ArbCore
import ArbRateLimit

/// The shared limiter's local share runs on an estimate of Redis's clock, off by up to
/// `margin` (the delay between a caller's `now` and the script that answered it). A
/// fixed window counted on a shifted clock can put a share at the end of one true window
/// and another at the start of the next. Counting every window pool as a sliding window
/// `margin` longer on each side keeps any true window at its share whatever the shift.
/// Counters and buckets depend on elapsed time only, which a constant shift leaves alone.
struct ClockMarginRules: RateLimitRules {
    let base: any RateLimitRules
    let pools: [PoolDefinition]

    init(_ base: any RateLimitRules, margin: Duration) {
        self.base = base
        pools = base.pools.map { pool in
            var widened = pool
            switch pool.scheme {
            case .fixedWindow(let limit, let window), .slidingWindow(let limit, let window):
                widened.scheme = .slidingWindow(limit: limit, window: window + margin + margin)
            case .decayingCounter, .tokenBucket:
                break
            }
            return widened
        }
    }

    var exchange: String { base.exchange }
    func costs(for request: RateLimitRequest) -> [PoolCost] { base.costs(for: request) }
    func interpret(_ feedback: RateLimitFeedback) -> [FeedbackAction] { base.interpret(feedback) }
}
