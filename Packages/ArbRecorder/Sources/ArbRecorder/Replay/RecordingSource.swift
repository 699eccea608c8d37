import ArbCore

/// Replays recordings into a run: files merged in receive-time order (ties: file order),
/// each file's instruments mapped onto the run's by venue and symbol. Events for
/// instruments the run does not trade are skipped and counted. A damaged block is
/// skipped: none of its events are delivered, each of the file's instruments gets a `gap`
/// marker in its place (so books are rebuilt from the next snapshot), the loss is kept in
/// `problems` and counted, and the file's stream goes on with the next block.
public struct RecordingSource: MarketDataSource {
    final class Cursor {
        let reader: RecordingFileReader
        let mapping: [InstrumentId?]
        var block: Int
        var buffer: [MarketEvent] = []
        var position = 0
        /// Receive time of the last event handed out (gap markers never go back in time).
        var lastTime: Int64 = .min
        init(reader: RecordingFileReader, mapping: [InstrumentId?], block: Int) { self.reader = reader; self.mapping = mapping; self.block = block }
    }

    private var cursors: [Cursor] = []
    private let from: Timestamp
    public private(set) var skipped = 0
    public private(set) var replayed = 0
    public private(set) var problems: [String] = []
    /// Blocks that failed verification and were skipped, and the events they held.
    public private(set) var damagedBlocks = 0
    public private(set) var lostEvents = 0
    /// Receive time of the earliest event in the recordings (at or after `from`).
    public private(set) var startTime: Timestamp?

    /// - Parameters:
    ///   - paths: recordings (any order; merged by time).
    ///   - universe: the run's instruments; others are skipped.
    ///   - venues / symbols: narrower filters (nil = all of the run's).
    ///   - from: skip events received before this time (seeks through the index).
    public init(paths: [String], universe: Universe, venues: Set<String>? = nil, symbols: Set<String>? = nil, from: Timestamp = .zero) throws {
        self.from = from
        for path in paths {
            let reader = try RecordingFileReader(path: path)
            if let recovery = reader.recovery { problems.append("\(path): \(recovery)") }
            let mapping: [InstrumentId?] = reader.header.instruments.map { entry in
                guard venues?.contains(entry.venue) ?? true, symbols?.contains(entry.symbol) ?? true,
                      let venue = universe.venueId(entry.venue) else { return nil }
                return universe.instrument(venue: venue, symbol: entry.symbol)?.id
            }
            let first = reader.firstBlock(atOrAfter: from)
            cursors.append(Cursor(reader: reader, mapping: mapping, block: first))
            if first < reader.blocks.count {
                let t = Timestamp(nanoseconds: max(reader.blocks[first].firstTimeNs, from.nanoseconds))
                startTime = min(startTime ?? t, t)
            }
        }
    }

    /// Makes sure the cursor has an event at `position` (loads blocks); false at its end.
    private mutating func fill(_ c: Cursor) -> Bool {
        while c.position >= c.buffer.count {
            guard c.block < c.reader.blocks.count else { return false }
            c.buffer.removeAll(keepingCapacity: true)
            c.position = 0
            do { try c.reader.readBlock(c.block, into: &c.buffer) } catch {
                let info = c.reader.blocks[c.block]
                damagedBlocks += 1
                lostEvents += info.count
                if problems.count < 20 { problems.append("\(error); \(info.count) events lost, replay goes on with the next block") }
                // The damaged stretch, as the data says it: a gap on every instrument of the file.
                let time = Timestamp(nanoseconds: max(c.lastTime, min(info.firstTimeNs, info.lastTimeNs)))
                for i in c.mapping.indices {
                    c.buffer.append(.status(FeedStatus(kind: .gap, instrument: InstrumentId(i), receivedAt: time, count: UInt64(info.count))))
                }
            }
            c.block += 1
        }
        return true
    }

    public mutating func next() -> MarketEvent? {
        while true {
            var best: Cursor? = nil
            var bestTime = Int64.max
            for c in cursors where fill(c) {
                let t = c.buffer[c.position].receivedAt.nanoseconds
                if t < bestTime { bestTime = t; best = c }
            }
            guard let c = best else { return nil }
            let event = c.buffer[c.position]
            c.position += 1
            c.lastTime = max(c.lastTime, event.receivedAt.nanoseconds)
            if event.receivedAt < from { continue }
            guard let id = c.mapping[event.instrument.index] else { skipped += 1; continue }
            replayed += 1
            return event.with(instrument: id)
        }
    }
}
