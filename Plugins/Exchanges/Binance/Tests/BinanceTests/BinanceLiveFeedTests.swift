import ArbCore
import ArbFeed
import ArbFeedNIO
import ArbFeedTesting
import ArbRateLimit
import Foundation
import Logging
import MetricsTestKit
import Testing
@testable import Binance

/// A Binance feed on BNBBTC (instrument 0) through the connector, against a local
/// server speaking Binance's documented formats. The events go through the bounded
/// queue into `mirror` as the kernel would apply them.
final class LiveBinance {
    let server: LocalFeedServer
    let runtime = FeedRuntime(threads: 1)
    let queue: FeedQueue
    let connector: FeedConnector
    var mirror = BookMirror(count: 1)
    static let depthPath = "/api/v3/depth?symbol=BNBBTC&limit=100"

    init(options: FeedConnectorOptions = LiveBinance.fast, server: LocalFeedServer? = nil, limiter: Bool = true, capacity: Int = 100_000,
         clock: any FeedClock = SystemFeedClock()) throws {
        let server = try server ?? LocalFeedServer()
        self.server = server
        queue = FeedQueue(capacity: capacity)
        let plugin = try BinancePlugin(settings: BinancePlugin.defaultSettings)
        let feed = try plugin.makeFeed(instruments: [FeedInstrument(id: InstrumentId(0), symbol: "BNBBTC")],
                                       settings: FeedSettings(wsBase: try FeedURL.parse(server.wsBase, allowedSchemes: ["ws"]).get(),
                                                              restBase: try FeedURL.parse(server.httpBase, allowedSchemes: ["http"]).get(), depth: 100))
        connector = try runtime.connector(feed: feed, sink: queue, limiter: limiter ? RateLimiter(rules: plugin.rateLimitRules) : nil,
                                          options: options, clock: clock, logger: Logger(label: "test"))
    }

    static var fast: FeedConnectorOptions {
        var o = FeedConnectorOptions()
        o.backoffInitial = .milliseconds(20); o.backoffMaximum = .milliseconds(200); o.pingInterval = nil
        return o
    }

    func start() { connector.start() }
    func stop() { runtime.shutdown(); server.shutdown() }

    /// Takes what the queue holds into the mirror.
    func drain() {
        var batch: [MarketEvent] = []
        while true {
            queue.queue.takeBatch(max: 10_000, into: &batch, waitingUntil: Date())
            if batch.isEmpty { return }
            var out = FeedOutput()
            out.events = batch
            mirror.apply(out)
        }
    }

    /// Drains until `condition` holds (or 5 s).
    func until(_ condition: (LiveBinance) -> Bool) -> Bool { waitUntil { drain(); return condition(self) } }
    var report: FeedReport { try! connector.currentReport().wait() }
    var bids: [String] { mirror.levels(0, .bid) }
    var asks: [String] { mirror.levels(0, .ask) }
    func depthRequests() -> Int { server.requests.filter { $0 == Self.depthPath }.count }

    static func snapshot(_ id: Int, bids: [(String, String)], asks: [(String, String)]) -> LocalFeedServer.Answer {
        LocalFeedServer.Answer(body: BinanceFeedHarness.snapshot(lastUpdateId: id, bids: bids, asks: asks))
    }
}

/// The system clock moved on by `offset` (a day passes in a test).
final class ShiftedClock: FeedClock, @unchecked Sendable {
    private let lock = NSLock()
    private var offset = Duration.zero
    func shift(by d: Duration) { lock.lock(); offset += d; lock.unlock() }
    func now() -> Timestamp { lock.lock(); defer { lock.unlock() }; return SystemFeedClock().now() + offset }
}

