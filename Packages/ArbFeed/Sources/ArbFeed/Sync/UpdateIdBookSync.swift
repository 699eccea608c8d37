import ArbCore

/// One price level read from a message: side, price and absolute quantity (raw, 1e-9).
public struct FeedLevel: Sendable, Hashable {
    public var side: BookSide
    public var price: Int64
    public var quantity: Int64
    @inlinable public init(side: BookSide, price: Int64, quantity: Int64) {
        self.side = side; self.price = price; self.quantity = quantity
    }
}

/// Keeps one instrument's diff stream in step with REST snapshots by update ids, the
/// procedure Binance documents (`../shared/exchanges.json`, `ws_book.sequencing`):
///
/// 1. From the connection on, diffs are buffered and a snapshot is requested.
/// 2. A snapshot whose `lastUpdateId` is below the first buffered `U` is too old:
///    requested again.
/// 3. Buffered diffs with `u ≤ lastUpdateId` are dropped; the first one applied must
///    have `U ≤ lastUpdateId + 1 ≤ u`.
/// 4. Live: a diff with `u ≤` the book's id is dropped; `U >` the book's id + 1 is a gap:
///    a `gap` and a `resync` marker go out (the kernel empties the book until the next
///    snapshot) and the procedure starts again from 1 with this diff buffered.
///
/// Book events carry the diff's `u` (a snapshot's `lastUpdateId`) as their sequence.
public struct UpdateIdBookSync: Sendable {
    public enum Phase: Sendable, Hashable { case awaitingSnapshot, live }

    struct BufferedDiff: Sendable {
        var first: UInt64
        var last: UInt64
        var exchangeTime: Timestamp
        var receivedAt: Timestamp
        var levels: [FeedLevel]
    }

    public let instrument: InstrumentId
    public private(set) var phase: Phase = .awaitingSnapshot
    /// The id of the last update in the book (a snapshot's `lastUpdateId`, then each `u`).
    public private(set) var lastUpdateId: UInt64 = 0
    /// Whether a snapshot was asked for and has not come yet.
    public private(set) var snapshotPending = false
    var buffer: [BufferedDiff] = []
    /// Diffs kept while waiting for a snapshot (at 10 per second per symbol, minutes).
    public var bufferCapacity: Int

    public init(instrument: InstrumentId, bufferCapacity: Int = 4_096) {
        self.instrument = instrument
        self.bufferCapacity = max(1, bufferCapacity)
    }

    /// Diffs buffered now.
    public var buffered: Int { buffer.count }

    /// The connection (re)opened or the book must be rebuilt: buffer from here and ask
    /// for a snapshot. `marker` (reconnect or resync) goes out first unless nil.
    public mutating func restart(at time: Timestamp, marker: FeedStatus.Kind?, output: inout FeedOutput) {
        if let marker { output.events.append(.status(FeedStatus(kind: marker, instrument: instrument, receivedAt: time))) }
        if marker == .resync { output.counters.resyncs += 1 }
        phase = .awaitingSnapshot
        buffer.removeAll(keepingCapacity: true)
        requestSnapshot(&output)
    }

    /// The connection dropped: updates are being lost. A `gap` marker (count unknown)
    /// goes out once, and nothing is asked for until the connection is back (`restart`).
    public mutating func suspend(at time: Timestamp, output: inout FeedOutput) {
        if phase == .live || !buffer.isEmpty {
            output.counters.gaps += 1
            output.events.append(.status(FeedStatus(kind: .gap, instrument: instrument, receivedAt: time, sequence: lastUpdateId &+ 1, count: 0)))
        }
        phase = .awaitingSnapshot
        buffer.removeAll(keepingCapacity: true)
        snapshotPending = false
    }

    /// The snapshot asked for will not come (the connection dropped, or its answer was
    /// unusable): the next need asks again.
    public mutating func cancelSnapshotRequest() { snapshotPending = false }

    mutating func requestSnapshot(_ output: inout FeedOutput) {
        guard !snapshotPending else { return }
        snapshotPending = true
        output.snapshotRequests.append(instrument)
    }

