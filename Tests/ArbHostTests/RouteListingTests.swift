import ArbCore
import Foundation
import Testing
import ArbRoute
import ArbSynthetic
@testable import ArbHost

@Suite("arbd routes")
struct RouteListingTests {
    @Test("the test manifest's universe gives cross_fx routes both ways per base, with the KRW-USDT conversion leg; the JSON names id, kind and legs")
    func routesOfAManifest() throws {
        let plan = try load(manifestText())
        let rows = RouteListing.rows(plan)
        #expect(rows.count == 6 && rows.allSatisfy { $0.kind == "cross_fx" })
        let first = try #require(rows.first)
        #expect(first.id == "cross_fx:BTC:binance(USDT)>upbit(KRW)")
        #expect(first.legs.map(\.symbol) == ["BTCUSDT", "KRW-BTC"] && first.legs.map(\.side) == ["buy", "sell"])
        #expect(first.conversion?.symbol == "KRW-USDT" && first.conversion?.side == "buy")
        let json = try JSONSerialization.jsonObject(with: RouteListing.json(rows)) as! [[String: Any]]
        #expect(json.count == 6 && json.allSatisfy { $0["id"] is String && $0["kind"] is String && ($0["legs"] as? [[String: String]])?.count == 2 })
        #expect(RouteListing.text(rows).hasSuffix("6 routes: 0 cross, 6 cross_fx, 0 triangular\n"))
    }

    /// The test manifest with `cross_quotes` on the named venues.
    func withCrossQuotes(binance: String? = nil, upbit: String? = nil) -> String {
        var text = manifestText()
        if let binance { text = text.replacingOccurrences(of: "[exchanges.binance]\n", with: "[exchanges.binance]\ncross_quotes = \(binance)\n") }
        if let upbit { text = text.replacingOccurrences(of: "[exchanges.upbit]\n", with: "[exchanges.upbit]\ncross_quotes = \(upbit)\n") }
        return text
    }

    @Test("cross_quotes add each venue's BTC (and Upbit's USDT) market: cross routes in BTC and USDT, and triangles on both venues")
    func crossQuotes() throws {
        let plan = try load(withCrossQuotes(binance: "[\"BTC\"]", upbit: "[\"BTC\", \"USDT\"]"))
        let symbols = Set(plan.universe.instruments.map(\.symbol))
        #expect(symbols.isSuperset(of: ["ETHBTC", "XRPBTC", "BTC-ETH", "BTC-XRP", "USDT-BTC", "USDT-ETH", "USDT-XRP"]))
        let ids = Set(RouteListing.rows(plan).map(\.id))
        #expect(ids.isSuperset(of: ["cross:ETH/BTC:binance>upbit", "cross:BTC/USDT:upbit>binance",
                                    "triangular:binance:USDT>BTC>ETH>USDT", "triangular:binance:USDT>ETH>BTC>USDT",
                                    "triangular:upbit:KRW>BTC>ETH>KRW", "triangular:upbit:KRW>USDT>BTC>KRW"]))
        // Every route is sound in its universe.
        let routes = ArbRoute.RouteEnumerator.routes(in: plan.universe, fxInstruments: plan.fxInstrument.map { [$0] } ?? [])
        #expect(routes.allSatisfy { $0.problem(in: plan.universe) == nil })
        // And the synthetic market prices the cross books: a run starts and quotes them.
        var source = SyntheticMarket(config: plan.market, startTime: RunPlan.startTime)
        var quoted = Set<Int>()
        for _ in 0..<5_000 { if let e = source.next() { quoted.insert(e.instrument.index) } }
        #expect(quoted.count == plan.universe.instruments.count)
    }

    @Test("bad cross_quotes are manifest errors naming the key and the fix", arguments: [
        ("[\"EUR\"]", "cross_quotes: 'EUR' has no price: add it to market_data.symbols"),
        ("[\"USDT\"]", "cross_quotes: 'USDT' is listed twice"),
        ("[\"ETH\"]", "cross_quotes: binance has no ETH market in its catalogue"),
    ])
    func badCrossQuotes(_ value: String, _ message: String) {
        #expect(problem(withCrossQuotes(binance: value)).contains(message), "\(problem(withCrossQuotes(binance: value)))")
    }
}

