import ArbCore
import ArbFeed
import Testing
@testable import Upbit

/// An Upbit feed on KRW-BTC (id 0) and KRW-USDT (id 1), and books as the kernel keeps them.
final class UpbitFeedHarness {
    let feed = UpbitFeed(instruments: [(InstrumentId(0), "KRW-BTC"), (InstrumentId(1), "KRW-USDT")], settings: .init(depth: 15, ticket: "t1"))
    var output = FeedOutput()
    var books = [OrderBook(), OrderBook()]
    var events: [MarketEvent] = []
    var clock: Int64 = 1_584_486_737_000_000_000

    func apply() {
        for e in output.events {
            events.append(e)
            let i = e.instrument.index
            switch e {
            case .bookDelta(let d): books[i].apply(d.side, price: d.price, quantity: d.quantity)
            case .bookSnapshot(let s): books[i].replace(bids: s.bids, asks: s.asks)
            case .trade: break
            case .status(let s): if s.kind != .reconnect { books[i].clear() }
            }
        }
    }
    func receive(_ text: String) {
        output.startMessage()
        clock += 1_000_000
        Array(text.utf8).withUnsafeBytes { feed.receive($0, connection: 0, receivedAt: Timestamp(nanoseconds: clock), output: &output) }
        apply()
    }
    func levels(_ i: Int, _ side: BookSide) -> [String] {
        (0..<books[i].depth(side)).map { let l = books[i].level(side, $0); return "\(l.price)@\(l.quantity)" }
    }

    /// An orderbook message in the documented DEFAULT format; units are (ask, askSize, bid, bidSize).
    static func book(code: String = "KRW-BTC", _ units: [(String, String, String, String)], type: String = "REALTIME") -> String {
        let u = units.map { #"{"ask_price":\#($0.0),"bid_price":\#($0.2),"ask_size":\#($0.1),"bid_size":\#($0.3)}"# }.joined(separator: ",")
        return #"{"type":"orderbook","code":"\#(code)","timestamp":1584486737444,"total_ask_size":16.76384456,"total_bid_size":168.9020623,"orderbook_units":[\#(u)],"stream_type":"\#(type)","level":0}"#
    }
}

@Suite("Upbit feed: subscription, whole-book messages, trades")
struct UpbitFeedTests {
    @Test("the documented ticket/type/codes subscription on /websocket/v1, with the depth suffix")
    func subscription() throws {
        let h = UpbitFeedHarness()
        #expect(h.feed.subscription == #"[{"ticket":"t1"},{"type":"orderbook","codes":["KRW-BTC.15","KRW-USDT.15"]},{"type":"trade","codes":["KRW-BTC","KRW-USDT"]},{"format":"DEFAULT"}]"#)
        let plan = try #require(h.feed.connectionPlans().first)
        #expect(plan.url.description == "wss://api.upbit.com/websocket/v1" && plan.subscribeFrames == [h.feed.subscription])
        let local = UpbitFeed(instruments: [(InstrumentId(0), "KRW-BTC")], settings: .init(wsBase: try FeedURL.parse("ws://127.0.0.1:7000", allowedSchemes: ["ws"]).get()))
        #expect(local.connectionPlans()[0].url.description == "ws://127.0.0.1:7000/websocket/v1")
        #expect(local.subscription.contains(#""codes":["KRW-BTC"]}"#))
    }

    @Test("the SNAPSHOT message starts the book; REALTIME messages arrive as level changes and the book equals the message's")
    func books() {
        let h = UpbitFeedHarness()
        h.receive(UpbitFeedHarness.book([("100", "1", "99", "2"), ("101", "3", "98", "4")], type: "SNAPSHOT"))
        #expect(h.output.events.count == 1)
        guard case .bookSnapshot = h.output.events[0] else { Issue.record("not a snapshot"); return }
        h.receive(UpbitFeedHarness.book([("100", "1.5", "99.5", "1"), ("102", "3", "99", "2")]))
        #expect(h.levels(0, .ask) == ["100@1.5", "102@3"])
        #expect(h.levels(0, .bid) == ["99.5@1", "99@2"])
        let deltas = h.output.events.compactMap { e -> BookDelta? in if case .bookDelta(let d) = e { return d }; return nil }
        #expect(deltas.count == h.output.events.count && deltas.filter(\.endOfMessage).count == 1 && deltas.last!.endOfMessage)
        // An unchanged book makes no event.
        h.receive(UpbitFeedHarness.book([("100", "1.5", "99.5", "1"), ("102", "3", "99", "2")]))
        #expect(h.output.events.isEmpty)
    }

