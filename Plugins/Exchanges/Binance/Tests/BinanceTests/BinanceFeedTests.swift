import ArbCore
import ArbFeed
import Testing
@testable import Binance

/// The kernel's view of the feed's events: books as `Kernel.handle` keeps them (a gap or
/// a resync empties the book until the next snapshot).
struct BookMirror {
    var books: [OrderBook]
    var events: [MarketEvent] = []
    init(count: Int) { books = Array(repeating: OrderBook(), count: count) }
    mutating func apply(_ output: FeedOutput) {
        for e in output.events {
            events.append(e)
            let i = e.instrument.index
            switch e {
            case .bookDelta(let d): books[i].apply(d.side, price: d.price, quantity: d.quantity); books[i].sequence = d.sequence
            case .bookSnapshot(let s): books[i].replace(bids: s.bids, asks: s.asks); books[i].sequence = s.sequence
            case .trade: break
            case .status(let s): if s.kind != .reconnect { books[i].clear() }
            }
        }
    }
    func levels(_ i: Int, _ side: BookSide) -> [String] {
        (0..<books[i].depth(side)).map { let l = books[i].level(side, $0); return "\(l.price)@\(l.quantity)" }
    }
}

/// A Binance feed on BNBBTC (id 0) and BTCUSDT (id 1) and the kernel's view of it.
final class BinanceFeedHarness {
    let feed = BinanceFeed(instruments: [(InstrumentId(0), "BNBBTC"), (InstrumentId(1), "BTCUSDT")],
                           settings: .init(snapshotDepth: 100))
    var output = FeedOutput()
    var mirror = BookMirror(count: 2)
    var requests: [InstrumentId] = []
    var clock: Int64 = 1_672_515_782_000_000_000

    func now() -> Timestamp { clock += 1_000_000; return Timestamp(nanoseconds: clock) }
    func finish() { mirror.apply(output); requests += output.snapshotRequests }

    func connect() { output.startMessage(); feed.connected(0, at: now(), output: &output); finish() }
    func disconnect() { output.startMessage(); feed.disconnected(0, at: now(), output: &output); finish() }
    func receive(_ text: String) {
        output.startMessage()
        Array(text.utf8).withUnsafeBytes { feed.receive($0, connection: 0, receivedAt: now(), output: &output) }
        finish()
    }
    func snapshot(_ id: Int, _ text: String) {
        output.startMessage()
        Array(text.utf8).withUnsafeBytes { feed.receiveSnapshot($0, for: InstrumentId(id), receivedAt: now(), output: &output) }
        finish()
    }

    /// A combined-stream depth diff in the documented format.
    static func diff(_ symbol: String = "BNBBTC", U: Int, u: Int, bids: [(String, String)] = [], asks: [(String, String)] = []) -> String {
        func side(_ l: [(String, String)]) -> String { "[" + l.map { "[\"\($0.0)\",\"\($0.1)\"]" }.joined(separator: ",") + "]" }
        return #"{"stream":"\#(symbol.lowercased())@depth@100ms","data":{"e":"depthUpdate","E":1672515782136,"s":"\#(symbol)","U":\#(U),"u":\#(u),"b":\#(side(bids)),"a":\#(side(asks))}}"#
    }
    static func snapshot(lastUpdateId: Int, bids: [(String, String)], asks: [(String, String)]) -> String {
        func side(_ l: [(String, String)]) -> String { "[" + l.map { "[\"\($0.0)\",\"\($0.1)\"]" }.joined(separator: ",") + "]" }
        return #"{"lastUpdateId":\#(lastUpdateId),"bids":\#(side(bids)),"asks":\#(side(asks))}"#
    }
}

@Suite("Binance feed: parsing and the documented book sync")
struct BinanceFeedTests {
    @Test("one combined stream per 100 symbols, depth and trade streams, the documented snapshot URL and weight")
    func plans() throws {
        let many = (0..<250).map { (id: InstrumentId($0), symbol: "SYM\($0)USDT") }
        let feed = BinanceFeed(instruments: many, settings: .init(wsBase: try FeedURL.parse("ws://127.0.0.1:9000", allowedSchemes: ["ws"]).get(),
                                                                  snapshotDepth: 1_000))
        let plans = feed.connectionPlans()
        #expect(plans.map { $0.instruments.count } == [100, 100, 50])
        #expect(plans[0].url.description.hasPrefix("ws://127.0.0.1:9000/stream?streams=sym0usdt@depth@100ms/sym0usdt@trade/sym1usdt@depth@100ms"))
        #expect(plans[0].maxLifetime! < .seconds(24 * 3_600))
        let request = try #require(feed.snapshotRequest(for: InstrumentId(3)))
        #expect(request.url.description == "https://api.binance.com/api/v3/depth?symbol=SYM3USDT&limit=1000")
        #expect(request.weight == 50 && request.endpoint == "GET /api/v3/depth")
        #expect([5, 100, 101, 500, 1_000, 5_000].map(BinanceFeed.depthWeight) == [5, 5, 25, 25, 50, 250])
    }