@Suite("The triangular example manifest", .serialized)
struct TriangularManifestTests {
    @Test("manifests/triangular.toml is valid, lists Binance's triangles and runs the triangular strategy on them")
    func exampleRuns() throws {
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("manifests/triangular.toml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "max_runtime = \"30m\"", with: "max_runtime = \"20s\"")
            .replacingOccurrences(of: "data_dir = \"runs\"", with: "data_dir = \"\(tempDir("triangular"))\"")
        let plan = try load(text)
        let triangles = RouteListing.rows(plan).filter { $0.kind == "triangular" }
        #expect(triangles.contains { $0.id == "triangular:binance:USDT>BTC>ETH>USDT" })
        let (summary, _) = try run(text)
        let strategy = try #require(summary.strategies.first { $0.plugin == "triangular" })
        // Every triangle from USDT is scored and the active ones evaluated on every update of their books.
        #expect(strategy.counters["routes"] == .count(Int64(triangles.filter { $0.id.hasPrefix("triangular:binance:USDT>") }.count)))
        #expect((strategy.counters["evaluations"].flatMap { if case .count(let n) = $0 { n } else { nil } } ?? 0) > 1_000)
    }
}

@Suite("The opportunity ledger of a run", .serialized)
struct OpportunityLedgerRunTests {
    @Test("summary.json's opportunity_ledger adds up (detected == executed + Σ skipped), the journal has a row per opportunity, and arbd report ledger reads it per route")
    func ledgerOfARun() throws {
        let (summary, folder) = try run(manifestText(dataDir: tempDir("ledger"), runtime: "60s"))
        let ledger = summary.opportunityLedger
        #expect(ledger.detected > 0 && ledger.executed > 0)
        #expect(ledger.detected == ledger.executed + ledger.skipped.values.reduce(0, +))
        #expect(ledger.realisedMinusDetectedBps.count > 0 && ledger.realisedMinusDetectedBps.count <= ledger.executed)
        let json = try JSONSerialization.jsonObject(with: try summary.json()) as! [String: Any]
        let section = try #require(json["opportunity_ledger"] as? [String: Any])
        #expect(section["detected"] as? Int == ledger.detected && section["skipped"] is [String: Int])
        // The journal's rows, read back per route.
        let report = try LedgerReport.read(runFolder: folder)
        #expect(report.routes.reduce(0) { $0 + $1.detected } == ledger.detected)
        #expect(report.routes.reduce(0) { $0 + $1.executed } == ledger.executed)
        #expect(report.routes.allSatisfy { $0.route.hasPrefix("cross_fx:") } && report.badLines == 0)
        #expect(report.text().contains("\(ledger.detected) detected = \(ledger.executed) executed"))
    }

    @Test("arbd report ledger names a missing journal, and counts the opportunity lines it cannot read")
    func badLedgerInput() throws {
        #expect(throws: LedgerReport.Failure.self) { try LedgerReport.read(runFolder: "/nonexistent/run-1") }
        let folder = tempDir("badledger")
        let lines = [
            #"{"seq":1,"t":1,"event":"order"}"#,
            #"{"seq":2,"t":2,"event":"opportunity","id":1,"route":"r","decision":"executed","detected_edge_ppm":100,"realised_edge_ppm":80,"legs":[]}"#,
            #"{"seq":3,"t":3,"event":"opportunity","id":2,"route":"r","decision":"cooldown"#,
            #"{"seq":4,"t":4,"event":"opportunity","id":3,"route":"r","decision":"cooldown","detected_edge_ppm":120,"legs":[]}"#,
        ]
        try lines.joined(separator: "\n").write(toFile: folder + "/journal.jsonl", atomically: true, encoding: .utf8)
        let report = try LedgerReport.read(runFolder: folder)
        #expect(report.badLines == 1 && report.firstBadLines == [3])
        #expect(report.routes.first?.detected == 2 && report.routes.first?.executed == 1 && report.routes.first?.skipped == ["cooldown": 1])
        #expect(report.routes.first?.meanRealisedEdgeBps == 0.8)
        #expect(report.text().contains("1 opportunity lines could not be read (lines 3)"))
    }
}

