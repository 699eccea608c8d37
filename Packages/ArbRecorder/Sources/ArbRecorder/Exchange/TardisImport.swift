import ArbCore

/// Imports Tardis CSV files (`incremental_book_L2` and `trades`, plain or gzip) into one
/// recording. Inputs are merged by `local_timestamp`; consecutive `is_snapshot` rows of a
/// symbol at one local timestamp become one snapshot; the last row of a local timestamp
/// ends a message. Tardis has no sequence ids: they are recorded as 0.
public enum TardisImport {
    public static let bookHeader = "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount"
    public static let tradesHeader = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount"

    public struct Report: Sendable, Hashable {
        public var rows: Int
        public var events: Int
        public var skippedRows: Int
        public var instruments: [String]
        public var bytes: Int
        /// The first few skipped rows, as file:line: reason.
        public var problems: [String]
    }

    enum Kind { case book, trades }

    struct Instrument: Hashable { var exchange: String; var symbol: String }

    /// One input, parsed row by row with one row of look-ahead.
    final class Stream {
        let reader: LineReader
        let kind: Kind
        var row: Row?
        var lastExchange: [UInt8] = [], lastSymbol: [UInt8] = []
        var lastIndex = -1
        /// Local time of the last accepted row, in ns (rows must not go back in time).
        var lastLocalTime: Int64 = .min
        var pending: MarketEvent?
        init(reader: LineReader, kind: Kind) { self.reader = reader; self.kind = kind }
    }

    struct Row {
        var instrument: Int
        var exchangeTime: Int64
        var localTime: Int64
        var snapshot: Bool
        var side: UInt8   // 0 bid/buy, 1 ask/sell
        var price: Int64
        var amount: Int64
        var id: UInt64
    }