    @Test("normal flow: buffer from the connection, snapshot, drop what it holds, apply the rest; the book matches level by level")
    func normalFlow() {
        let h = BinanceFeedHarness()
        h.connect()
        #expect(h.requests == [InstrumentId(0), InstrumentId(1)])
        h.receive(BinanceFeedHarness.diff(U: 150, u: 155, bids: [("0.0024", "5")]))
        h.receive(BinanceFeedHarness.diff(U: 156, u: 160, bids: [("0.0024", "10")], asks: [("0.0026", "100")]))
        h.snapshot(0, BinanceFeedHarness.snapshot(lastUpdateId: 157, bids: [("0.0024", "7"), ("0.0023", "1")], asks: [("0.0026", "50"), ("0.0027", "3")]))
        #expect(h.output.counters.outdated == 1)
        h.receive(BinanceFeedHarness.diff(U: 161, u: 162, bids: [("0.0023", "0")], asks: [("0.0025", "2")]))
        #expect(h.mirror.levels(0, .bid) == ["0.0024@10"])
        #expect(h.mirror.levels(0, .ask) == ["0.0025@2", "0.0026@100", "0.0027@3"])
        #expect(h.feed.sync(of: InstrumentId(0))?.lastUpdateId == 162)
        // Book events carry u as their sequence; the snapshot its lastUpdateId.
        let sequences = h.mirror.events.compactMap { e -> UInt64? in if case .status = e { return nil }; return e.feedSequence }
        #expect(sequences == [157, 160, 160, 162, 162])
        #expect(h.output.counters.malformed == 0 && h.output.counters.gaps == 0)
    }

    @Test("a sequence gap marks the book invalid, fetches the snapshot again, and the book is right afterwards")
    func gap() {
        let h = BinanceFeedHarness()
        h.connect()
        h.snapshot(0, BinanceFeedHarness.snapshot(lastUpdateId: 100, bids: [("1.0", "1")], asks: [("2.0", "1")]))
        h.receive(BinanceFeedHarness.diff(U: 101, u: 105, bids: [("1.1", "3")]))
        h.requests.removeAll()
        h.receive(BinanceFeedHarness.diff(U: 110, u: 112, bids: [("1.2", "4")]))
        #expect(h.output.counters.gaps == 1 && h.output.counters.resyncs == 1)
        #expect(h.mirror.books[0].isEmpty, "the kernel's book is emptied until the snapshot")
        #expect(h.requests == [InstrumentId(0)])
        guard case .status(let gap) = h.mirror.events[h.mirror.events.count - 2] else { Issue.record("no gap marker"); return }
        #expect(gap.kind == .gap && gap.sequence == 106 && gap.count == 4)
        h.receive(BinanceFeedHarness.diff(U: 113, u: 115, asks: [("2.0", "0"), ("2.1", "9")]))
        h.snapshot(0, BinanceFeedHarness.snapshot(lastUpdateId: 111, bids: [("1.2", "4"), ("1.1", "3"), ("1.0", "1")], asks: [("2.0", "1")]))
        #expect(h.mirror.levels(0, .bid) == ["1.2@4", "1.1@3", "1@1"])
        #expect(h.mirror.levels(0, .ask) == ["2.1@9"])
        #expect(h.feed.sync(of: InstrumentId(0))?.phase == .live)
    }

    @Test("a snapshot older than the first buffered update is fetched again")
    func staleSnapshot() {
        let h = BinanceFeedHarness()
        h.connect()
        h.receive(BinanceFeedHarness.diff(U: 200, u: 205, bids: [("1.0", "2")]))
        h.requests.removeAll()
        h.snapshot(0, BinanceFeedHarness.snapshot(lastUpdateId: 150, bids: [("1.0", "1")], asks: []))
        #expect(h.output.counters.staleSnapshots == 1)
        #expect(h.requests == [InstrumentId(0)])
        #expect(h.mirror.books[0].isEmpty)
        h.snapshot(0, BinanceFeedHarness.snapshot(lastUpdateId: 203, bids: [("1.0", "1")], asks: [("3.0", "1")]))
        #expect(h.mirror.levels(0, .bid) == ["1@2"])
        #expect(h.feed.sync(of: InstrumentId(0))?.lastUpdateId == 205)
    }

