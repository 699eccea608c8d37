import ArbCore
import ArbFeed

/// Upbit's public market data (`../shared/exchanges.json`, `ws_book`, `ws_trades`):
/// one connection to `wss://api.upbit.com/websocket/v1`, the documented
/// ticket/type/codes subscription for `orderbook` and `trade`, binary frames of JSON.
///
/// Every orderbook message is the whole top-N book (no update id). The first one for an
/// instrument (`stream_type` SNAPSHOT, or the first after a resync) goes to the kernel
/// as a snapshot; later ones as the level changes against the previous message (levels
/// gone become zero), which is the same book with no allocation per message and a
/// fraction of the recorder's bytes.
public final class UpbitFeed: VenueFeed {
    public struct Settings: Sendable, Hashable {
        /// Replaces scheme, host and port of `wss://api.upbit.com` (the path is kept).
        public var wsBase: FeedURL?
        /// Levels per side: 1, 5, 15 or 30 (nil: the venue's default, 30).
        public var depth: Int?
        /// The subscription's ticket (any unique text).
        public var ticket: String

        public init(wsBase: FeedURL? = nil, depth: Int? = nil, ticket: String = "arbor") {
            self.wsBase = wsBase; self.depth = depth; self.ticket = ticket
        }
    }

    public static let documentedEndpoint = FeedURL(scheme: "wss", host: "api.upbit.com", port: 443, pathAndQuery: "/websocket/v1")
    /// The depths Upbit offers per `{code}.{n}`.
    public static let depths = [1, 5, 15, 30]

    public let venue = "upbit"
    public let settings: Settings
    let instruments: [InstrumentId]
    let codes: [String]
    let table: SymbolTable
    var localIndex: [InstrumentId: Int] = [:]
    /// The previous message's book per instrument (best first on each side), and whether
    /// the kernel holds it (false: the next message goes as a snapshot).
    var previousBids: [[FeedLevel]]
    var previousAsks: [[FeedLevel]]
    var synced: [Bool]
    var bids: [FeedLevel] = [], asks: [FeedLevel] = []

    /// `instruments`: each instrument id with its Upbit code (`KRW-BTC`).
    public init(instruments: [(id: InstrumentId, symbol: String)], settings: Settings = Settings()) {
        self.settings = settings
        self.instruments = instruments.map(\.id)
        codes = instruments.map { $0.symbol.uppercased() }
        table = SymbolTable(codes)
        for (k, i) in instruments.enumerated() { localIndex[i.id] = k }
        previousBids = Array(repeating: [], count: instruments.count)
        previousAsks = Array(repeating: [], count: instruments.count)
        for k in instruments.indices { previousBids[k].reserveCapacity(30); previousAsks[k].reserveCapacity(30) }
        synced = Array(repeating: false, count: instruments.count)
        bids.reserveCapacity(64); asks.reserveCapacity(64)
    }

    /// The documented subscription: `[{"ticket":…},{"type":"orderbook","codes":[…]},
    /// {"type":"trade","codes":[…]},{"format":"DEFAULT"}]`.
    public var subscription: String {
        let suffix = settings.depth.map { ".\($0)" } ?? ""
        let books = codes.map { JSONText.quote($0 + suffix) }.joined(separator: ","), trades = codes.map(JSONText.quote).joined(separator: ",")
        return "[{\"ticket\":\(JSONText.quote(settings.ticket))},{\"type\":\"orderbook\",\"codes\":[\(books)]},"
            + "{\"type\":\"trade\",\"codes\":[\(trades)]},{\"format\":\"DEFAULT\"}]"
    }

    public func connectionPlans() -> [FeedConnectionPlan] {
        guard !instruments.isEmpty else { return [] }
        return [FeedConnectionPlan(url: Self.documentedEndpoint.replacingBase(with: settings.wsBase), subscribeFrames: [subscription],
                                   instruments: instruments)]
    }

    public func connected(_ connection: Int, at time: Timestamp, output: inout FeedOutput) {
        // The subscription's first message per code is a SNAPSHOT: the book starts there.
        for k in synced.indices { synced[k] = false }
    }

    public func disconnected(_ connection: Int, at time: Timestamp, output: inout FeedOutput) {
        for k in instruments.indices {
            if synced[k] { output.counters.gaps += 1 }
            synced[k] = false
            // The kernel empties the book until the next message after the reconnect.
            output.events.append(.status(FeedStatus(kind: .gap, instrument: instruments[k], receivedAt: time)))
        }
    }

