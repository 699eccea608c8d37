/// Where market events come from: the synthetic generator, a recording, a live feed.
/// Events come in non-decreasing `receivedAt` order; `nil` means the source is finished.
public protocol MarketDataSource {
    mutating func next() -> MarketEvent?
}

/// Replays a fixed list of events (tests, small scenarios).
public struct ArrayMarketDataSource: MarketDataSource {
    public var events: [MarketEvent]
    private var position = 0
    public init(_ events: [MarketEvent]) { self.events = events }
    public mutating func next() -> MarketEvent? {
        guard position < events.count else { return nil }
        defer { position += 1 }
        return events[position]
    }
}
