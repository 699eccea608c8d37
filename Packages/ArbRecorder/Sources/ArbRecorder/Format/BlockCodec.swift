import ArbCore

/// Encodes a block of events into columnar streams and back. Every block starts from
/// fresh state, so any block decodes on its own. Instrument ids are the file's.
///
/// Kind byte: low 3 bits 0 delta-bid, 1 delta-ask, 2 snapshot, 3 trade (taker buy),
/// 4 trade (taker sell), 5 gap, 6 reconnect, 7 resync; 0x08 end of message; 0x10 prices
/// and quantities stored raw (not multiples of the instrument's units).
struct BlockCodec {
    static let streamCount = 8
    enum Stream: Int { case kinds, instruments, localTime, exchangeOffset, sequence, prices, quantities, extra }

    let priceUnits: [Int64]
    let quantityUnits: [Int64]

    // Per-block state, indexed by instrument (and side for prices: bid, ask, trade).
    private var prevOffset: [Int64]
    private var prevSequence: [UInt64]
    private var prevPrice: [Int64]
    private var prevTradeId: [UInt64]
    private var prevLocal: Int64 = 0
    private var streams: [[UInt8]]

    init(priceUnits: [Int64], quantityUnits: [Int64]) {
        self.priceUnits = priceUnits
        self.quantityUnits = quantityUnits
        let n = priceUnits.count
        prevOffset = Array(repeating: 0, count: n)
        prevSequence = Array(repeating: 0, count: n)
        prevPrice = Array(repeating: 0, count: 3 * n)
        prevTradeId = Array(repeating: 0, count: n)
        streams = Array(repeating: [], count: Self.streamCount)
    }

    private mutating func reset() {
        for i in prevOffset.indices { prevOffset[i] = 0; prevSequence[i] = 0; prevTradeId[i] = 0 }
        for i in prevPrice.indices { prevPrice[i] = 0 }
        prevLocal = 0
        for i in streams.indices { streams[i].removeAll(keepingCapacity: true) }
    }

    // MARK: encoding

    /// Encodes events (instrument ids < instrument count) into `out` (replaced).
    mutating func encode(_ events: ArraySlice<MarketEvent>, into out: inout [UInt8]) {
        reset()
        for event in events { encode(event) }
        out.removeAll(keepingCapacity: true)
        LittleEndian.append(UInt32(Self.streamCount), to: &out)
        for s in streams { LittleEndian.append(UInt32(s.count), to: &out) }
        for s in streams { out.append(contentsOf: s) }
    }

    @inline(__always)
    private mutating func common(_ kind: UInt8, _ instrument: Int, local: Int64, exchange: Int64, sequence: UInt64) {
        streams[Stream.kinds.rawValue].append(kind)
        Varint.write(UInt64(instrument), to: &streams[Stream.instruments.rawValue])
        Varint.write(signed: local &- prevLocal, to: &streams[Stream.localTime.rawValue])
        prevLocal = local
        let offset = local &- exchange
        Varint.write(signed: offset &- prevOffset[instrument], to: &streams[Stream.exchangeOffset.rawValue])
        prevOffset[instrument] = offset
        // Trades carry no feed sequence: they leave the chain alone.
        if kind & 0x07 != 3 && kind & 0x07 != 4 {
            Varint.write(signed: Int64(bitPattern: sequence &- prevSequence[instrument] &- 1), to: &streams[Stream.sequence.rawValue])
            prevSequence[instrument] = sequence
        }
    }

    @inline(__always)
    private func fits(_ i: Int, _ price: Int64, _ quantity: Int64) -> Bool {
        price % priceUnits[i] == 0 && quantity % quantityUnits[i] == 0
    }

    @inline(__always)
    private mutating func value(_ i: Int, side: Int, price: Int64, quantity: Int64, raw: Bool) {
        let p = raw ? price : price / priceUnits[i]
        let q = raw ? quantity : quantity / quantityUnits[i]
        Varint.write(signed: p &- prevPrice[3 * i + side], to: &streams[Stream.prices.rawValue])
        prevPrice[3 * i + side] = p
        Varint.write(signed: q, to: &streams[Stream.quantities.rawValue])
    }

    private mutating func encode(_ event: MarketEvent) {
        switch event {
        case .bookDelta(let d):
            let i = d.instrument.index
            let raw = !fits(i, d.price.raw, d.quantity.raw)
            let kind: UInt8 = (d.side == .bid ? 0 : 1) | (d.endOfMessage ? 0x08 : 0) | (raw ? 0x10 : 0)
            common(kind, i, local: d.receivedAt.nanoseconds, exchange: d.exchangeTime.nanoseconds, sequence: d.sequence)
            value(i, side: d.side == .bid ? 0 : 1, price: d.price.raw, quantity: d.quantity.raw, raw: raw)
        case .bookSnapshot(let s):
            let i = s.instrument.index
            let raw = !(s.bids + s.asks).allSatisfy { fits(i, $0.price.raw, $0.quantity.raw) }
            common(2 | (raw ? 0x10 : 0), i, local: s.receivedAt.nanoseconds, exchange: s.exchangeTime.nanoseconds, sequence: s.sequence)
            Varint.write(UInt64(s.bids.count), to: &streams[Stream.extra.rawValue])
            Varint.write(UInt64(s.asks.count), to: &streams[Stream.extra.rawValue])
            for level in s.bids { value(i, side: 0, price: level.price.raw, quantity: level.quantity.raw, raw: raw) }
            for level in s.asks { value(i, side: 1, price: level.price.raw, quantity: level.quantity.raw, raw: raw) }
        case .trade(let t):
            let i = t.instrument.index
            let raw = !fits(i, t.price.raw, t.quantity.raw)
            common((t.takerSide == .buy ? 3 : 4) | (raw ? 0x10 : 0), i, local: t.receivedAt.nanoseconds, exchange: t.exchangeTime.nanoseconds, sequence: 0)
            value(i, side: 2, price: t.price.raw, quantity: t.quantity.raw, raw: raw)
            Varint.write(signed: Int64(bitPattern: t.tradeId &- prevTradeId[i]), to: &streams[Stream.extra.rawValue])
            prevTradeId[i] = t.tradeId
        case .status(let s):
            let i = s.instrument.index
            common(5 + s.kind.rawValue, i, local: s.receivedAt.nanoseconds, exchange: s.receivedAt.nanoseconds, sequence: s.sequence)
            Varint.write(s.count, to: &streams[Stream.extra.rawValue])
        }
    }

