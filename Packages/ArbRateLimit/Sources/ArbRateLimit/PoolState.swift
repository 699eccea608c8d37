import ArbCore

/// The live count of one pool instance, in integers (milli-units for the continuous
/// schemes). All times in nanoseconds of the injected clock.
struct PoolState {
    let scheme: RateLimitScheme
    /// Budget after the process share and overrides.
    let limit: Int64
    /// Window length (fixed/sliding) in ns, read on every call.
    let windowNs: Int64
    /// The budget each priority may fill, indexed by `RequestPriority.rawValue`.
    let ceilings: [Int64]

    // Fixed window.
    private var windowIndex: Int64 = .min
    private var windowUsed: Int64 = 0
    // Sliding window: grants inside the window, oldest first.
    private var times: ContiguousArray<Int64> = []
    private var weights: ContiguousArray<Int64> = []
    private var head = 0
    private var slidingSum: Int64 = 0
    // Decaying counter / token bucket, in milli-units.
    private var level: Int64 = 0
    private var levelTime: Int64 = .min

    /// A 429 (or an exhausted-usage header) blocks the pool until this time.
    var blockedUntil: Int64 = .min
    var metrics = PoolMetrics()

    init(scheme: RateLimitScheme, limit: Int64, policy: RateLimitPolicy) {
        // A share of a continuous pool is a share of its rate too: two processes at
        // half a bucket each must not refill at the full rate each.
        switch scheme {
        case .decayingCounter(let c, let rate): self.scheme = .decayingCounter(capacity: c, decayMilliPerSecond: policy.shareOfRate(rate))
        case .tokenBucket(let b, let rate): self.scheme = .tokenBucket(burst: b, milliPerSecond: policy.shareOfRate(rate))
        default: self.scheme = scheme
        }
        self.limit = limit
        switch scheme {
        case .fixedWindow(_, let w), .slidingWindow(_, let w): windowNs = w.nanosecondsInt64
        default: windowNs = 0
        }
        ceilings = RequestPriority.allCases.map { policy.ceiling($0, of: limit) }
        if case .tokenBucket = scheme { level = limit * 1_000 }
    }

    /// Brings time-dependent state to `now`.
    private mutating func advance(_ now: Int64) {
        switch scheme {
        case .fixedWindow:
            let index = Self.floorDiv(now, windowNs)
            if index != windowIndex { windowIndex = index; windowUsed = 0 }
        case .slidingWindow:
            let horizon = now - windowNs
            while head < times.count && times[head] <= horizon {
                slidingSum -= weights[head]; head += 1
            }
            if head > 64 && head * 2 > times.count {
                times.removeFirst(head); weights.removeFirst(head); head = 0
            }
        case .decayingCounter(_, let decay):
            if levelTime != .min && now > levelTime {
                let drained = Int64(Int128(now - levelTime) * Int128(decay) / 1_000_000_000)
                level = max(0, level - drained)
            }
            levelTime = max(levelTime, now)
        case .tokenBucket(_, let rate):
            if levelTime != .min && now > levelTime {
                let refill = Int64(Int128(now - levelTime) * Int128(rate) / 1_000_000_000)
                level = min(limit * 1_000, level + refill)
            }
            levelTime = max(levelTime, now)
        }
    }

    /// Weight in use now (for utilisation), in the pool's units.
    mutating func used(at now: Int64) -> Int64 {
        advance(now)
        switch scheme {
        case .fixedWindow: return windowUsed
        case .slidingWindow: return slidingSum
        case .decayingCounter: return (level + 999) / 1_000
        case .tokenBucket: return limit - level / 1_000
        }
    }

