import Testing
@testable import ArbCore

@Suite("Exact decimal values")
struct FixedPointTests {
    @Test("parses and formats decimal strings without loss", arguments: [
        "0", "1", "-1", "0.1", "0.00000001", "0.000000001", "150000000", "27123.45", "-0.5", "9223372036.854775807",
    ])
    func roundTrip(_ text: String) throws {
        let price = try #require(Price(text))
        #expect(price.description == text)
    }

    @Test("rejects malformed text and more than nine decimals instead of rounding")
    func rejectsBadText() {
        for bad in ["", "-", ".", "1.2.3", "abc", "1e5", "0.0000000001", "12 3", "9223372036.854775808", "--1"] {
            #expect(Price(bad) == nil, "\(bad)")
        }
        #expect(Price("1.1000000000") == Price("1.1"), "trailing zeros beyond the scale are harmless")
    }

    @Test("notional is exact in 128 bits and rounded once in the stated direction")
    func notional() {
        let p = Price("150000000"), q = Quantity("1000")
        // 1.5e11 KRW: far beyond Int64 at 1e-9 scale, fine in Amount.
        #expect(Amount.notional(p, q, .down) == Amount("150000000000"))
        let tiny = Amount.notional(Price("0.000000003"), Quantity("0.5"), .up)
        #expect(tiny == Amount(raw: 2))
        #expect(Amount.notional(Price("0.000000003"), Quantity("0.5"), .down) == Amount(raw: 1))
        #expect(Amount.notional(Price("0.000000003"), Quantity("0.5"), .nearestHalfEven) == Amount(raw: 2))
    }

    // Arguments are Int64 on purpose: Int128 values as Swift Testing arguments corrupt
    // memory on Swift 6.3.1 / Linux (crashes elsewhere in the run).
    @Test("division rounding directions", arguments: [
        (Int64(7), Int64(2), Rounding.down, Int64(3)), (7, 2, .up, 4), (-7, 2, .down, -4), (-7, 2, .up, -3),
        (-7, 2, .towardZero, -3), (-7, 2, .awayFromZero, -4), (5, 2, .nearestHalfEven, 2), (7, 2, .nearestHalfEven, 4),
        (-5, 2, .nearestHalfEven, -2), (8, 2, .up, 4),
    ])
    func divide(_ a: Int64, _ b: Int64, _ r: Rounding, _ expected: Int64) {
        #expect(FixedDecimal.divide(Int128(a), by: Int128(b), rounding: r) == Int128(expected))
    }

    @Test("fees scale an amount by a ratio and round up to the step")
    func fees() {
        let fee = FeeSchedule(maker: Ratio("0.0005"), taker: Ratio("0.001"), asset: .received)
        let i = Instrument(id: InstrumentId(0), venue: VenueId(0), symbol: "BTCUSDT", base: AssetId(0), quote: AssetId(1),
                           baseCode: "BTC", quoteCode: "USDT", tickRule: .fixed(Price("0.01")), lotStep: Quantity("0.00001"),
                           minQuantity: Quantity("0.00001"), maxQuantity: Quantity(units: 9000), minNotional: Amount(units: 5), maxNotional: nil)
        // A buy pays its fee in base: 0.1 % of 0.00123 BTC = 0.00000123 BTC.
        #expect(fee.fee(side: .buy, quantity: Quantity("0.00123"), notional: Amount("123"), isMaker: false, instrument: i) == Amount("0.00000123"))
        #expect(fee.feeAsset(.buy, i) == AssetId(0))
        // A sell pays in quote, rounded up to 1e-8: 0.1 % of 12.345678901 = 0.012345678901 → 0.01234568.
        #expect(fee.fee(side: .sell, quantity: Quantity("0.001"), notional: Amount("12.345678901"), isMaker: false, instrument: i) == Amount("0.01234568"))
        #expect(fee.feeAsset(.sell, i) == AssetId(1))
    }

    @Test("values decode from manifest strings and integers, never floats")
    func codable() throws {
        struct Box: Decodable { var p: Price }
        let decoder = JSONDecoderShim()
        #expect(try decoder.decode(Box.self, #"{"p": "0.015"}"#).p == Price("0.015"))
        #expect(try decoder.decode(Box.self, #"{"p": 5000}"#).p == Price(units: 5000))
        #expect(throws: DecodingError.self) { try decoder.decode(Box.self, #"{"p": "1.0000000001"}"#) }
        #expect(throws: DecodingError.self) { try decoder.decode(Box.self, #"{"p": 0.1}"#) }
    }
}

import Foundation
struct JSONDecoderShim {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T { try JSONDecoder().decode(T.self, from: Data(json.utf8)) }
}

@Suite("Shared helpers")
struct SharedHelperTests {
    @Test("JSON quoting escapes quotes, backslashes and control characters")
    func quoting() {
        #expect(JSONText.quote("BTCUSDT") == "\"BTCUSDT\"")
        #expect(JSONText.quote("a\"b\\c\nd\u{1}") == "\"a\\\"b\\\\c\\nd\\u0001\"")
        #expect(JSONText.quote("원화") == "\"원화\"")
    }

    @Test("powers of ten: exact, and the coarsest unit a set of values is whole in")
    func powersOfTen() {
        #expect(FixedDecimal.powerOfTen(0) == 1 && FixedDecimal.powerOfTen(9) == 1_000_000_000)
        #expect(FixedDecimal.largestPowerOfTen(dividing: [10_000_000, 30_000_000]) == 10_000_000)
        #expect(FixedDecimal.largestPowerOfTen(dividing: [1_767_225_600_123_000_000, 1_767_225_600_124_000_000]) == 1_000_000)
        #expect(FixedDecimal.largestPowerOfTen(dividing: [7, 10]) == 1)
        #expect(FixedDecimal.largestPowerOfTen(dividing: [Int64]()) == 1_000_000_000)
    }
}
