import ArbCore
import ArbFeed
import ArbRateLimit
import AsyncHTTPClient
import CoreMetrics
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// How a feed keeps its connections.
public struct FeedConnectorOptions: Sendable {
    /// Reconnect delays: jittered exponential between these.
    public var backoffInitial: Duration = .milliseconds(250)
    public var backoffMaximum: Duration = .seconds(30)
    /// An instrument with no data for this long is stale: a marker goes to the kernel
    /// (which trades nothing on it) and to the recorder.
    public var staleAfter: Duration = .seconds(10)
    /// A connection with no frame at all for this long is dropped and opened again.
    public var idleTimeout: Duration = .seconds(60)
    /// Our own pings (some venues close idle connections: Upbit after 120 s).
    public var pingInterval: Duration? = .seconds(20)
    public var connectTimeout: Duration = .seconds(10)
    /// REST snapshot timeout.
    public var requestTimeout: Duration = .seconds(10)
    public var maxFrameSize = 1 << 24
    /// Snapshot requests waiting for the rate limiter (one per instrument at most).
    public var snapshotQueueCapacity = 10_000
    /// Seed of the back-off jitter.
    public var seed: UInt64 = 1
    /// Where the feed's metrics go (`FeedMetrics`); nil: the process's bootstrapped
    /// backend (`MetricsSystem.factory`).
    public var metricsFactory: (any MetricsFactory)?

    public init() {}
}

/// A venue feed's running figures (the progress line, the summary).
public struct FeedReport: Sendable, Hashable, Codable {
    public var exchange: String
    public var counters: FeedCounters
    public var connections: Int
    public var connected: Int
    public var reconnects: Int
    public var connectFailures: Int
    public var snapshotRequests: Int
    public var snapshotRefusals: Int
    /// Messages the queue to the consumer refused (each made a gap and a resync).
    public var queueOverflows: Int
    public var staleMarkers: Int
    public var staleNow: Int
    public var pingsAnswered: Int
    /// Subscription messages the venue's message limit held back for a while.
    public var subscriptionsHeld: Int
    /// The last trouble, as a person reads it.
    public var lastError: String?
}

/// Keeps one venue's public feed flowing: its websocket connections (SwiftNIO, TLS by
/// swift-nio-ssl), subscriptions, pings and pongs, reconnects with jittered back-off,
/// the venue's forced reconnects (its connection lifetime, `serverShutdown`), REST
/// snapshots through the venue's rate limiter (async-http-client), staleness per
/// instrument, and the bounded hand-off of every message's events to a sink.
///
/// Everything runs on one event loop: the venue's parser is called from that thread
/// only, and a frame is parsed where it is read (no task or thread hop per message).
public final class FeedConnector: @unchecked Sendable {
    public let feed: any VenueFeed
    let sink: any FeedEventSink
    public let loop: any EventLoop
    let http: HTTPClient
    let limiter: RateLimiter?
    let options: FeedConnectorOptions
    let clock: any FeedClock
    let logger: Logger
    let tls: NIOSSLContext?

    final class Connection {
        let plan: FeedConnectionPlan
        var channel: (any Channel)?
        var backoff: Backoff
        var lastFrame = Timestamp.zero
        var openedAt = Timestamp.zero
        /// Closed on purpose: reconnect at once, not after a back-off.
        var reconnectNow = false
        var receivedSinceOpen = false
        var reconnectTask: Scheduled<Void>?
        init(plan: FeedConnectionPlan, backoff: Backoff) { self.plan = plan; self.backoff = backoff }
    }
    var connections: [Connection] = []
    var output = FeedOutput()
    var stopping = false
    var staleness: StalenessTracker
    var staleScratch: [Int] = []
    /// Instrument ids to dense indexes for staleness (ids are the run's, not per venue).
    /// By instrument id (dense in a run): the staleness slot, -1 if not this feed's. An
    /// array, not a dictionary: it is read for every event.
    var localIndex: [Int32] = []
    var instruments: [InstrumentId] = []
    /// Instruments whose events the sink refused: a gap and a resync go out first thing.
    var lost: [InstrumentId] = []
    var snapshotQueue: RequestQueue<InstrumentId>
    var snapshotWanted = Set<InstrumentId>()
    var snapshotTimer: Scheduled<Void>?
    var housekeeping: RepeatedTask?
    let metrics: FeedMetrics
    var report: FeedReport

