import ArbCore
import ArbFeed
import ArbFeedNIO
import ArbRateLimit
import CoreMetrics
import Foundation
import Logging

/// A run's live market data (`source = "live"`): one feed connector per enabled exchange
/// (the plugin's parser and sync, the venue's limiter for snapshots and connects), all
/// into one bounded queue that the recorder drains, or, for a paper run, straight into
/// the kernel on the feeds' one event loop (`LiveKernelDriver`).
public final class LiveFeeds {
    public let runtime: FeedRuntime
    public let queue: FeedQueue
    public let connectors: [FeedConnector]
    let names: [String]
    var lastMessages: [Int]
    var lastTime = MonotonicClock.nanoseconds()

    /// Connectors for every exchange of `plan`, not started. `capacity`: events the queue
    /// holds. With `sink`, the connectors deliver to it instead, all on one event loop
    /// (the sink is then only ever called from that thread).
    public init(plan: RunPlan, logger: Logger, capacity: Int = 1 << 18, clock: any FeedClock = SystemFeedClock(),
                sink: (any FeedEventSink)? = nil, metrics: (any MetricsFactory)? = nil) throws {
        runtime = FeedRuntime(threads: sink != nil ? 1 : min(2, max(1, plan.plugins.count)))
        queue = FeedQueue(capacity: sink != nil ? 1 : capacity)
        var connectors: [FeedConnector] = []
        for (v, plugin) in plan.plugins.enumerated() {
            let instruments = plan.universe.instruments.filter { $0.venue == VenueId(v) }.map { FeedInstrument(id: $0.id, symbol: $0.symbol) }
            let feed = try plugin.makeFeed(instruments: instruments, settings: plan.feedSettings[v])
            let section = plan.manifest.exchanges[plan.exchangeNames[v]]!
            var options = FeedConnectorOptions()
            options.staleAfter = .milliseconds(section.feed.staleAfterMs)
            options.idleTimeout = .milliseconds(section.feed.idleTimeoutMs)
            options.seed = plan.manifest.seed &+ UInt64(v)
            options.metricsFactory = metrics
            let limiter = RateLimiter(rules: plugin.rateLimitRules, policy: section.rateLimits.policy)
            connectors.append(try runtime.connector(feed: feed, sink: sink ?? queue, limiter: limiter, options: options, clock: clock, logger: logger))
        }
        self.connectors = connectors
        names = plan.exchangeNames
        lastMessages = Array(repeating: 0, count: connectors.count)
    }

    public func start() { for c in connectors { c.start() } }

    /// Stops the connections (what they delivered stays in the queue); their figures are
    /// kept as they were at the stop.
    public func stop() {
        guard finalReports == nil else { return }
        for c in connectors { try? c.stop().wait() }
        finalReports = connectors.compactMap { try? $0.currentReport().wait() }
        runtime.shutdown()
    }
    var finalReports: [FeedReport]?

    /// Each venue's figures: now, or as they were at the stop. From the connectors' own
    /// loop (a paper run's kernel), read in place.
    public func reports() -> [FeedReport] {
        if let finalReports { return finalReports }
        return connectors.compactMap { c in c.loop.inEventLoop ? c.reportOnLoop() : try? c.currentReport().wait() }
    }

    /// `binance 812 msg/s 0 resyncs 0 reconnects 0 stale | upbit …` since the last call.
    public func progressLine() -> String {
        let now = MonotonicClock.nanoseconds()
        let seconds = max(1e-9, Double(now - lastTime) / 1e9)
        lastTime = now
        var parts: [String] = []
        for (k, r) in reports().enumerated() where k < lastMessages.count {
            let rate = Double(r.counters.messages - lastMessages[k]) / seconds
            lastMessages[k] = r.counters.messages
            parts.append(String(format: "%@ %.0f msg/s %d resyncs %d reconnects %d stale%@", names[k] as NSString, rate, r.counters.resyncs,
                                r.reconnects, r.staleNow, r.connected < r.connections ? " (\(r.connections - r.connected) down)" : ""))
        }
        return parts.joined(separator: " | ")
    }
}

/// A live run's market data as the kernel's source: the message just received, in
/// arrival order (`nil` means "nothing more yet", not the end). An exchange time after
/// the local receive time is the venue's clock running ahead: it is taken as the receive
/// time, so one venue's skew never holds the others' events back.
public struct LiveMarketSource: MarketDataSource {
    var buffer: [MarketEvent] = []
    var position = 0
    public private(set) var delivered = 0

    public init() { buffer.reserveCapacity(4_096) }

    /// A message's events, after whatever is not taken yet.
    public mutating func append(_ events: [MarketEvent]) {
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        buffer.append(contentsOf: events)
    }

    public mutating func next() -> MarketEvent? {
        guard position < buffer.count else { return nil }
        var event = buffer[position]
        position += 1
        delivered += 1
        if event.exchangeTime > event.receivedAt { event = Self.clampingExchangeTime(event) }
        return event
    }

    static func clampingExchangeTime(_ e: MarketEvent) -> MarketEvent {
        switch e {
        case .bookDelta(var d): d.exchangeTime = d.receivedAt; return .bookDelta(d)
        case .bookSnapshot(var s): s.exchangeTime = s.receivedAt; return .bookSnapshot(s)
        case .trade(var t): t.exchangeTime = t.receivedAt; return .trade(t)
        case .status: return e
        }
    }
}
