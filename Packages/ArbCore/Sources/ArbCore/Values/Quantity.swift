/// An amount of an instrument's base asset in an order or a book level, exact to 1e-9.
public struct Quantity: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The quantity × 10⁹.
    public var raw: Int64

    /// From its raw value (× 10⁹).
    @inlinable public init(raw: Int64) { self.raw = raw }
    /// A whole number of units.
    @inlinable public init(units: Int64) { self.raw = units * FixedDecimal.unit }

    /// Parses `"0.015"`; nil for anything else or more than 9 decimals.
    public init?(_ text: some StringProtocol) {
        guard let raw = FixedDecimal.parse(Substring(text), bounds: Int128(Int64.min)...Int128(Int64.max)) else { return nil }
        self.raw = Int64(raw)
    }

    /// Zero.
    public static let zero = Quantity(raw: 0)
    /// Exactly zero.
    public var isZero: Bool { raw == 0 }
    /// Above zero.
    public var isPositive: Bool { raw > 0 }
    public var description: String { FixedDecimal.format(raw: Int128(raw)) }
    /// Decimals needed to write it.
    public var decimals: Int { FixedDecimal.decimals(ofRaw: Int128(raw)) }

    @inlinable public static func < (a: Quantity, b: Quantity) -> Bool { a.raw < b.raw }
    @inlinable public static func + (a: Quantity, b: Quantity) -> Quantity { Quantity(raw: a.raw + b.raw) }
    @inlinable public static func - (a: Quantity, b: Quantity) -> Quantity { Quantity(raw: a.raw - b.raw) }
    @inlinable public static func += (a: inout Quantity, b: Quantity) { a.raw += b.raw }
    @inlinable public static func -= (a: inout Quantity, b: Quantity) { a.raw -= b.raw }
    @inlinable public static prefix func - (a: Quantity) -> Quantity { Quantity(raw: -a.raw) }

    /// On the lot `step`, rounded as told (`.down` to stay within a budget).
    @inlinable public func rounded(toMultipleOf step: Quantity, _ rounding: Rounding) -> Quantity {
        let q = FixedDecimal.divide(Int128(raw), by: Int128(step.raw), rounding: rounding)
        // Rounding up near Int64.max saturates instead of trapping.
        return Quantity(raw: Int64(clamping: q * Int128(step.raw)))
    }

    /// On the lot `step`.
    @inlinable public func isMultiple(of step: Quantity) -> Bool { step.raw > 0 && raw % step.raw == 0 }

    /// The same number of units as an `Amount` of the base asset.
    @inlinable public var asAmount: Amount { Amount(raw: Int128(raw)) }

    /// `self × ratio`, rounded as told.
    @inlinable public func scaled(by ratio: Ratio, _ rounding: Rounding) -> Quantity {
        Quantity(raw: Int64(clamping: FixedDecimal.divide(Int128(raw) * Int128(ratio.raw), by: Int128(FixedDecimal.unit), rounding: rounding)))
    }
}