    /// A diff `first...last` (Binance `U`, `u`) with its levels.
    public mutating func diff(first: UInt64, last: UInt64, levels: UnsafeBufferPointer<FeedLevel>, exchangeTime: Timestamp,
                              receivedAt: Timestamp, output: inout FeedOutput) {
        guard first <= last else { output.malformed("update ids out of order: U \(first) > u \(last)"); return }
        switch phase {
        case .awaitingSnapshot:
            if buffer.count >= bufferCapacity {
                buffer.removeFirst()
                output.counters.bufferOverflows += 1
            }
            buffer.append(BufferedDiff(first: first, last: last, exchangeTime: exchangeTime, receivedAt: receivedAt, levels: Array(levels)))
            requestSnapshot(&output)
        case .live:
            if last <= lastUpdateId { output.counters.outdated += 1; return }
            if first > lastUpdateId &+ 1 {
                output.counters.gaps += 1
                output.events.append(.status(FeedStatus(kind: .gap, instrument: instrument, receivedAt: receivedAt,
                                                        sequence: lastUpdateId &+ 1, count: first &- lastUpdateId &- 1)))
                restart(at: receivedAt, marker: .resync, output: &output)
                buffer.append(BufferedDiff(first: first, last: last, exchangeTime: exchangeTime, receivedAt: receivedAt, levels: Array(levels)))
                return
            }
            emit(levels, sequence: last, exchangeTime: exchangeTime, receivedAt: receivedAt, output: &output)
            lastUpdateId = last
        }
    }

    /// The REST snapshot answer (`lastUpdateId`, bids, asks). Too old for the buffer: asked
    /// for again. Else the book is replaced and the buffered diffs after it applied.
    public mutating func snapshot(lastUpdateId id: UInt64, bids: [BookLevel], asks: [BookLevel], exchangeTime: Timestamp,
                                  receivedAt: Timestamp, output: inout FeedOutput) {
        snapshotPending = false
        // A snapshot that comes while live (asked before a reconnect, say) is not needed.
        guard phase == .awaitingSnapshot else { output.counters.ignored += 1; return }
        if let firstBuffered = buffer.first, id < firstBuffered.first {
            output.counters.staleSnapshots += 1
            requestSnapshot(&output)
            return
        }
        var start = 0
        while start < buffer.count, buffer[start].last <= id { start += 1; output.counters.outdated += 1 }
        // The first diff applied must straddle the snapshot; the rest must follow on.
        var expected = id &+ 1
        for k in start..<buffer.count {
            guard buffer[k].first <= expected else {
                // A hole inside the buffer (it overflowed): nothing to build on; again.
                output.counters.staleSnapshots += 1
                buffer.removeFirst(k)
                requestSnapshot(&output)
                return
            }
            expected = buffer[k].last &+ 1
        }
        output.counters.snapshots += 1
        output.events.append(.bookSnapshot(BookSnapshot(instrument: instrument, bids: bids, asks: asks, exchangeTime: exchangeTime,
                                                        receivedAt: receivedAt, sequence: id)))
        lastUpdateId = id
        phase = .live
        for k in start..<buffer.count {
            let d = buffer[k]
            d.levels.withUnsafeBufferPointer {
                emit($0, sequence: d.last, exchangeTime: d.exchangeTime, receivedAt: max(d.receivedAt, receivedAt), output: &output)
            }
            lastUpdateId = d.last
        }
        buffer.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    func emit(_ levels: UnsafeBufferPointer<FeedLevel>, sequence: UInt64, exchangeTime: Timestamp, receivedAt: Timestamp,
              output: inout FeedOutput) {
        let n = levels.count
        var k = 0
        while k < n {
            let l = levels[k]
            output.events.append(.bookDelta(BookDelta(instrument: instrument, side: l.side, price: Price(raw: l.price),
                                                      quantity: Quantity(raw: l.quantity), exchangeTime: exchangeTime,
                                                      receivedAt: receivedAt, sequence: sequence, endOfMessage: k == n - 1)))
            k += 1
        }
        output.counters.bookUpdates += n
    }
}