    /// - Parameters:
    ///   - limiter: the venue's limiter (snapshots and connects go through it); owned by
    ///     this connector's loop from now on. Nil: no limit (tests).
    public init(feed: any VenueFeed, sink: any FeedEventSink, loop: any EventLoop, http: HTTPClient, limiter: RateLimiter?,
                options: FeedConnectorOptions = FeedConnectorOptions(), clock: any FeedClock = SystemFeedClock(), logger: Logger) throws {
        self.feed = feed; self.sink = sink; self.loop = loop; self.http = http; self.limiter = limiter
        self.options = options; self.clock = clock
        var logger = logger
        logger[metadataKey: "venue.id"] = "\(feed.venue)"
        self.logger = logger
        let plans = feed.connectionPlans()
        tls = plans.contains { $0.url.isSecure } ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        for (k, plan) in plans.enumerated() {
            connections.append(Connection(plan: plan, backoff: Backoff(initial: options.backoffInitial, maximum: options.backoffMaximum,
                                                                      seed: options.seed &+ UInt64(k))))
            for id in plan.instruments where id.index >= 0 {
                if id.index >= localIndex.count { localIndex += Array(repeating: -1, count: id.index + 1 - localIndex.count) }
                guard localIndex[id.index] < 0 else { continue }
                localIndex[id.index] = Int32(instruments.count)
                instruments.append(id)
            }
        }
        staleness = StalenessTracker(instruments: instruments.count, limit: options.staleAfter, startedAt: clock.now())
        snapshotQueue = RequestQueue(capacity: options.snapshotQueueCapacity)
        report = FeedReport(exchange: feed.venue, counters: FeedCounters(), connections: plans.count, connected: 0, reconnects: 0,
                            connectFailures: 0, snapshotRequests: 0, snapshotRefusals: 0, queueOverflows: 0, staleMarkers: 0, staleNow: 0,
                            pingsAnswered: 0, subscriptionsHeld: 0, lastError: nil)
        output.events.reserveCapacity(1_024)
        metrics = FeedMetrics(exchange: feed.venue, factory: options.metricsFactory ?? MetricsSystem.factory)
    }

    /// Opens every connection.
    public func start() {
        loop.execute {
            let now = self.clock.now()
            self.staleness = StalenessTracker(instruments: self.instruments.count, limit: self.options.staleAfter, startedAt: now)
            for k in self.connections.indices { self.connect(k) }
            self.housekeeping = self.loop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { _ in
                self.tick()
            }
        }
    }

    /// Closes every connection; no reconnect after.
    public func stop() -> EventLoopFuture<Void> {
        loop.flatSubmit {
            self.stopping = true
            self.housekeeping?.cancel()
            self.metrics.publish(self.reportOnLoop())
            self.snapshotTimer?.cancel()
            var closes: [EventLoopFuture<Void>] = []
            for c in self.connections {
                c.reconnectTask?.cancel()
                if let ch = c.channel { closes.append(ch.close().recover { _ in }) }
            }
            return EventLoopFuture.andAllComplete(closes, on: self.loop)
        }
    }

    /// The running figures, read on the loop.
    public func currentReport() -> EventLoopFuture<FeedReport> {
        loop.submit { self.reportOnLoop() }
    }

    /// The figures now, from code already running on this connector's loop (where
    /// waiting on `currentReport()` would deadlock).
    public func reportOnLoop() -> FeedReport {
        loop.preconditionInEventLoop()
        var r = report
        r.counters = output.counters
        r.connected = connections.filter { $0.channel != nil }.count
        r.staleNow = staleness.staleCount
        return r
    }

    // MARK: connections

