import ArbCore

/// A bounded queue of requests that must wait for budget, released in priority order
/// (then arrival order) as the limiter allows. After a mass reconnect every book wants
/// a snapshot at once: queued here they are spread over time so they fit the budget
/// instead of tripping a 429. Overflow is refused and counted, never silent.
public struct RequestQueue<Payload> {
    struct Item { var request: RateLimitRequest; var payload: Payload; var sequence: UInt64 }
    private var items: [Item] = []
    private var sequence: UInt64 = 0
    public let capacity: Int
    public private(set) var overflow = 0
    public private(set) var released = 0

    public init(capacity: Int) { self.capacity = capacity }

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }

    /// False (and counted) when the queue is full.
    @discardableResult
    public mutating func enqueue(_ request: RateLimitRequest, _ payload: Payload) -> Bool {
        guard items.count < capacity else { overflow += 1; return false }
        sequence += 1
        let item = Item(request: request, payload: payload, sequence: sequence)
        let at = items.firstIndex { ($0.request.priority, $0.sequence) > (request.priority, sequence) } ?? items.count
        items.insert(item, at: at)
        return true
    }

    /// Releases every request the limiter grants now, best first; stops at the first that
    /// must wait (so lower priorities never jump the queue). Returns when to call again.
    public mutating func release(using limiter: RateLimiter, at now: Timestamp, into out: inout [Payload]) -> Timestamp? {
        var dropped: [Payload] = []
        return release(using: limiter, at: now, into: &out, dropped: &dropped)
    }

    /// As `release(using:at:into:)`, handing back the requests the limiter shed or can
    /// never grant (`dropped`), for a caller that must not lose them (a book's snapshot).
    public mutating func release(using limiter: RateLimiter, at now: Timestamp, into out: inout [Payload],
                                 dropped: inout [Payload]) -> Timestamp? {
        while let first = items.first {
            switch limiter.tryAcquire(first.request, at: now) {
            case .granted:
                out.append(first.payload); items.removeFirst(); released += 1
            case .wait(let until, _):
                return until
            case .banned(let until):
                return until
            case .shed, .impossible:
                dropped.append(first.payload)
                items.removeFirst()
            }
        }
        return nil
    }
}
