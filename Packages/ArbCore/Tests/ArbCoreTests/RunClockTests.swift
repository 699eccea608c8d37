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

@Suite("Run clock speed")
struct RunClockSpeedTests {
    @Test("at ten times real speed, 1 s of event time takes 0.1 s")
    func speed() {
        var clock = WallClock(anchorEventTime: .zero, speed: Ratio(raw: 10 * FixedDecimal.unit))
        let start = WallClock.monotonicNanoseconds()
        let released = clock.wait(until: .milliseconds(1_000), shouldStop: { false })
        let waited = WallClock.monotonicNanoseconds() - start
        #expect(released)
        #expect(waited >= 100_000_000 && waited < 600_000_000)
    }
}