    public func resync(_ instrument: InstrumentId, at time: Timestamp, output: inout FeedOutput) {
        guard let k = localIndex[instrument] else { return }
        synced[k] = false
        output.counters.resyncs += 1
        output.events.append(.status(FeedStatus(kind: .resync, instrument: instrument, receivedAt: time)))
    }

    /// Upbit's books come whole in every message: no REST snapshot.
    public func snapshotRequest(for instrument: InstrumentId) -> FeedHTTPRequest? { nil }
    public func receiveSnapshot(_ body: UnsafeRawBufferPointer, for instrument: InstrumentId, receivedAt: Timestamp, output: inout FeedOutput) {}

    // MARK: messages

    struct Parsed {
        enum Kind { case unknown, orderbook, trade, status }
        var kind = Kind.unknown
        var code: Range<Int>? = nil
        var timestamp: Int64 = -1, tradeTimestamp: Int64 = -1
        var snapshot = false
        var price: Int64 = -1, volume: Int64 = -1
        var askBid: Side? = nil
        var sequentialId: UInt64 = 0
        var badUnit = false, haveUnits = false
        var error: Range<Int>? = nil
    }

    public func receive(_ frame: UnsafeRawBufferPointer, connection: Int, receivedAt: Timestamp, output: inout FeedOutput) {
        output.counters.messages += 1
        var c = JSONCursor(frame)
        var m = Parsed()
        bids.removeAll(keepingCapacity: true); asks.removeAll(keepingCapacity: true)
        if c.beginObject() {
            while let key = c.nextKey() {
                switch key.count {
                case 4 where c.key(key, is: "type"):
                    guard let r = c.string() else { break }
                    if c.key(r, is: "orderbook") { m.kind = .orderbook } else if c.key(r, is: "trade") { m.kind = .trade }
                case 4 where c.key(key, is: "code"): m.code = c.string()
                case 9 where c.key(key, is: "timestamp"): m.timestamp = c.integer() ?? -1
                case 11 where c.key(key, is: "stream_type"):
                    if let r = c.string() { m.snapshot = c.key(r, is: "SNAPSHOT") }
                case 15 where c.key(key, is: "orderbook_units"): m.haveUnits = true; m.badUnit = !units(&c)
                case 11 where c.key(key, is: "trade_price"): m.price = c.decimal() ?? -1
                case 12 where c.key(key, is: "trade_volume"): m.volume = c.decimal() ?? -1
                case 7 where c.key(key, is: "ask_bid"):
                    if let r = c.string() { m.askBid = c.key(r, is: "ASK") ? .sell : c.key(r, is: "BID") ? .buy : nil }
                case 13 where c.key(key, is: "sequential_id"): m.sequentialId = c.unsignedInteger() ?? 0
                case 15 where c.key(key, is: "trade_timestamp"): m.tradeTimestamp = c.integer() ?? -1
                case 6 where c.key(key, is: "status"): m.kind = .status; c.skipValue()
                case 5 where c.key(key, is: "error"): m.error = key; c.skipValue()
                default: c.skipValue()
                }
                if c.failed { break }
            }
        }
        guard !c.failed, c.atEnd() else { output.malformed("upbit: malformed message: \(FeedParsing.excerpt(frame))"); return }
        if m.error != nil { output.malformed("upbit answered an error: \(FeedParsing.excerpt(frame))"); return }
        switch m.kind {
        case .unknown, .status: output.counters.ignored += 1; return  // `{"status":"UP"}` answers a PING
        case .orderbook, .trade: break
        }
        guard let code = m.code else { output.malformed("upbit: \(m.kind) without a code: \(FeedParsing.excerpt(frame))"); return }
        guard let k = table.lookup(c.bytes(code)).map(Int.init) else {
            output.unknownSymbol("upbit: no subscription for code '\(c.text(code))'")
            return
        }
        let time = FeedParsing.timestamp(milliseconds: m.kind == .trade && m.tradeTimestamp >= 0 ? m.tradeTimestamp : m.timestamp)
        guard let exchangeTime = time else {
            output.malformed("upbit \(codes[k]): timestamp missing or out of range: \(FeedParsing.excerpt(frame))")
            return
        }
        if m.kind == .trade {
            guard m.price > 0, m.volume > 0, let side = m.askBid else {
                output.malformed("upbit \(codes[k]): trade without a positive price and volume, or ask_bid: \(FeedParsing.excerpt(frame))")
                return
            }
            output.counters.trades += 1
            // ask_bid follows the taker: ASK = the taker sold.
            output.events.append(.trade(Trade(instrument: instruments[k], price: Price(raw: m.price), quantity: Quantity(raw: m.volume),
                                              takerSide: side, exchangeTime: exchangeTime, receivedAt: receivedAt, tradeId: m.sequentialId)))
            return
        }
        guard m.haveUnits, !m.badUnit else {
            output.malformed("upbit \(codes[k]): orderbook without valid orderbook_units: \(FeedParsing.excerpt(frame))")
            return
        }
        book(k, snapshot: m.snapshot, exchangeTime: exchangeTime, receivedAt: receivedAt, output: &output)
    }

