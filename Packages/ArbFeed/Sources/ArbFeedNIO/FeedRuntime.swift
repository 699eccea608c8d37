import ArbCore
import ArbFeed
import ArbRateLimit
import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix

/// The threads and the HTTP client every live feed of a process shares: one event loop
/// per feed (a venue's parsing never waits for another's), one HTTP client for the REST
/// snapshots. Shut down once, after the feeds stopped.
public final class FeedRuntime: @unchecked Sendable {
    public let group: MultiThreadedEventLoopGroup
    public let http: HTTPClient
    var connectors: [FeedConnector] = []

    /// `threads` event loops (feeds are spread over them).
    public init(threads: Int = 1) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        http = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
    }

    /// A connector for `feed` on the next event loop; not started.
    public func connector(feed: any VenueFeed, sink: any FeedEventSink, limiter: RateLimiter?,
                          options: FeedConnectorOptions = FeedConnectorOptions(), clock: any FeedClock = SystemFeedClock(),
                          logger: Logger) throws -> FeedConnector {
        let c = try FeedConnector(feed: feed, sink: sink, loop: group.next(), http: http, limiter: limiter, options: options,
                                  clock: clock, logger: logger)
        connectors.append(c)
        return c
    }

    /// Stops every connector, then the HTTP client and the threads.
    public func shutdown() {
        for c in connectors { try? c.stop().wait() }
        try? http.syncShutdown()
        try? group.syncShutdownGracefully()
    }

    /// Every connector's figures now.
    public func reports() -> [FeedReport] { connectors.compactMap { try? $0.currentReport().wait() } }
}
