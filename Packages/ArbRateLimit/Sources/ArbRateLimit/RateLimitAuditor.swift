import ArbCore

/// Checks a log of sent requests against pool definitions, independently of the
/// limiter: its own straightforward arithmetic per scheme. Used by the property and
/// multi-process tests; a violation is a bug in the limiter.
public struct RateLimitAuditor {
    /// One sent request's draw on one pool instance.
    public struct Entry: Sendable, Hashable {
        public var time: Int64
        public var pool: String
        public var weight: Int64
        public init(time: Int64, pool: String, weight: Int64) { self.time = time; self.pool = pool; self.weight = weight }
    }

    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        public var pool: String
        public var time: Int64
        public var amount: Int64
        public var limit: Int64
        public var description: String { "\(pool): \(amount) > \(limit) at \(time) ns" }
    }

    public init() {}

    /// Every window (fixed: each aligned window; sliding: the window ending at every
    /// grant) is checked; for counters, the level after every grant.
    public func violations(_ entries: [Entry], pools: [String: (scheme: RateLimitScheme, limit: Int64)]) -> [Violation] {
        var found: [Violation] = []
        let byPool = Dictionary(grouping: entries, by: \.pool)
        for (name, list) in byPool.sorted(by: { $0.key < $1.key }) {
            guard let (scheme, limit) = pools[name] else { continue }
            let sorted = list.sorted { $0.time < $1.time }
            switch scheme {
            case .fixedWindow(_, let window):
                var sums: [Int64: Int64] = [:]
                for e in sorted {
                    let w = e.time >= 0 ? e.time / window.nanosecondsInt64 : (e.time - window.nanosecondsInt64 + 1) / window.nanosecondsInt64
                    sums[w, default: 0] += e.weight
                    if sums[w]! > limit { found.append(Violation(pool: name, time: e.time, amount: sums[w]!, limit: limit)) }
                }
            case .slidingWindow(_, let window):
                // Window (t − W, t] for every grant time t.
                var start = 0
                var sum: Int64 = 0
                for (i, e) in sorted.enumerated() {
                    sum += e.weight
                    while sorted[start].time <= e.time - window.nanosecondsInt64 { sum -= sorted[start].weight; start += 1 }
                    _ = i
                    if sum > limit { found.append(Violation(pool: name, time: e.time, amount: sum, limit: limit)) }
                }
            case .decayingCounter(_, let decay):
                var level: Double = 0, last: Int64? = nil
                for e in sorted {
                    if let last { level = max(0, level - Double(e.time - last) * Double(decay) / 1e12) }
                    last = e.time
                    level += Double(e.weight)
                    if level > Double(limit) + 1e-6 { found.append(Violation(pool: name, time: e.time, amount: Int64(level.rounded(.up)), limit: limit)) }
                }
            case .tokenBucket(_, let rate):
                var tokens = Double(limit), last: Int64? = nil
                for e in sorted {
                    if let last { tokens = min(Double(limit), tokens + Double(e.time - last) * Double(rate) / 1e12) }
                    last = e.time
                    tokens -= Double(e.weight)
                    if tokens < -1e-6 { found.append(Violation(pool: name, time: e.time, amount: limit - Int64(tokens), limit: limit)) }
                }
            }
        }
        return found
    }
}
