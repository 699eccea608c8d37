import ArbCore

/// Time for I/O code that waits for budget: the real clock in production, a manual one
/// in tests.
public protocol RateLimitClock: Sendable {
    func now() -> Timestamp
    func sleep(until: Timestamp) async throws
}

/// Wall time (Unix epoch) and `Task.sleep`.
public struct SystemRateLimitClock: RateLimitClock {
    public init() {}
    public func now() -> Timestamp {
        let d = ContinuousClock.now - Self.origin.0
        return Timestamp(nanoseconds: Self.origin.1 + d.nanosecondsInt64)
    }
    public func sleep(until: Timestamp) async throws {
        let delta = until.nanoseconds - now().nanoseconds
        if delta > 0 { try await Task.sleep(for: .nanoseconds(delta)) }
    }
    /// Continuous-clock origin paired with the wall time it stands for.
    static let origin: (ContinuousClock.Instant, Int64) = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (ContinuousClock.now, Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }()
}

public enum AcquireOutcome: Sendable, Hashable {
    case granted
    /// The deadline came (or would come) before the budget.
    case timedOut(RateLimitDecision)
    case shed(pool: String)
    case impossible(pool: String)
}

extension RateLimiter {
    /// Waits until the request is granted or `deadline` passes. Never sends through a 429
    /// or a ban: it sleeps until they end (or gives up at the deadline).
    public func acquire(_ request: RateLimitRequest, deadline: Timestamp, clock: some RateLimitClock) async throws -> AcquireOutcome {
        while true {
            let now = clock.now()
            let decision = tryAcquire(request, at: now)
            switch decision {
            case .granted: return .granted
            case .shed(let pool): return .shed(pool: pool)
            case .impossible(let pool): return .impossible(pool: pool)
            case .wait(let until, _), .banned(let until):
                if until > deadline { return .timedOut(decision) }
                try await clock.sleep(until: until)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
