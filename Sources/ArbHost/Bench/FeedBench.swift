import ArbCore
import ArbFeed
import Foundation

/// `arbd bench --feed`: each exchange plugin's feed from bytes to book events. Frames in
/// the venue's documented format (`LiveFeedExchange.sampleFeed`: book updates of
/// `levels` levels, one trade frame in twenty) for `symbols` generated listings, after a
/// snapshot per symbol. Timed on one core: the parser and sync alone (`VenueFeed.receive`),
/// and with the events applied to order books as the kernel applies them.
public struct FeedBench {
    public struct Result: Codable, Sendable {
        public var venue: String
        public var symbols: Int
        public var levelsPerMessage: Int
        public var messages: Int
        /// Frames per second through `receive` alone, and with the events applied to books.
        public var parseMessagesPerSecond: Double
        public var applyMessagesPerSecond: Double
        public var nanosecondsPerMessage: Double
        public var eventsPerMessage: Double
        public var malformed: Int
        public var gaps: Int

        public var line: String {
            String(format: "%@: %d symbols, %d levels a message, %d frames: parse %.0f k msg/s (%.0f ns each, %.1f events); parse + apply to books %.0f k msg/s; malformed %d, gaps %d",
                   venue, symbols, levelsPerMessage, messages, parseMessagesPerSecond / 1_000, nanosecondsPerMessage, eventsPerMessage,
                   applyMessagesPerSecond / 1_000, malformed, gaps)
        }
    }

    let registry: PluginRegistry
    public init(registry: PluginRegistry) { self.registry = registry }

    public func measure(exchange id: String, symbols: Int, levels: Int, messages: Int, seed: UInt64) throws -> Result {
        guard let type = registry.exchange(id) else { throw BenchError("no exchange plugin '\(id)' (\(registry.knownExchanges))") }
        return try measure(type, symbols: symbols, levels: levels, messages: messages, seed: seed)
    }

    func measure<P: HostedExchangePlugin>(_ type: P.Type, symbols: Int, levels: Int, messages: Int, seed: UInt64) throws -> Result {
        let plugin = try P(settings: P.defaultSettings)
        let quote = plugin.defaultQuote
        let names = (0..<symbols).map { plugin.syntheticListing(base: "S\($0)X", quote: quote, referencePrice: Price(units: 100)).symbol }
        let instruments = names.enumerated().map { FeedInstrument(id: InstrumentId($0.offset), symbol: $0.element) }
        let sample = P.sampleFeed(symbols: names, levels: levels, messages: messages, seed: seed)

        func prepared() throws -> (any VenueFeed, FeedOutput) {
            let feed = try plugin.makeFeed(instruments: instruments, settings: FeedSettings())
            var output = FeedOutput()
            for c in feed.connectionPlans().indices { feed.connected(c, at: Timestamp(nanoseconds: 1), output: &output) }
            for i in instruments {
                guard let body = sample.snapshots[i.symbol] else { continue }
                body.withUnsafeBytes { feed.receiveSnapshot($0, for: i.id, receivedAt: Timestamp(nanoseconds: 2), output: &output) }
            }
            output.counters = FeedCounters()
            return (feed, output)
        }

        // Parse and sync alone.
        var (feed, output) = try prepared()
        var events = 0
        let t0 = MonotonicClock.nanoseconds()
        for (k, frame) in sample.frames.enumerated() {
            output.startMessage()
            frame.withUnsafeBytes { feed.receive($0, connection: 0, receivedAt: Timestamp(nanoseconds: 10 + Int64(k)), output: &output) }
            events += output.events.count
        }
        let parseNs = Double(MonotonicClock.nanoseconds() - t0)
        let counters = output.counters

        // Again, applying every event to the books as `Kernel.handle` does.
        (feed, output) = try prepared()
        var books = [OrderBook](repeating: OrderBook(), count: symbols)
        let t1 = MonotonicClock.nanoseconds()
        for (k, frame) in sample.frames.enumerated() {
            output.startMessage()
            frame.withUnsafeBytes { feed.receive($0, connection: 0, receivedAt: Timestamp(nanoseconds: 10 + Int64(k)), output: &output) }
            for e in output.events {
                switch e {
                case .bookDelta(let d): books[d.instrument.index].apply(d.side, price: d.price, quantity: d.quantity)
                case .bookSnapshot(let s): books[s.instrument.index].replace(bids: s.bids, asks: s.asks)
                case .status(let s): if s.kind != .reconnect { books[s.instrument.index].clear() }
                case .trade: break
                }
            }
        }
        let applyNs = Double(MonotonicClock.nanoseconds() - t1)
        let n = Double(max(1, sample.frames.count))
        return Result(venue: P.id, symbols: symbols, levelsPerMessage: levels, messages: sample.frames.count,
                      parseMessagesPerSecond: n / parseNs * 1e9, applyMessagesPerSecond: n / applyNs * 1e9,
                      nanosecondsPerMessage: parseNs / n, eventsPerMessage: Double(events) / n,
                      malformed: counters.malformed, gaps: counters.gaps)
    }
}

/// A benchmark that cannot run as asked.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
