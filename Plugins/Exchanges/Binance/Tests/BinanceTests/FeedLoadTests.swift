import ArbCore
import ArbFeed
import ArbFeedNIO
import ArbFeedTesting
import ArbRateLimit
import Foundation
import Logging
import Testing
@testable import Binance

/// Load and latency of the live path over loopback (opt-in: ARBOR_FEED_LOAD=1; the
/// figures go to docs/BENCHMARKS.md):
/// `ARBOR_FEED_LOAD=1 swift test -c release --filter FeedLoadTests`
@Suite("Feed load over loopback (ARBOR_FEED_LOAD=1)", .serialized, .enabled(if: ProcessInfo.processInfo.environment["ARBOR_FEED_LOAD"] == "1"))
struct FeedLoadTests {
    /// A consumer thread taking events as the live loop does; latency = its clock at
    /// dequeue − the event's receive stamp (the feed's clock as it parsed the frame).
    final class Consumer: @unchecked Sendable {
        let queue: FeedQueue
        var latencies: [Int64] = []
        var count = 0
        var stop = false
        let done = DispatchSemaphore(value: 0)
        init(queue: FeedQueue) { self.queue = queue; latencies.reserveCapacity(2_000_000) }
        func run() {
            let clock = SystemFeedClock()
            var batch: [MarketEvent] = []
            while !stop {
                queue.queue.takeBatch(max: 4_096, into: &batch, waitingUntil: Date().addingTimeInterval(0.05))
                let now = clock.now()
                for e in batch where e.feedSequence > 1_000 {
                    if case .bookDelta(let d) = e, d.endOfMessage { latencies.append((now - d.receivedAt).nanosecondsInt64); count += 1 }
                }
            }
            done.signal()
        }
        /// The value at `permille` thousandths of the sorted latencies.
        func percentile(permille: Int) -> Int64 {
            let s = latencies.sorted()
            return s.isEmpty ? 0 : s[min(s.count - 1, s.count * permille / 1_000)]
        }
    }

    func connect(symbols: Int, server: LocalFeedServer, queue: FeedQueue, runtime: FeedRuntime) throws -> (FeedConnector, [String], FeedSample) {
        let names = (0..<symbols).map { "S\($0)USDT" }
        let sample = BinancePlugin.sampleFeed(symbols: names, levels: 10, messages: 0, seed: 1)
        for n in names { server.answer("/api/v3/depth?symbol=\(n)&limit=100", .init(body: String(decoding: sample.snapshots[n]!, as: UTF8.self))) }
        let plugin = try BinancePlugin(settings: BinancePlugin.defaultSettings)
        let feed = try plugin.makeFeed(instruments: names.enumerated().map { FeedInstrument(id: InstrumentId($0.offset), symbol: $0.element) },
                                       settings: FeedSettings(wsBase: try FeedURL.parse(server.wsBase, allowedSchemes: ["ws"]).get(),
                                                              restBase: try FeedURL.parse(server.httpBase, allowedSchemes: ["http"]).get(), depth: 100))
        var options = FeedConnectorOptions()
        options.pingInterval = nil
        options.staleAfter = .seconds(600)
        let c = try runtime.connector(feed: feed, sink: queue, limiter: nil, options: options, logger: Logger(label: "load"))
        return (c, names, sample)
    }

