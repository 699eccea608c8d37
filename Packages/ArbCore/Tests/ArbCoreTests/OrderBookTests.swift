import Testing
@testable import ArbCore

@Suite("L2 order book")
struct OrderBookTests {
    func book() -> OrderBook {
        var b = OrderBook()
        b.replace(bids: [BookLevel(price: Price("99"), quantity: Quantity("2")), BookLevel(price: Price("100"), quantity: Quantity("1")),
                         BookLevel(price: Price("98"), quantity: Quantity("5"))],
                  asks: [BookLevel(price: Price("102"), quantity: Quantity("3")), BookLevel(price: Price("101"), quantity: Quantity("1"))])
        return b
    }

    @Test("snapshot, best levels, depth and mid")
    func snapshot() {
        let b = book()
        #expect(b.bestBid == BookLevel(price: Price("100"), quantity: Quantity("1")))
        #expect(b.bestAsk == BookLevel(price: Price("101"), quantity: Quantity("1")))
        #expect(b.depth(.bid) == 3 && b.depth(.ask) == 2)
        #expect(b.level(.bid, 2).price == Price("98"))
        #expect(b.mid == Price("100.5"))
        #expect(!b.isCrossed)
    }

    @Test("deltas insert, update and remove levels in order")
    func deltas() {
        var b = book()
        b.apply(.bid, price: Price("100.5"), quantity: Quantity("4"))
        #expect(b.bestBid?.price == Price("100.5"))
        b.apply(.bid, price: Price("100.5"), quantity: .zero)
        #expect(b.bestBid?.price == Price("100"))
        b.apply(.ask, price: Price("101.5"), quantity: Quantity("1"))
        #expect(b.level(.ask, 1).price == Price("101.5"))
        b.apply(.ask, price: Price("105"), quantity: .zero)  // absent: no-op
        #expect(b.depth(.ask) == 3)
        b.apply(.bid, price: Price("99"), quantity: Quantity("7"))
        #expect(b.quantityAt(.bid, price: Price("99")) == Quantity("7"))
    }

    @Test("deep books stay sorted under random updates (checked against a model)")
    func randomAgainstModel() {
        var b = OrderBook()
        var model: [Int64: Int64] = [:]
        var state: UInt64 = 12345
        func rand(_ n: UInt64) -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return (state >> 33) % n }
        for _ in 0..<20_000 {
            let price = Int64(1_000 + rand(300))
            let qty = rand(4) == 0 ? 0 : Int64(1 + rand(100))
            b.apply(.bid, price: Price(units: price), quantity: Quantity(units: qty))
            model[price] = qty == 0 ? nil : qty
        }
        let expected = model.keys.sorted(by: >).map { BookLevel(price: Price(units: $0), quantity: Quantity(units: model[$0]!)) }
        let actual = (0..<b.depth(.bid)).map { b.level(.bid, $0) }
        #expect(actual == expected)
    }

    @Test("walking a side: filled quantity, notional, average and worst price, limit respected")
    func walk() {
        let b = book()
        let w = b.walk(taker: .buy, quantity: Quantity("2.5"))
        #expect(w.filled == Quantity("2.5") && w.levels == 2)
        #expect(w.notional == Amount("254"))  // 1 × 101 + 1.5 × 102
        #expect(w.worstPrice == Price("102"))
        #expect(w.averagePrice(.up) == Price("101.6"))
        let limited = b.walk(taker: .buy, quantity: Quantity("10"), limit: Price("101"))
        #expect(limited.filled == Quantity("1"))
        let sell = b.walk(taker: .sell, quantity: Quantity("100"))
        #expect(sell.filled == Quantity("8"), "the whole visible side, no more")
    }

    @Test("walking by quote budget buys whole lots only")
    func walkByQuote() {
        let b = book()
        let w = b.walkBuying(spending: Amount("150"), lotStep: Quantity("0.01"))
        // 101 for the first unit, then 49 / 102 = 0.4803... → 0.48.
        #expect(w.filled == Quantity("1.48"))
        #expect(w.notional <= Amount("150"))
    }
}