/// A small weight budget on a one-second window, so a test sees the limiter spread
/// snapshot requests: 25 a second, market data up to its 60 % ceiling (15), a depth-100
/// snapshot weighing 5 as on Binance: three snapshots a second.
struct SmallBudget: RateLimitRules {
    let exchange = "binance"
    let pools = [PoolDefinition(id: "weight", scheme: .fixedWindow(limit: 25, window: .seconds(1)), scope: .ip)]
    func costs(for request: RateLimitRequest) -> [PoolCost] {
        if case .depthSnapshot = request.endpoint { return [PoolCost(pool: 0, weight: 5)] }
        return []
    }
    func interpret(_ feedback: RateLimitFeedback) -> [FeedbackAction] { [] }
}

@Suite("Binance live feed against a local server", .serialized)
struct BinanceLiveFeedTests {
    @Test("normal flow: combined streams on the documented path, snapshot through the limiter, diffs applied; the book matches")
    func normalFlow() throws {
        let live = try LiveBinance()
        defer { live.stop() }
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(100, bids: [("1.00", "1")], asks: [("2.00", "1")]))
        live.start()
        #expect(waitUntil { live.server.openConnections == 1 })
        #expect(live.server.socketPaths == ["/stream?streams=bnbbtc@depth@100ms/bnbbtc@trade"])
        #expect(live.until { $0.bids == ["1@1"] })
        live.server.send(BinanceFeedHarness.diff(U: 101, u: 102, bids: [("1.10", "2")], asks: [("2.00", "0"), ("2.10", "5")]))
        live.server.send(#"{"stream":"bnbbtc@trade","data":{"e":"trade","E":1672515782136,"s":"BNBBTC","t":1,"p":"1.5","q":"2","T":1672515782136,"m":false,"M":true}}"#)
        #expect(live.until { $0.asks == ["2.1@5"] && $0.mirror.events.contains { if case .trade = $0 { return true }; return false } })
        #expect(live.bids == ["1.1@2", "1@1"])
        // Receive times are the local clock's, exchange times Binance's.
        let delta = live.mirror.events.compactMap { e -> BookDelta? in if case .bookDelta(let d) = e { return d }; return nil }.first!
        #expect(delta.exchangeTime == Timestamp(nanoseconds: 1_672_515_782_136_000_000) && delta.receivedAt > delta.exchangeTime)
        #expect(live.report.counters.malformed == 0 && live.report.snapshotRequests == 1)
    }

