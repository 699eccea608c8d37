import ArbCore
import ArbFeed

/// Binance's public market data (`../shared/exchanges.json`, `ws_book`, `ws_trades`,
/// `connection_rules`): combined streams `<symbol>@depth@100ms` and `<symbol>@trade`,
/// books kept in step with `GET /api/v3/depth` snapshots by update ids
/// (`UpdateIdBookSync`), `serverShutdown` and the 24-hour limit answered by a new
/// connection. Pings are answered by the framework (a pong with the ping's payload).
public final class BinanceFeed: VenueFeed {
    public struct Settings: Sendable, Hashable {
        /// Replaces scheme, host and port of `wss://stream.binance.com:9443` (paths kept).
        public var wsBase: FeedURL?
        /// Replaces scheme, host and port of `https://api.binance.com`.
        public var restBase: FeedURL?
        /// Levels per side of the REST snapshot: 5–5000 (its weight: 5, 25, 50 or 250).
        public var snapshotDepth: Int
        /// The diff stream's speed: 100 or 1000 ms.
        public var updateSpeedMs: Int
        /// Streams per connection (two per symbol). Binance allows 1,024; fewer keep URLs
        /// short and spread the load.
        public var streamsPerConnection: Int

        public init(wsBase: FeedURL? = nil, restBase: FeedURL? = nil, snapshotDepth: Int = 1_000, updateSpeedMs: Int = 100,
                    streamsPerConnection: Int = 200) {
            self.wsBase = wsBase; self.restBase = restBase; self.snapshotDepth = snapshotDepth
            self.updateSpeedMs = updateSpeedMs; self.streamsPerConnection = streamsPerConnection
        }
    }

    public static let documentedStreams = FeedURL(scheme: "wss", host: "stream.binance.com", port: 9443, pathAndQuery: "/stream")
    public static let documentedREST = FeedURL(scheme: "https", host: "api.binance.com", port: 443, pathAndQuery: "/")
    /// A connection is valid for 24 hours; a new one is opened a little before.
    public static let connectionLifetime: Duration = .seconds(24 * 3_600 - 300)

    public let venue = "binance"
    public let settings: Settings
    let instruments: [InstrumentId]
    let symbols: [String]
    let table: SymbolTable
    var syncs: [UpdateIdBookSync]
    /// Local index by instrument id (instrument ids are dense in a run, not per venue).
    var localIndex: [InstrumentId: Int] = [:]
    var plans: [FeedConnectionPlan] = []
    var everConnected: [Bool] = []
    var scratch: [FeedLevel] = []

    /// `instruments`: each instrument id with its Binance symbol (`BTCUSDT`).
    public init(instruments: [(id: InstrumentId, symbol: String)], settings: Settings = Settings()) {
        self.settings = settings
        self.instruments = instruments.map(\.id)
        symbols = instruments.map { $0.symbol.uppercased() }
        table = SymbolTable(symbols)
        syncs = instruments.map { UpdateIdBookSync(instrument: $0.id) }
        for (k, i) in instruments.enumerated() { localIndex[i.id] = k }
        scratch.reserveCapacity(10_000)
        let perConnection = max(1, settings.streamsPerConnection / 2)
        var start = 0
        while start < instruments.count {
            let end = min(instruments.count, start + perConnection)
            let streams = (start..<end).flatMap { k -> [String] in
                let s = symbols[k].lowercased()
                return ["\(s)@depth@\(settings.updateSpeedMs)ms", "\(s)@trade"]
            }
            let url = FeedURL(scheme: "wss", host: Self.documentedStreams.host, port: Self.documentedStreams.port,
                              pathAndQuery: "/stream?streams=" + streams.joined(separator: "/")).replacingBase(with: settings.wsBase)
            plans.append(FeedConnectionPlan(url: url, instruments: Array(self.instruments[start..<end]), maxLifetime: Self.connectionLifetime))
            start = end
        }
        everConnected = Array(repeating: false, count: plans.count)
    }

    public func connectionPlans() -> [FeedConnectionPlan] { plans }

    public func connected(_ connection: Int, at time: Timestamp, output: inout FeedOutput) {
        guard plans.indices.contains(connection) else { return }
        let again = everConnected[connection]
        everConnected[connection] = true
        for id in plans[connection].instruments {
            if let k = localIndex[id] { syncs[k].restart(at: time, marker: again ? .reconnect : nil, output: &output) }
        }
    }

    public func disconnected(_ connection: Int, at time: Timestamp, output: inout FeedOutput) {
        guard plans.indices.contains(connection) else { return }
        // Updates are lost from here: a gap (count unknown) empties the kernel's books
        // until the next snapshot, so nothing trades on them meanwhile.
        for id in plans[connection].instruments { if let k = localIndex[id] { syncs[k].suspend(at: time, output: &output) } }
    }

