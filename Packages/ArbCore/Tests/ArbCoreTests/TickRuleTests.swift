import Testing
@testable import ArbCore

/// Upbit's KRW table as published (2025-07-31), built the way the plugin builds it.
let krwTable: TickTable = {
    let rows: [(String, String)] = [
        ("0", "0.00000001"), ("0.00001", "0.0000001"), ("0.0001", "0.000001"), ("0.001", "0.00001"), ("0.01", "0.0001"),
        ("0.1", "0.001"), ("1", "0.01"), ("10", "0.1"), ("100", "1"), ("1000", "1"), ("5000", "5"), ("10000", "10"),
        ("50000", "50"), ("100000", "100"), ("500000", "500"), ("1000000", "1000"), ("2000000", "1000"),
    ]
    return TickTable(bands: rows.map { TickTable.Band(minPrice: Price($0.0)!, tick: Price($0.1)!) })!
}()

@Suite("Tick rules")
struct TickRuleTests {
    @Test("banded table: the tick of each band, lower bound inclusive, upper exclusive", arguments: [
        ("150000000", "1000"), ("2000000", "1000"), ("1999999", "1000"), ("999999", "500"), ("500000", "500"),
        ("499999", "100"), ("99999", "50"), ("50000", "50"), ("49999", "10"), ("9999", "5"), ("5000", "5"),
        ("4999", "1"), ("999", "1"), ("99.9", "0.1"), ("9.99", "0.01"), ("0.5", "0.001"), ("0.05", "0.0001"),
    ])
    func bands(_ price: String, _ tick: String) {
        #expect(TickRule.banded(krwTable).tick(at: Price(price)!) == Price(tick)!)
    }

    @Test("rounding onto a banded grid in each direction, across band edges")
    func rounding() {
        let rule = TickRule.banded(krwTable)
        #expect(rule.round(Price("150000500"), .down) == Price("150000000"))
        #expect(rule.round(Price("150000500"), .up) == Price("150001000"))
        #expect(rule.round(Price("999800"), .up) == Price("1000000"))     // up into the next band's edge
        #expect(rule.round(Price("1000999"), .down) == Price("1000000"))
        #expect(rule.round(Price("4999.5"), .up) == Price("5000"))
        #expect(rule.isValid(Price("1000000")) && rule.isValid(Price("999500")))
        #expect(!rule.isValid(Price("999700")))
        #expect(!rule.isValid(Price("0")))
    }

    @Test("stepping by ticks crosses bands with the right tick on each side")
    func stepping() {
        let rule = TickRule.banded(krwTable)
        #expect(rule.step(Price("1000000"), by: -1) == Price("999500"))
        #expect(rule.step(Price("999500"), by: 1) == Price("1000000"))
        #expect(rule.step(Price("1000000"), by: 2) == Price("1002000"))
        #expect(TickRule.fixed(Price("0.01")).step(Price("100"), by: -3) == Price("99.97"))
    }

    @Test("a table whose band edges are off the grid is refused")
    func invalidTable() {
        #expect(TickTable(bands: [.init(minPrice: Price("0"), tick: Price("3")), .init(minPrice: Price("10"), tick: Price("5"))]) == nil)
        #expect(TickTable(bands: [.init(minPrice: Price("1"), tick: Price("1"))]) == nil, "must start at 0")
    }
}