    @Test("a dropped connection empties the books until the reconnect's new snapshot")
    func reconnect() {
        let h = BinanceFeedHarness()
        h.connect()
        h.snapshot(0, BinanceFeedHarness.snapshot(lastUpdateId: 10, bids: [("1.0", "1")], asks: [("2.0", "1")]))
        h.disconnect()
        #expect(h.mirror.books[0].isEmpty)
        h.requests.removeAll()
        h.connect()
        #expect(h.requests == [InstrumentId(0), InstrumentId(1)])
        let kinds = h.mirror.events.compactMap { e -> FeedStatus.Kind? in if case .status(let s) = e, s.instrument.index == 0 { return s.kind }; return nil }
        #expect(kinds == [.gap, .reconnect])
        h.snapshot(0, BinanceFeedHarness.snapshot(lastUpdateId: 40, bids: [("1.5", "1")], asks: [("2.0", "1")]))
        #expect(h.mirror.levels(0, .bid) == ["1.5@1"])
    }

    @Test("trades: m = buyer is maker, so the taker sold; trade time is the exchange time")
    func trades() throws {
        let h = BinanceFeedHarness()
        h.receive(#"{"stream":"bnbbtc@trade","data":{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782130,"m":true,"M":true}}"#)
        h.receive(#"{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":7,"p":"30000.5","q":"0.01","T":1672515782131,"m":false,"M":true}"#)
        let trades = h.mirror.events.compactMap { e -> Trade? in if case .trade(let t) = e { return t }; return nil }
        try #require(trades.count == 2)
        #expect(trades[0].takerSide == .sell && trades[0].price == Price(raw: 1_000_000) && trades[0].quantity == Quantity(units: 100) && trades[0].tradeId == 12345)
        #expect(trades[0].exchangeTime == Timestamp(nanoseconds: 1_672_515_782_130_000_000))
        #expect(trades[1].takerSide == .buy && trades[1].instrument == InstrumentId(1))
    }

    @Test("serverShutdown asks for a new connection; subscription answers are ignored")
    func control() {
        let h = BinanceFeedHarness()
        h.receive(#"{"stream":"!shutdown","data":{"e":"serverShutdown","E":1770123456789}}"#)
        #expect(h.output.reconnectRequested)
        h.receive(#"{"event":{"e":"serverShutdown","E":1770123456789}}"#)
        #expect(h.output.reconnectRequested)
        h.receive(#"{"result":null,"id":1}"#)
        #expect(!h.output.reconnectRequested && h.output.counters.ignored == 1 && h.output.counters.malformed == 0)
    }

    @Test("a malformed message is counted and skipped; the book and its sync are untouched", arguments: [
        "", "not json", "[]", "{", #"{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,"b":[["0.1"]],"a":[]}}"#,
        #"{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,"b":[["abc","1"]],"a":[]}}"#,
        #"{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,"b":[["-1","1"]],"a":[]}}"#,
        #"{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"BNBBTC","U":5,"u":2,"b":[],"a":[]}}"#,
        #"{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"BNBBTC","u":2,"b":[],"a":[]}}"#,
        #"{"stream":"x","data":{"e":"depthUpdate","E":99999999999999999,"s":"BNBBTC","U":1,"u":2,"b":[],"a":[]}}"#,
        #"{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,"b":[["1","99999999999999"]],"a":[]}}"#,
        #"{"stream":"x","data":{"e":"trade","E":1,"s":"BNBBTC","t":1,"p":"0","q":"1","T":1,"m":true}}"#,
        #"{"stream":"x","data":{"e":"trade","E":1,"s":"BNBBTC","t":1,"p":"1","q":"1","T":1}}"#,
        #"{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,"b":[],"a":[]}"#,
        #"{"error":{"code":2,"msg":"Invalid request"},"id":1}"#,
    ])
    func malformed(message: String) {
        let h = BinanceFeedHarness()
        h.connect()
        h.snapshot(0, BinanceFeedHarness.snapshot(lastUpdateId: 0, bids: [("1.0", "1")], asks: [("2.0", "1")]))
        let before = h.mirror.events.count
        h.receive(message)
        #expect(h.output.counters.malformed == 1, "\(message)")
        #expect(h.mirror.events.count == before)
        #expect(h.mirror.levels(0, .bid) == ["1@1"] && h.feed.sync(of: InstrumentId(0))?.lastUpdateId == 0)
        // The next good message is applied as usual.
        h.receive(BinanceFeedHarness.diff(U: 1, u: 3, bids: [("1.0", "4")]))
        #expect(h.mirror.levels(0, .bid) == ["1@4"])
    }

    @Test("a symbol not subscribed is counted, not applied; an unusable snapshot is asked for again")
    func unknownAndBadSnapshot() {
        let h = BinanceFeedHarness()
        h.connect()
        h.receive(BinanceFeedHarness.diff("ETHBTC", U: 1, u: 2, bids: [("1", "1")]))
        #expect(h.output.counters.unknownSymbols == 1)
        h.requests.removeAll()
        h.snapshot(0, #"{"lastUpdateId":"x","bids":[],"asks":[]}"#)
        #expect(h.output.counters.malformed == 1 && h.requests == [InstrumentId(0)])
    }
}