    public static func run(inputs: [String], output: String, compressionLevel: Int = 3, skipBadRows: Bool = false,
                           progress: ((Int) -> Void)? = nil) throws -> Report {
        // Pass 1: kinds, instruments, units.
        var instruments: [Instrument] = []
        var priceDecimals: [Int] = [], amountDecimals: [Int] = []
        var kinds: [Kind] = []
        var skipped = 0
        var problems: [String] = []
        func bad(_ reader: LineReader, _ reason: String) throws {
            let place = "\(reader.path):\(reader.lineNumber)"
            guard skipBadRows else { throw RecordingError(.badInput, "\(place): \(reason); fix the row, or pass --skip-bad-rows to skip such rows") }
            skipped += 1
            if problems.count < 10 { problems.append("\(place): \(reason)") }
        }
        var index: [Instrument: Int] = [:]
        for path in inputs {
            let reader = try LineReader(path: path)
            var kind: Kind? = nil
            _ = try reader.next { line in
                let header = String(decoding: line, as: UTF8.self)
                kind = header == bookHeader ? .book : header == tradesHeader ? .trades : nil
            }
            guard let kind else {
                throw RecordingError(.badInput, "\(path):1: not a Tardis CSV header; expected \"\(bookHeader)\" (incremental_book_L2) or \"\(tradesHeader)\" (trades)")
            }
            kinds.append(kind)
            var ranges = EightFields()
            var lastExchange: [UInt8] = [], lastSymbol: [UInt8] = [], lastIndex = -1
            while try reader.next({ line in
                guard !line.isEmpty else { return }
                guard ranges.split(line) else { try bad(reader, "expected 8 comma-separated fields"); return }
                // Compared in place: a new String per row would dominate the import.
                if !line[ranges[0]].elementsEqual(lastExchange) || !line[ranges[1]].elementsEqual(lastSymbol) {
                    let ex = Array(line[ranges[0]]), sym = Array(line[ranges[1]])
                    let key = Instrument(exchange: String(decoding: ex, as: UTF8.self), symbol: String(decoding: sym, as: UTF8.self))
                    if let i = index[key] { lastIndex = i } else {
                        index[key] = instruments.count; lastIndex = instruments.count
                        instruments.append(key); priceDecimals.append(0); amountDecimals.append(0)
                    }
                    lastExchange = ex; lastSymbol = sym
                }
                guard let p = Fields.decimal(line, ranges[6]), let a = Fields.decimal(line, ranges[7]) else {
                    try bad(reader, "price or amount is not a decimal with at most 9 decimals"); return
                }
                priceDecimals[lastIndex] = max(priceDecimals[lastIndex], p.decimals)
                amountDecimals[lastIndex] = max(amountDecimals[lastIndex], a.decimals)
            }) {}
        }
        guard !instruments.isEmpty else { throw RecordingError(.badInput, "no rows in \(inputs.joined(separator: ", "))") }
        func unit(_ decimals: Int) -> Int64 { FixedDecimal.powerOfTen(FixedDecimal.fractionDigits - decimals) }
        let entries = instruments.indices.map {
            RecordingHeader.InstrumentEntry(venue: instruments[$0].exchange, symbol: instruments[$0].symbol,
                                            base: "", quote: "", priceUnit: unit(priceDecimals[$0]), quantityUnit: unit(amountDecimals[$0]))
        }

        // Pass 2: merge into one recording.
        skipped = 0; problems = []
        let streams = try zip(inputs, kinds).map { path, kind -> Stream in
            let s = Stream(reader: try LineReader(path: path), kind: kind)
            _ = try s.reader.next { _ in }  // header
            return s
        }
        var firstTime: Int64 = 0
        var writer: RecordingFileWriter? = nil
        var rows = 0, events = 0

        func readRow(_ s: Stream) throws -> Row? {
            var result: Row? = nil
            while result == nil {
                let more = try s.reader.next { line in
                    guard !line.isEmpty else { return }
                    var r = EightFields()
                    guard r.split(line) else { try bad(s.reader, "expected 8 comma-separated fields"); return }
                    if !line[r[0]].elementsEqual(s.lastExchange) || !line[r[1]].elementsEqual(s.lastSymbol) {
                        s.lastExchange = Array(line[r[0]]); s.lastSymbol = Array(line[r[1]])
                        s.lastIndex = index[Instrument(exchange: Fields.string(line, r[0]), symbol: Fields.string(line, r[1]))] ?? -1
                    }
                    let i = s.lastIndex
                    guard i >= 0, let ts = Fields.int(line, r[2]), let local = Fields.int(line, r[3]),
                          let p = Fields.decimal(line, r[6]), let a = Fields.decimal(line, r[7]) else {
                        try bad(s.reader, "timestamps must be integer microseconds, price and amount decimals"); return
                    }
                    // Microseconds to nanoseconds, checked: a 17-digit timestamp is an error, not a trap.
                    let (exchangeNs, o1) = ts.multipliedReportingOverflow(by: 1_000)
                    let (localNs, o2) = local.multipliedReportingOverflow(by: 1_000)
                    guard !o1 && !o2 else {
                        try bad(s.reader, "timestamp beyond the year 2262 (microseconds must stay below 9223372036854775)"); return
                    }
                    guard p.raw > 0 else { try bad(s.reader, "price must be positive"); return }
                    guard a.raw >= 0 else { try bad(s.reader, "amount must not be negative"); return }
                    guard localNs >= s.lastLocalTime else {
                        try bad(s.reader, "local_timestamp goes backwards (\(local) after \(s.lastLocalTime / 1_000)); rows must be in time order"); return
                    }
                    var side: UInt8
                    if Fields.equals(line, r[5], "bid") || Fields.equals(line, r[5], "buy") { side = 0 }
                    else if Fields.equals(line, r[5], "ask") || Fields.equals(line, r[5], "sell") { side = 1 }
                    else { try bad(s.reader, "side must be bid/ask (book) or buy/sell (trades)"); return }
                    var snapshot = false, id: UInt64 = 0
                    if s.kind == .book {
                        if Fields.equals(line, r[4], "true") { snapshot = true }
                        else if !Fields.equals(line, r[4], "false") { try bad(s.reader, "is_snapshot must be true or false"); return }
                    } else if r[4].isEmpty {
                        id = 0  // Tardis leaves the id empty for venues that publish none
                    } else {
                        guard let parsed = Fields.int(line, r[4]) else { try bad(s.reader, "id must be an integer below 2^63"); return }
                        id = UInt64(parsed)
                    }
                    rows += 1
                    s.lastLocalTime = localNs
                    result = Row(instrument: i, exchangeTime: exchangeNs, localTime: localNs, snapshot: snapshot, side: side,
                                 price: p.raw, amount: a.raw, id: id)
                }
                if !more { return nil }
            }
            return result
        }

        /// The stream's next event, built from one or more rows.
        func nextEvent(_ s: Stream) throws -> MarketEvent? {
            if s.row == nil { s.row = try readRow(s) }
            guard let row = s.row else { return nil }
            let id = InstrumentId(row.instrument)
            let ex = Timestamp(nanoseconds: row.exchangeTime), local = Timestamp(nanoseconds: row.localTime)
            if s.kind == .trades {
                s.row = nil
                return .trade(Trade(instrument: id, price: Price(raw: row.price), quantity: Quantity(raw: row.amount),
                                    takerSide: row.side == 0 ? .buy : .sell, exchangeTime: ex, receivedAt: local, tradeId: row.id))
            }
            if row.snapshot {
                var bids: [BookLevel] = [], asks: [BookLevel] = []
                var r: Row? = row
                while let cur = r, cur.snapshot, cur.instrument == row.instrument, cur.localTime == row.localTime {
                    let level = BookLevel(price: Price(raw: cur.price), quantity: Quantity(raw: cur.amount))
                    if cur.side == 0 { bids.append(level) } else { asks.append(level) }
                    r = try readRow(s)
                }
                s.row = r
                return .bookSnapshot(BookSnapshot(instrument: id, bids: bids, asks: asks, exchangeTime: ex, receivedAt: local))
            }
            let next = try readRow(s)
            s.row = next
            let endOfMessage = next.map { $0.localTime != row.localTime || $0.instrument != row.instrument || $0.snapshot } ?? true
            return .bookDelta(BookDelta(instrument: id, side: row.side == 0 ? .bid : .ask, price: Price(raw: row.price),
                                        quantity: Quantity(raw: row.amount), exchangeTime: ex, receivedAt: local, endOfMessage: endOfMessage))
        }

        for s in streams { s.pending = try nextEvent(s) }
        while true {
            var best: Stream? = nil
            for s in streams { if let e = s.pending, best == nil || e.receivedAt < best!.pending!.receivedAt { best = s } }
            guard let s = best, let event = s.pending else { break }
            if writer == nil {
                firstTime = event.receivedAt.nanoseconds
                writer = try RecordingFileWriter(path: output, header: RecordingHeader(source: "tardis-import", instruments: entries,
                                                                                       startTimeNs: firstTime, compressionLevel: compressionLevel))
            }
            try writer!.append(event)
            events += 1
            if events & 0xFFFF == 0 { progress?(rows) }
            s.pending = try nextEvent(s)
        }
        guard let writer else {
            throw RecordingError(.badInput, "no row could be imported (\(skipped) skipped); nothing was written to \(output)"
                                 + (problems.isEmpty ? "" : ". First problems: " + problems.prefix(3).joined(separator: "; ")))
        }
        try writer.close()
        return Report(rows: rows, events: events, skippedRows: skipped, instruments: instruments.map { "\($0.exchange) \($0.symbol)" },
                      bytes: writer.bytesWritten, problems: problems)
    }
}
