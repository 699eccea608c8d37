import ArbCore
import Testing
@testable import ArbFeed

/// Runs `body` on a cursor over `text`'s bytes.
func withCursor<T>(_ text: String, _ body: (inout JSONCursor) -> T) -> T {
    Array(text.utf8).withUnsafeBytes { raw in
        var c = JSONCursor(raw)
        return body(&c)
    }
}

func decimal(_ text: String) -> Int64? { withCursor(text) { c in c.decimal() } }

@Suite("JSON cursor and exact decimals")
struct JSONCursorTests {
    @Test("decimals in strings and as JSON numbers are read exactly at 1e-9")
    func decimals() {
        #expect(decimal("\"0.0024\"") == 2_400_000)
        #expect(decimal("\"10\"") == 10_000_000_000)
        #expect(decimal("6747000") == 6_747_000_000_000_000)
        #expect(decimal("0.06499468") == 64_994_680)
        #expect(decimal("1.5E-5") == 15_000)
        #expect(decimal("2e3") == 2_000_000_000_000)
        #expect(decimal("-0.5") == -500_000_000)
        #expect(decimal("0.000000001") == 1)
        #expect(decimal("\"4.00000000000000000000000\"") == 4_000_000_000)
        #expect(decimal("0") == 0)
        #expect(decimal("0.0") == 0)
    }

    @Test("a decimal that is not exact, not a number or out of range is refused, never rounded or trapped", arguments: [
        "0.0000000001",  // beyond 1e-9
        "1.0000000001",
        "99999999999",  // 9.9e10 × 1e9 overflows Int64
        "\"\"", "\"-\"", "\".5\"", "\"5.\"", "\"1e\"", "abc", "\"12a\"", "1.2.3", "--1", "1e99999", "1e-99999",
        "\"0x10\"", "\"1,5\"", "", "\"1", "9223372036854775808",
    ])
    func badDecimals(text: String) {
        #expect(decimal(text) == nil, "\(text)")
    }

    @Test("objects and arrays are walked key by key; a comma, colon or bracket out of place fails the cursor")
    func walk() {
        let ok = withCursor(#"{"a":[1,2,3],"b":{"c":"x"},"d":true,"e":null}"#) { c -> [String] in
            var keys: [String] = []
            guard c.beginObject() else { return ["not an object"] }
            while let k = c.nextKey() {
                keys.append(c.text(k))
                if c.key(k, is: "a") {
                    var sum: Int64 = 0
                    if c.beginArray() { while c.nextElement() { sum += c.integer() ?? 100 } }
                    keys.append("sum \(sum)")
                } else { c.skipValue() }
            }
            keys.append(c.failed ? "failed" : c.atEnd() ? "end" : "trailing")
            return keys
        }
        #expect(ok == ["a", "sum 6", "b", "d", "e", "end"])
        for bad in [#"{"a":1 "b":2}"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{"a":[1,]}"#, #"{"a":[1 2]}"#, #"{"a":1"#, #"[{"#, #"{"a":tru}"#,
                    #"{"a":"x}"#, "{\"a\":\"\u{01}\"}", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            let failed = withCursor(bad) { c -> Bool in
                c.skipValue()
                return c.failed || !c.atEnd()
            }
            #expect(failed, "\(bad)")
        }
    }

    @Test("integers are checked: overflow and fractions fail")
    func integers() {
        #expect(withCursor("1672515782136") { c in c.integer() } == 1_672_515_782_136)
        #expect(withCursor("9223372036854775807") { c in c.integer() } == .max)
        #expect(withCursor("9223372036854775808") { c in c.integer() } == nil)
        #expect(withCursor("1.5") { c in c.integer() } == nil)
        #expect(withCursor("\"157\"") { c in c.unsignedInteger() } == 157)
        #expect(withCursor("-3") { c in c.unsignedInteger() } == nil)
    }

    @Test("symbols are found from their bytes; unknown ones are not")
    func symbols() {
        let table = SymbolTable((0..<500).map { "SYM\($0)USDT" } + ["KRW-BTC", "BNBBTC"])
        #expect(table.lookup("BNBBTC") == 501)
        #expect(table.lookup("KRW-BTC") == 500)
        #expect(table.lookup("SYM377USDT") == 377)
        #expect(table.lookup("bnbbtc") == nil)
        #expect(table.lookup("") == nil)
        #expect(table.lookup("SYM377USD") == nil)
    }
}

@Suite("Feed URLs, back-off and staleness")
struct FeedSupportTests {
    @Test("a manifest URL replaces scheme, host and port and keeps the documented path")
    func urls() throws {
        let base = try FeedURL.parse("ws://127.0.0.1:18080", allowedSchemes: ["wss", "ws"]).get()
        let documented = FeedURL(scheme: "wss", host: "stream.binance.com", port: 9443, pathAndQuery: "/stream?streams=btcusdt@trade")
        #expect(documented.replacingBase(with: base).description == "ws://127.0.0.1:18080/stream?streams=btcusdt@trade")
        #expect(documented.description == "wss://stream.binance.com:9443/stream?streams=btcusdt@trade")
        for bad in ["stream.binance.com", "http://x", "ws://", "ws://host:0", "ws://host:70000", "ws://host:abc", "ws://a b"] {
            #expect(throws: FeedURLError.self, "\(bad)") { try FeedURL.parse(bad, allowedSchemes: ["wss", "ws"]).get() }
        }
    }

    @Test("back-off doubles to its maximum with jitter in [d/2, d], and starts again after a success")
    func backoff() {
        var b = Backoff(initial: .milliseconds(100), maximum: .seconds(2), seed: 7)
        let ceilings: [Int64] = [100, 200, 400, 800, 1_600, 2_000, 2_000]
        for ceiling in ceilings {
            let d = b.nextDelay().nanosecondsInt64 / 1_000_000
            #expect(d >= ceiling / 2 && d <= ceiling, "\(d) ms against \(ceiling)")
        }
        b.succeeded()
        let first = b.nextDelay()
        #expect(first <= .milliseconds(100))
        var same = Backoff(initial: .milliseconds(100), maximum: .seconds(2), seed: 7)
        var again = Backoff(initial: .milliseconds(100), maximum: .seconds(2), seed: 7)
        #expect((0..<20).map { _ in same.nextDelay() } == (0..<20).map { _ in again.nextDelay() })
        var huge = Backoff(initial: .seconds(1), maximum: .seconds(1_000_000), seed: 1)
        for _ in 0..<200 { #expect(huge.nextDelay() <= .seconds(1_000_000)) }
    }

    @Test("an instrument is stale once past the limit, reported once, and fresh again on data")
    func staleness() {
        let t0 = Timestamp(nanoseconds: 1_000_000_000)
        var s = StalenessTracker(instruments: 2, limit: .seconds(5), startedAt: t0)
        var stale: [Int] = []
        s.touched(1, at: t0 + .seconds(4))
        s.sweep(at: t0 + .seconds(6), into: &stale)
        #expect(stale == [0])
        s.sweep(at: t0 + .seconds(7), into: &stale)
        #expect(stale == [0])
        s.sweep(at: t0 + .seconds(10), into: &stale)
        #expect(stale == [0, 1] && s.staleCount == 2)
        let recovered = s.touched(0, at: t0 + .seconds(11)), again = s.touched(0, at: t0 + .seconds(12))
        #expect(recovered && !again)
        #expect(s.staleCount == 1)
    }
}
