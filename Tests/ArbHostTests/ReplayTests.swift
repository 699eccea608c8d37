import ArbCore
import ArbRecorder
import Foundation
import Testing
@testable import ArbHost

@Suite("Record and replay", .serialized)
struct ReplayTests {
    @Test("recording a run's market and replaying it reproduces its decisions: same journal, same PnL, every time")
    func replayReproducesRun() throws {
        let live = try run(manifestText(dataDir: tempDir("live"), runtime: "40s"))
        let recordings = tempDir("recordings")
        let report = try RecordRun(plan: try load(manifestText(runtime: "40s")), output: recordings).execute()
        #expect(report.events > 50_000 && report.dropped == 0 && report.error == nil)

        let replayText = manifestText(dataDir: tempDir("replay"), runtime: "40s")
            .replacingOccurrences(of: "source = \"synthetic\"", with: "source = \"recording\"\nrecordings = [\"\(recordings)\"]")
        let first = try run(replayText)
        let second = try run(replayText.replacingOccurrences(of: "replay-", with: "replay2-"))
        for replay in [first, second] {
            #expect(replay.0.replay?.replayed == report.events)
            #expect(replay.0.events.marketEvents == live.0.events.marketEvents)
            #expect(replay.0.orders.sent == live.0.orders.sent && replay.0.orders.fills == live.0.orders.fills)
            #expect(replay.0.pnl.realisedTotal == live.0.pnl.realisedTotal)
            let a = try Data(contentsOf: URL(fileURLWithPath: live.1 + "/journal.jsonl"))
            let b = try Data(contentsOf: URL(fileURLWithPath: replay.1 + "/journal.jsonl"))
            #expect(a == b && !a.isEmpty)
        }
    }

    @Test("a replay manifest without recordings, or with a missing one, is refused clearly")
    func badReplayManifest() {
        let none = problem(manifestText().replacingOccurrences(of: "source = \"synthetic\"", with: "source = \"recording\""))
        #expect(none.contains("market_data.recordings") && none.contains("list recording files"), "\(none)")
        let missing = problem(manifestText().replacingOccurrences(of: "source = \"synthetic\"", with: "source = \"recording\"\nrecordings = [\"/nope\"]"))
        #expect(missing.contains("no recording at '/nope'"), "\(missing)")
    }

    @Test("feed gaps in a recording empty the book until the next snapshot")
    func gapClearsBook() throws {
        let plan = try load(manifestText(withStrategy: false))
        let kernel = try plan.makeKernel()
        let btc = plan.universe.instrument(venue: plan.universe.venueId("binance")!, symbol: "BTCUSDT")!.id
        var source = ArrayMarketDataSource([
            .bookSnapshot(BookSnapshot(instrument: btc, bids: [BookLevel(price: Price("100"), quantity: Quantity("1"))],
                                       asks: [BookLevel(price: Price("101"), quantity: Quantity("1"))], exchangeTime: .milliseconds(1), receivedAt: .milliseconds(1))),
            .status(FeedStatus(kind: .gap, instrument: btc, receivedAt: .milliseconds(2), sequence: 7, count: 3)),
        ])
        kernel.run(&source)
        #expect(kernel.book(btc).isEmpty)
        #expect(kernel.counters.feedStatusEvents == 1)
    }
}
