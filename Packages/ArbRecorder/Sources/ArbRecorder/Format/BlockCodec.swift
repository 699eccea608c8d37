import ArbCore

/// Encodes a block of events into columnar streams and back. Every block starts from
/// fresh state, so any block decodes on its own. Instrument ids are the file's.
///
/// Times: a block stores local times as deltas in `localUnit` and exchange times as
/// per-instrument deltas in `exchangeUnit`, each the largest power of ten (ns) dividing
/// every such time in the block (µs and ms for most feeds), so a feed's own resolution
/// costs nothing.
///
/// Kind byte: low 3 bits 0 delta-bid, 1 delta-ask, 2 snapshot, 3 trade (taker buy),
/// 4 trade (taker sell), 5 gap, 6 reconnect, 7 resync, 5|0x08 stale; 0x08 end of message; 0x10 prices
/// stored raw, 0x20 quantities stored raw (not multiples of the instrument's units).
struct BlockCodec {
    static let streamCount = 8
    enum Stream: Int { case kinds, instruments, localTime, exchangeOffset, sequence, prices, quantities, extra }

    let priceUnits: [Int64]
    let quantityUnits: [Int64]

    /// Per-block state, indexed by instrument (and side for prices: bid, ask, trade), in
    /// buffers the codec owns: read and written on every event without array checks.
    final class State {
        let count: Int
        let prevExchange: UnsafeMutablePointer<Int64>
        let prevSequence: UnsafeMutablePointer<UInt64>
        let prevPrice: UnsafeMutablePointer<Int64>
        let prevTradeId: UnsafeMutablePointer<UInt64>
        init(instruments n: Int) {
            count = max(1, n)
            prevExchange = .allocate(capacity: count); prevSequence = .allocate(capacity: count)
            prevPrice = .allocate(capacity: 3 * count); prevTradeId = .allocate(capacity: count)
            prevExchange.initialize(repeating: 0, count: count); prevSequence.initialize(repeating: 0, count: count)
            prevPrice.initialize(repeating: 0, count: 3 * count); prevTradeId.initialize(repeating: 0, count: count)
        }
        func reset() {
            prevExchange.update(repeating: 0, count: count); prevSequence.update(repeating: 0, count: count)
            prevPrice.update(repeating: 0, count: 3 * count); prevTradeId.update(repeating: 0, count: count)
        }
        deinit { prevExchange.deallocate(); prevSequence.deallocate(); prevPrice.deallocate(); prevTradeId.deallocate() }
    }
    private let state: State
    private var prevExchange: UnsafeMutablePointer<Int64> { state.prevExchange }
    private var prevSequence: UnsafeMutablePointer<UInt64> { state.prevSequence }
    private var prevPrice: UnsafeMutablePointer<Int64> { state.prevPrice }
    private var prevTradeId: UnsafeMutablePointer<UInt64> { state.prevTradeId }
    private var prevLocal: Int64 = 0
    private var localUnit: Int64 = 1
    private var exchangeUnit: Int64 = 1
    private var streams: [[UInt8]]

    init(priceUnits: [Int64], quantityUnits: [Int64]) {
        self.priceUnits = priceUnits
        self.quantityUnits = quantityUnits
        state = State(instruments: priceUnits.count)
        streams = Array(repeating: [], count: Self.streamCount)
    }

    private mutating func reset() {
        state.reset()
        prevLocal = 0
        for i in streams.indices { streams[i].removeAll(keepingCapacity: true) }
    }

    // MARK: encoding

    /// Encodes events (instrument ids < instrument count) into `out` (replaced).
    mutating func encode(_ events: ArraySlice<MarketEvent>, into out: inout [UInt8]) {
        reset()
        localUnit = FixedDecimal.largestPowerOfTen(dividing: events.lazy.map { $0.receivedAt.nanoseconds })
        exchangeUnit = FixedDecimal.largestPowerOfTen(dividing: events.lazy.map { $0.exchangeTime.nanoseconds })
        for event in events { encode(event) }
        out.removeAll(keepingCapacity: true)
        LittleEndian.append(UInt32(Self.streamCount), to: &out)
        LittleEndian.append(localUnit, to: &out)
        LittleEndian.append(exchangeUnit, to: &out)
        for s in streams { LittleEndian.append(UInt32(s.count), to: &out) }
        for s in streams { out.append(contentsOf: s) }
    }

    @inline(__always)
    private mutating func common(_ kind: UInt8, _ instrument: Int, local: Int64, exchange: Int64, sequence: UInt64) {
        streams[Stream.kinds.rawValue].append(kind)
        Varint.write(UInt64(instrument), to: &streams[Stream.instruments.rawValue])
        let l = local / localUnit, x = exchange / exchangeUnit
        Varint.write(signed: l &- prevLocal, to: &streams[Stream.localTime.rawValue])
        prevLocal = l
        Varint.write(signed: x &- prevExchange[instrument], to: &streams[Stream.exchangeOffset.rawValue])
        prevExchange[instrument] = x
        // Trades carry no feed sequence: they leave the chain alone.
        if kind & 0x07 != 3 && kind & 0x07 != 4 {
            Varint.write(signed: Int64(bitPattern: sequence &- prevSequence[instrument] &- 1), to: &streams[Stream.sequence.rawValue])
            prevSequence[instrument] = sequence
        }
    }

