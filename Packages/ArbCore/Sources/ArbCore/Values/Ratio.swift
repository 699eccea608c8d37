/// A dimensionless ratio exact to 1e-9: fee rates, thresholds, shares.
/// `Ratio("0.0005")` (or the literal `"0.0005"`) is 5 basis points.
public struct Ratio: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The ratio × 10⁹.
    public var raw: Int64

    /// From its raw value (× 10⁹).
    @inlinable public init(raw: Int64) { self.raw = raw }
    /// Basis points: `Ratio(basisPoints: 5)` == 0.0005.
    @inlinable public init(basisPoints: Int64) { self.raw = basisPoints * 100_000 }

    /// Parses `"0.0005"`; nil for anything else or more than 9 decimals.
    public init?(_ text: some StringProtocol) {
        guard let raw = FixedDecimal.parse(Substring(text), bounds: Int128(Int64.min)...Int128(Int64.max)) else { return nil }
        self.raw = Int64(raw)
    }

    /// Zero.
    public static let zero = Ratio(raw: 0)
    /// One: `.one + fee`, `.one - edge`.
    public static let one = Ratio(raw: FixedDecimal.unit)
    public var description: String { FixedDecimal.format(raw: Int128(raw)) }

    /// In basis points (1/10,000), rounded half to even: 0.0005 is 5.
    @inlinable public var basisPoints: Int64 {
        Int64(FixedDecimal.divide(Int128(raw), by: 100_000, rounding: .nearestHalfEven))
    }
    /// In parts per million, rounded half to even: 0.0005 is 500.
    @inlinable public var partsPerMillion: Int64 {
        Int64(FixedDecimal.divide(Int128(raw), by: 1_000, rounding: .nearestHalfEven))
    }
    /// `self × other`, rounded half to even to 1e-9.
    @inlinable public static func * (a: Ratio, b: Ratio) -> Ratio {
        Ratio(raw: Int64(clamping: FixedDecimal.divide(Int128(a.raw) * Int128(b.raw), by: Int128(FixedDecimal.unit), rounding: .nearestHalfEven)))
    }

    @inlinable public static func < (a: Ratio, b: Ratio) -> Bool { a.raw < b.raw }
    @inlinable public static func + (a: Ratio, b: Ratio) -> Ratio { Ratio(raw: a.raw + b.raw) }
    @inlinable public static func - (a: Ratio, b: Ratio) -> Ratio { Ratio(raw: a.raw - b.raw) }
}