    func connect(_ k: Int) {
        guard !stopping else { return }
        let c = connections[k]
        c.reconnectTask = nil
        // Connects count against the venue's limits (Upbit: 5 a second).
        if let limiter {
            switch limiter.tryAcquire(RateLimitRequest(.webSocketConnect, priority: .marketData), at: clock.now()) {
            case .granted, .shed, .impossible: break
            case .wait(let until, _), .banned(let until):
                schedule(k, after: max(.milliseconds(1), until - clock.now()))
                return
            }
        }
        let url = c.plan.url
        let handler = FrameHandler(connector: self, index: k)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.pathAndQuery,
                                   headers: HTTPHeaders([("Host", url.port == (url.isSecure ? 443 : 80) ? url.host : "\(url.host):\(url.port)"),
                                                         ("User-Agent", "arbor-feed")]))
        let tls = self.tls
        let maxFrame = options.maxFrameSize
        let upgraded = loop.makePromise(of: Bool.self)
        ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount.nanoseconds(options.connectTimeout.nanosecondsInt64))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    if url.isSecure, let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: url.host))
                    }
                    // Opened here, as the pipeline switches: frames read together with the
                    // 101 answer come next, and must find the feed connected.
                    let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(maxFrameSize: maxFrame, upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(handler)
                            self.opened(k, channel)
                            return true
                        }
                    })
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Bool>(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(false) })
                    // Venues stream at once: bytes that arrive with the 101 answer are frames,
                    // and NIO's default (`dropBytes`) loses them (seen in
                    // `BinanceLiveFeedTests.firstMessage`, about one connection in twenty).
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                    negotiated.cascade(to: upgraded)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: url.host, port: url.port)
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    upgraded.fail(error)
                    self.failed(k, self.describe(error, url: url))
                case .success(let channel):
                    upgraded.futureResult.whenComplete { outcome in
                        switch outcome {
                        case .success(true): self.subscribe(k, channel)
                        case .success(false):
                            self.failed(k, FeedError(.upgradeRefused, exchange: self.feed.venue,
                                                     "\(url) answered but did not accept a websocket upgrade",
                                                     fix: "check ws_url: it replaces scheme, host and port only; the venue's documented path is kept"))
                            channel.close(promise: nil)
                        case .failure(let error):
                            self.failed(k, self.describe(error, url: url))
                            channel.close(promise: nil)
                        }
                    }
                }
            }
    }

    func opened(_ k: Int, _ channel: any Channel) {
        let c = connections[k]
        guard !stopping else { channel.close(promise: nil); return }
        let now = clock.now()
        c.channel = channel
        c.openedAt = now
        c.lastFrame = now
        c.receivedSinceOpen = false
        logger.info("feed connected", metadata: ["feed.url": "\(c.plan.url)", "feed.connection": "\(k)"])
        output.startMessage()
        feed.connected(k, at: now, output: &output)
        flush(now)
        channel.closeFuture.whenComplete { _ in self.closed(k, channel) }
    }

    /// Sends the subscription once the upgrade is complete (writes fail while it runs),
    /// each message through the venue's limiter (Upbit: 5 a second, 100 a minute); a
    /// message the limiter holds is sent when it allows, the rest after it.
    func subscribe(_ k: Int, _ channel: any Channel, from first: Int = 0) {
        let c = connections[k]
        guard c.channel === channel, !stopping else { return }
        let frames = c.plan.subscribeFrames
        var i = first
        while i < frames.count {
            if let limiter {
                switch limiter.tryAcquire(RateLimitRequest(.webSocketMessage, priority: .marketData), at: clock.now()) {
                case .granted, .shed, .impossible: break
                case .wait(let until, _), .banned(let until):
                    report.subscriptionsHeld += 1
                    let next = i
                    loop.scheduleTask(in: .nanoseconds(max(1_000_000, (until - clock.now()).nanosecondsInt64))) { self.subscribe(k, channel, from: next) }
                    return
                }
            }
            var buffer = channel.allocator.buffer(capacity: frames[i].utf8.count)
            buffer.writeString(frames[i])
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: c.plan.binarySubscribe ? .binary : .text, maskKey: .random(), data: buffer))
                .whenFailure { error in
                    self.report.lastError = "\(self.feed.venue) feed: the subscription could not be sent: \(error)"
                    channel.close(promise: nil)
                }
            i += 1
        }
    }

    func closed(_ k: Int, _ channel: any Channel) {
        let c = connections[k]
        guard c.channel === channel else { return }
        c.channel = nil
        // A deliberate stop is the end of the data, not an outage: no gap marker.
        guard !stopping else { return }
        let now = clock.now()
        output.startMessage()
        feed.disconnected(k, at: now, output: &output)
        flush(now)
        report.reconnects += 1
        if c.reconnectNow {
            c.reconnectNow = false
            logger.info("feed reconnecting at once", metadata: ["feed.connection": "\(k)"])
            connect(k)
        } else {
            let delay = c.backoff.nextDelay()
            logger.warning("feed connection lost; reconnecting", metadata: ["feed.connection": "\(k)", "feed.retry_in": "\(delay)"])
            schedule(k, after: delay)
        }
    }

    func failed(_ k: Int, _ error: FeedError) {
        report.connectFailures += 1
        report.lastError = error.description
        guard !stopping else { return }
        let delay = connections[k].backoff.nextDelay()
        logger.error("\(error.description)", metadata: ["feed.connection": "\(k)", "feed.retry_in": "\(delay)"])
        schedule(k, after: delay)
    }

    func schedule(_ k: Int, after delay: Duration) {
        connections[k].reconnectTask = loop.scheduleTask(in: .nanoseconds(max(0, delay.nanosecondsInt64))) { self.connect(k) }
    }

    /// Closes connection `k` to open it again at once (lifetime reached, `serverShutdown`).
    func recycle(_ k: Int, reason: String) {
        guard let channel = connections[k].channel else { return }
        logger.info("feed renewing its connection", metadata: ["feed.connection": "\(k)", "feed.reason": "\(reason)"])
        connections[k].reconnectNow = true
        channel.close(promise: nil)
    }

    /// Connection trouble in words: what happened, naming the exchange and the fix.
    func describe(_ error: any Error, url: FeedURL) -> FeedError {
        let text = String(describing: error)
        let venue = feed.venue
        if text.contains("connectTimeout") || text.contains("timeout") {
            return FeedError(.timeout, exchange: venue, "connecting to \(url) timed out", fix: "check the network and ws_url; retrying with back-off")
        }
        if text.contains("ECONNREFUSED") || text.contains("refused") || text.contains("Connection refused") {
            return FeedError(.connectionRefused, exchange: venue, "\(url.host):\(url.port) refused the connection (nothing listens there)",
                             fix: "check ws_url's host and port; retrying with back-off")
        }
        if text.contains("NIOSSL") || text.contains("SSL") || text.contains("handshake") || text.contains("certificate") {
            return FeedError(.tls, exchange: venue, "TLS with \(url.host) failed: \(text)",
                             fix: "check that ws_url's scheme matches the server (wss needs TLS, ws has none) and the system's CA certificates")
        }
        if text.contains("dns") || text.contains("DNS") || text.contains("unknown") || text.contains("resolve") {
            return FeedError(.unknownHost, exchange: venue, "cannot resolve \(url.host): \(text)", fix: "check ws_url's host name and DNS")
        }
        return FeedError(.other, exchange: venue, "connecting to \(url) failed: \(text)", fix: "check ws_url and the network; retrying with back-off")
    }

    // MARK: frames

    /// One complete text or binary message from connection `k`.
    func received(_ k: Int, _ bytes: UnsafeRawBufferPointer) {
        let now = clock.now()
        let c = connections[k]
        c.lastFrame = now
        if !c.receivedSinceOpen { c.receivedSinceOpen = true; c.backoff.succeeded() }
        if !lost.isEmpty { recoverLost(now) }
        output.startMessage()
        feed.receive(bytes, connection: k, receivedAt: now, output: &output)
        flush(now)
        if output.reconnectRequested { recycle(k, reason: "the venue announced it will close the connection") }
    }

    func framed(_ k: Int) { connections[k].lastFrame = clock.now() }
    func pinged() { report.pingsAnswered += 1 }

    /// Hands the output of one step to the sink and the snapshot queue.
    func flush(_ now: Timestamp) {
        if let problem = output.takeProblem() {
            logger.warning("feed message skipped", metadata: ["feed.problem": "\(problem)"])
        }
        if !output.events.isEmpty {
            for e in output.events {
                if case .status = e { continue }
                let k = e.instrument.index
                if k >= 0, k < localIndex.count, localIndex[k] >= 0, staleness.touched(Int(localIndex[k]), at: now) {
                    logger.info("feed fresh again", metadata: ["feed.instrument": "\(e.instrument.index)"])
                }
            }
            if !sink.deliver(output.events) {
                report.queueOverflows += 1
                for e in output.events where !lost.contains(e.instrument) { lost.append(e.instrument) }
            }
        }
        for id in output.snapshotRequests { requestSnapshot(id) }
    }

    /// The sink refused events of `lost`: their books in the kernel are wrong now. A gap
    /// marker, then a resync (the venue's: a new snapshot, or the next whole book).
    func recoverLost(_ now: Timestamp) {
        output.startMessage()
        for id in lost {
            output.counters.gaps += 1
            output.events.append(.status(FeedStatus(kind: .gap, instrument: id, receivedAt: now)))
            feed.resync(id, at: now, output: &output)
        }
        let recovering = lost
        lost.removeAll()
        guard sink.deliver(output.events) else {
            lost = recovering
            output.events.removeAll(keepingCapacity: true)
            return
        }
        output.events.removeAll(keepingCapacity: true)
        for id in output.snapshotRequests { requestSnapshot(id) }
    }

    // MARK: housekeeping

    func tick() {
        let now = clock.now()
        defer { metrics.publish(reportOnLoop()) }
        // Stale books: a marker each, once.
        staleScratch.removeAll(keepingCapacity: true)
        staleness.sweep(at: now, into: &staleScratch)
        if !staleScratch.isEmpty {
            output.startMessage()
            for i in staleScratch {
                output.events.append(.status(FeedStatus(kind: .stale, instrument: instruments[i], receivedAt: now)))
            }
            report.staleMarkers += staleScratch.count
            logger.warning("feed stale", metadata: ["feed.instruments": "\(staleScratch.count)", "feed.stale_after": "\(options.staleAfter)"])
            if !sink.deliver(output.events) { report.queueOverflows += 1 }
            output.events.removeAll(keepingCapacity: true)
        }
        for (k, c) in connections.enumerated() {
            guard let channel = c.channel else { continue }
            if now - c.lastFrame > options.idleTimeout {
                logger.warning("feed silent; reconnecting", metadata: ["feed.connection": "\(k)", "feed.idle": "\(now - c.lastFrame)"])
                recycle(k, reason: "no frame for \(options.idleTimeout)")
            } else if let lifetime = c.plan.maxLifetime, now - c.openedAt >= lifetime {
                recycle(k, reason: "the venue's connection lifetime (\(lifetime))")
            } else if let ping = options.pingInterval, now - c.lastFrame >= ping {
                channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: channel.allocator.buffer(capacity: 0)),
                                      promise: nil)
            }
        }
    }

    // MARK: snapshots

    func requestSnapshot(_ id: InstrumentId) {
        guard !snapshotWanted.contains(id), let request = feed.snapshotRequest(for: id) else { return }
        snapshotWanted.insert(id)
        report.snapshotRequests += 1
        if limiter != nil {
            guard snapshotQueue.enqueue(RateLimitRequest(.depthSnapshot(levels: request.weightLevels), priority: .marketData), id) else {
                snapshotWanted.remove(id)
                logger.error("snapshot queue full", metadata: ["feed.capacity": "\(options.snapshotQueueCapacity)"])
                return
            }
            pumpSnapshots()
        } else {
            fetch(id, request)
        }
    }

    /// Sends every snapshot the limiter grants now; the rest wait for their time (a
    /// reconnect of many books is spread over the budget, not sent at once).
    func pumpSnapshots() {
        guard let limiter else { return }
        var granted: [InstrumentId] = [], dropped: [InstrumentId] = []
        let wake = snapshotQueue.release(using: limiter, at: clock.now(), into: &granted, dropped: &dropped)
        for id in granted { if let r = feed.snapshotRequest(for: id) { fetch(id, r) } else { snapshotWanted.remove(id) } }
        // Shed under load: a book cannot do without its snapshot, so it is asked again.
        for id in dropped {
            snapshotWanted.remove(id)
            loop.scheduleTask(in: .seconds(1)) { self.requestSnapshot(id) }
        }
        snapshotTimer?.cancel()
        snapshotTimer = nil
        if let wake {
            snapshotTimer = loop.scheduleTask(in: .nanoseconds(max(1_000_000, (wake - clock.now()).nanosecondsInt64))) { self.pumpSnapshots() }
        }
    }

    func fetch(_ id: InstrumentId, _ request: FeedHTTPRequest) {
        guard !stopping else { return }
        let deadline = NIODeadline.now() + .nanoseconds(options.requestTimeout.nanosecondsInt64)
        let httpRequest: HTTPClient.Request
        do { httpRequest = try HTTPClient.Request(url: request.url.description, method: .GET) } catch {
            snapshotWanted.remove(id)
            report.lastError = "\(feed.venue) feed: bad snapshot URL \(request.url): \(error)"
            return
        }
        http.execute(request: httpRequest, eventLoop: .delegateAndChannel(on: loop), deadline: deadline, logger: logger)
            .hop(to: loop)
            .whenComplete { result in self.fetched(id, request, result) }
    }

    func fetched(_ id: InstrumentId, _ request: FeedHTTPRequest, _ result: Result<HTTPClient.Response, any Error>) {
        guard !stopping else { return }
        let now = clock.now()
        switch result {
        case .success(let response) where response.status == .ok:
            snapshotWanted.remove(id)
            output.startMessage()
            var body = response.body ?? ByteBuffer()
            body.withUnsafeReadableBytes { feed.receiveSnapshot($0, for: id, receivedAt: now, output: &output) }
            flush(now)
        case .success(let response):
            snapshotWanted.remove(id)
            report.snapshotRefusals += 1
            let status = Int(response.status.code)
            // The venue's number, bounded: a negative or absurd Retry-After (beyond Binance's
            // longest ban, 3 days) must not wrap the limiter's clock.
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { Int64($0) }
                .map { Duration.seconds(Swift.min(Swift.max($0, 0), 3 * 86_400)) }
            let text = response.body.map { String(buffer: $0) }.map { String($0.prefix(200)) } ?? ""
            if let limiter {
                var headers: [String: String] = [:]
                for (name, value) in response.headers { headers[name.lowercased()] = value }
                limiter.observe(RateLimitFeedback(status: status, headers: headers, retryAfter: retryAfter,
                                                  request: RateLimitRequest(.depthSnapshot(levels: request.weightLevels), priority: .marketData)), at: now)
            }
            if status == 429 || status == 418 || status == 403 {
                let error = FeedError(.snapshotRefused, exchange: feed.venue, "the snapshot of \(request.url.pathAndQuery) was refused with HTTP \(status)",
                                      fix: "the rate limiter backs off\(retryAfter.map { " for \($0)" } ?? ""); fewer symbols or a smaller depth lower the load")
                report.lastError = error.description
                logger.warning("\(error.description)")
                // Asked again once the limiter lets it (the ban or the block is in it now).
                requestSnapshot(id)
            } else {
                let error = FeedError(status == 400 ? .unknownSymbol : .snapshotRefused, exchange: feed.venue,
                                      "GET \(request.url.pathAndQuery) answered HTTP \(status): \(text)",
                                      fix: status == 400 ? "check that the venue lists this symbol (arbd universe) and rest_url" : "check rest_url")
                report.lastError = error.description
                logger.error("\(error.description)")
                loop.scheduleTask(in: .seconds(5)) { self.requestSnapshot(id) }
            }
        case .failure(let error):
            snapshotWanted.remove(id)
            report.snapshotRefusals += 1
            report.lastError = "\(feed.venue) feed: snapshot \(request.url) failed: \(error)"
            logger.warning("snapshot failed; retrying", metadata: ["feed.error": "\(error)"])
            loop.scheduleTask(in: .seconds(1)) { self.requestSnapshot(id) }
        }
    }
}

