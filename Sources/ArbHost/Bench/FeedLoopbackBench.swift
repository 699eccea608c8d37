import ArbCore
import ArbFeed
import ArbFeedNIO
import ArbFeedTesting
import Foundation

/// `arbd bench --feed-loopback`: a live paper run end to end over loopback. The manifest's
/// run (its exchanges, instruments, strategies and risk guard) with `source = "live"`, each
/// exchange's feed pointed at its own local websocket and HTTP server
/// (`LocalFeedServer`), which answers the venue's REST snapshots and sends its documented
/// book and trade messages (`LiveFeedExchange.sampleFeed`) for the run's symbols at a
/// steady rate per venue. The run's own figures are the result: receive-to-kernel latency
/// per message (`wall.receive_to_kernel`), the kernel's step time, and each feed's counts.
public struct FeedLoopbackBench {
    public struct Result: Codable, Sendable {
        public var venues: [String]
        public var handoff: String
        public var symbols: Int
        public var levelsPerMessage: Int
        /// Frames a second each venue's server was asked to send, and for how long.
        public var ratePerVenue: Int
        public var seconds: Double
        public var framesSent: Int
        /// Messages whose last event reached the kernel (the whole run, snapshots included).
        public var messagesToKernel: Int
        public var receiveToKernelP50Us: Double, receiveToKernelP99Us: Double, receiveToKernelMaxUs: Double, receiveToKernelMeanUs: Double
        public var kernelStepP50Ns: Int, kernelStepP99Ns: Int
        public var gaps: Int, malformed: Int, queueOverflows: Int, reconnects: Int
        public var stoppedBy: String

        public var line: String {
            String(format: "live paper run over loopback (%@; hand-off %@): %d symbols, %d levels, %d msg/s a venue for %.1f s (%d frames): %d messages to the kernel; receive to kernel p50 %.1f µs p99 %.1f µs max %.1f µs mean %.1f µs; kernel step p50 %d ns p99 %d ns; gaps %d, malformed %d, overflows %d, reconnects %d; stopped by %@",
                   venues.joined(separator: ", "), handoff, symbols, levelsPerMessage, ratePerVenue, seconds, framesSent, messagesToKernel,
                   receiveToKernelP50Us, receiveToKernelP99Us, receiveToKernelMaxUs, receiveToKernelMeanUs, kernelStepP50Ns, kernelStepP99Ns,
                   gaps, malformed, queueOverflows, reconnects, stoppedBy)
        }
    }

    let registry: PluginRegistry
    public init(registry: PluginRegistry) { self.registry = registry }

