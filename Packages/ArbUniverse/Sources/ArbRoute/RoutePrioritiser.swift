import ArbCore

/// How the prioritiser picks routes (docs/ROUTES.md).
public struct RoutePrioritiserConfig: Sendable, Hashable {
    /// How many routes are active at once: evaluated on every update of their books and
    /// given the shared budgets.
    public var activeSlots: Int = 8
    /// An active route is replaced only by one whose priority beats it by this much
    /// (score units, ppm of edge): scores that flicker around each other do not churn.
    public var hysteresis: Int64 = 200
    /// Priority gained per second of waiting since a route was last active (score units
    /// per second), so every usable route gets a turn in the end: none starves for ever.
    public var agingPerSecond: Int64 = 20
    /// Attempts per second the active routes share (the client's order budget for
    /// these strategies), and the burst it allows.
    public var attemptsPerSecond: Int64 = 10
    public var attemptBurst: Int64 = 10

    public init() {}
}

/// Picks which routes are evaluated first and which get the shared budgets (attempts
/// under the client's rate limits, and capital), from their health scores.
///
/// - Priority = score + aging × time since the route was last active. Aging means a
///   route that never ranks first still gets a turn; its score is real again once it is
///   active (its wait resets).
/// - `refresh` rebuilds the active set with hysteresis: an outsider replaces the
///   weakest active route only when its priority is higher by `hysteresis`. An active
///   route whose books go stale or unpriced leaves at once.
/// - The active routes, best first, may take attempt tokens; a lower-ranked route may
///   not take the last ones (rank k of n leaves k/n of the burst to those above it).
///   Capital is shared in proportion to positive score.
public struct RoutePrioritiser: Sendable {
    public var config: RoutePrioritiserConfig
    /// Active routes, best first.
    public private(set) var active: [Int32] = []
    /// Rank in `active`, or -1.
    public private(set) var rank: [Int32]
    /// When each route was last active (ns of event time).
    var lastActive: [Int64]
    var tokens: Int64
    var tokensAt: Int64
    public private(set) var refreshes = 0
    /// Entries into and exits from the active set (hysteresis keeps this low).
    public private(set) var changes = 0
    var scratch: [(Int64, Int32)] = []

    public init(routeCount: Int, config: RoutePrioritiserConfig = RoutePrioritiserConfig(), now: Timestamp) {
        self.config = config
        rank = Array(repeating: -1, count: routeCount)
        lastActive = Array(repeating: now.nanoseconds, count: routeCount)
        tokens = config.attemptBurst * 1_000_000_000
        tokensAt = now.nanoseconds
        scratch.reserveCapacity(routeCount)
    }

    /// A route's priority at `now`: its score plus what it has earned by waiting.
    public func priority(_ r: Int, health: RouteHealth, now: Timestamp) -> Int64 {
        guard health.score != RouteHealth.unusable else { return RouteHealth.unusable }
        let waitedNs = rank[r] >= 0 ? 0 : max(0, now.nanoseconds - lastActive[r])
        let earned = Int64(clamping: Int128(waitedNs) * Int128(config.agingPerSecond) / 1_000_000_000)
        return health.score.addingReportingOverflow(earned).overflow ? .max : health.score + earned
    }

    /// Rebuilds the active set from `health` (one per route) at `now`.
    public mutating func refresh(health: [RouteHealth], now: Timestamp) {
        refreshes += 1
        let n = now.nanoseconds
        for r in active { lastActive[Int(r)] = n }
        // Active routes that became unusable leave at once.
        var kept: [(Int64, Int32)] = []
        for r in active where health[Int(r)].score != RouteHealth.unusable {
            kept.append((priority(Int(r), health: health[Int(r)], now: now), r))
        }
        scratch.removeAll(keepingCapacity: true)
        for r in health.indices where rank[r] < 0 && health[r].score != RouteHealth.unusable {
            scratch.append((priority(r, health: health[r], now: now), Int32(r)))
        }
        scratch.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        kept.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        var next = 0
        // Fill empty slots with the best outsiders.
        while kept.count < config.activeSlots && next < scratch.count { kept.append(scratch[next]); next += 1 }
        kept.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        // Swap the weakest active for the best outsider while it wins by the hysteresis.
        while next < scratch.count, let weakest = kept.last, kept.count == config.activeSlots,
              Int128(scratch[next].0) > Int128(weakest.0) + Int128(config.hysteresis) {
            kept.removeLast()
            kept.append(scratch[next]); next += 1
            kept.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        }
        let before = Set(active)
        for r in active { rank[Int(r)] = -1 }
        active = kept.map(\.1)
        for (i, r) in active.enumerated() { rank[Int(r)] = Int32(i); lastActive[Int(r)] = n }
        changes += Set(active).symmetricDifference(before).count
    }

    /// Makes usable route `r` active at once if a slot is free (between refreshes, so a
    /// route whose books just came back need not wait for the next refresh). O(1).
    public mutating func admitIfFree(_ r: Int, health: RouteHealth, now: Timestamp) {
        guard rank[r] < 0, active.count < config.activeSlots, health.score != RouteHealth.unusable else { return }
        rank[r] = Int32(active.count)
        active.append(Int32(r))
        lastActive[r] = now.nanoseconds
        changes += 1
    }

    /// Whether route `r` is active (evaluated, and may draw on the budgets).
    @inlinable public func isActive(_ r: Int) -> Bool { rank[r] >= 0 }

    /// Takes one attempt token for route `r` at `now`, if it is active and its rank allows.
    public mutating func grantAttempt(_ r: Int, now: Timestamp) -> Bool {
        guard rank[r] >= 0 else { return false }
        let burst = config.attemptBurst * 1_000_000_000
        let elapsed = max(0, now.nanoseconds - tokensAt)
        tokensAt = max(tokensAt, now.nanoseconds)
        tokens = Int64(min(Int128(burst), Int128(tokens) + Int128(elapsed) * Int128(config.attemptsPerSecond)))
        // Rank k of n must leave k/n of the burst to the routes above it.
        let reserve = burst / Int64(max(1, active.count)) * Int64(rank[r])
        guard tokens - 1_000_000_000 >= reserve else { return false }
        tokens -= 1_000_000_000
        return true
    }

    /// Route `r`'s share of the capital, ppm: in proportion to positive score among the
    /// active routes; 0 for a route that is not active.
    public func capitalShare(_ r: Int, health: [RouteHealth]) -> Int64 {
        guard rank[r] >= 0 else { return 0 }
        var total: Int128 = 0
        for a in active { total += Int128(max(1, health[Int(a)].score)) }
        return Int64(Int128(max(1, health[r].score)) * 1_000_000 / max(1, total))
    }
}
