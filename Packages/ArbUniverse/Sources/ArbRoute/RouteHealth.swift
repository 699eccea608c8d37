import ArbCore

/// How routes are scored (docs/ROUTES.md gives the formula and why).
public struct RouteHealthConfig: Sendable, Hashable {
    /// Books younger than this count as fresh.
    public var freshAge: Duration = .milliseconds(500) { didSet { freshAgeNs = freshAge.nanosecondsInt64 } }
    /// Books older than this make the route unusable (score `RouteHealth.unusable`).
    public var staleAge: Duration = .milliseconds(2_000) { didSet { staleAgeNs = staleAge.nanosecondsInt64 } }
    /// The round trip at which the latency factor halves: T / (T + round trip).
    public var latencyScale: Duration = .milliseconds(50) { didSet { latencyScaleNs = latencyScale.nanosecondsInt64 } }
    /// The same in nanoseconds, for the scoring loop (Duration's components are not free).
    private(set) var freshAgeNs: Int64 = 500_000_000
    private(set) var staleAgeNs: Int64 = 2_000_000_000
    private(set) var latencyScaleNs: Int64 = 50_000_000
    /// The window over which fills, rejects and broken legs are counted.
    public var window: Duration = .seconds(300)
    /// Below this many legs sent in the window, the outcome rates count as perfect
    /// (a new route is not condemned by one unlucky attempt).
    public var minimumLegs: Int64 = 10

    public init() {}
}

/// What was measured of one route, each quantity reported, and the score built from them.
public struct RouteHealth: Sendable, Hashable {
    /// The edge after every leg's taker fee at the configured size, walking the books (ppm).
    public var edgePpm: Int64 = .min
    /// How much of the configured size the books can carry at that edge, in ppm of it.
    public var executablePpm: Int64 = 0
    /// The oldest leg's book age (ns).
    public var feedAgeNs: Int64 = .max
    /// The slowest of the route's venues' measured order round trips (ns; 0 until measured).
    public var roundTripNs: Int64 = 0
    /// Over the window: legs filled in full over legs sent, orders refused over orders
    /// sent, attempts that broke a leg over attempts (ppm each).
    public var fillRatioPpm: Int64 = 1_000_000
    public var rejectRatePpm: Int64 = 0
    public var brokenLegRatePpm: Int64 = 0
    /// The score: higher is better; `unusable` for a stale or unpriced route.
    public var score: Int64 = RouteHealth.unusable

    public static let unusable = Int64.min / 2

    public init() {}

    /// The score from the measured quantities:
    ///
    ///     edge ≤ 0:  score = edge
    ///     edge > 0:  score = edge × executable × freshness × latency × fill × (1 − reject) × (1 − broken)
    ///
    /// each factor a fraction in [0, 1] (ppm): freshness 1 up to `freshAge`, falling
    /// linearly to 0 at `staleAge`; latency T / (T + round trip). A stale or unpriced
    /// route scores `unusable`. A losing edge is not scaled, so a route that loses more
    /// always ranks lower, and every losing route ranks below every winning one.
    public mutating func rescore(_ config: RouteHealthConfig) {
        let stale = config.staleAgeNs, fresh = config.freshAgeNs
        guard edgePpm != .min, feedAgeNs <= stale else { score = Self.unusable; return }
        guard edgePpm > 0 else { score = edgePpm; return }
        // 64-bit arithmetic (hardware division): the edge is capped at 10^12 ppm and every
        // factor is at most 10^6, so no product passes 10^18.
        let freshness: Int64 = feedAgeNs <= fresh ? 1_000_000 : (stale - feedAgeNs) / max(1, (stale - fresh) / 1_000_000)
        let scale = config.latencyScaleNs
        let latency = Int64(Int128(scale) * 1_000_000 / Int128(max(1, Int128(scale) + Int128(max(0, roundTripNs)))))
        @inline(__always) func fraction(_ x: Int64) -> Int64 { max(0, min(x, 1_000_000)) }
        var s = min(edgePpm, 1_000_000_000_000)
        s = s * fraction(executablePpm) / 1_000_000
        s = s * fraction(freshness) / 1_000_000
        s = s * fraction(latency) / 1_000_000
        s = s * fraction(fillRatioPpm) / 1_000_000
        s = s * fraction(1_000_000 - rejectRatePpm) / 1_000_000
        s = s * fraction(1_000_000 - brokenLegRatePpm) / 1_000_000
        score = s
    }
}

/// Counts over a sliding window in event time, in ten buckets: O(1) to add and to read.
public struct OutcomeWindow: Sendable, Hashable {
    public struct Counts: Sendable, Hashable {
        public var attempts: Int64 = 0
        public var legsSent: Int64 = 0
        public var legsFilled: Int64 = 0
        public var rejects: Int64 = 0
        public var brokenLegs: Int64 = 0
        public init() {}
        mutating func add(_ o: Counts, sign: Int64) {
            attempts += sign * o.attempts; legsSent += sign * o.legsSent; legsFilled += sign * o.legsFilled
            rejects += sign * o.rejects; brokenLegs += sign * o.brokenLegs
        }
    }

    static let buckets = 10
    var bucketNs: Int64
    var slots: [Counts] = Array(repeating: Counts(), count: OutcomeWindow.buckets)
    var slotStart: [Int64] = Array(repeating: .min, count: OutcomeWindow.buckets)
    /// Everything in live buckets.
    public private(set) var total = Counts()

    public init(window: Duration) { bucketNs = max(1, window.nanosecondsInt64 / Int64(Self.buckets)) }

    /// Drops buckets that left the window at `now`.
    public mutating func advance(to now: Timestamp) {
        let current = now.nanoseconds / bucketNs
        for i in 0..<Self.buckets where slotStart[i] != .min && current - slotStart[i] >= Int64(Self.buckets) {
            total.add(slots[i], sign: -1)
            slots[i] = Counts(); slotStart[i] = .min
        }
    }

    /// Adds `counts` at `now`.
    public mutating func record(_ counts: Counts, at now: Timestamp) {
        advance(to: now)
        let current = now.nanoseconds / bucketNs
        let i = Int(current % Int64(Self.buckets))
        if slotStart[i] != current {
            total.add(slots[i], sign: -1)
            slots[i] = Counts(); slotStart[i] = current
        }
        slots[i].add(counts, sign: 1)
        total.add(counts, sign: 1)
    }
}
