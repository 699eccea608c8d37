import ArbCore
import ArbFeed
import ArbFeedNIO
import ArbFeedTesting
import ArbRateLimit
import Foundation
import Logging
import Testing
@testable import Upbit

@Suite("Upbit live feed against a local server", .serialized)
struct UpbitLiveFeedTests {
    @Test("the documented subscription is sent on /websocket/v1; binary whole-book frames become the book; a drop reconnects and rebuilds it")
    func flow() throws {
        let server = try LocalFeedServer()
        defer { server.shutdown() }
        let plugin = try UpbitPlugin(settings: UpbitPlugin.defaultSettings)
        let feed = try plugin.makeFeed(instruments: [FeedInstrument(id: InstrumentId(0), symbol: "KRW-BTC"), FeedInstrument(id: InstrumentId(1), symbol: "KRW-USDT")],
                                       settings: FeedSettings(wsBase: try FeedURL.parse(server.wsBase, allowedSchemes: ["ws"]).get()))
        let runtime = FeedRuntime()
        defer { runtime.shutdown() }
        let queue = FeedQueue(capacity: 10_000)
        var options = FeedConnectorOptions()
        options.backoffInitial = .milliseconds(20); options.backoffMaximum = .milliseconds(100)
        let connector = try runtime.connector(feed: feed, sink: queue, limiter: RateLimiter(rules: plugin.rateLimitRules), options: options,
                                              logger: Logger(label: "test"))
        connector.start()
        #expect(waitUntil { server.received.count == 1 })
        #expect(server.socketPaths == ["/websocket/v1"])
        #expect(server.received.first?.text == #"[{"ticket":"arbor"},{"type":"orderbook","codes":["KRW-BTC","KRW-USDT"]},{"type":"trade","codes":["KRW-BTC","KRW-USDT"]},{"format":"DEFAULT"}]"#)

        let h = UpbitFeedHarness()
        func drain() {
            var batch: [MarketEvent] = []
            queue.queue.takeBatch(max: 10_000, into: &batch, waitingUntil: Date())
            h.output.events = batch
            h.apply()
        }
        server.send(UpbitFeedHarness.book(code: "KRW-USDT", [("1400", "10", "1399", "20")], type: "SNAPSHOT"), binary: true)
        server.send(UpbitFeedHarness.book(code: "KRW-USDT", [("1401", "5", "1399", "25")]), binary: true)
        #expect(waitUntil { drain(); return h.levels(1, .ask) == ["1401@5"] && h.levels(1, .bid) == ["1399@25"] })
        server.drop()
        #expect(waitUntil { drain(); return h.books[1].isEmpty && server.received.count == 2 })
        server.send(UpbitFeedHarness.book(code: "KRW-USDT", [("1402", "1", "1398", "2")], type: "SNAPSHOT"), binary: true)
        #expect(waitUntil { drain(); return h.levels(1, .ask) == ["1402@1"] })
        let report = try connector.currentReport().wait()
        #expect(report.reconnects == 1 && report.counters.malformed == 0 && report.snapshotRequests == 0)
    }

    @Test("messages sent on the websocket go through Upbit's message limit: a subscription in seven messages is spread over seconds")
    func messageLimit() throws {
        let server = try LocalFeedServer()
        defer { server.shutdown() }
        let plugin = try UpbitPlugin(settings: UpbitPlugin.defaultSettings)
        let inner = try plugin.makeFeed(instruments: [FeedInstrument(id: InstrumentId(0), symbol: "KRW-BTC")],
                                        settings: FeedSettings(wsBase: try FeedURL.parse(server.wsBase, allowedSchemes: ["ws"]).get()))
        let runtime = FeedRuntime()
        defer { runtime.shutdown() }
        let connector = try runtime.connector(feed: ChattyFeed(inner, messages: 7), sink: FeedQueue(capacity: 100),
                                              limiter: RateLimiter(rules: plugin.rateLimitRules), options: FeedConnectorOptions(),
                                              logger: Logger(label: "test"))
        let t0 = ContinuousClock.now
        connector.start()
        // 5 a second, market data up to 60 % of it: three a second.
        #expect(waitUntil { server.received.count >= 3 })
        usleep(300_000)
        #expect(server.received.count <= 6)
        #expect(waitUntil(timeout: .seconds(10)) { server.received.count == 7 })
        #expect(ContinuousClock.now - t0 >= .seconds(1))
        let report = try connector.currentReport().wait()
        #expect(report.subscriptionsHeld >= 1 && report.connected == 1)
        #expect(server.received.allSatisfy { $0.text.hasPrefix(#"[{"ticket":"arbor"}"#) })
    }
}

/// A venue feed whose subscription takes `messages` websocket messages (the inner feed's
/// one, repeated): what a venue subscribing per symbol would send.
final class ChattyFeed: VenueFeed {
    let inner: any VenueFeed
    let messages: Int
    init(_ inner: any VenueFeed, messages: Int) { self.inner = inner; self.messages = messages }
    var venue: String { inner.venue }
    func connectionPlans() -> [FeedConnectionPlan] {
        inner.connectionPlans().map { plan in
            var p = plan
            p.subscribeFrames = Array(repeating: plan.subscribeFrames[0], count: messages)
            return p
        }
    }
    func connected(_ connection: Int, at time: Timestamp, output: inout FeedOutput) { inner.connected(connection, at: time, output: &output) }
    func disconnected(_ connection: Int, at time: Timestamp, output: inout FeedOutput) { inner.disconnected(connection, at: time, output: &output) }
    func receive(_ frame: UnsafeRawBufferPointer, connection: Int, receivedAt: Timestamp, output: inout FeedOutput) {
        inner.receive(frame, connection: connection, receivedAt: receivedAt, output: &output)
    }
    func snapshotRequest(for instrument: InstrumentId) -> FeedHTTPRequest? { inner.snapshotRequest(for: instrument) }
    func receiveSnapshot(_ body: UnsafeRawBufferPointer, for instrument: InstrumentId, receivedAt: Timestamp, output: inout FeedOutput) {
        inner.receiveSnapshot(body, for: instrument, receivedAt: receivedAt, output: &output)
    }
    func resync(_ instrument: InstrumentId, at time: Timestamp, output: inout FeedOutput) { inner.resync(instrument, at: time, output: &output) }
}
