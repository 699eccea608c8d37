import ArbCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Local receive time: the kernel's "now" for a live event. Wall-clock nanoseconds since
/// the epoch, so it compares with the venues' exchange times. Injected in tests.
public protocol FeedClock: Sendable {
    func now() -> Timestamp
}

/// `CLOCK_REALTIME` in nanoseconds.
public struct SystemFeedClock: FeedClock {
    public init() {}
    @inline(__always) public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(nanoseconds: Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec))
    }
}

/// Where a live feed's events go. Called on the feed's event-loop thread: it must not
/// block. All of a message's events are taken or none.
public protocol FeedEventSink: AnyObject, Sendable {
    /// False when there is no room: nothing was taken, and the feed records a gap.
    func deliver(_ events: [MarketEvent]) -> Bool
}

/// The bounded queue from the feeds' threads to the consumer (the kernel's thread or the
/// recorder). Full: the message is refused and counted; the feed then marks the books
/// it touched with a gap and resyncs them.
public final class FeedQueue: FeedEventSink, @unchecked Sendable {
    public let queue: BoundedQueue<MarketEvent>
    public init(capacity: Int) { queue = BoundedQueue(capacity: capacity) }
    public func deliver(_ events: [MarketEvent]) -> Bool { queue.tryPut(contentsOf: events) }
    /// Messages refused because the queue was full.
    public var refused: Int { queue.refused }
    public var highWater: Int { queue.highWater }
}

/// A feed's trouble, named for the person running it: the exchange, what happened, and
/// what to do about it.
public struct FeedError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Nothing listens there (closed port, refused).
        case connectionRefused = "connection_refused"
        /// The host name does not resolve.
        case unknownHost = "unknown_host"
        /// The TLS handshake failed (certificate, protocol).
        case tls
        /// The server answered but did not accept the websocket upgrade (wrong path).
        case upgradeRefused = "upgrade_refused"
        /// The connection did not open in time.
        case timeout
        /// The venue does not know a symbol the run asked for.
        case unknownSymbol = "unknown_symbol"
        /// The REST snapshot was refused (HTTP status).
        case snapshotRefused = "snapshot_refused"
        case other
    }
    public var code: Code
    public var exchange: String
    public var message: String
    public var fix: String

    public init(_ code: Code, exchange: String, _ message: String, fix: String) {
        self.code = code; self.exchange = exchange; self.message = message; self.fix = fix
    }

    public var description: String { "\(exchange) feed: \(message) (\(code.rawValue)); \(fix)" }
}
