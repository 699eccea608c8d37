import ArbCore
import ArbFeed
import ArbFeedNIO
import ArbFeedTesting
import ArbRecorder
import ArbdPlugins
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import ArbHost

/// GET `url`: the status and body, or nil when nothing answered in 5 s.
func httpGet(_ url: String) -> (status: Int, body: String)? {
    final class Answer: @unchecked Sendable { var value: (Int, String)? }
    let answer = Answer()
    let done = DispatchSemaphore(value: 0)
    URLSession.shared.dataTask(with: URL(string: url)!) { data, response, _ in
        if let http = response as? HTTPURLResponse { answer.value = (http.statusCode, String(decoding: data ?? Data(), as: UTF8.self)) }
        done.signal()
    }.resume()
    guard done.wait(timeout: .now() + 5) == .success, let value = answer.value else { return nil }
    return (value.0, value.1)
}

/// A manifest for live data from a local server speaking both venues' formats (Binance's
/// combined streams and REST depth, Upbit's /websocket/v1): BTC on both, KRW-USDT as FX.
func liveManifest(server: LocalFeedServer, dataDir: String, runtime: String = "3s", extra: String = "", handoff: String = "inline") -> String {
    """
    mode = "paper"
    seed = 1
    max_runtime = "\(runtime)"
    clock = "wall"
    reporting_currency = "USDT"
    data_dir = "\(dataDir)"

    [market_data]
    source = "live"
    symbols = ["BTC"]
    fx = { venue = "upbit", symbol = "KRW-USDT" }
    live_handoff = "\(handoff)"

    [exchanges.upbit]
    balances = { KRW = "100000000", BTC = "1" }
    feed = { ws_url = "\(server.wsBase)", stale_after_ms = 60000 }

    [exchanges.binance]
    balances = { USDT = "100000", BTC = "1" }
    feed = { ws_url = "\(server.wsBase)", rest_url = "\(server.httpBase)", depth = 100, stale_after_ms = 60000 }
    \(extra)
    """
}