    public func resync(_ instrument: InstrumentId, at time: Timestamp, output: inout FeedOutput) {
        guard let k = localIndex[instrument] else { return }
        syncs[k].restart(at: time, marker: .resync, output: &output)
    }

    /// The sync state of one instrument (tests, the progress line).
    public func sync(of instrument: InstrumentId) -> UpdateIdBookSync? { localIndex[instrument].map { syncs[$0] } }

    // MARK: REST snapshot

    /// The documented weight of `GET /api/v3/depth` by `limit`.
    public static func depthWeight(limit: Int) -> Int {
        switch limit {
        case ...100: return 5
        case ...500: return 25
        case ...1_000: return 50
        default: return 250
        }
    }

    public func snapshotRequest(for instrument: InstrumentId) -> FeedHTTPRequest? {
        guard let k = localIndex[instrument] else { return nil }
        let url = FeedURL(scheme: "https", host: Self.documentedREST.host, port: Self.documentedREST.port,
                          pathAndQuery: "/api/v3/depth?symbol=\(symbols[k])&limit=\(settings.snapshotDepth)").replacingBase(with: settings.restBase)
        return FeedHTTPRequest(url: url, endpoint: "GET /api/v3/depth", weight: Self.depthWeight(limit: settings.snapshotDepth))
    }

    public func receiveSnapshot(_ body: UnsafeRawBufferPointer, for instrument: InstrumentId, receivedAt: Timestamp, output: inout FeedOutput) {
        guard let k = localIndex[instrument] else { return }
        var c = JSONCursor(body)
        var lastUpdateId: UInt64?
        var bids: [BookLevel] = [], asks: [BookLevel] = []
        if c.beginObject() {
            while let key = c.nextKey() {
                if c.key(key, is: "lastUpdateId") { lastUpdateId = c.unsignedInteger() }
                else if c.key(key, is: "bids") { readLevels(&c, into: &bids) }
                else if c.key(key, is: "asks") { readLevels(&c, into: &asks) }
                else { c.skipValue() }
            }
        }
        guard !c.failed, c.atEnd(), let id = lastUpdateId else {
            output.malformed("binance \(symbols[k]) depth snapshot is not {lastUpdateId, bids, asks}: \(FeedParsing.excerpt(body))")
            // Asked again: the book cannot start without one.
            syncs[k].cancelSnapshotRequest()
            output.snapshotRequests.append(instrument)
            return
        }
        syncs[k].snapshot(lastUpdateId: id, bids: bids, asks: asks, exchangeTime: receivedAt, receivedAt: receivedAt, output: &output)
    }

    func readLevels(_ c: inout JSONCursor, into levels: inout [BookLevel]) {
        guard c.beginArray() else { return }
        while c.nextElement() {
            guard let (p, q) = level(&c) else { return }
            levels.append(BookLevel(price: Price(raw: p), quantity: Quantity(raw: q)))
        }
    }

    /// `["price","quantity"]`: a positive price and a non-negative quantity.
    @inline(__always)
    func level(_ c: inout JSONCursor) -> (Int64, Int64)? {
        guard c.beginArray(), c.nextElement(), let p = c.decimal(), c.nextElement(), let q = c.decimal() else { return nil }
        // Binance's levels have two entries; anything after is skipped.
        while c.nextElement() { c.skipValue() }
        guard !c.failed, p > 0, q >= 0 else { return nil }
        return (p, q)
    }

    // MARK: stream messages

    public func receive(_ frame: UnsafeRawBufferPointer, connection: Int, receivedAt: Timestamp, output: inout FeedOutput) {
        output.counters.messages += 1
        // The whole message is read before anything is applied: a truncated or damaged
        // one changes nothing.
        var c = JSONCursor(frame)
        var event = ParsedEvent()
        var found = false
        if c.beginObject() {
            while let key = c.nextKey() {
                if c.key(key, is: "data") || c.key(key, is: "event") {
                    // Combined stream `{"stream":…,"data":{…}}`; a connection event `{"event":{…}}`.
                    found = parse(&c, into: &event)
                } else if c.key(key, is: "e") {
                    // A raw stream (`/ws/…`): the event is the whole message.
                    var whole = JSONCursor(frame)
                    found = parse(&whole, into: &event)
                    c = whole
                    break
                } else if c.key(key, is: "error") {
                    output.malformed("binance answered an error: \(FeedParsing.excerpt(frame))")
                    return
                } else {
                    c.skipValue()
                }
            }
        }
        guard !c.failed, c.atEnd() else { output.malformed("binance: malformed message: \(FeedParsing.excerpt(frame))"); return }
        guard found else { output.counters.ignored += 1; return }  // `{"result":null,"id":1}` and the like
        apply(event, c, frame, receivedAt: receivedAt, output: &output)
    }

