/// A market-data event from a feed, a recording or the synthetic source.
///
/// Deltas carry one level each so the hot path never allocates; a feed message with
/// several levels becomes several deltas, the last one marked `endOfMessage`.
public enum MarketEvent: Sendable, Hashable {
    /// One price level's new absolute quantity (zero removes it).
    case bookDelta(BookDelta)
    /// A full replacement of the book (a REST snapshot, an Upbit message).
    case bookSnapshot(BookSnapshot)
    /// A public trade.
    case trade(Trade)
    /// The feed's own trouble, kept in the data: a sequence gap, a reconnect, a resync.
    case status(FeedStatus)

    @inlinable public var instrument: InstrumentId {
        switch self {
        case .bookDelta(let d): return d.instrument
        case .bookSnapshot(let s): return s.instrument
        case .trade(let t): return t.instrument
        case .status(let s): return s.instrument
        }
    }

    /// When the local process received it: the kernel's notion of "now" for this event.
    @inlinable public var receivedAt: Timestamp {
        switch self {
        case .bookDelta(let d): return d.receivedAt
        case .bookSnapshot(let s): return s.receivedAt
        case .trade(let t): return t.receivedAt
        case .status(let s): return s.receivedAt
        }
    }

    /// The exchange's time for the event (a feed status has none: its receive time).
    @inlinable public var exchangeTime: Timestamp {
        switch self {
        case .bookDelta(let d): return d.exchangeTime
        case .bookSnapshot(let s): return s.exchangeTime
        case .trade(let t): return t.exchangeTime
        case .status(let s): return s.receivedAt
        }
    }

    /// The feed's id for the event: its sequence, or a trade's id.
    @inlinable public var feedSequence: UInt64 {
        switch self {
        case .bookDelta(let d): return d.sequence
        case .bookSnapshot(let s): return s.sequence
        case .trade(let t): return t.tradeId
        case .status(let s): return s.sequence
        }
    }

    /// The same event for another instrument id (mapping between a file's ids and a run's).
    @inlinable public func with(instrument id: InstrumentId) -> MarketEvent {
        switch self {
        case .bookDelta(var d): d.instrument = id; return .bookDelta(d)
        case .bookSnapshot(var s): s.instrument = id; return .bookSnapshot(s)
        case .trade(var t): t.instrument = id; return .trade(t)
        case .status(var s): s.instrument = id; return .status(s)
        }
    }
}

public struct BookDelta: Sendable, Hashable {
    public var instrument: InstrumentId
    public var side: BookSide
    public var price: Price
    public var quantity: Quantity
    public var exchangeTime: Timestamp
    public var receivedAt: Timestamp
    public var sequence: UInt64
    /// The last level of one feed message: strategies are woken once per message.
    public var endOfMessage: Bool

    @inlinable
    public init(instrument: InstrumentId, side: BookSide, price: Price, quantity: Quantity,
                exchangeTime: Timestamp, receivedAt: Timestamp, sequence: UInt64 = 0, endOfMessage: Bool = true) {
        self.instrument = instrument; self.side = side; self.price = price; self.quantity = quantity
        self.exchangeTime = exchangeTime; self.receivedAt = receivedAt; self.sequence = sequence; self.endOfMessage = endOfMessage
    }
}

public struct BookSnapshot: Sendable, Hashable {
    public var instrument: InstrumentId
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public var exchangeTime: Timestamp
    public var receivedAt: Timestamp
    public var sequence: UInt64

    public init(instrument: InstrumentId, bids: [BookLevel], asks: [BookLevel], exchangeTime: Timestamp, receivedAt: Timestamp, sequence: UInt64 = 0) {
        self.instrument = instrument; self.bids = bids; self.asks = asks
        self.exchangeTime = exchangeTime; self.receivedAt = receivedAt; self.sequence = sequence
    }
}

public struct Trade: Sendable, Hashable {
    public var instrument: InstrumentId
    public var price: Price
    public var quantity: Quantity
    /// The taker's side: `.buy` means a buyer lifted the ask.
    public var takerSide: Side
    public var exchangeTime: Timestamp
    public var receivedAt: Timestamp
    public var tradeId: UInt64

    public init(instrument: InstrumentId, price: Price, quantity: Quantity, takerSide: Side, exchangeTime: Timestamp, receivedAt: Timestamp, tradeId: UInt64 = 0) {
        self.instrument = instrument; self.price = price; self.quantity = quantity; self.takerSide = takerSide
        self.exchangeTime = exchangeTime; self.receivedAt = receivedAt; self.tradeId = tradeId
    }
}

/// Something that happened to a feed rather than to a market.
public struct FeedStatus: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Updates were lost (a sequence gap, or the recorder's queue overflowed): the book
        /// is unreliable until the next snapshot. `sequence` holds the first missing id,
        /// `count` how many were lost (0 if unknown).
        case gap
        /// The connection was re-established.
        case reconnect
        /// A fresh snapshot follows; the book is rebuilt from it.
        case resync
        /// No data for the instrument within the feed's staleness limit: its book may be
        /// out of date and is not traded on until data arrives again.
        case stale
        public var description: String { ["gap", "reconnect", "resync", "stale"][Int(rawValue)] }
    }
    public var kind: Kind
    /// The instrument concerned; for a venue-wide event, any instrument of that venue.
    public var instrument: InstrumentId
    public var receivedAt: Timestamp
    public var sequence: UInt64
    public var count: UInt64

    public init(kind: Kind, instrument: InstrumentId, receivedAt: Timestamp, sequence: UInt64 = 0, count: UInt64 = 0) {
        self.kind = kind; self.instrument = instrument; self.receivedAt = receivedAt; self.sequence = sequence; self.count = count
    }
}