/// Plays both venues on `server` once each has connected: Binance's BTCUSDT book from a
/// snapshot and diffs, Upbit's KRW-BTC and KRW-USDT whole books, then a dropped Binance
/// connection and its recovery.
func playVenues(_ server: LocalFeedServer) {
    server.answer("/api/v3/depth?symbol=BTCUSDT&limit=100", .init(body: #"{"lastUpdateId":1000,"bids":[["30000.00","1.5"],["29999.00","2"]],"asks":[["30001.00","1"],["30002.00","3"]]}"#))
    server.answer("/api/v3/depth?symbol=BTCUSDT&limit=100", .init(body: #"{"lastUpdateId":2000,"bids":[["30010.00","1"]],"asks":[["30011.00","1"]]}"#))
    _ = waitUntil(timeout: .seconds(10)) { server.openConnections == 2 }
    let binance = server.socketPaths.firstIndex { $0.hasPrefix("/stream") } ?? 0
    let upbit = server.socketPaths.firstIndex { $0 == "/websocket/v1" } ?? 1
    func upbitBook(_ code: String, _ ask: String, _ bid: String, _ type: String) -> String {
        #"{"type":"orderbook","code":"\#(code)","timestamp":1584486737444,"orderbook_units":[{"ask_price":\#(ask),"bid_price":\#(bid),"ask_size":1,"bid_size":1}],"stream_type":"\#(type)"}"#
    }
    server.send(upbitBook("KRW-USDT", "1401", "1399", "SNAPSHOT"), binary: true, on: upbit)
    server.send(upbitBook("KRW-BTC", "42100000", "42000000", "SNAPSHOT"), binary: true, on: upbit)
    _ = waitUntil { server.requests.count >= 1 }
    for k in 0..<5 {
        let u = 1001 + k
        server.send(#"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1672515782136,"s":"BTCUSDT","U":\#(u),"u":\#(u),"b":[["30000.00","\#(k + 2)"]],"a":[]}}"#, on: binance)
    }
    usleep(200_000)
    server.drop(binance)
    _ = waitUntil(timeout: .seconds(10)) { server.openConnections == 2 && server.requests.count >= 2 }
    server.send(#"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1672515782999,"s":"BTCUSDT","U":2001,"u":2001,"b":[["30010.00","4"]],"a":[]}}"#)
}

/// Collects what a status line writes.
final class StatusCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var written = ""
    var text: String { lock.lock(); defer { lock.unlock() }; return written }
    var output: StatusOutput { StatusOutput(isTerminal: true) { [self] s in lock.lock(); written += s; lock.unlock() } }
}

@Suite("Live market data: arbd record and arbd run against a local venue", .serialized)
struct LiveFeedRunTests {
    @Test("arbd record records the live feeds until max_runtime: sequences are the venue's update ids, and the outage is in the file as markers")
    func record() throws {
        let server = try LocalFeedServer()
        defer { server.shutdown() }
        let dir = NSTemporaryDirectory() + "arbor-live-record-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + ".toml"
        try liveManifest(server: server, dataDir: dir, runtime: "3s").write(toFile: path, atomically: true, encoding: .utf8)
        let plan = try RunPlan(try ManifestLoader.load(path: path), plugins: registeredPlugins)
        let record = RecordRun(plan: plan, output: dir + "/rec")
        record.handleSignals = false
        let player = Thread { playVenues(server) }
        player.start()
        let report = try record.execute()
        #expect(report.files.count == 1)
        var events: [MarketEvent] = []
        let reader = try RecordingFileReader(path: report.files[0])
        for b in reader.blocks.indices { try reader.readBlock(b, into: &events) }
        let btcusdt = try #require(plan.universe.instruments.first { $0.symbol == "BTCUSDT" }?.id)
        let binance = events.filter { $0.instrument == btcusdt }
        let snapshots = binance.compactMap { e -> BookSnapshot? in if case .bookSnapshot(let s) = e { return s }; return nil }
        #expect(snapshots.map(\.sequence) == [1000, 2000])
        let deltas = binance.compactMap { e -> BookDelta? in if case .bookDelta(let d) = e { return d }; return nil }
        #expect(deltas.map(\.sequence) == [1001, 1002, 1003, 1004, 1005, 2001])
        let markers = binance.compactMap { e -> FeedStatus.Kind? in if case .status(let s) = e { return s.kind }; return nil }
        #expect(markers == [.gap, .reconnect])
        // Every event has the venue's time and the local receive time.
        #expect(deltas.allSatisfy { $0.exchangeTime.nanoseconds == 1_672_515_782_136_000_000 || $0.sequence == 2001 })
        #expect(deltas.allSatisfy { $0.receivedAt.nanoseconds > 1_700_000_000_000_000_000 })
        let fx = try #require(plan.fxInstrument)
        #expect(events.contains { if case .bookSnapshot(let s) = $0 { return s.instrument == fx && s.asks.first?.price == Price(units: 1_401) }; return false })
        #expect(record.feedReports.map(\.exchange).sorted() == ["binance", "upbit"])
        #expect(record.feedReports.first { $0.exchange == "binance" }?.reconnects == 1)
    }

    @Test("arbd run paper-trades on live data (the kernel on the feeds' thread, or behind a bounded queue): the books reach the kernel, the summary lists each feed, a dropped feed's book is refused until resynced",
          arguments: ["inline", "queue"])
    func run(handoff: String) throws {
        let server = try LocalFeedServer()
        defer { server.shutdown() }
        let dir = NSTemporaryDirectory() + "arbor-live-run-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + ".toml"
        try liveManifest(server: server, dataDir: dir, runtime: "3s", extra: "[metrics]\nlisten = \"127.0.0.1:0\"", handoff: handoff)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let plan = try RunPlan(try ManifestLoader.load(path: path), plugins: registeredPlugins)
        let status = StatusCapture()
        final class Shared: @unchecked Sendable {
            let run: PaperRun
            var scrape: (status: Int, body: String)?
            var missing: (status: Int, body: String)?
            init(_ run: PaperRun) { self.run = run }
        }
        let shared = Shared(PaperRun(plan: plan, options: RunOptions(showStatus: true, statusOutput: status.output, handleSignals: false)))
        let run = shared.run
        let player = Thread {
            playVenues(server)
            // Prometheus metrics while the run lasts (published every 250 ms and each second).
            usleep(1_300_000)
            guard let port = shared.run.metrics?.port else { return }
            shared.scrape = httpGet("http://127.0.0.1:\(port)/metrics")
            shared.missing = httpGet("http://127.0.0.1:\(port)/other")
        }
        player.start()
        let summary = try run.execute()
        let kernel = try #require(run.kernel)
        let btcusdt = try #require(plan.universe.instruments.first { $0.symbol == "BTCUSDT" }?.id)
        #expect(kernel.touch(btcusdt).bid?.price == Price(units: 30_010))
        #expect(kernel.bookProblem(btcusdt) == nil)
        #expect(kernel.counters.marketEvents >= 10 && kernel.counters.feedStatusEvents >= 2)
        let feeds = try #require(summary.feeds)
        #expect(feeds.map(\.exchange).sorted() == ["binance", "upbit"])
        #expect(feeds.allSatisfy { $0.counters.malformed == 0 })
        #expect(summary.run.stoppedBy == "max_runtime")
        // Every message's receive-to-kernel time, measured where the kernel takes it.
        let latency = try #require(summary.wall.receiveToKernel)
        #expect(latency.count >= 8 && latency.p50Ns > 0 && latency.p99Ns >= latency.p50Ns)
        // The progress line: messages/s per venue, resyncs, reconnects and stale books
        // (Binance's dropped connection is its one reconnect).
        let lines = status.text.components(separatedBy: "\r\u{1B}[K").filter { !$0.isEmpty }
        #expect(lines.count >= 2, "\(lines)")
        let last = try #require(lines.last)
        #expect(last.range(of: #"binance \d+ msg/s \d+ resyncs 1 reconnects 0 stale"#, options: .regularExpression) != nil, "\(last)")
        #expect(last.range(of: #"upbit \d+ msg/s 0 resyncs 0 reconnects 0 stale"#, options: .regularExpression) != nil, "\(last)")
        // [metrics] listen: the feeds' and the run's figures in Prometheus text.
        let scrape = try #require(shared.scrape)
        #expect(scrape.status == 200)
        #expect(scrape.body.contains(#"arbor_feed_reconnects_total{exchange="binance"} 1"#), "\(scrape.body)")
        #expect(scrape.body.range(of: #"arbor_feed_messages_total\{exchange="upbit"\} [1-9]"#, options: .regularExpression) != nil)
        #expect(scrape.body.contains(#"arbor_feed_connections_up{exchange="binance"} 1"#))
        #expect(scrape.body.range(of: #"arbor_run_market_events_total [1-9]"#, options: .regularExpression) != nil)
        #expect(shared.missing?.status == 404)
        // The endpoint ends with the run.
        #expect(httpGet("http://127.0.0.1:\(run.metrics?.port ?? 1)/metrics") == nil)
    }

    @Test("a stop request (SIGINT in arbd) ends a live run at once through its normal path, with a summary")
    func liveStop() throws {
        let server = try LocalFeedServer()
        defer { server.shutdown() }
        let dir = NSTemporaryDirectory() + "arbor-live-stop-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + ".toml"
        try liveManifest(server: server, dataDir: dir, runtime: "60s").write(toFile: path, atomically: true, encoding: .utf8)
        let run = PaperRun(plan: try RunPlan(try ManifestLoader.load(path: path), plugins: registeredPlugins),
                           options: RunOptions(showStatus: false, handleSignals: false))
        let stop = run.stop
        let stopper = Thread {
            _ = waitUntil(timeout: .seconds(10)) { server.openConnections == 2 }
            usleep(300_000)
            stop.raise()
        }
        stopper.start()
        let t0 = ContinuousClock.now
        let summary = try run.execute()
        #expect(summary.run.stoppedBy == "signal")
        #expect(ContinuousClock.now - t0 < .seconds(10))
        #expect(FileManager.default.fileExists(atPath: run.folder + "/summary.json"))
    }

    @Test("SIGINT ends arbd record on live data: the file is closed cleanly and every block reads back")
    func recordInterrupted() throws {
        let arbd = try #require(arbdExecutable(), "arbd not found next to the test binary; run `swift build` first")
        let server = try LocalFeedServer()
        defer { server.shutdown() }
        let dir = NSTemporaryDirectory() + "arbor-live-sigint-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + ".toml"
        try liveManifest(server: server, dataDir: dir, runtime: "10m").write(toFile: path, atomically: true, encoding: .utf8)
        let recorder = try startArbd(arbd, ["record", "--manifest", path, "--output", dir + "/rec", "--quiet"])
        defer { if recorder.isRunning { recorder.terminate() } }
        playVenues(server)
        usleep(300_000)
        let t0 = ContinuousClock.now
        recorder.interrupt()
        recorder.waitUntilExit()
        #expect(ContinuousClock.now - t0 < .seconds(10))
        #expect(recorder.terminationStatus == 0)
        let files = (FileManager.default.subpaths(atPath: dir + "/rec") ?? []).filter { $0.hasSuffix(".arbrec") }
        #expect(files.count == 1, "\(files)")
        var events: [MarketEvent] = []
        let reader = try RecordingFileReader(path: dir + "/rec/" + files[0])
        for b in reader.blocks.indices { try reader.readBlock(b, into: &events) }
        let deltas = events.filter { if case .bookDelta = $0 { return true }; return false }
        #expect(deltas.count == 6, "\(events.count) events")
    }

    @Test("bad live settings are manifest errors naming the key, and arbd check refuses them as arbd run would", arguments: [
        ("ws_url = \"http://x\"", "exchanges.binance.feed.ws_url"),
        ("ws_url = \"ws://host:99999\"", "exchanges.binance.feed.ws_url"),
        ("rest_url = \"ftp://x\"", "exchanges.binance.feed.rest_url"),
        ("depth = 7000", "exchanges.binance.feed.depth"),
        ("update_speed_ms = 250", "exchanges.binance.feed.update_speed_ms"),
        ("stale_after_ms = 5", "exchanges.binance.feed.stale_after_ms"),
        ("wsurl = \"ws://x\"", "exchanges.binance.feed"),
    ])
    func badSettings(setting: String, key: String) throws {
        let text = """
        mode = "paper"
        seed = 1
        max_runtime = "1s"
        reporting_currency = "USDT"
        [market_data]
        source = "live"
        symbols = ["BTC"]
        [exchanges.binance]
        balances = { USDT = "1000" }
        [exchanges.binance.feed]
        \(setting)
        """
        let path = NSTemporaryDirectory() + "arbor-live-bad-\(UUID().uuidString).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try RunPlan(try ManifestLoader.load(path: path), plugins: registeredPlugins)
            Issue.record("accepted \(setting)")
        } catch let e as ManifestError {
            #expect(e.keyPath.hasPrefix(key), "\(e)")
        } catch let e as ManifestErrors {
            #expect(e.errors.contains { $0.keyPath.hasPrefix(key) }, "\(e)")
        }
        let upbit = text.replacingOccurrences(of: "binance", with: "upbit").replacingOccurrences(of: "USDT = ", with: "KRW = ")
            .replacingOccurrences(of: "reporting_currency = \"USDT\"", with: "reporting_currency = \"KRW\"")
        try upbit.replacingOccurrences(of: setting, with: "update_speed_ms = 100").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { _ = try RunPlan(try ManifestLoader.load(path: path), plugins: registeredPlugins) }
    }

    @Test("a bad hand-off choice or queue size is a manifest error naming the key", arguments: [
        ("live_handoff = \"fast\"", "market_data.live_handoff"),
        ("live_queue_events = 10", "market_data.live_queue_events"),
        ("live_queue_events = 99999999999", "market_data.live_queue_events"),
    ])
    func badHandoff(setting: String, key: String) throws {
        let text = """
        mode = "paper"
        seed = 1
        max_runtime = "1s"
        reporting_currency = "USDT"
        [market_data]
        source = "live"
        symbols = ["BTC"]
        \(setting)
        [exchanges.binance]
        balances = { USDT = "1000" }
        """
        let message = problem(text)
        #expect(message.contains(key), "\(message)")
    }
}