    /// One event's fields, read; levels are in `scratch`.
    struct ParsedEvent {
        enum Kind { case unknown, depth, trade, shutdown }
        var kind = Kind.unknown
        var eventTime: Int64 = -1
        var symbol: Range<Int>? = nil
        var first: UInt64 = 0, last: UInt64 = 0, haveFirst = false, haveLast = false
        var price: Int64 = -1, quantity: Int64 = -1, tradeId: UInt64 = 0, tradeTime: Int64 = -1
        var buyerMaker: Bool? = nil
        var badLevel = false
    }

    /// Reads one event object (`depthUpdate`, `trade`, `serverShutdown`, or another
    /// kind, left unknown): false if it is not an object or a value is malformed.
    func parse(_ c: inout JSONCursor, into e: inout ParsedEvent) -> Bool {
        scratch.removeAll(keepingCapacity: true)
        guard c.beginObject() else { return false }
        while let key = c.nextKey() {
            // One-byte keys are the events' own.
            if key.count == 1 {
                switch c.bytes(key)[0] {
                case 0x65:  // e
                    guard let r = c.string() else { return false }
                    if c.key(r, is: "depthUpdate") { e.kind = .depth }
                    else if c.key(r, is: "trade") { e.kind = .trade }
                    else if c.key(r, is: "serverShutdown") { e.kind = .shutdown }
                case 0x45: e.eventTime = c.integer() ?? -1  // E
                case 0x73: e.symbol = c.string()  // s
                case 0x55: e.first = c.unsignedInteger() ?? 0; e.haveFirst = true  // U
                case 0x75: e.last = c.unsignedInteger() ?? 0; e.haveLast = true  // u
                case 0x62: e.badLevel = !levels(&c, side: .bid) || e.badLevel  // b
                case 0x61: e.badLevel = !levels(&c, side: .ask) || e.badLevel  // a
                case 0x70: e.price = c.decimal() ?? -1  // p
                case 0x71: e.quantity = c.decimal() ?? -1  // q
                case 0x74: e.tradeId = c.unsignedInteger() ?? 0  // t
                case 0x54: e.tradeTime = c.integer() ?? -1  // T
                case 0x6D: e.buyerMaker = c.boolean()  // m
                default: c.skipValue()
                }
            } else {
                c.skipValue()
            }
            if c.failed { return false }
        }
        return !c.failed
    }

    func apply(_ e: ParsedEvent, _ c: JSONCursor, _ frame: UnsafeRawBufferPointer, receivedAt: Timestamp, output: inout FeedOutput) {
        switch e.kind {
        case .unknown: output.counters.ignored += 1; return
        case .shutdown: output.reconnectRequested = true; return
        case .depth, .trade: break
        }
        guard let symbol = e.symbol else { output.malformed("binance: event without a symbol: \(FeedParsing.excerpt(frame))"); return }
        guard let k = table.lookup(c.bytes(symbol)).map(Int.init) else {
            output.unknownSymbol("binance: no subscription for symbol '\(c.text(symbol))'")
            return
        }
        let time = FeedParsing.timestamp(milliseconds: e.kind == .trade && e.tradeTime >= 0 ? e.tradeTime : e.eventTime)
        guard let exchangeTime = time else {
            output.malformed("binance \(symbols[k]): event time missing or out of range: \(FeedParsing.excerpt(frame))")
            return
        }
        if e.kind == .depth {
            guard e.haveFirst, e.haveLast, !e.badLevel, e.last >= e.first else {
                output.malformed("binance \(symbols[k]): depthUpdate without U ≤ u or with a bad level: \(FeedParsing.excerpt(frame))")
                return
            }
            scratch.withUnsafeBufferPointer {
                syncs[k].diff(first: e.first, last: e.last, levels: $0, exchangeTime: exchangeTime, receivedAt: receivedAt, output: &output)
            }
        } else {
            guard e.price > 0, e.quantity > 0, let buyerMaker = e.buyerMaker else {
                output.malformed("binance \(symbols[k]): trade without a positive price and quantity, or m: \(FeedParsing.excerpt(frame))")
                return
            }
            output.counters.trades += 1
            // m: the buyer was the maker, so the taker sold.
            output.events.append(.trade(Trade(instrument: instruments[k], price: Price(raw: e.price), quantity: Quantity(raw: e.quantity),
                                              takerSide: buyerMaker ? .sell : .buy, exchangeTime: exchangeTime, receivedAt: receivedAt,
                                              tradeId: e.tradeId)))
        }
    }

    /// `[["p","q"],…]` into `scratch`; false if any level is malformed.
    @inline(__always)
    func levels(_ c: inout JSONCursor, side: BookSide) -> Bool {
        guard c.beginArray() else { return false }
        while c.nextElement() {
            guard let (p, q) = level(&c) else { return false }
            scratch.append(FeedLevel(side: side, price: p, quantity: q))
        }
        return !c.failed
    }
}