    /// `[{"ask_price":…,"bid_price":…,"ask_size":…,"bid_size":…},…]` into `bids`/`asks`,
    /// best first; a unit whose side has no price or size adds nothing on that side.
    func units(_ c: inout JSONCursor) -> Bool {
        guard c.beginArray() else { return false }
        while c.nextElement() {
            guard c.beginObject() else { return false }
            var ap: Int64 = 0, bp: Int64 = 0, az: Int64 = 0, bz: Int64 = 0
            while let key = c.nextKey() {
                if c.key(key, is: "ask_price") { ap = c.decimal() ?? -1 }
                else if c.key(key, is: "bid_price") { bp = c.decimal() ?? -1 }
                else if c.key(key, is: "ask_size") { az = c.decimal() ?? -1 }
                else if c.key(key, is: "bid_size") { bz = c.decimal() ?? -1 }
                else { c.skipValue() }
            }
            guard !c.failed, ap >= 0, bp >= 0, az >= 0, bz >= 0 else { return false }
            if ap > 0 && az > 0 { asks.append(FeedLevel(side: .ask, price: ap, quantity: az)) }
            if bp > 0 && bz > 0 { bids.append(FeedLevel(side: .bid, price: bp, quantity: bz)) }
        }
        return !c.failed
    }

    func book(_ k: Int, snapshot: Bool, exchangeTime: Timestamp, receivedAt: Timestamp, output: inout FeedOutput) {
        output.counters.bookUpdates += 1
        if snapshot || !synced[k] {
            output.counters.snapshots += 1
            output.events.append(.bookSnapshot(BookSnapshot(
                instrument: instruments[k], bids: bids.map { BookLevel(price: Price(raw: $0.price), quantity: Quantity(raw: $0.quantity)) },
                asks: asks.map { BookLevel(price: Price(raw: $0.price), quantity: Quantity(raw: $0.quantity)) },
                exchangeTime: exchangeTime, receivedAt: receivedAt)))
            synced[k] = true
        } else {
            let start = output.events.count
            changes(previousBids[k], bids, instrument: instruments[k], exchangeTime: exchangeTime, receivedAt: receivedAt, output: &output)
            changes(previousAsks[k], asks, instrument: instruments[k], exchangeTime: exchangeTime, receivedAt: receivedAt, output: &output)
            if output.events.count > start, case .bookDelta(var last) = output.events[output.events.count - 1] {
                last.endOfMessage = true
                output.events[output.events.count - 1] = .bookDelta(last)
            }
        }
        previousBids[k].removeAll(keepingCapacity: true); previousBids[k].append(contentsOf: bids)
        previousAsks[k].removeAll(keepingCapacity: true); previousAsks[k].append(contentsOf: asks)
    }

    /// Deltas turning `old` into `new` (one side): levels gone go to zero, new or changed
    /// levels to their size. The books are small (≤ 30 a side): a scan, no hashing.
    func changes(_ old: [FeedLevel], _ new: [FeedLevel], instrument: InstrumentId, exchangeTime: Timestamp, receivedAt: Timestamp,
                 output: inout FeedOutput) {
        for o in old where !new.contains(where: { $0.price == o.price }) {
            output.events.append(.bookDelta(BookDelta(instrument: instrument, side: o.side, price: Price(raw: o.price), quantity: Quantity(raw: 0),
                                                      exchangeTime: exchangeTime, receivedAt: receivedAt, endOfMessage: false)))
        }
        for n in new where !old.contains(n) {
            output.events.append(.bookDelta(BookDelta(instrument: instrument, side: n.side, price: Price(raw: n.price), quantity: Quantity(raw: n.quantity),
                                                      exchangeTime: exchangeTime, receivedAt: receivedAt, endOfMessage: false)))
        }
    }
}