    @Test("receive-to-kernel latency at 10,000 messages a second (10 levels each)")
    func latency() throws {
        let server = try LocalFeedServer()
        defer { server.shutdown() }
        let runtime = FeedRuntime()
        defer { runtime.shutdown() }
        let queue = FeedQueue(capacity: 1 << 20)
        let (connector, names, _) = try connect(symbols: 10, server: server, queue: queue, runtime: runtime)
        let consumer = Consumer(queue: queue)
        Thread { consumer.run() }.start()
        connector.start()
        #expect(waitUntil { server.openConnections == 1 && server.requests.count == 10 })
        usleep(300_000)
        // 3 s at 10,000 messages a second: 10 messages every millisecond, paced by the
        // clock with sleeps (a spinning sender would take a core from the feed).
        let frames = BinancePlugin.sampleFeed(symbols: names, levels: 10, messages: 40_000, seed: 2).frames.filter { $0.count > 300 }
        let start = ContinuousClock.now
        var sent = 0
        while sent + 10 <= min(frames.count, 30_000) {
            server.sendAll(Array(frames[sent..<(sent + 10)]))
            sent += 10
            let due = start + .microseconds(Int64(sent) * 100)
            let left = due - ContinuousClock.now
            if left > .zero { usleep(UInt32(max(1, left.components.attoseconds / 1_000_000_000_000))) }
        }
        _ = waitUntil(timeout: .seconds(10)) { consumer.count >= sent - 100 }
        consumer.stop = true
        consumer.done.wait()
        let r = try connector.currentReport().wait()
        print("feed-latency: \(sent) messages in \(ContinuousClock.now - start); receive to kernel p50 \(consumer.percentile(permille: 500) / 1_000) µs p99 \(consumer.percentile(permille: 990) / 1_000) µs p99.9 \(consumer.percentile(permille: 999) / 1_000) µs max \(consumer.percentile(permille: 1_000) / 1_000) µs; gaps \(r.counters.gaps), overflows \(r.queueOverflows)")
        #expect(r.counters.malformed == 0 && r.queueOverflows == 0)
    }

    @Test("200 symbols on two connections at full speed: every message arrives, no gap, no overflow")
    func load() throws {
        let server = try LocalFeedServer()
        defer { server.shutdown() }
        let runtime = FeedRuntime()
        defer { runtime.shutdown() }
        let queue = FeedQueue(capacity: 1 << 21)
        let (connector, names, _) = try connect(symbols: 200, server: server, queue: queue, runtime: runtime)
        let consumer = Consumer(queue: queue)
        Thread { consumer.run() }.start()
        connector.start()
        #expect(waitUntil(timeout: .seconds(20)) { server.openConnections == 2 && server.requests.count == 200 })
        usleep(500_000)
        let sample = BinancePlugin.sampleFeed(symbols: names, levels: 10, messages: 200_000, seed: 3)
        // Each connection gets its own symbols' frames (100 a connection, in order).
        let paths = server.socketPaths
        var byConnection: [[[UInt8]]] = [[], []]
        for f in sample.frames {
            let text = String(decoding: f.prefix(60), as: UTF8.self)
            guard let s = text.range(of: "\"stream\":\"s")?.upperBound, let end = text[s...].firstIndex(where: { !$0.isNumber }) else { continue }
            let k = Int(text[s..<end])!
            byConnection[paths[0].contains("s\(k)usdt@") ? 0 : 1].append(f)
        }
        let depthMessages = sample.frames.filter { $0.count > 300 }.count
        let t0 = ContinuousClock.now
        for chunk in stride(from: 0, to: max(byConnection[0].count, byConnection[1].count), by: 1_000) {
            for c in 0..<2 where chunk < byConnection[c].count {
                server.sendAll(Array(byConnection[c][chunk..<min(chunk + 1_000, byConnection[c].count)]), on: c)
            }
        }
        _ = waitUntil(timeout: .seconds(60)) { consumer.count >= depthMessages }
        let elapsed = ContinuousClock.now - t0
        consumer.stop = true
        consumer.done.wait()
        let r = try connector.currentReport().wait()
        print("feed-load: 200 symbols, \(sample.frames.count) frames (\(depthMessages) depth) in \(elapsed): \(Double(sample.frames.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) msg/s; depth messages at the consumer \(consumer.count); gaps \(r.counters.gaps) malformed \(r.counters.malformed) overflows \(r.queueOverflows) high water \(queue.highWater)")
        #expect(consumer.count == depthMessages && r.counters.gaps == 0 && r.counters.malformed == 0 && r.queueOverflows == 0)
    }
}