@Suite("The universe rule", .serialized)
struct UniverseRuleTests {
    func withUniverse(_ section: String, runtime: String = "40s", dataDir: String = "/tmp/arbor-test-runs") -> String {
        manifestText(dataDir: dataDir, runtime: runtime).replacingOccurrences(of: "[exchanges.upbit]", with: "[universe]\n\(section)\n\n[exchanges.upbit]")
    }

    @Test("bad [universe] settings are manifest errors naming the key", arguments: [
        ("mode = \"top_n\"\nn = 0", "universe.n: must be at least 1"),
        ("mode = \"top_n\"\nhysteresis_ranks = -1", "universe.hysteresis_ranks: must not be negative"),
        ("mode = \"top_n\"\nhysteresis_s = -5", "universe.hysteresis_s: must not be negative"),
        ("mode = \"top_n\"\ndeny = [\"BTC\", \"ETH\", \"XRP\"]", "universe.deny: the universe selects nothing"),
        ("mode = \"top_n\"\nallow = [\"DOGE\"]", "universe.allow: 'DOGE' is not in market_data.symbols"),
        ("mode = \"top_n\"\nallow = [\"BTC\"]\ndeny = [\"BTC\"]", "universe.deny: 'BTC' is both allowed and denied"),
        ("n = 3", "universe.n: only used with mode = \"top_n\""),
        ("mode = \"top_n\"\nrefresh_s = 0", "universe.refresh_s: must be between 1 and 86400"),
        ("mode = \"top_n\"\nnn = 3", "unknown key"),
    ])
    func badUniverse(_ section: String, _ message: String) {
        let text = withUniverse(section)
        #expect(problem(text).contains(message), "\(problem(text))")
    }

    @Test("top_n selects on event time, journals each change, trades only what it selected, and a replay reproduces it")
    func topNRun() throws {
        let section = "mode = \"top_n\"\nn = 1\nrefresh_s = 5\nvolume_window_s = 10\nhysteresis_ranks = 0\nhysteresis_s = 5\ndeny = [\"ETH\"]"
        let (summary, folder) = try run(withUniverse(section, dataDir: tempDir("topn")))
        #expect(summary.universe.mode == "top_n" && summary.universe.changes >= 1 && summary.universe.selected.count <= 1)
        let lines = try String(contentsOfFile: folder + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
        let changes = lines.filter { $0.contains("\"event\":\"universe\"") }
        #expect(changes.count == summary.universe.changes)
        #expect(changes.allSatisfy { !$0.contains("\"symbol\":\"ETH\"") })
        // No order on a denied symbol, and none before the first ranking (5 s in).
        let orders = lines.filter { $0.contains("\"event\":\"order\"") }
        #expect(orders.allSatisfy { !$0.contains("ETH") })
        let firstChange = changes.first.flatMap { line in line.split(separator: ",").first { $0.hasPrefix("\"t\":") }.map { Int64($0.dropFirst(4))! } }
        let firstOrder = orders.first.flatMap { line in line.split(separator: ",").first { $0.hasPrefix("\"t\":") }.map { Int64($0.dropFirst(4))! } }
        if let firstOrder, let firstChange { #expect(firstOrder >= firstChange) }

        // Recording the market and replaying it gives the same selection changes.
        let recordings = tempDir("topn-recordings")
        _ = try RecordRun(plan: try load(withUniverse(section)), output: recordings).execute()
        let replayText = withUniverse(section, dataDir: tempDir("topn-replay"))
            .replacingOccurrences(of: "source = \"synthetic\"", with: "source = \"recording\"\nrecordings = [\"\(recordings)\"]")
        let (_, replayFolder) = try run(replayText)
        let replayed = try String(contentsOfFile: replayFolder + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"event\":\"universe\"") }
        #expect(replayed == changes)
    }
}