    /// Escape flags for values that are not multiples of the instrument's units.
    @inline(__always)
    private func rawFlags(_ i: Int, _ price: Int64, _ quantity: Int64) -> UInt8 {
        (price % priceUnits[i] == 0 ? 0 : 0x10) | (quantity % quantityUnits[i] == 0 ? 0 : 0x20)
    }

    @inline(__always)
    private mutating func value(_ i: Int, side: Int, price: Int64, quantity: Int64, raw: UInt8) {
        let p = raw & 0x10 != 0 ? price : price / priceUnits[i]
        let q = raw & 0x20 != 0 ? quantity : quantity / quantityUnits[i]
        Varint.write(signed: p &- prevPrice[3 * i + side], to: &streams[Stream.prices.rawValue])
        prevPrice[3 * i + side] = p
        // Quantities are never negative in practice: a plain varint (a negative one still
        // round-trips, as a ten-byte varint) instead of zigzag, which would double them.
        Varint.write(UInt64(bitPattern: q), to: &streams[Stream.quantities.rawValue])
    }

    private mutating func encode(_ event: MarketEvent) {
        switch event {
        case .bookDelta(let d):
            let i = d.instrument.index
            let raw = rawFlags(i, d.price.raw, d.quantity.raw)
            let kind: UInt8 = (d.side == .bid ? 0 : 1) | (d.endOfMessage ? 0x08 : 0) | raw
            common(kind, i, local: d.receivedAt.nanoseconds, exchange: d.exchangeTime.nanoseconds, sequence: d.sequence)
            value(i, side: d.side == .bid ? 0 : 1, price: d.price.raw, quantity: d.quantity.raw, raw: raw)
        case .bookSnapshot(let s):
            let i = s.instrument.index
            let raw = (s.bids + s.asks).reduce(UInt8(0)) { $0 | rawFlags(i, $1.price.raw, $1.quantity.raw) }
            common(2 | raw, i, local: s.receivedAt.nanoseconds, exchange: s.exchangeTime.nanoseconds, sequence: s.sequence)
            Varint.write(UInt64(s.bids.count), to: &streams[Stream.extra.rawValue])
            Varint.write(UInt64(s.asks.count), to: &streams[Stream.extra.rawValue])
            for level in s.bids { value(i, side: 0, price: level.price.raw, quantity: level.quantity.raw, raw: raw) }
            for level in s.asks { value(i, side: 1, price: level.price.raw, quantity: level.quantity.raw, raw: raw) }
        case .trade(let t):
            let i = t.instrument.index
            let raw = rawFlags(i, t.price.raw, t.quantity.raw)
            common((t.takerSide == .buy ? 3 : 4) | raw, i, local: t.receivedAt.nanoseconds, exchange: t.exchangeTime.nanoseconds, sequence: 0)
            value(i, side: 2, price: t.price.raw, quantity: t.quantity.raw, raw: raw)
            Varint.write(signed: Int64(bitPattern: t.tradeId &- prevTradeId[i]), to: &streams[Stream.extra.rawValue])
            prevTradeId[i] = t.tradeId
        case .status(let s):
            let i = s.instrument.index
            common(Self.statusKindByte(s.kind), i, local: s.receivedAt.nanoseconds, exchange: s.receivedAt.nanoseconds, sequence: s.sequence)
            Varint.write(s.count, to: &streams[Stream.extra.rawValue])
        }
    }

    // MARK: decoding

    /// Decodes `count` events from a raw block, appending to `out`.
    mutating func decode(_ block: [UInt8], count: Int, into out: inout [MarketEvent]) throws {
        try block.withUnsafeBufferPointer { try decode($0, count: count, into: &out) }
    }

