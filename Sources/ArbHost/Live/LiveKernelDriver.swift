import ArbCore
import ArbFeed
import ArbFeedNIO
import Dispatch
import Histogram
import NIOCore

/// Runs the kernel on the live feeds' event loop: each message's events go through the
/// kernel on the thread that parsed them, before the next frame is read (run to
/// completion). A hand-over to another thread cost a wake-up per burst: about 45 µs on a
/// 2-vCPU VM even when idle (`perf bench sched pipe`: 83 µs a round trip across CPUs),
/// which put receive-to-kernel p99 at 200–550 µs at 10,000 messages a second; inline it is
/// the parse and the kernel's step (docs/BENCHMARKS.md, "Live feeds").
///
/// Every venue's connector runs on this one loop (`LiveFeeds(sink:)`), so the kernel is
/// only ever touched from it. Timers, simulated venues' answers, the kill switch, the
/// status line and the run's end are checked by a task on the same loop, at the next due
/// time and at least every 20 ms. Nothing queues, so nothing overflows: a kernel slower
/// than the feed slows the reads, and TCP holds the rest.
final class LiveKernelDriver: FeedEventSink, @unchecked Sendable {
    let kernel: Kernel
    let clock = SystemFeedClock()
    var loop: (any EventLoop)?
    var source = LiveMarketSource()
    var result = PaperRun.LoopResult(stoppedBy: "max_runtime")
    var receiveToKernel = ReceiveToKernel()
    /// Called on the loop at least every 20 ms: a reason to end the run, or nil. It may
    /// act on the kernel (kill switch, status line).
    let housekeeping: () -> String?
    private(set) var ended = false
    let finished = DispatchSemaphore(value: 0)
    var wake: Scheduled<Void>?
    var wakeAt = Timestamp.distantFuture
    static let housekeepingInterval = Duration.milliseconds(20)

    init(kernel: Kernel, housekeeping: @escaping () -> String?) {
        self.kernel = kernel
        self.housekeeping = housekeeping
    }

    /// Starts the housekeeping on `loop` (the feeds' one loop).
    func start(on loop: any EventLoop) {
        self.loop = loop
        loop.execute { self.tick() }
    }

    /// Blocks the caller until the run ends (on the loop), and returns how it went.
    func waitForEnd() -> PaperRun.LoopResult {
        finished.wait()
        return result
    }

    // Called on the loop, one message at a time.
    func deliver(_ events: [MarketEvent]) -> Bool {
        guard !ended else { return true }
        let now = clock.now()
        receiveToKernel.record(events, at: now)
        source.append(events)
        drain(now)
        return true
    }

    /// Steps everything due by `now`: the message just appended, and timers and
    /// simulated answers whose time has come.
    func drain(_ now: Timestamp) {
        result.stepDue(kernel, &source, by: now)
        if kernel.fault != nil { end("strategy_fault"); return }
        arm(now)
    }

    func tick() {
        wake = nil
        wakeAt = .distantFuture
        guard !ended else { return }
        if let reason = housekeeping() { end(reason); return }
        drain(clock.now())
    }

    /// The next tick: the kernel's next due time, or the housekeeping interval.
    func arm(_ now: Timestamp) {
        guard let loop else { return }
        var at = now + Self.housekeepingInterval
        if let due = kernel.nextDueTime(&source), due < at { at = due }
        guard at < wakeAt else { return }
        wake?.cancel()
        wakeAt = at
        wake = loop.scheduleTask(in: .nanoseconds(Swift.max(0, (at - clock.now()).nanosecondsInt64))) { self.tick() }
    }

    func end(_ reason: String) {
        guard !ended else { return }
        ended = true
        result.stoppedBy = reason
        wake?.cancel()
        wake = nil
        finished.signal()
    }
}

/// Each message's receive stamp to the moment the kernel takes it (its last event).
struct ReceiveToKernel {
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    var sum: UInt64 = 0

    mutating func record(_ events: [MarketEvent], at now: Timestamp) {
        for e in events where e.isMessageEnd {
            let waited = UInt64(Swift.max(0, (now - e.receivedAt).nanosecondsInt64))
            _ = histogram.record(waited)
            sum &+= waited
        }
    }

    var summary: RunSummary.Latency {
        let n = histogram.totalCount
        return RunSummary.Latency(count: Int(n), avgNs: n > 0 ? Int(sum / n) : 0, p50Ns: Int(histogram.valueAtPercentile(50)),
                                  p99Ns: Int(histogram.valueAtPercentile(99)), maxNs: Int(histogram.max))
    }
}

extension PaperRun.LoopResult {
    /// Steps the kernel through everything due by `now` (a live run's messages as they
    /// arrived, timers and simulated answers at their times), timing each step.
    mutating func stepDue(_ kernel: Kernel, _ source: inout LiveMarketSource, by now: Timestamp) {
        while let due = kernel.nextDueTime(&source), due <= now {
            let t0 = MonotonicClock.nanoseconds()
            guard kernel.step(&source, until: .distantFuture) else { break }
            let elapsed = MonotonicClock.nanoseconds() - t0
            _ = histogram.record(elapsed)
            latencySum &+= elapsed
            steps += 1
        }
    }
}

extension MarketEvent {
    /// The last event of a venue message (a book update's last level, a snapshot, a trade).
    var isMessageEnd: Bool {
        switch self {
        case .bookDelta(let d): return d.endOfMessage
        case .bookSnapshot, .trade: return true
        case .status: return false
        }
    }
}

/// A live run that cannot start.
public struct LiveRunError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