    @Test("the feed's figures reach swift-metrics: messages, gaps, resyncs, snapshot requests and reconnects counted, connections and stale books as gauges")
    func metrics() throws {
        let metrics = TestMetrics()
        var options = LiveBinance.fast
        options.metricsFactory = metrics
        let live = try LiveBinance(options: options)
        defer { live.stop() }
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(100, bids: [("1.00", "1")], asks: [("2.00", "1")]))
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(120, bids: [("1.20", "3")], asks: [("2.00", "1")]))
        live.start()
        #expect(live.until { $0.bids == ["1@1"] })
        live.server.send(BinanceFeedHarness.diff(U: 101, u: 102, bids: [("1.10", "2")]))
        live.server.send(BinanceFeedHarness.diff(U: 110, u: 115, bids: [("1.10", "2")]))  // a gap
        live.server.send("{not json")
        #expect(live.until { $0.depthRequests() == 2 && $0.bids == ["1.2@3"] })
        let dimensions = [("exchange", "binance")]
        func total(_ name: String) -> Int64 {
            (try? metrics.expectCounter("arbor_feed_\(name)_total", dimensions))?.totalValue ?? -1
        }
        // Published every 250 ms from the connector's housekeeping.
        #expect(waitUntil { total("messages") == 3 && total("gaps") == 1 && total("resyncs") == 1 && total("malformed") == 1 })
        #expect(total("snapshot_requests") == 2 && total("reconnects") == 0)
        #expect(try metrics.expectGauge("arbor_feed_connections_up", dimensions).lastValue == 1)
        #expect(try metrics.expectGauge("arbor_feed_stale_books", dimensions).lastValue == 0)
        live.server.drop()
        #expect(waitUntil { total("reconnects") == 1 })
    }

    @Test("a sequence gap: the book is emptied, the snapshot is fetched again, and the book is right afterwards")
    func gap() throws {
        let live = try LiveBinance()
        defer { live.stop() }
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(100, bids: [("1.00", "1")], asks: [("2.00", "1")]))
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(120, bids: [("1.20", "3")], asks: [("2.00", "1")], ))
        live.start()
        #expect(live.until { $0.bids == ["1@1"] })
        live.server.send(BinanceFeedHarness.diff(U: 110, u: 115, bids: [("1.10", "2")]))
        #expect(live.until { $0.depthRequests() == 2 && $0.bids == ["1.2@3"] })
        live.server.send(BinanceFeedHarness.diff(U: 116, u: 121, bids: [("1.30", "1")]))
        #expect(live.until { $0.bids == ["1.3@1", "1.2@3"] })
        let r = live.report
        #expect(r.counters.gaps == 1 && r.counters.resyncs == 1)
    }

    @Test("a snapshot older than the buffered diffs is fetched again")
    func staleSnapshot() throws {
        let live = try LiveBinance()
        defer { live.stop() }
        // The first answer comes late and is older than what the stream sent meanwhile.
        var slow = LiveBinance.snapshot(150, bids: [("1.00", "1")], asks: [])
        slow.delay = .milliseconds(300)
        live.server.answer(LiveBinance.depthPath, slow)
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(201, bids: [("1.00", "1")], asks: [("2.00", "4")]))
        live.start()
        #expect(waitUntil { live.server.openConnections == 1 })
        live.server.send(BinanceFeedHarness.diff(U: 200, u: 202, bids: [("1.00", "7")]))
        #expect(live.until { $0.depthRequests() == 2 && $0.bids == ["1@7"] },
                "requests \(live.server.requests), events \(live.mirror.events), report \(live.report)")
        #expect(live.asks == ["2@4"] && live.report.counters.staleSnapshots == 1)
    }

    @Test("a dropped connection: reconnect with back-off, a new snapshot, the book right again")
    func dropped() throws {
        let live = try LiveBinance()
        defer { live.stop() }
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(100, bids: [("1.00", "1")], asks: [("2.00", "1")]))
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(300, bids: [("1.50", "2")], asks: [("2.00", "1")]))
        live.start()
        #expect(live.until { $0.bids == ["1@1"] })
        live.server.drop()
        #expect(live.until { $0.mirror.books[0].isEmpty }, "the book is emptied while the connection is down")
        #expect(live.until { $0.server.connectionsSeen == 2 && $0.bids == ["1.5@2"] })
        let kinds = live.mirror.events.compactMap { e -> FeedStatus.Kind? in if case .status(let s) = e { return s.kind }; return nil }
        #expect(kinds == [.gap, .reconnect])
        #expect(live.report.reconnects == 1)
    }

    @Test("a stalled feed: a stale marker reaches the queue and the book is resynced")
    func stalled() throws {
        var options = LiveBinance.fast
        options.staleAfter = .milliseconds(300)
        let live = try LiveBinance(options: options)
        defer { live.stop() }
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(100, bids: [("1.00", "1")], asks: []))
        live.server.answerOthers { _ in nil }
        live.start()
        #expect(live.until { $0.bids == ["1@1"] })
        #expect(live.until { $0.mirror.events.contains { if case .status(let s) = $0 { return s.kind == .stale }; return false } })
        #expect(live.mirror.books[0].isEmpty && live.report.staleMarkers >= 1)
    }

    @Test("malformed messages are counted and skipped; the connection stays and the next message applies")
    func malformed() throws {
        let live = try LiveBinance()
        defer { live.stop() }
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(100, bids: [("1.00", "1")], asks: []))
        live.start()
        #expect(live.until { $0.bids == ["1@1"] })
        live.server.send("{not json")
        live.server.send(#"{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"BNBBTC","U":101,"u":102,"b":[["1e400","1"]],"a":[]}}"#)
        live.server.send(BinanceFeedHarness.diff(U: 101, u: 102, bids: [("1.00", "9")]))
        #expect(live.until { $0.bids == ["1@9"] })
        #expect(live.report.counters.malformed == 2 && live.server.connectionsSeen == 1 && live.server.openConnections == 1)
    }

    @Test("a message sent the moment the connection opens is not lost", arguments: 0..<20)
    func firstMessage(round: Int) throws {
        let server = try LocalFeedServer()
        server.greeting = #"{"stream":"bnbbtc@trade","data":{"e":"trade","E":1,"s":"BNBBTC","t":1,"p":"1.5","q":"2","T":1,"m":false,"M":true}}"#
        let live = try LiveBinance(server: server)
        defer { live.stop() }
        live.server.answerOthers { _ in LiveBinance.snapshot(1, bids: [], asks: []) }
        live.start()
        #expect(live.until { $0.mirror.events.contains { if case .trade = $0 { return true }; return false } })
    }

    @Test("a full queue to the kernel: the message is refused and counted, then a gap marker and a resync put the book right")
    func overflow() throws {
        // Room for the snapshot and one small diff, not for a burst the consumer does not drain.
        let live = try LiveBinance(capacity: 4)
        defer { live.stop() }
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(100, bids: [("1.00", "1")], asks: []))
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(200, bids: [("1.50", "5")], asks: []))
        live.start()
        #expect(live.until { $0.bids == ["1@1"] })
        live.server.send(BinanceFeedHarness.diff(U: 101, u: 101, bids: [("1.01", "1"), ("1.02", "1"), ("1.03", "1"), ("1.04", "1"), ("1.05", "1")]))
        #expect(waitUntil { live.report.queueOverflows == 1 })
        // The next message finds room: the lost book is marked and resynced first.
        live.server.send(BinanceFeedHarness.diff(U: 102, u: 102, bids: [("1.00", "2")]))
        #expect(live.until { $0.depthRequests() == 2 && $0.bids == ["1.5@5"] })
        let kinds = live.mirror.events.compactMap { e -> FeedStatus.Kind? in if case .status(let s) = e { return s.kind }; return nil }
        #expect(kinds.starts(with: [.gap, .resync]))
        #expect(live.report.counters.gaps >= 1)
    }

    @Test("a server ping is answered with a pong carrying its payload")
    func ping() throws {
        let live = try LiveBinance()
        defer { live.stop() }
        live.server.answerOthers { _ in LiveBinance.snapshot(1, bids: [], asks: []) }
        live.start()
        #expect(waitUntil { live.server.openConnections == 1 })
        live.server.ping("keepalive-42")
        #expect(waitUntil { live.server.pongs == ["keepalive-42"] })
        #expect(live.report.pingsAnswered == 1)
    }

    @Test("serverShutdown: a new connection at once, without waiting for a back-off")
    func serverShutdown() throws {
        var options = LiveBinance.fast
        options.backoffInitial = .seconds(30); options.backoffMaximum = .seconds(30)
        let live = try LiveBinance(options: options)
        defer { live.stop() }
        live.server.answerOthers { _ in LiveBinance.snapshot(1, bids: [("1.00", "1")], asks: []) }
        live.start()
        #expect(waitUntil { live.server.openConnections == 1 })
        let t0 = ContinuousClock.now
        live.server.send(#"{"stream":"x","data":{"e":"serverShutdown","E":1770123456789}}"#)
        #expect(waitUntil { live.server.connectionsSeen == 2 && live.server.openConnections == 1 })
        #expect(ContinuousClock.now - t0 < .seconds(5))
    }

    @Test("REST 429 then 418 on the snapshot: the limiter holds the next request for the Retry-After, then the book syncs")
    func throttled() throws {
        let live = try LiveBinance()
        defer { live.stop() }
        live.server.answer(LiveBinance.depthPath, .init(status: 429, headers: [("Retry-After", "1")], body: #"{"code":-1003,"msg":"Too many requests"}"#))
        live.server.answer(LiveBinance.depthPath, .init(status: 418, headers: [("Retry-After", "1")], body: #"{"code":-1003,"msg":"banned"}"#))
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(100, bids: [("1.00", "3")], asks: []))
        let t0 = ContinuousClock.now
        live.start()
        #expect(waitUntil(timeout: .seconds(10)) { live.drain(); return live.bids == ["1@3"] })
        #expect(ContinuousClock.now - t0 >= .seconds(2), "two Retry-After waits of 1 s")
        #expect(live.depthRequests() == 3 && live.report.snapshotRefusals == 2)
        #expect(live.report.lastError?.contains("HTTP 418") == true)
    }

    @Test("bad endpoints: a closed port, a refused upgrade and an unknown symbol each say what and where, and the feed keeps retrying")
    func badEndpoints() throws {
        // A port nothing listens on.
        let closed = try LocalFeedServer()
        let port = closed.port
        closed.shutdown()
        let plugin = try BinancePlugin(settings: BinancePlugin.defaultSettings)
        let feed = try plugin.makeFeed(instruments: [FeedInstrument(id: InstrumentId(0), symbol: "BNBBTC")],
                                       settings: FeedSettings(wsBase: try FeedURL.parse("ws://127.0.0.1:\(port)", allowedSchemes: ["ws"]).get()))
        let runtime = FeedRuntime()
        defer { runtime.shutdown() }
        let c = try runtime.connector(feed: feed, sink: FeedQueue(capacity: 10), limiter: nil, options: LiveBinance.fast, logger: Logger(label: "t"))
        c.start()
        #expect(waitUntil { ((try? c.currentReport().wait())?.connectFailures ?? 0) >= 2 })
        let refused = try c.currentReport().wait().lastError ?? ""
        #expect(refused.contains("binance feed") && refused.contains("refused") && refused.contains("ws_url"), "\(refused)")

        let server = try LocalFeedServer()
        server.acceptsWebsockets = false
        let live = try LiveBinance(server: server)
        defer { live.stop() }
        live.start()
        #expect(waitUntil { (live.report.lastError ?? "").contains("upgrade") })
        #expect(live.report.lastError?.contains("ws_url") == true)

        let unknown = try LiveBinance()
        defer { unknown.stop() }
        unknown.server.answer(LiveBinance.depthPath, .init(status: 400, body: #"{"code":-1121,"msg":"Invalid symbol."}"#))
        unknown.start()
        #expect(waitUntil { (unknown.report.lastError ?? "").contains("unknown_symbol") })
        #expect(unknown.report.lastError?.contains("Invalid symbol") == true)

        // wss:// to a server without TLS: the handshake fails, the message names the
        // exchange and the fix, and the feed keeps retrying.
        let plain = try LocalFeedServer()
        defer { plain.shutdown() }
        let secure = try plugin.makeFeed(instruments: [FeedInstrument(id: InstrumentId(0), symbol: "BNBBTC")],
                                         settings: FeedSettings(wsBase: try FeedURL.parse("wss://127.0.0.1:\(plain.port)", allowedSchemes: ["wss"]).get()))
        let tls = try runtime.connector(feed: secure, sink: FeedQueue(capacity: 10), limiter: nil, options: LiveBinance.fast, logger: Logger(label: "t"))
        tls.start()
        #expect(waitUntil { ((try? tls.currentReport().wait())?.connectFailures ?? 0) >= 2 })
        let tlsError = try tls.currentReport().wait().lastError ?? ""
        #expect(tlsError.contains("binance feed") && tlsError.contains("(tls)") && tlsError.contains("wss needs TLS"), "\(tlsError)")
    }

    @Test("the venue's 24-hour limit: the connection is renewed before it, and the book is synced again")
    func lifetimeRenewal() throws {
        var options = LiveBinance.fast
        options.staleAfter = .seconds(3 * 86_400)
        options.idleTimeout = .seconds(3 * 86_400)
        let clock = ShiftedClock()
        let live = try LiveBinance(options: options, clock: clock)
        defer { live.stop() }
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(100, bids: [("1.00", "1")], asks: [("2.00", "1")]))
        live.server.answer(LiveBinance.depthPath, LiveBinance.snapshot(500, bids: [("1.50", "2")], asks: [("2.00", "1")]))
        live.start()
        #expect(live.until { $0.bids == ["1@1"] })
        // A second short of the renewal: nothing happens.
        clock.shift(by: BinanceFeed.connectionLifetime - .seconds(1))
        usleep(600_000)
        #expect(live.server.connectionsSeen == 1)
        // Past it: closed and opened again at once (no back-off), and resynced.
        clock.shift(by: .seconds(2))
        #expect(live.until { $0.server.connectionsSeen == 2 && $0.server.openConnections == 1 && $0.bids == ["1.5@2"] })
        #expect(BinanceFeed.connectionLifetime < .seconds(24 * 3_600))
        #expect(live.report.reconnects == 1 && live.depthRequests() == 2)
    }

    @Test("many books resyncing at once: the limiter's queue spreads their snapshots over its budget, and every book syncs")
    func snapshotStorm() throws {
        let server = try LocalFeedServer()
        let symbols = (0..<9).map { "S\($0)BTC" }
        for s in symbols {
            for id in [100, 200] {
                server.answer("/api/v3/depth?symbol=\(s)&limit=100", LiveBinance.snapshot(id, bids: [("1.00", "\(id)")], asks: [("2.00", "1")]))
            }
        }
        let plugin = try BinancePlugin(settings: BinancePlugin.defaultSettings)
        let feed = try plugin.makeFeed(instruments: symbols.enumerated().map { FeedInstrument(id: InstrumentId($0.offset), symbol: $0.element) },
                                       settings: FeedSettings(wsBase: try FeedURL.parse(server.wsBase, allowedSchemes: ["ws"]).get(),
                                                              restBase: try FeedURL.parse(server.httpBase, allowedSchemes: ["http"]).get(), depth: 100))
        let runtime = FeedRuntime()
        defer { runtime.shutdown(); server.shutdown() }
        let queue = FeedQueue(capacity: 10_000)
        let c = try runtime.connector(feed: feed, sink: queue, limiter: RateLimiter(rules: SmallBudget()), options: LiveBinance.fast, logger: Logger(label: "t"))
        /// Depth requests seen over time until `total`: (seconds since the first, count).
        func watch(until total: Int) -> [(Double, Int)] {
            var seen: [(Double, Int)] = []
            let t0 = ContinuousClock.now
            _ = waitUntil(timeout: .seconds(10)) {
                let n = server.requests.filter { $0.hasPrefix("/api/v3/depth") }.count
                let e = ContinuousClock.now - t0
                seen.append((Double(e.components.seconds) + Double(e.components.attoseconds) / 1e18, n))
                return n >= total
            }
            return seen
        }
        /// The most requests inside any 0.95 s: a one-second window allows 3, so two
        /// windows' worth (6) at most.
        func burst(_ seen: [(Double, Int)], from base: Int) -> Int {
            var most = 0
            for (t, n) in seen {
                let before = seen.last { $0.0 <= t - 0.95 }?.1 ?? base
                most = max(most, n - before)
            }
            return most
        }
        c.start()
        let first = watch(until: 9)
        #expect(first.last?.1 == 9)
        #expect(burst(first, from: 0) <= 6, "\(first)")
        #expect((first.last?.0 ?? 0) >= 1.0, "all nine went out at once: \(first)")
        // Every book synced (its snapshot, 9 of them).
        var events: [MarketEvent] = []
        #expect(waitUntil {
            var batch: [MarketEvent] = []
            queue.queue.takeBatch(max: 10_000, into: &batch, waitingUntil: Date())
            events += batch
            return events.filter { if case .bookSnapshot = $0 { return true }; return false }.count == 9
        })
        // The connection drops: all nine resync at once, spread the same way.
        server.drop()
        let second = watch(until: 18)
        #expect(second.last?.1 == 18)
        #expect(burst(second, from: 9) <= 6, "\(second)")
        #expect(try c.currentReport().wait().snapshotRefusals == 0)
    }
}
