/// An amount of one asset: a balance, a notional, a fee or a PnL. Exact to 1e-9,
/// held in 128 bits so a notional of any price × quantity fits.
public struct Amount: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value × 10⁹.
    public var raw: Int128

    /// From its raw value (× 10⁹).
    @inlinable public init(raw: Int128) { self.raw = raw }
    /// A whole number of units: `Amount(units: 500)`.
    @inlinable public init(units: Int64) { self.raw = Int128(units) * Int128(FixedDecimal.unit) }

    /// Parses `"1234.5"`; nil for anything else or more than 9 decimals.
    public init?(_ text: some StringProtocol) {
        let limit = Int128(Int64.max) * Int128(FixedDecimal.unit)
        guard let raw = FixedDecimal.parse(Substring(text), bounds: -limit...limit) else { return nil }
        self.raw = raw
    }

    /// Zero.
    public static let zero = Amount(raw: 0)
    /// Exactly zero.
    public var isZero: Bool { raw == 0 }
    /// Below zero.
    public var isNegative: Bool { raw < 0 }
    public var description: String { FixedDecimal.format(raw: raw) }
    /// Decimals needed to write it.
    public var decimals: Int { FixedDecimal.decimals(ofRaw: raw) }

    @inlinable public static func < (a: Amount, b: Amount) -> Bool { a.raw < b.raw }
    @inlinable public static func + (a: Amount, b: Amount) -> Amount { Amount(raw: a.raw + b.raw) }
    @inlinable public static func - (a: Amount, b: Amount) -> Amount { Amount(raw: a.raw - b.raw) }
    @inlinable public static func += (a: inout Amount, b: Amount) { a.raw += b.raw }
    @inlinable public static func -= (a: inout Amount, b: Amount) { a.raw -= b.raw }
    @inlinable public static prefix func - (a: Amount) -> Amount { Amount(raw: -a.raw) }

    /// `price × quantity`, computed exactly in 128 bits and rounded once to 1e-9.
    @inlinable public static func notional(_ price: Price, _ quantity: Quantity, _ rounding: Rounding) -> Amount {
        Amount(raw: FixedDecimal.divide(Int128(price.raw) * Int128(quantity.raw), by: Int128(FixedDecimal.unit), rounding: rounding))
    }

    /// `self × ratio` (a fee rate, a share), rounded once.
    @inlinable public func scaled(by ratio: Ratio, _ rounding: Rounding) -> Amount {
        Amount(raw: FixedDecimal.divide(raw * Int128(ratio.raw), by: Int128(FixedDecimal.unit), rounding: rounding))
    }

    /// `self × price`: converts an amount of a base asset into the quote asset.
    @inlinable public func converted(at price: Price, _ rounding: Rounding) -> Amount {
        Amount(raw: FixedDecimal.divide(raw * Int128(price.raw), by: Int128(FixedDecimal.unit), rounding: rounding))
    }

    /// `self ÷ price`: converts an amount of a quote asset into the base asset.
    /// `price` must be positive.
    @inlinable public func converted(dividingBy price: Price, _ rounding: Rounding) -> Amount {
        Amount(raw: FixedDecimal.divide(raw * Int128(FixedDecimal.unit), by: Int128(price.raw), rounding: rounding))
    }

    /// Rounds to a multiple of `step` (e.g. 1 KRW, 1e-8 USDT).
    @inlinable public func rounded(toMultipleOf step: Amount, _ rounding: Rounding) -> Amount {
        Amount(raw: FixedDecimal.divide(raw, by: step.raw, rounding: rounding) * step.raw)
    }

    /// The amount as a base quantity; `nil` if it does not fit 64 bits.
    @inlinable public var asQuantity: Quantity? {
        guard raw >= Int128(Int64.min), raw <= Int128(Int64.max) else { return nil }
        return Quantity(raw: Int64(raw))
    }
}
