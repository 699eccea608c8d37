/// A point in time in nanoseconds since the Unix epoch. The kernel reads time
/// only from events and its injected clock, never from the wall.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01 UTC.
    public var nanoseconds: Int64

    /// From nanoseconds since the epoch.
    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    /// From milliseconds since the epoch.
    @inlinable public static func milliseconds(_ ms: Int64) -> Timestamp { Timestamp(nanoseconds: ms * 1_000_000) }

    /// The epoch (1970): never a run's time.
    public static let zero = Timestamp(nanoseconds: 0)
    /// 2026-01-01 00:00 UTC: where synthetic runs and test scenarios start unless told
    /// otherwise. A strategy's `start()` sees its run's start time, never 1970.
    public static let defaultRunStart = Timestamp(nanoseconds: 1_767_225_600_000_000_000)
    /// Later than any event.
    public static let distantFuture = Timestamp(nanoseconds: .max)

    @inlinable public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: Timestamp, b: Duration) -> Timestamp { Timestamp(nanoseconds: a.nanoseconds &+ b.nanosecondsInt64) }
    @inlinable public static func - (a: Timestamp, b: Timestamp) -> Duration { .nanoseconds(a.nanoseconds - b.nanoseconds) }

    public var description: String { "\(nanoseconds)ns" }
}

extension Duration {
    /// Whole nanoseconds, saturating at `Int64` bounds.
    @inlinable public var nanosecondsInt64: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return ns &+ attoseconds / 1_000_000_000
    }
}
