import ArbCore

/// One venue's market-data connection to the client: a FIFO of messages in flight, each
/// delivered a feed latency after the exchange published it. Messages on one connection
/// never overtake each other (TCP), so a slow one holds up those behind it.
///
/// Bounded: past `capacity` messages in flight a message is dropped and counted (the
/// summary reports it); the client's book is then wrong until the next snapshot.
struct FeedLink {
    private var times: ContiguousArray<Timestamp> = []
    private var buffer: ContiguousArray<MarketEvent> = []
    private var head = 0
    private(set) var count = 0
    let capacity: Int
    var latency: LatencySampler
    private var lastDelivery: Timestamp = .zero
    private(set) var dropped = 0

    init(latency: LatencySampler, capacity: Int) {
        self.latency = latency
        self.capacity = max(16, capacity)
        times = ContiguousArray(repeating: .zero, count: 1_024)
        buffer = ContiguousArray(repeating: Self.filler, count: 1_024)
    }

    /// What an empty slot holds (a trivial case: no references kept alive).
    static let filler = MarketEvent.status(FeedStatus(kind: .reconnect, instrument: InstrumentId(0), receivedAt: .zero))

    @inline(__always) var nextTime: Timestamp? { count == 0 ? nil : times[head] }

    /// When a message published now reaches the client.
    @inline(__always) mutating func deliveryTime(publishedAt now: Timestamp) -> Timestamp {
        // Raw nanoseconds: `Duration` arithmetic goes through 128-bit attoseconds.
        var t = Timestamp(nanoseconds: now.nanoseconds &+ latency.nextNanoseconds())
        if t < lastDelivery { t = lastDelivery }
        lastDelivery = t
        return t
    }

    /// Queues `event` (its receive time already set to `time`).
    @inline(__always) mutating func push(_ event: consuming MarketEvent, deliverAt time: Timestamp) {
        guard count < capacity else { dropped += 1; return }
        if count == buffer.count { grow() }
        var tail = head + count
        if tail >= buffer.count { tail -= buffer.count }
        buffer[tail] = event
        times[tail] = time
        count += 1
    }

    @inline(__always) mutating func pop() -> MarketEvent {
        // Moved out, the slot refilled with a trivial event: no retain, no release.
        let slot = head
        let event = buffer.withUnsafeMutableBufferPointer { slots in
            let moved = (slots.baseAddress! + slot).move()
            (slots.baseAddress! + slot).initialize(to: Self.filler)
            return moved
        }
        head += 1
        if head == buffer.count { head = 0 }
        count -= 1
        return event
    }

    private mutating func grow() {
        let size = Swift.min(capacity, buffer.count * 2)
        var bigger = ContiguousArray<MarketEvent>(repeating: Self.filler, count: size)
        var biggerTimes = ContiguousArray<Timestamp>(repeating: .zero, count: size)
        for i in 0..<count {
            var k = head + i
            if k >= buffer.count { k -= buffer.count }
            bigger[i] = buffer[k]
            biggerTimes[i] = times[k]
        }
        buffer = bigger
        times = biggerTimes
        head = 0
    }
}
