import ArbCore

/// Reconnect delays: exponential from `initial` to `maximum`, each drawn uniformly from
/// [delay/2, delay] ("equal jitter") so that many connections dropped together do not
/// come back together. Seeded: the same seed gives the same delays (tests).
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    /// Failures since the last success.
    public private(set) var attempts = 0
    var random: SplitMix64

    public init(initial: Duration = .milliseconds(250), maximum: Duration = .seconds(30), seed: UInt64) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        random = SplitMix64(seed: seed)
    }

    /// The delay before the next attempt (and counts the attempt).
    public mutating func nextDelay() -> Duration {
        let initialNs = max(1, initial.nanosecondsInt64), maxNs = max(initialNs, maximum.nanosecondsInt64)
        // 2^attempts × initial, saturating at the maximum without overflowing.
        var ceiling = initialNs
        var k = 0
        while k < attempts && ceiling < maxNs { ceiling = ceiling > maxNs / 2 ? maxNs : ceiling * 2; k += 1 }
        ceiling = min(ceiling, maxNs)
        attempts += 1
        let half = ceiling / 2
        let jitter = Int64(random.next() % UInt64(max(1, ceiling - half + 1)))
        return .nanoseconds(half + jitter)
    }

    /// A connection held (subscribed and receiving): the next failure starts from `initial`.
    public mutating func succeeded() { attempts = 0 }
}
