import Testing
@testable import ArbCore

@Suite("Run clocks")
struct RunClockTests {
    @Test("the simulated clock never waits")
    func simulated() {
        var clock = SimulatedClock()
        let start = WallClock.monotonicNanoseconds()
        let released = clock.wait(until: Timestamp(nanoseconds: 3_600_000_000_000), shouldStop: { false })
        #expect(released)
        #expect(WallClock.monotonicNanoseconds() - start < 10_000_000)
    }

    @Test("the wall clock releases an event its offset after the anchor, and a stop interrupts it")
    func wall() {
        var clock = WallClock(anchorEventTime: .zero)
        let start = WallClock.monotonicNanoseconds()
        let released = clock.wait(until: .milliseconds(150), shouldStop: { false })
        #expect(released)
        let waited = WallClock.monotonicNanoseconds() - start
        #expect(waited >= 150_000_000 && waited < 1_000_000_000)
        let before = WallClock.monotonicNanoseconds()
        let interrupted = !clock.wait(until: .milliseconds(60_000), shouldStop: { WallClock.monotonicNanoseconds() - before > 100_000_000 })
        #expect(interrupted)
        #expect(WallClock.monotonicNanoseconds() - before < 1_000_000_000)
    }
}
