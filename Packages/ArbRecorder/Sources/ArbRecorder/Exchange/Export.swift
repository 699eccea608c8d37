import ArbCore

/// Reads recordings merged by receive time, with each event's venue and symbol.
struct MergedReader {
    final class Cursor {
        let reader: RecordingFileReader
        var block = 0
        var buffer: [MarketEvent] = []
        var position = 0
        init(_ reader: RecordingFileReader) { self.reader = reader }
    }
    var cursors: [Cursor]

    init(paths: [String]) throws { cursors = try paths.map { Cursor(try RecordingFileReader(path: $0)) } }

    var totalEvents: Int { cursors.reduce(0) { $0 + $1.reader.eventCount } }

    mutating func next() throws -> (MarketEvent, RecordingHeader.InstrumentEntry)? {
        var best: Cursor? = nil
        for c in cursors {
            while c.position >= c.buffer.count && c.block < c.reader.blocks.count {
                c.buffer.removeAll(keepingCapacity: true); c.position = 0
                try c.reader.readBlock(c.block, into: &c.buffer)
                c.block += 1
            }
            guard c.position < c.buffer.count else { continue }
            if best == nil || c.buffer[c.position].receivedAt < best!.buffer[best!.position].receivedAt { best = c }
        }
        guard let c = best else { return nil }
        defer { c.position += 1 }
        let e = c.buffer[c.position]
        return (e, c.reader.header.instruments[e.instrument.index])
    }
}

public enum RecordingExport {
    public struct Report: Sendable, Hashable {
        public var events: Int
        public var bookRows: Int
        public var tradeRows: Int
        public var skipped: Int
        public var files: [String]
    }

    static func micros(_ t: Timestamp) -> String { String(t.nanoseconds / 1_000) }

    /// Tardis `incremental_book_L2.csv` and `trades.csv` (`.csv.gz` with `gzip`) in `directory`.
    /// Feed status markers have no Tardis row and are counted as skipped.
    public static func tardisCSV(paths: [String], directory: String, gzip: Bool, progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        var merged = try MergedReader(paths: paths)
        let suffix = gzip ? ".csv.gz" : ".csv"
        let bookPath = directory + "/incremental_book_L2" + suffix, tradesPath = directory + "/trades" + suffix
        let book = try TextWriter(path: bookPath, gzip: gzip), trades = try TextWriter(path: tradesPath, gzip: gzip)
        var bookOut = Array((TardisImport.bookHeader + "\n").utf8), tradesOut = Array((TardisImport.tradesHeader + "\n").utf8)
        var report = Report(events: 0, bookRows: 0, tradeRows: 0, skipped: 0, files: [bookPath, tradesPath])
        let total = merged.totalEvents
        func bookRow(_ e: RecordingHeader.InstrumentEntry, _ ex: Timestamp, _ local: Timestamp, _ snapshot: Bool, _ side: BookSide, _ l: BookLevel) {
            bookOut += Array("\(e.venue),\(e.symbol),\(micros(ex)),\(micros(local)),\(snapshot),\(side == .bid ? "bid" : "ask"),\(l.price),\(l.quantity)\n".utf8)
            report.bookRows += 1
        }
        while let (event, entry) = try merged.next() {
            report.events += 1
            switch event {
            case .bookDelta(let d): bookRow(entry, d.exchangeTime, d.receivedAt, false, d.side, BookLevel(price: d.price, quantity: d.quantity))
            case .bookSnapshot(let s):
                for l in s.bids { bookRow(entry, s.exchangeTime, s.receivedAt, true, .bid, l) }
                for l in s.asks { bookRow(entry, s.exchangeTime, s.receivedAt, true, .ask, l) }
            case .trade(let t):
                tradesOut += Array("\(entry.venue),\(entry.symbol),\(micros(t.exchangeTime)),\(micros(t.receivedAt)),\(t.tradeId),\(t.takerSide),\(t.price),\(t.quantity)\n".utf8)
                report.tradeRows += 1
            case .status: report.skipped += 1
            }
            if bookOut.count > 1 << 20 { try book.write(bookOut); bookOut.removeAll(keepingCapacity: true) }
            if tradesOut.count > 1 << 20 { try trades.write(tradesOut); tradesOut.removeAll(keepingCapacity: true) }
            if report.events & 0xFFFF == 0 { progress?(report.events, total) }
        }
        try book.write(bookOut); try trades.write(tradesOut)
        try book.close(); try trades.close()
        return report
    }

    /// One JSON object per event, exact decimals as strings, times in ns.
    public static func jsonLines(paths: [String], output: String, gzip: Bool, progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        var merged = try MergedReader(paths: paths)
        let out = try TextWriter(path: output, gzip: gzip)
        var buffer: [UInt8] = []
        var report = Report(events: 0, bookRows: 0, tradeRows: 0, skipped: 0, files: [output])
        let total = merged.totalEvents
        func levels(_ l: [BookLevel]) -> String { "[" + l.map { "[\"\($0.price)\",\"\($0.quantity)\"]" }.joined(separator: ",") + "]" }
        while let (event, e) = try merged.next() {
            let head = "{\"venue\":\(JSONText.quote(e.venue)),\"symbol\":\(JSONText.quote(e.symbol)),\"local_time_ns\":\(event.receivedAt.nanoseconds)"
            let line: String
            switch event {
            case .bookDelta(let d):
                line = head + ",\"type\":\"delta\",\"exchange_time_ns\":\(d.exchangeTime.nanoseconds),\"sequence\":\(d.sequence),\"side\":\"\(d.side == .bid ? "bid" : "ask")\",\"price\":\"\(d.price)\",\"quantity\":\"\(d.quantity)\",\"end_of_message\":\(d.endOfMessage)}"
            case .bookSnapshot(let s):
                line = head + ",\"type\":\"snapshot\",\"exchange_time_ns\":\(s.exchangeTime.nanoseconds),\"sequence\":\(s.sequence),\"bids\":\(levels(s.bids)),\"asks\":\(levels(s.asks))}"
            case .trade(let t):
                line = head + ",\"type\":\"trade\",\"exchange_time_ns\":\(t.exchangeTime.nanoseconds),\"id\":\(t.tradeId),\"side\":\"\(t.takerSide)\",\"price\":\"\(t.price)\",\"quantity\":\"\(t.quantity)\"}"
            case .status(let s):
                line = head + ",\"type\":\"\(s.kind)\",\"sequence\":\(s.sequence),\"count\":\(s.count)}"
            }
            buffer += Array(line.utf8); buffer.append(0x0A)
            report.events += 1
            if buffer.count > 1 << 20 { try out.write(buffer); buffer.removeAll(keepingCapacity: true) }
            if report.events & 0xFFFF == 0 { progress?(report.events, total) }
        }
        try out.write(buffer)
        try out.close()
        return report
    }
}