    // MARK: decoding

    /// Decodes `count` events from a raw block, appending to `out`.
    mutating func decode(_ block: [UInt8], count: Int, into out: inout [MarketEvent]) throws {
        reset()
        guard let n = LittleEndian.read(UInt32.self, block[...], at: 0), Int(n) == Self.streamCount else {
            throw RecordingError(.corrupt, "block has an unknown stream layout")
        }
        var readers: [ByteReader] = []
        var start = 4 + 4 * Self.streamCount
        for s in 0..<Self.streamCount {
            guard let length = LittleEndian.read(UInt32.self, block[...], at: 4 + 4 * s), start + Int(length) <= block.count else {
                throw RecordingError(.corrupt, "stream \(s) overruns its block")
            }
            readers.append(ByteReader(block, from: start, to: start + Int(length)))
            start += Int(length)
        }
        var kinds = readers[0], instruments = readers[1], locals = readers[2], offsets = readers[3]
        var sequences = readers[4], prices = readers[5], quantities = readers[6], extra = readers[7]
        let instrumentCount = priceUnits.count
        out.reserveCapacity(out.count + count)

        func readValue(_ i: Int, side: Int, raw: Bool) throws -> (Price, Quantity) {
            let p = prevPrice[3 * i + side] &+ (try prices.signed())
            prevPrice[3 * i + side] = p
            let q = try quantities.signed()
            return raw ? (Price(raw: p), Quantity(raw: q)) : (Price(raw: p &* priceUnits[i]), Quantity(raw: q &* quantityUnits[i]))
        }

        for _ in 0..<count {
            let kind = try kinds.byte()
            let i = Int(try instruments.varint())
            guard i < instrumentCount else { throw RecordingError(.corrupt, "instrument \(i) is not in the header") }
            let local = prevLocal &+ (try locals.signed())
            prevLocal = local
            let offset = prevOffset[i] &+ (try offsets.signed())
            prevOffset[i] = offset
            let isTrade = kind & 0x07 == 3 || kind & 0x07 == 4
            var sequence: UInt64 = 0
            if !isTrade {
                sequence = prevSequence[i] &+ UInt64(bitPattern: try sequences.signed()) &+ 1
                prevSequence[i] = sequence
            }
            let id = InstrumentId(i)
            let received = Timestamp(nanoseconds: local), exchange = Timestamp(nanoseconds: local &- offset)
            let raw = kind & 0x10 != 0
            switch kind & 0x07 {
            case 0, 1:
                let side: BookSide = kind & 0x07 == 0 ? .bid : .ask
                let (p, q) = try readValue(i, side: Int(kind & 0x07), raw: raw)
                out.append(.bookDelta(BookDelta(instrument: id, side: side, price: p, quantity: q, exchangeTime: exchange,
                                                receivedAt: received, sequence: sequence, endOfMessage: kind & 0x08 != 0)))
            case 2:
                let bidCount = Int(try extra.varint()), askCount = Int(try extra.varint())
                guard bidCount + askCount <= 1_000_000 else { throw RecordingError(.corrupt, "snapshot with \(bidCount + askCount) levels") }
                var bids: [BookLevel] = [], asks: [BookLevel] = []
                bids.reserveCapacity(bidCount); asks.reserveCapacity(askCount)
                for _ in 0..<bidCount { let (p, q) = try readValue(i, side: 0, raw: raw); bids.append(BookLevel(price: p, quantity: q)) }
                for _ in 0..<askCount { let (p, q) = try readValue(i, side: 1, raw: raw); asks.append(BookLevel(price: p, quantity: q)) }
                out.append(.bookSnapshot(BookSnapshot(instrument: id, bids: bids, asks: asks, exchangeTime: exchange, receivedAt: received, sequence: sequence)))
            case 3, 4:
                let (p, q) = try readValue(i, side: 2, raw: raw)
                let tradeId = prevTradeId[i] &+ UInt64(bitPattern: try extra.signed())
                prevTradeId[i] = tradeId
                out.append(.trade(Trade(instrument: id, price: p, quantity: q, takerSide: kind & 0x07 == 3 ? .buy : .sell,
                                        exchangeTime: exchange, receivedAt: received, tradeId: tradeId)))
            default:
                let count = try extra.varint()
                out.append(.status(FeedStatus(kind: FeedStatus.Kind(rawValue: (kind & 0x07) - 5)!, instrument: id, receivedAt: received,
                                              sequence: sequence, count: count)))
            }
        }
    }
}
