import ArbRateLimit

/// What this process itself was granted on one pool instance, for as long as a grant
/// can still count against the pool. When Redis comes back empty (restarted) or after a
/// fallback, these are written into it so the shared counts include them again.
struct OwnGrantLedger {
    struct Grant {
        /// Redis time (µs), or this process's estimate of it for a fallback grant.
        var time: Int64
        var weight: Int64
        /// The sliding-window member name's unique part (`<tag>:<sequence>`).
        var member: String
        /// Already counted in Redis (granted there, or written back since).
        var inRedis: Bool
    }

    let scheme: RateLimitScheme
    /// How long a grant can still count, in µs.
    let horizonMicros: Int64
    private(set) var grants: [Grant] = []
    private var head = 0

    init(scheme: RateLimitScheme) {
        self.scheme = scheme
        let day: Int64 = 86_400_000_000
        switch scheme {
        case .fixedWindow(_, let w), .slidingWindow(_, let w):
            horizonMicros = max(1, w.nanosecondsInt64 / 1_000)
        case .decayingCounter(let capacity, let rate), .tokenBucket(let capacity, let rate):
            // Time for a full pool to drain (or refill), in µs; a day at most.
            let (product, overflow) = capacity.multipliedReportingOverflow(by: 1_000_000_000)
            horizonMicros = rate > 0 && !overflow ? min(day, max(1, product / rate)) : day
        }
    }

    var live: ArraySlice<Grant> { grants[head...] }

    mutating func record(_ grant: Grant) {
        prune(before: grant.time - horizonMicros)
        grants.append(grant)
    }

    /// Everything not yet in Redis is now (after a write-back).
    mutating func markAllInRedis() {
        for i in head..<grants.count { grants[i].inRedis = true }
    }

    /// Redis lost everything (restart): nothing of ours is in it any more.
    mutating func markNoneInRedis() {
        for i in head..<grants.count { grants[i].inRedis = false }
    }

    mutating func prune(before cutoff: Int64) {
        while head < grants.count && grants[head].time <= cutoff { head += 1 }
        if head > 64 && head * 2 > grants.count { grants.removeFirst(head); head = 0 }
    }
}
