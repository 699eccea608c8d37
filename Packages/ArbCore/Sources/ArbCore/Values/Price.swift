/// A price in quote-currency units per one base unit, exact to 1e-9.
public struct Price: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The price × 10⁹.
    public var raw: Int64

    /// From its raw value (× 10⁹).
    @inlinable public init(raw: Int64) { self.raw = raw }
    /// Whole quote units, e.g. `Price(units: 150_000_000)` for 150,000,000 KRW.
    @inlinable public init(units: Int64) { self.raw = units * FixedDecimal.unit }

    /// Parses `"27123.45"`; `nil` when malformed, too precise (> 9 decimals) or out of range.
    public init?(_ text: some StringProtocol) {
        guard let raw = FixedDecimal.parse(Substring(text), bounds: Int128(Int64.min)...Int128(Int64.max)) else { return nil }
        self.raw = Int64(raw)
    }

    /// Zero.
    public static let zero = Price(raw: 0)
    /// Exactly zero.
    public var isZero: Bool { raw == 0 }
    public var description: String { FixedDecimal.format(raw: Int128(raw)) }
    /// Significant decimals of this price (`0.015` has 3).
    public var decimals: Int { FixedDecimal.decimals(ofRaw: Int128(raw)) }

    @inlinable public static func < (a: Price, b: Price) -> Bool { a.raw < b.raw }
    @inlinable public static func + (a: Price, b: Price) -> Price { Price(raw: a.raw + b.raw) }
    @inlinable public static func - (a: Price, b: Price) -> Price { Price(raw: a.raw - b.raw) }

    /// Rounds to a multiple of `step` (positive) in the given direction.
    @inlinable public func rounded(toMultipleOf step: Price, _ rounding: Rounding) -> Price {
        let q = FixedDecimal.divide(Int128(raw), by: Int128(step.raw), rounding: rounding)
        return Price(raw: Int64(q * Int128(step.raw)))
    }

    /// On the tick `step`.
    @inlinable public func isMultiple(of step: Price) -> Bool { step.raw > 0 && raw % step.raw == 0 }

    /// `a / b` as a ratio, rounded half to even to 1e-9: a premium is
    /// `(krwPrice / usdtPrice)` against the FX rate. Nil when `b` is zero or the ratio
    /// does not fit a `Ratio` (beyond ±9.2 billion).
    @inlinable public static func / (a: Price, b: Price) -> Ratio? {
        guard b.raw != 0 else { return nil }
        let quotient = FixedDecimal.divide(Int128(a.raw) * Int128(FixedDecimal.unit), by: Int128(b.raw), rounding: .nearestHalfEven)
        guard let raw = Int64(exactly: quotient) else { return nil }
        return Ratio(raw: raw)
    }

    /// `self × factor` where factor is a ratio (e.g. 1 + fee), rounded.
    @inlinable public func scaled(by ratio: Ratio, _ rounding: Rounding) -> Price {
        Price(raw: Int64(FixedDecimal.divide(Int128(raw) * Int128(ratio.raw), by: Int128(FixedDecimal.unit), rounding: rounding)))
    }
}