    private mutating func decode(_ block: UnsafeBufferPointer<UInt8>, count: Int, into out: inout [MarketEvent]) throws {
        reset()
        let fixed = 4 + 16 + 4 * Self.streamCount
        guard block.count >= fixed, let n = LittleEndian.read(UInt32.self, block, at: 0), Int(n) == Self.streamCount,
              let lu = LittleEndian.read(Int64.self, block, at: 4), let xu = LittleEndian.read(Int64.self, block, at: 12), lu > 0, xu > 0 else {
            throw RecordingError(.corrupt, "block has an unknown stream layout")
        }
        localUnit = lu; exchangeUnit = xu
        var readers: [ByteReader] = []
        var start = fixed
        for s in 0..<Self.streamCount {
            guard let length = LittleEndian.read(UInt32.self, block, at: 20 + 4 * s), start + Int(length) <= block.count else {
                throw RecordingError(.corrupt, "stream \(s) overruns its block")
            }
            readers.append(ByteReader(block, from: start, to: start + Int(length)))
            start += Int(length)
        }
        var kinds = readers[0], instruments = readers[1], locals = readers[2], offsets = readers[3]
        var sequences = readers[4], prices = readers[5], quantities = readers[6], extra = readers[7]
        let instrumentCount = priceUnits.count
        out.reserveCapacity(out.count + Swift.min(count, 65_536))  // a declared count is not trusted with memory

        /// A stored value times its unit, checked: damage must not wrap into a plausible price.
        func scaled(_ v: Int64, _ unit: Int64, _ what: String) throws -> Int64 {
            let (r, overflow) = v.multipliedReportingOverflow(by: unit)
            guard !overflow else { throw RecordingError(.corrupt, "\(what) \(v) × unit \(unit) is out of range") }
            return r
        }

        func readValue(_ i: Int, side: Int, raw: UInt8) throws -> (Price, Quantity) {
            let p = prevPrice[3 * i + side] &+ (try prices.signed())
            prevPrice[3 * i + side] = p
            let q = Int64(bitPattern: try quantities.varint())
            return (Price(raw: raw & 0x10 != 0 ? p : try scaled(p, priceUnits[i], "price")),
                    Quantity(raw: raw & 0x20 != 0 ? q : try scaled(q, quantityUnits[i], "quantity")))
        }

        for _ in 0..<count {
            let kind = try kinds.byte()
            guard kind & 0xC0 == 0 else { throw RecordingError(.corrupt, "unknown event kind byte 0x\(String(kind, radix: 16))") }
            let declared = try instruments.varint()
            guard declared < UInt64(instrumentCount) else { throw RecordingError(.corrupt, "instrument \(declared) is not in the header") }
            let i = Int(declared)
            let l = prevLocal &+ (try locals.signed())
            prevLocal = l
            let x = prevExchange[i] &+ (try offsets.signed())
            prevExchange[i] = x
            let local = try scaled(l, localUnit, "local time")
            let isTrade = kind & 0x07 == 3 || kind & 0x07 == 4
            var sequence: UInt64 = 0
            if !isTrade {
                sequence = prevSequence[i] &+ UInt64(bitPattern: try sequences.signed()) &+ 1
                prevSequence[i] = sequence
            }
            let id = InstrumentId(i)
            let received = Timestamp(nanoseconds: local), exchange = Timestamp(nanoseconds: try scaled(x, exchangeUnit, "exchange time"))
            let raw = kind & 0x30
            switch kind & 0x07 {
            case 0, 1:
                let side: BookSide = kind & 0x07 == 0 ? .bid : .ask
                let (p, q) = try readValue(i, side: Int(kind & 0x07), raw: raw)
                out.append(.bookDelta(BookDelta(instrument: id, side: side, price: p, quantity: q, exchangeTime: exchange,
                                                receivedAt: received, sequence: sequence, endOfMessage: kind & 0x08 != 0)))
            case 2:
                let declaredBids = try extra.varint(), declaredAsks = try extra.varint()
                guard declaredBids <= 1_000_000, declaredAsks <= 1_000_000, declaredBids + declaredAsks <= 1_000_000 else {
                    throw RecordingError(.corrupt, "snapshot with \(declaredBids) + \(declaredAsks) levels (at most 1000000)")
                }
                let bidCount = Int(declaredBids), askCount = Int(declaredAsks)
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
                guard let statusKind = Self.statusKind(kind) else {
                    throw RecordingError(.corrupt, "unknown feed status kind byte 0x\(String(kind, radix: 16))")
                }
                out.append(.status(FeedStatus(kind: statusKind, instrument: id, receivedAt: received,
                                              sequence: sequence, count: count)))
            }
        }
    }
}

extension BlockCodec {
    /// A feed status's kind byte: 5, 6, 7 for gap, reconnect, resync (as since the first
    /// version); later kinds reuse 5, 6, 7 with bit 0x08 set (`stale` = 0x0D). Status
    /// events have no end-of-message flag, so the bit is free there.
    static func statusKindByte(_ kind: FeedStatus.Kind) -> UInt8 {
        let raw = kind.rawValue
        return (5 + raw % 3) | (raw >= 3 ? 0x08 : 0)
    }

    /// The kind a status byte names, or nil for one no version writes.
    static func statusKind(_ byte: UInt8) -> FeedStatus.Kind? {
        guard byte & 0x07 >= 5 else { return nil }
        return FeedStatus.Kind(rawValue: (byte & 0x07) - 5 + (byte & 0x08 != 0 ? 3 : 0))
    }
}