    public func measure(manifest path: String, levels: Int, rate: Int, seconds: Double, seed: UInt64, handoff: LiveHandoff = .inline) throws -> Result {
        var loaded = try ManifestLoader.load(path: path)
        var manifest = loaded.manifest
        let dataDir = NSTemporaryDirectory() + "arbor-feed-loopback-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        manifest.dataDir = dataDir
        manifest.runName = "loopback"
        manifest.marketData.source = .live
        manifest.marketData.liveHandoff = handoff
        // Connecting and the snapshots, the timed stream, then a second for the tail.
        let runtime = seconds + 4
        guard let duration = DurationText("\(Int(runtime.rounded(.up)))s") else { throw BenchError("--seconds: \(seconds) gives no run time") }
        manifest.maxRuntime = duration

        // A server per exchange of the run.
        let enabled = try RunPlan(loaded, plugins: registry).exchangeNames
        var servers: [String: LocalFeedServer] = [:]
        defer { for s in servers.values { s.shutdown() } }
        for name in enabled {
            let server = try LocalFeedServer()
            servers[name] = server
            manifest.exchanges[name]!.feed.wsURL = server.wsBase
        }
        // The REST base only for venues that sync by REST snapshots (Upbit refuses one).
        loaded.manifest = manifest
        var plan = try RunPlan(loaded, plugins: registry)
        for (v, name) in plan.exchangeNames.enumerated() {
            let feed = try plan.plugins[v].makeFeed(instruments: instruments(plan, v), settings: plan.feedSettings[v])
            if let first = instruments(plan, v).first, feed.snapshotRequest(for: first.id) != nil {
                manifest.exchanges[name]!.feed.restURL = servers[name]!.httpBase
            }
        }
        loaded.manifest = manifest
        plan = try RunPlan(loaded, plugins: registry)

        var samples: [FeedSample] = []
        var framesPerVenue = Int((Double(rate) * seconds).rounded())
        for (v, name) in plan.exchangeNames.enumerated() {
            let list = instruments(plan, v)
            let sample = type(of: plan.plugins[v]).sampleFeed(symbols: list.map(\.symbol), levels: levels, messages: framesPerVenue, seed: seed &+ UInt64(v))
            let feed = try plan.plugins[v].makeFeed(instruments: list, settings: plan.feedSettings[v])
            for i in list {
                if let request = feed.snapshotRequest(for: i.id), let body = sample.snapshots[i.symbol] {
                    servers[name]!.answer(request.url.pathAndQuery, .init(body: String(decoding: body, as: UTF8.self)))
                }
            }
            samples.append(sample)
            framesPerVenue = min(framesPerVenue, sample.frames.count)
        }

        let run = PaperRun(plan: plan, options: RunOptions(showStatus: false, handleSignals: false))
        final class Player: @unchecked Sendable {
            var sent = 0
            var elapsed = Duration.zero
            var error: (any Error)?
        }
        let player = Player()
        let names = plan.exchangeNames
        let waits: [(plans: Int, snapshots: Int)] = try names.indices.map { v in
            let feed = try plan.plugins[v].makeFeed(instruments: instruments(plan, v), settings: plan.feedSettings[v])
            return (feed.connectionPlans().count, instruments(plan, v).filter { feed.snapshotRequest(for: $0.id) != nil }.count)
        }
        let stop = run.stop
        let total = framesPerVenue
        let thread = Thread { [servers, samples] in
            // Connected, and every snapshot answered before the first update: the sample's
            // updates continue its snapshots exactly (U = lastUpdateId + 1), which Binance's
            // documented rule calls too old once an update is buffered.
            for (v, name) in names.enumerated() {
                let server = servers[name]!
                guard waitUntil(timeout: .seconds(10), { server.openConnections == waits[v].plans && server.requests.count >= waits[v].snapshots }) else {
                    player.error = BenchError("\(name): the feed did not connect to its local server within 10 s")
                    stop.raise()
                    return
                }
            }
            usleep(200_000)
            // Paced by the clock, a batch per venue every millisecond; sleeps between (a
            // spinning sender would take a core from the feed on a small machine).
            let perMillisecond = max(1, rate / 1_000)
            let start = ContinuousClock.now
            var sent = 0
            while sent < total {
                let n = min(perMillisecond, total - sent)
                for (v, name) in names.enumerated() {
                    servers[name]!.sendAll(Array(samples[v].frames[sent..<(sent + n)]), binary: samples[v].binaryFrames)
                }
                sent += n
                let due = start + .nanoseconds(Int64(sent) * 1_000_000_000 / Int64(rate))
                let left = due - ContinuousClock.now
                if left > .zero { usleep(UInt32(max(1, left.components.seconds * 1_000_000 + left.components.attoseconds / 1_000_000_000_000))) }
            }
            player.sent = sent
            player.elapsed = ContinuousClock.now - start
        }
        thread.start()
        let summary = try run.execute()
        if let error = player.error { throw error }
        guard let latency = summary.wall.receiveToKernel else { throw BenchError("the live run wrote no receive-to-kernel figures") }
        let elapsed = player.elapsed, sent = player.sent
        let feeds = summary.feeds ?? []
        return Result(venues: plan.exchangeNames, handoff: handoff.rawValue, symbols: plan.universe.instruments.count, levelsPerMessage: levels, ratePerVenue: rate,
                      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                      framesSent: sent * plan.exchangeNames.count, messagesToKernel: latency.count,
                      receiveToKernelP50Us: Double(latency.p50Ns) / 1_000, receiveToKernelP99Us: Double(latency.p99Ns) / 1_000,
                      receiveToKernelMaxUs: Double(latency.maxNs) / 1_000, receiveToKernelMeanUs: Double(latency.avgNs) / 1_000,
                      kernelStepP50Ns: summary.wall.loopLatency.p50Ns, kernelStepP99Ns: summary.wall.loopLatency.p99Ns,
                      gaps: feeds.reduce(0) { $0 + $1.counters.gaps }, malformed: feeds.reduce(0) { $0 + $1.counters.malformed },
                      queueOverflows: feeds.reduce(0) { $0 + $1.queueOverflows }, reconnects: feeds.reduce(0) { $0 + $1.reconnects },
                      stoppedBy: summary.run.stoppedBy)
    }

    func instruments(_ plan: RunPlan, _ v: Int) -> [FeedInstrument] {
        plan.universe.instruments.filter { $0.venue == VenueId(v) }.map { FeedInstrument(id: $0.id, symbol: $0.symbol) }
    }
}
