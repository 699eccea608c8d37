import ArbCore
import Foundation
import Testing
@testable import ArbHost

func tempDir(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "arbor-\(name)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func run(_ text: String, options: RunOptions = RunOptions(showStatus: false, handleSignals: false)) throws -> (RunSummary, String) {
    let plan = try load(text)
    let run = PaperRun(plan: plan, options: options)
    let summary = try run.execute()
    return (summary, run.folder)
}

/// The summary without its wall-clock part.
func deterministicPart(_ s: RunSummary) throws -> String {
    var copy = s
    copy.wall = RunSummary.Wall(startedAt: "", durationSeconds: 0, eventsPerSecond: 0,
                                loopLatency: .init(count: 0, avgNs: 0, p50Ns: 0, p99Ns: 0, maxNs: 0), rssBytes: 0, journalBackpressureWaits: 0)
    copy.run.folder = ""
    copy.journal.file = ""
    return String(decoding: try copy.json(), as: UTF8.self)
}

@Suite("Paper run", .serialized)
struct PaperRunTests {
    @Test("a run trades, stops exactly at max_runtime and writes its summary and journal")
    func runs() throws {
        let dir = tempDir("run")
        let (summary, folder) = try run(manifestText(dataDir: dir, runtime: "60s"))
        #expect(summary.run.stoppedBy == "max_runtime")
        #expect(summary.run.endEventTimeNs - summary.run.startEventTimeNs == 60_000_000_000)
        #expect(summary.events.marketEvents > 50_000)
        #expect(summary.opportunities > 0)
        #expect(summary.orders.sent > 0 && summary.orders.fills > 0)
        #expect(summary.wall.loopLatency.count > 0 && summary.wall.loopLatency.p99Ns >= summary.wall.loopLatency.p50Ns)
        #expect(FileManager.default.fileExists(atPath: folder + "/summary.json"))
        let journal = try String(contentsOfFile: folder + "/journal.jsonl", encoding: .utf8)
        let lines = journal.split(separator: "\n")
        #expect(lines.count == summary.journal.sinks.first { $0.name == "file" }?.records)
        #expect(lines.filter { $0.contains("\"event\":\"order\"") }.count == summary.orders.sent)
        #expect(lines.filter { $0.contains("\"event\":\"fill\"") }.count == summary.orders.fills)
        // Balances agree with the journal's fills: the venues' books balance.
        for venue in summary.balances.values { for b in venue.values { #expect(Amount(b.end)! == Amount(b.available)! + Amount(b.locked)!) } }
        #expect(summary.text().contains("== arbd run"))
        // Positions per venue add up to the fills.
        let positionFills = summary.positions.values.flatMap(\.values).reduce(0) { $0 + $1.fills }
        #expect(positionFills == summary.orders.fills)
    }

    @Test("same manifest and seed: identical summary and journal, bit for bit")
    func deterministic() throws {
        let a = try run(manifestText(dataDir: tempDir("det-a"), runtime: "30s"))
        let b = try run(manifestText(dataDir: tempDir("det-b"), runtime: "30s"))
        #expect(try deterministicPart(a.0) == deterministicPart(b.0))
        let ja = try Data(contentsOf: URL(fileURLWithPath: a.1 + "/journal.jsonl"))
        let jb = try Data(contentsOf: URL(fileURLWithPath: b.1 + "/journal.jsonl"))
        #expect(ja == jb && !ja.isEmpty)
        let other = try run(manifestText(dataDir: tempDir("det-c"), runtime: "30s").replacingOccurrences(of: "seed = 7", with: "seed = 8"))
        #expect(try deterministicPart(other.0) != deterministicPart(a.0))
    }

    @Test("a stop request ends the run through its normal path, with a summary")
    func stopRequest() throws {
        let plan = try load(manifestText(dataDir: tempDir("stop"), runtime: "1h"))
        let paper = PaperRun(plan: plan, options: RunOptions(showStatus: false, handleSignals: false))
        let stop = paper.stop
        let stopper = Thread { Thread.sleep(forTimeInterval: 0.5); stop.raise() }
        stopper.start()
        let summary = try paper.execute()
        #expect(summary.run.stoppedBy == "signal")
        #expect(summary.events.marketEvents > 0)
        #expect(FileManager.default.fileExists(atPath: paper.folder + "/summary.json"))
    }

    @Test("the --summary-json path gets the same JSON")
    func summaryPath() throws {
        let dir = tempDir("path")
        let (_, folder) = try run(manifestText(dataDir: dir, runtime: "5s"), options: RunOptions(summaryPath: dir + "/copy.json", showStatus: false, handleSignals: false))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/copy.json")) == Data(contentsOf: URL(fileURLWithPath: folder + "/summary.json")))
    }

    @Test("a wall-clock run is paced: 2 s of event time take about 2 s")
    func wallClock() throws {
        let text = manifestText(dataDir: tempDir("wall"), runtime: "2s").replacingOccurrences(of: "reporting_currency", with: "clock = \"wall\"\nreporting_currency")
        let (summary, _) = try run(text)
        #expect(summary.run.stoppedBy == "max_runtime")
        #expect(summary.wall.durationSeconds >= 1.9 && summary.wall.durationSeconds < 4)
    }
}
