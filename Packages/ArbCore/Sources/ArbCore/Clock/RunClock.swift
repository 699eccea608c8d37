#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides *when* the kernel may process the event due at a given event time. The kernel
/// itself never reads a clock: it takes its time from events. Replay and simulated paper
/// runs go as fast as they can; a wall-clock run (and a live one) waits for real time.
public protocol RunClock {
    /// Returns when `eventTime` is due, or `false` as soon as `shouldStop()` is true.
    mutating func wait(until eventTime: Timestamp, shouldStop: () -> Bool) -> Bool
}

/// Event time only: nothing waits.
public struct SimulatedClock: RunClock {
    public init() {}
    @inline(__always)
    public mutating func wait(until eventTime: Timestamp, shouldStop: () -> Bool) -> Bool { true }
}

/// Event time anchored to the monotonic wall clock at the first wait: an event `d` after
/// the anchor is released `d` of real time after it.
public struct WallClock: RunClock {
    private var anchor: (event: Timestamp, wall: UInt64)?
    /// Longest single sleep, so a stop request is noticed promptly.
    public var pollNanoseconds: UInt64 = 50_000_000
    /// Event time per unit of real time (10 = replay ten times faster), as a ratio.
    public var speed: Ratio = .one

    public init(anchorEventTime: Timestamp? = nil, speed: Ratio = .one) {
        self.speed = speed
        if let anchorEventTime { anchor = (anchorEventTime, Self.monotonicNanoseconds()) }
    }

    public mutating func wait(until eventTime: Timestamp, shouldStop: () -> Bool) -> Bool {
        if anchor == nil { anchor = (eventTime, Self.monotonicNanoseconds()) }
        let (event, wall) = anchor!
        let eventOffset = max(0, eventTime.nanoseconds - event.nanoseconds)
        let offset = UInt64(Int128(eventOffset) * Int128(FixedDecimal.unit) / Int128(max(1, speed.raw)))
        let target = wall &+ offset
        while true {
            if shouldStop() { return false }
            let now = Self.monotonicNanoseconds()
            if now >= target { return true }
            var ts = timespec(tv_sec: 0, tv_nsec: Int(min(target - now, pollNanoseconds)))
            nanosleep(&ts, nil)
        }
    }

    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