    @Test("numbers in exponent form are exact; a unit with an empty side adds nothing on that side")
    func numbers() {
        let h = UpbitFeedHarness()
        h.receive(UpbitFeedHarness.book(code: "KRW-USDT", [("1.5E+3", "6.5E-7", "0", "0")], type: "SNAPSHOT"))
        #expect(h.levels(1, .ask) == ["1500@0.00000065"])
        #expect(h.levels(1, .bid).isEmpty)
    }

    @Test("trades: ask_bid follows the taker (ASK = the taker sold); sequential_id is the trade id")
    func trades() throws {
        let h = UpbitFeedHarness()
        h.receive(#"{"type":"trade","code":"KRW-BTC","timestamp":1584508285812,"trade_date":"2020-03-18","trade_time":"05:11:25","trade_timestamp":1584508285000,"trade_price":6747000,"trade_volume":0.06499468,"ask_bid":"ASK","prev_closing_price":6774000,"change":"FALL","change_price":27000,"sequential_id":1584508285000002,"stream_type":"REALTIME"}"#)
        let t = try #require(h.output.events.first.flatMap { e -> Trade? in if case .trade(let t) = e { return t }; return nil })
        #expect(t.takerSide == .sell && t.price == Price(units: 6_747_000) && t.quantity == Quantity(raw: 64_994_680))
        #expect(t.tradeId == 1_584_508_285_000_002 && t.exchangeTime == Timestamp(nanoseconds: 1_584_508_285_000_000_000))
    }

    @Test("a dropped connection empties the books; after a resync the next message is a snapshot again")
    func gapsAndResync() {
        let h = UpbitFeedHarness()
        h.receive(UpbitFeedHarness.book([("100", "1", "99", "2")], type: "SNAPSHOT"))
        h.output.startMessage()
        h.feed.disconnected(0, at: Timestamp(nanoseconds: h.clock + 1), output: &h.output)
        h.apply()
        #expect(h.books[0].isEmpty)
        h.output.startMessage()
        h.feed.connected(0, at: Timestamp(nanoseconds: h.clock + 2), output: &h.output)
        h.receive(UpbitFeedHarness.book([("100", "1", "99", "2")]))
        guard case .bookSnapshot = h.output.events.first else { Issue.record("expected a snapshot after the reconnect"); return }
        #expect(h.levels(0, .bid) == ["99@2"])
        h.output.startMessage()
        h.feed.resync(InstrumentId(0), at: Timestamp(nanoseconds: h.clock + 3), output: &h.output)
        h.apply()
        #expect(h.books[0].isEmpty)
        h.receive(UpbitFeedHarness.book([("100", "1", "98", "2")]))
        #expect(h.levels(0, .bid) == ["98@2"])
    }

    @Test("a malformed message is counted and skipped, the book untouched", arguments: [
        "", "PING", "[]", #"{"type":"orderbook","code":"KRW-BTC","timestamp":1,"orderbook_units":[{"ask_price":"x"}]}"#,
        #"{"type":"orderbook","code":"KRW-BTC","timestamp":1,"orderbook_units":[{"ask_price":-1,"ask_size":1,"bid_price":1,"bid_size":1}]}"#,
        #"{"type":"orderbook","code":"KRW-BTC","timestamp":1}"#,
        #"{"type":"orderbook","timestamp":1,"orderbook_units":[]}"#,
        #"{"type":"orderbook","code":"KRW-BTC","timestamp":-5,"orderbook_units":[]}"#,
        #"{"type":"orderbook","code":"KRW-BTC","timestamp":1,"orderbook_units":[{"ask_price":0.0000000001,"ask_size":1,"bid_price":1,"bid_size":1}]}"#,
        #"{"type":"trade","code":"KRW-BTC","timestamp":1,"trade_price":1,"trade_volume":1}"#,
        #"{"type":"trade","code":"KRW-BTC","timestamp":1,"trade_price":0,"trade_volume":1,"ask_bid":"BID"}"#,
        #"{"type":"orderbook","code":"KRW-BTC","timestamp":1,"orderbook_units":[]"#,
        #"{"error":{"name":"INVALID_PARAM","message":"bad"}}"#,
    ])
    func malformed(message: String) {
        let h = UpbitFeedHarness()
        h.receive(UpbitFeedHarness.book([("100", "1", "99", "2")], type: "SNAPSHOT"))
        h.receive(message)
        #expect(h.output.counters.malformed == 1, "\(message)")
        #expect(h.output.events.isEmpty && h.levels(0, .bid) == ["99@2"])
    }

    @Test("a status answer is ignored; an unknown code is counted")
    func statusAndUnknown() {
        let h = UpbitFeedHarness()
        h.receive(#"{"status":"UP"}"#)
        #expect(h.output.counters.ignored == 1 && h.output.counters.malformed == 0)
        h.receive(UpbitFeedHarness.book(code: "KRW-ETH", [("1", "1", "0.5", "1")]))
        #expect(h.output.counters.unknownSymbols == 1 && h.output.events.isEmpty)
    }
}
