import ArbCore
import Foundation
import Testing

@Suite("Helpers a strategy author reaches for")
struct StrategyHelperTests {
    @Test("price over price is an exact ratio; zero or out of range is nil")
    func priceRatio() {
        let krw: Price = "135000000", usdt: Price = "96000", fx: Price = "1400"
        // The premium: KRW price over the USDT price converted at the FX rate.
        let converted = usdt.scaled(by: Ratio(raw: fx.raw), .nearestHalfEven)
        let premium = (krw / converted)! - .one
        #expect(premium == "0.004464286")
        #expect(premium.basisPoints == 45 && premium.partsPerMillion == 4_464)
        #expect(("1" as Price) / .zero == nil)
        #expect(Price(raw: .max) / Price(raw: 1) == nil, "beyond a Ratio")
        #expect(("3" as Ratio) * "0.5" == "1.5")
    }

    @Test("the touch gives mid, spread and crossed")
    func touch() {
        var book = OrderBook()
        book.replace(bids: [BookLevel(price: "99.99", quantity: "1")], asks: [BookLevel(price: "100.02", quantity: "2")])
        let touch = Touch(book)
        #expect(touch.mid == "100.005" && touch.spread == "0.03" && !touch.isCrossed)
        book.replace(bids: [BookLevel(price: "101", quantity: "1")], asks: [BookLevel(price: "100", quantity: "1")])
        #expect(Touch(book).isCrossed)
        #expect(Touch().mid == nil && Touch().spread == nil && !Touch().isCrossed)
    }

    @Test("counters are counts, decimals or durations, and read back from JSON")
    func counters() throws {
        let counters: [String: StrategyCounter] = ["attempts": 3, "edge": .decimal(Ratio("0.0012")), "held": .duration(.milliseconds(1_500))]
        let json = String(decoding: try JSONEncoder().encode(counters), as: UTF8.self)
        #expect(json.contains("\"attempts\":3") && json.contains("\"edge\":\"0.0012\"") && json.contains("\"held\":\"1.5s\""))
        #expect(try JSONDecoder().decode([String: StrategyCounter].self, from: Data(json.utf8)) == counters)
        #expect(counters["attempts"]! > 0 && counters["attempts"]?.integer == 3 && counters["held"]?.description == "1.5s")
    }
}