extension FeedHTTPRequest {
    /// The levels that give this request's documented weight (the limiter prices a depth
    /// snapshot by its levels).
    var weightLevels: Int {
        switch weight {
        case ...5: return 100
        case ...25: return 500
        case ...50: return 1_000
        default: return 5_000
        }
    }
}

/// The websocket's frames for one connection, on the connector's loop: data frames
/// (fragments joined) to the venue's parser, pings answered with their payload, a
/// close answered and the channel closed.
final class FrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let connector: FeedConnector
    let index: Int
    var fragments: ByteBuffer?

    init(connector: FeedConnector, index: Int) { self.connector = connector; self.index = index }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            if frame.fin {
                var data = frame.unmaskedData
                data.withUnsafeReadableBytes { connector.received(index, $0) }
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            guard var partial = fragments else { return }
            var more = frame.unmaskedData
            partial.writeBuffer(&more)
            if frame.fin {
                fragments = nil
                partial.withUnsafeReadableBytes { connector.received(index, $0) }
            } else {
                fragments = partial
            }
        case .ping:
            connector.framed(index)
            connector.pinged()
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            connector.framed(index)
        case .connectionClose:
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connector.report.lastError = "\(connector.feed.venue) feed: \(error)"
        context.close(promise: nil)
    }
}
