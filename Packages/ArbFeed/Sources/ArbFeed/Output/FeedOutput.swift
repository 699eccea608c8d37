import ArbCore

/// What a venue's feed made of one message or one snapshot answer: market events for
/// the kernel and the recorder, snapshot requests for the framework (rate-limited before
/// they go out), whether the venue asked for a new connection, and what was wrong with
/// the input. Reused from message to message (cleared, capacity kept): no allocation per
/// message once warm.
public struct FeedOutput {
    public var events: [MarketEvent] = []
    /// Instruments whose book needs a REST snapshot (sync start, gap, stale snapshot).
    public var snapshotRequests: [InstrumentId] = []
    /// The venue announced it will close the connection (Binance `serverShutdown`).
    public var reconnectRequested = false
    public var counters = FeedCounters()
    /// The first problem seen since the last `takeProblem()`: a short description with
    /// the offending bytes, for the log (one line, not one per bad message).
    public private(set) var problem: String?

    public init(reservingEvents: Int = 256) { events.reserveCapacity(reservingEvents) }

    /// Clears the events and requests of the last message (counters stay).
    @inline(__always) public mutating func startMessage() {
        events.removeAll(keepingCapacity: true)
        snapshotRequests.removeAll(keepingCapacity: true)
        reconnectRequested = false
    }

    /// A message that is not what the venue documents: counted and skipped.
    public mutating func malformed(_ what: @autoclosure () -> String) {
        counters.malformed += 1
        if problem == nil { problem = what() }
    }

    /// A message for a symbol this run did not subscribe to.
    public mutating func unknownSymbol(_ what: @autoclosure () -> String) {
        counters.unknownSymbols += 1
        if problem == nil { problem = what() }
    }

    /// The problem kept since the last call, if any.
    public mutating func takeProblem() -> String? { defer { problem = nil }; return problem }
}

/// A feed's running counts: what the progress line and the summary report.
public struct FeedCounters: Sendable, Hashable, Codable {
    public var messages = 0
    public var bookUpdates = 0
    public var trades = 0
    public var snapshots = 0
    /// Messages that were not what the venue documents (skipped, connection kept).
    public var malformed = 0
    public var unknownSymbols = 0
    /// Messages understood but not used (subscription answers, other event types).
    public var ignored = 0
    /// Sequence gaps found (each starts a resync).
    public var gaps = 0
    public var resyncs = 0
    /// Snapshots older than the buffered updates, fetched again.
    public var staleSnapshots = 0
    /// Updates dropped because the buffer awaiting a snapshot was full.
    public var bufferOverflows = 0
    /// Updates older than the book (already in the snapshot), dropped as documented.
    public var outdated = 0

    public init() {}
}
