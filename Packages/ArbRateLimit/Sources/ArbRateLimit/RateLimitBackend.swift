import ArbCore

/// One API over both backends: the in-process `RateLimiter` and the Redis-shared one.
public protocol RateLimitBackend: AnyObject {
    var exchange: String { get }
    func tryAcquire(_ request: RateLimitRequest, at now: Timestamp) -> RateLimitDecision
    func observe(_ feedback: RateLimitFeedback, at now: Timestamp)
    func report(at now: Timestamp) -> RateLimitReport
    /// An order traded for the first time: unfilled-order pools give its cost back.
    func orderTraded(instrument: String?, at now: Timestamp)
}

/// What a limiter did, for the run summary.
public struct RateLimitReport: Sendable, Hashable, Codable {
    public var exchange: String
    /// `local` or `redis`.
    public var backend: String
    public var pools: [PoolReport]
    public var counters: RateLimiter.Counters
    /// The shared backend fell back to its local share (Redis unreachable) at some point.
    public var fallbacks: Int
    public var bannedUntilNs: Int64?
    /// The shared backend reconnected to Redis after losing it.
    public var reconnects: Int = 0
    /// Own grants the shared backend wrote back into Redis after a fallback or a restart.
    public var writtenBack: Int = 0

    public init(exchange: String, backend: String, pools: [PoolReport], counters: RateLimiter.Counters, fallbacks: Int, bannedUntilNs: Int64?) {
        self.exchange = exchange; self.backend = backend; self.pools = pools; self.counters = counters
        self.fallbacks = fallbacks; self.bannedUntilNs = bannedUntilNs
    }
}

extension RateLimiter: RateLimitBackend {
    public func report(at now: Timestamp) -> RateLimitReport {
        RateLimitReport(exchange: exchange, backend: "local", pools: metrics(at: now), counters: counters, fallbacks: 0,
                        bannedUntilNs: bannedUntil(at: now)?.nanoseconds)
    }
}