    /// `nil` if `cost` fits under `ceiling` now; otherwise the earliest time it will
    /// (`Int64.max` if it never can).
    mutating func earliest(cost: Int64, ceiling: Int64, at now: Int64) -> Int64? {
        advance(now)
        if blockedUntil > now { return blockedUntil }
        if cost > ceiling { return .max }
        switch scheme {
        case .fixedWindow:
            if windowUsed + cost <= ceiling { return nil }
            return (windowIndex + 1) * windowNs
        case .slidingWindow:
            if slidingSum + cost <= ceiling { return nil }
            // Drop the oldest grants until it fits: it fits once the last of them leaves the window.
            var sum = slidingSum, i = head
            while i < times.count && sum + cost > ceiling { sum -= weights[i]; i += 1 }
            return times[i - 1] + windowNs
        case .decayingCounter(_, let decay):
            let excess = level + cost * 1_000 - ceiling * 1_000
            if excess <= 0 { return nil }
            guard decay > 0 else { return .max }
            return now + Int64((Int128(excess) * 1_000_000_000 + Int128(decay) - 1) / Int128(decay))
        case .tokenBucket(_, let rate):
            // Keep (limit − ceiling) tokens in reserve for higher priorities.
            let need = cost * 1_000 + (limit - ceiling) * 1_000
            if level >= need { return nil }
            guard rate > 0 else { return .max }
            return now + Int64((Int128(need - level) * 1_000_000_000 + Int128(rate) - 1) / Int128(rate))
        }
    }

    /// Records a grant (after `earliest` said it fits).
    mutating func commit(cost: Int64, at now: Int64) {
        advance(now)
        switch scheme {
        case .fixedWindow: windowUsed += cost
        case .slidingWindow:
            times.append(now); weights.append(cost); slidingSum += cost
        case .decayingCounter: level += cost * 1_000
        case .tokenBucket: level -= cost * 1_000
        }
        metrics.grantedRequests += 1
        metrics.grantedWeight += cost
        let used = self.used(at: now)
        let ppm = limit > 0 ? used * 1_000_000 / limit : 0
        if ppm > metrics.peakUtilisationPpm { metrics.peakUtilisationPpm = ppm }
    }

    /// Gives back `cost` granted earlier (an unfilled-order count after the order traded).
    /// Only what the current window still holds can come back: never below zero.
    mutating func refund(cost: Int64, at now: Int64) {
        advance(now)
        switch scheme {
        case .fixedWindow: windowUsed = max(0, windowUsed - cost)
        case .slidingWindow:
            // Take it off the newest grants still in the window.
            var left = cost, i = times.count - 1
            while left > 0 && i >= head {
                let back = min(left, weights[i])
                weights[i] -= back; slidingSum -= back; left -= back
                i -= 1
            }
        case .decayingCounter: level = max(0, level - cost * 1_000)
        case .tokenBucket: level = min(limit * 1_000, level + cost * 1_000)
        }
    }

    /// The exchange reports `used` in the current window: take the larger of the two counts.
    mutating func resync(used reported: Int64, at now: Int64) {
        raise(used: reported, at: now)
        metrics.resyncs += 1
    }

    /// Counts the pool as used up to its whole limit at `now`: what another process
    /// may have taken that this one cannot see (the shared limiter's fallback).
    mutating func assumeFull(at now: Int64) {
        raise(used: limit, at: now)
    }

    private mutating func raise(used reported: Int64, at now: Int64) {
        advance(now)
        switch scheme {
        case .fixedWindow: windowUsed = max(windowUsed, reported)
        case .slidingWindow:
            if reported > slidingSum { times.append(now); weights.append(reported - slidingSum); slidingSum = reported }
        case .decayingCounter: level = max(level, reported * 1_000)
        case .tokenBucket: level = min(level, (limit - reported) * 1_000)
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

/// What one pool instance saw.
public struct PoolMetrics: Sendable, Hashable, Codable {
    public var grantedRequests: Int = 0
    public var grantedWeight: Int64 = 0
    public var waits: Int = 0
    public var sheds: Int = 0
    public var resyncs: Int = 0
    public var blocks: Int = 0
    /// Highest utilisation right after a grant, parts per million of the limit.
    public var peakUtilisationPpm: Int64 = 0
    public init() {}
}
