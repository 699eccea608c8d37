import ArbCore
import ArbRecorder
import Foundation
import Testing
@testable import ArbHost

@Suite("What runs report while and after they run")
struct ReportingTests {
    @Test("the live status line: event time, wall time, events, opportunities, orders, fills, rejections; in place on a terminal")
    func statusLine() throws {
        let plan = try load(manifestText(runtime: "20s"))
        let kernel = try plan.makeKernel()
        var source = ArbSynthetic.SyntheticMarket(config: plan.market, startTime: RunPlan.startTime)
        kernel.run(&source, until: RunPlan.startTime + .seconds(10))
        let collected = CollectedLines()
        let plain = StatusLine(output: collected.output(terminal: false))
        for _ in 0..<5 { plain.show(kernel: kernel, end: RunPlan.startTime + .seconds(20), wallSeconds: 1.5) }
        let lines = collected.lines
        #expect(lines.count == 1, "a line every five seconds off a terminal")
        let line = try #require(lines.first)
        #expect(line.hasPrefix("arbd 10s/20s event time | 1.5s wall | \(kernel.counters.marketEvents) events"))
        #expect(line.contains("\(kernel.counters.ordersSent) orders") && line.contains("\(kernel.counters.fills) fills") && line.hasSuffix("rejected\n"))
        let drawing = CollectedLines()
        let terminal = StatusLine(output: drawing.output(terminal: true))
        terminal.show(kernel: kernel, end: RunPlan.startTime + .seconds(20), wallSeconds: 1)
        terminal.finish()
        let drawn = drawing.lines
        #expect(drawn.count == 2 && drawn[0].hasPrefix("\r\u{1B}[K") && drawn[1] == "\r\u{1B}[K")
        // --quiet: no output at all; and the host never writes to stderr by itself.
        let run = PaperRun(plan: plan, options: RunOptions(showStatus: false, statusOutput: drawing.output(terminal: false), handleSignals: false))
        _ = try run.execute()
        #expect(drawing.lines.count == 2, "nothing more with showStatus off")
    }

    @Test("progress lines carry the rate and, with a total, the share done and an ETA")
    func progress() {
        let collected = CollectedLines()
        let p = Progress("import", total: 100, unit: "rows", output: collected.output(terminal: false))
        p.update(done: 25, items: 1_000)
        p.update(done: 50, items: 2_000)  // within the same second: not printed
        let lines = collected.lines
        #expect(lines.count == 1)
        #expect(lines[0].hasPrefix("import: 1000 rows, ") && lines[0].contains("/s, 25%, ETA "))
        let open = CollectedLines()
        Progress("export", total: nil, unit: "events", output: open.output(terminal: false)).update(done: 0, items: 7)
        #expect(open.lines.first?.contains("%") == false)
    }

    @Test("the summary shows each exchange's rate limits: pool utilisation, waits, 429s and bans, both sides")
    func rateLimitsInSummary() throws {
        let (summary, _) = try run(manifestText(dataDir: tempDir("rl-summary"), runtime: "60s"))
        let text = summary.text()
        for exchange in ["binance", "upbit"] {
            let info = try #require(summary.rateLimits.first { $0.exchange == exchange })
            let client = try #require(info.client)
            #expect(info.venueRequests > 0 && client.counters.granted > 0)
            #expect(client.pools.contains { $0.metrics.grantedRequests > 0 && $0.metrics.peakUtilisationPpm > 0 })
            #expect(text.contains("rate limits  \(exchange): venue saw \(info.venueRequests) requests, answered \(info.venueTooManyRequests) × 429, \(info.venueBans) bans"))
        }
        #expect(text.contains("  pool       order: 12 per"))
        let json = String(decoding: try summary.json(), as: UTF8.self)
        #expect(json.contains("\"peak_utilisation_ppm\"") && json.contains("\"too_many_requests\"") && json.contains("\"venue_bans\""))
    }

    @Test("the summary counts what the simulated exchanges did: late orders, competitors, dropped feed messages, and the models")
    func simulationInSummary() throws {
        let text = manifestText(dataDir: tempDir("sim-summary"), runtime: "60s", extra: """
        [simulation.competition]
        edge_ppm = 2500
        delay_ms = 5
        """).replacingOccurrences(of: "latency_ms = { outbound = 25, inbound = 25 }",
                                    with: "latency_ms = { outbound = 25, inbound = 25, feed = { p50 = 30, p99 = 120 } }")
        let (summary, folder) = try run(text)
        let sim = summary.simulation
        #expect(sim.competitorTakes > 0, "a jumpy test market has dislocations for competitors")
        #expect(sim.ordersShortOnArrival > 0 && sim.ordersShortOnArrival >= sim.ordersBeatenByCompetitor)
        #expect(sim.feedMessagesDropped == 0)
        #expect(sim.latencies["binance"]?["feed"] == "lognormal p50 30 ms p99 120 ms")
        #expect(sim.competition.contains("2500 ppm"))
        #expect(summary.text().contains("simulation   \(sim.ordersShortOnArrival) taker orders found less than they asked on arrival"))
        let json = try String(contentsOfFile: folder + "/summary.json", encoding: .utf8)
        #expect(json.contains("\"orders_beaten_by_competitor\"") && json.contains("\"competitor_takes\""))
    }

    @Test("replay filters by instrument as well as by venue")
    func replayFiltersBySymbol() throws {
        let dir = tempDir("filter")
        let report = try RecordRun(plan: try load(manifestText(runtime: "5s")), output: dir).execute()
        let plan = try load(manifestText())
        var btc = try RecordingSource(paths: report.files, universe: plan.universe, symbols: ["BTCUSDT", "KRW-BTC"])
        var symbols = Set<String>()
        while let e = btc.next() { symbols.insert(plan.universe[e.instrument].symbol) }
        #expect(symbols == ["BTCUSDT", "KRW-BTC"])
        #expect(btc.skipped > 0)
    }
}
import ArbSynthetic

/// Status and progress lines a test collects instead of a terminal.
final class CollectedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func output(terminal: Bool) -> StatusOutput {
        StatusOutput(isTerminal: terminal) { [self] line in lock.withLock { stored.append(line) } }
    }
}
