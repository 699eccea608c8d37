import ArbCore
import Testing
@testable import ArbUniverse

@Suite("Universe: top_n")
struct TopNSelectorTests {
    /// Five symbols, each on two venues (instruments 2s and 2s + 1), plus an FX book (10).
    let symbols = ["A", "B", "C", "D", "E"]
    var symbolOfInstrument: [Int] { (0..<10).map { $0 / 2 } + [-1] }
    func s(_ seconds: Int64) -> Timestamp { .milliseconds(seconds * 1_000) }

    func selector(_ rule: TopNRule) -> TopNSelector {
        var sel = TopNSelector(rule: rule, symbols: symbols, symbolOfInstrument: symbolOfInstrument, start: .zero)
        for i in 0..<10 { sel.depthChanged(InstrumentId(i), to: Amount(units: 100_000)) }
        return sel
    }

    /// Trades `values` (per symbol, reporting currency) split over both venues at `time`.
    func trade(_ sel: inout TopNSelector, _ values: [Int64], at time: Timestamp) {
        for (k, v) in values.enumerated() where v > 0 {
            sel.traded(InstrumentId(2 * k), value: Amount(units: v / 2), at: time)
            sel.traded(InstrumentId(2 * k + 1), value: Amount(units: v - v / 2), at: time)
        }
    }

    @Test("the N most traded with enough depth and volume are selected, ranked on event time")
    func selectsTopN() {
        var sel = selector(TopNRule(n: 2, minDepth: Amount(units: 50_000), minVolume: Amount(units: 1_000), volumeWindow: .seconds(60), refresh: .seconds(10)))
        trade(&sel, [5_000, 9_000, 500, 7_000, 3_000], at: s(1))
        sel.depthChanged(InstrumentId(7), to: Amount(units: 10_000))  // D thin on one venue: the weakest venue counts
        #expect(sel.refreshIfDue(at: s(5)).isEmpty)  // not due yet
        let changes = sel.refreshIfDue(at: s(10))
        #expect(changes.map(\.symbol) == ["A", "B"] && changes.allSatisfy { $0.entered && $0.reason == "top_n" })
        #expect(changes.first { $0.symbol == "B" }?.rank == 0 && changes.first { $0.symbol == "A" }?.rank == 1)
        #expect(sel.volume(1, at: s(10)) == Amount(units: 9_000) && sel.depth(3) == Amount(units: 10_000))
    }

    @Test("hysteresis: a member leaves only after ranking below n + k for the hysteresis time; within the band it stays")
    func hysteresis() {
        var sel = selector(TopNRule(n: 1, volumeWindow: .seconds(20), refresh: .seconds(10), hysteresisRanks: 1, hysteresisTime: .seconds(30)))
        trade(&sel, [9_000, 5_000, 1_000, 0, 0], at: s(1))
        #expect(sel.refresh(at: s(10)).map(\.symbol) == ["A"])
        // B overtakes A; A is rank 1 < n + k = 2: it stays, and B cannot enter (no free slot).
        trade(&sel, [0, 20_000, 0, 0, 0], at: s(25))
        trade(&sel, [3_000, 0, 0, 0, 0], at: s(26))
        #expect(sel.refresh(at: s(30)).isEmpty)
        // C and B both overtake A: rank 2, outside the band from now on, for 30 s.
        trade(&sel, [0, 20_000, 10_000, 0, 0], at: s(45))
        trade(&sel, [1_000, 0, 0, 0, 0], at: s(46))
        #expect(sel.refresh(at: s(50)).isEmpty)
        trade(&sel, [1_000, 20_000, 10_000, 0, 0], at: s(65))
        #expect(sel.refresh(at: s(70)).isEmpty)
        trade(&sel, [1_000, 20_000, 10_000, 0, 0], at: s(75))
        let changes = sel.refresh(at: s(80))
        #expect(changes.map { "\($0.entered ? "+" : "-")\($0.symbol):\($0.reason)" } == ["-A:below_rank", "+B:top_n"])
    }

    @Test("a dip shorter than the hysteresis time does not churn")
    func noChurn() {
        var sel = selector(TopNRule(n: 1, volumeWindow: .seconds(10), refresh: .seconds(10), hysteresisRanks: 0, hysteresisTime: .seconds(60)))
        var changes = 0
        for t in stride(from: Int64(0), to: 600, by: 10) {
            // A and B swap the lead every 10 s.
            trade(&sel, t % 20 == 0 ? [5_000, 4_000, 0, 0, 0] : [4_000, 5_000, 0, 0, 0], at: s(t + 1))
            changes += sel.refresh(at: s(t + 5)).count
        }
        #expect(changes == 1)
    }

    @Test("the allowlist is always in, the denylist never; a volume or depth floor makes a symbol ineligible")
    func allowAndDeny() {
        var sel = selector(TopNRule(n: 1, minVolume: Amount(units: 2_000), refresh: .seconds(10), allow: ["E"], deny: ["B"]))
        trade(&sel, [1_000, 9_000, 1_500, 0, 0], at: s(1))
        let changes = sel.refresh(at: s(10))
        // B is denied, A and C are below the volume floor: only the allowlist.
        #expect(changes.map(\.symbol) == ["E"] && changes.first?.reason == "allowlist")
        trade(&sel, [5_000, 0, 0, 0, 0], at: s(11))
        #expect(sel.refresh(at: s(20)).map(\.symbol) == ["A"])
        #expect(sel.selected == [0, 4])
    }

    @Test("the same observations give the same changes (a replay reproduces them)")
    func deterministic() {
        func run() -> [UniverseChange] {
            var sel = selector(TopNRule(n: 2, volumeWindow: .seconds(30), refresh: .seconds(5), hysteresisRanks: 1, hysteresisTime: .seconds(10)))
            var rng = SplitMix64(seed: 3)
            var all: [UniverseChange] = []
            for t in 0..<300 {
                trade(&sel, (0..<5).map { _ in Int64(rng.below(10_000)) }, at: s(Int64(t)))
                all += sel.refreshIfDue(at: s(Int64(t)))
            }
            return all
        }
        let first = run()
        #expect(!first.isEmpty && first == run())
    }

    @Test("depth within the band counts both sides' levels inside it and takes the lesser")
    func depthWithin() {
        var book = OrderBook()
        book.replace(bids: [BookLevel(price: "99.9", quantity: "10"), BookLevel(price: "99.7", quantity: "100")],
                     asks: [BookLevel(price: "100.1", quantity: "5"), BookLevel(price: "100.2", quantity: "5")])
        // Mid 100, 20 bps: 99.8 … 100.2. Bids inside: 999; asks inside: 500.5 + 501.
        #expect(TopNSelector.depthWithin(20, of: book) == Amount("999"))
        #expect(TopNSelector.depthWithin(5, of: book) == .zero)
    }

    @Test("absurd trade values (a damaged recording) saturate instead of trapping")
    func hostileValues() {
        var sel = selector(TopNRule(n: 1, refresh: .seconds(1)))
        for _ in 0..<10 { sel.traded(InstrumentId(0), value: Amount(raw: Int128.max / 3), at: s(0)) }
        #expect(sel.volume(0, at: s(0)) == Amount(raw: .max))
        #expect(sel.refresh(at: s(1)).map(\.symbol) == ["A"])
    }
}
