/// Shared machinery of Arbor's exact decimal values.
///
/// Every money-like value (price, quantity, amount, rate) is an integer count of
/// `1e-9` units. Nine decimals cover every tick and lot step the supported
/// exchanges publish (the finest is 1e-8), and products are formed in 128 bits
/// so nothing overflows silently.
public enum FixedDecimal {
    /// Decimal digits after the point that every value carries.
    public static let fractionDigits = 9
    /// `10^fractionDigits`: the raw value of `1`.
    public static let unit: Int64 = 1_000_000_000

    /// Parses a plain decimal string (`"-12.5"`, `"0.00000001"`, `"1e-5"` is not accepted)
    /// into raw units. Returns `nil` for malformed text, more than nine decimals
    /// (never rounded silently) or a value outside `bounds`.
    public static func parse(_ text: Substring, bounds: ClosedRange<Int128>) -> Int128? {
        var bytes = text.utf8[...]
        guard !bytes.isEmpty else { return nil }
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes = bytes.dropFirst() }
        else if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        guard !bytes.isEmpty else { return nil }
        var integer: Int128 = 0
        var fraction: Int128 = 0
        var fractionCount = 0
        var seenPoint = false
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            if byte == UInt8(ascii: "_") && !seenPoint { continue }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int128(byte - UInt8(ascii: "0"))
            digits += 1
            if seenPoint {
                fractionCount += 1
                if fractionCount > fractionDigits {
                    // Trailing zeros beyond the scale are harmless; anything else is too precise.
                    if digit != 0 { return nil }
                    continue
                }
                fraction = fraction * 10 + digit
            } else {
                integer = integer * 10 + digit
                if integer > Int128(Int64.max) * 1000 { return nil }
            }
        }
        guard digits > 0 else { return nil }
        while fractionCount < fractionDigits { fraction *= 10; fractionCount += 1 }
        var raw = integer * Int128(unit) + fraction
        if negative { raw = -raw }
        return bounds.contains(raw) ? raw : nil
    }

    /// `10^exponent` (0...18).
    public static func powerOfTen(_ exponent: Int) -> Int64 {
        precondition((0...18).contains(exponent), "10^\(exponent) does not fit Int64")
        var v: Int64 = 1
        for _ in 0..<exponent { v *= 10 }
        return v
    }

    /// The largest power of ten, at most `limit`, dividing every value (1 if any is not a
    /// multiple of 10; `limit` for no values): the coarsest unit they are all whole in.
    public static func largestPowerOfTen(dividing values: some Sequence<Int64>, limit: Int64 = unit) -> Int64 {
        var p = limit
        for v in values {
            while p > 1 && v % p != 0 { p /= 10 }
            if p == 1 { break }
        }
        return p
    }

    /// Number of significant decimals in a raw value (0...9): `1.25` has 2.
    public static func decimals(ofRaw raw: Int128) -> Int {
        var fraction = raw.magnitude % UInt128(unit)
        if fraction == 0 { return 0 }
        var count = fractionDigits
        while fraction % 10 == 0 { fraction /= 10; count -= 1 }
        return count
    }

    /// Formats raw units as the shortest exact decimal string (`"0.1"`, `"150000000"`).
    public static func format(raw: Int128, minimumFractionDigits: Int = 0) -> String {
        let magnitude = raw.magnitude
        let integer = magnitude / UInt128(unit)
        var fraction = magnitude % UInt128(unit)
        var text = raw < 0 ? "-" : ""
        text += String(integer)
        var width = fractionDigits
        if fraction != 0 || minimumFractionDigits > 0 {
            while width > minimumFractionDigits && fraction % 10 == 0 && width > 0 {
                fraction /= 10; width -= 1
            }
            if width > 0 {
                let digits = String(fraction)
                text += "." + String(repeating: "0", count: width - digits.count) + digits
            }
        }
        return text
    }

    /// Divides with the given rounding; `divisor` must be positive.
    @inlinable
    public static func divide(_ dividend: Int128, by divisor: Int128, rounding: Rounding) -> Int128 {
        var quotient: Int128, remainder: Int128
        // Fast path: a 64-bit divisor and a quotient that fits 64 bits (almost every price ×
        // quantity ÷ 1e9) use the hardware 128/64 division instead of the library routine.
        let magnitude = dividend.magnitude
        if divisor > 0 && divisor <= Int128(Int64.max) && UInt64(truncatingIfNeeded: magnitude >> 64) < UInt64(divisor) {
            let (q, r) = UInt64(divisor).dividingFullWidth((high: UInt64(truncatingIfNeeded: magnitude >> 64), low: UInt64(truncatingIfNeeded: magnitude)))
            quotient = dividend < 0 ? -Int128(q) : Int128(q)
            remainder = dividend < 0 ? -Int128(r) : Int128(r)
        } else {
            quotient = dividend / divisor
            remainder = dividend % divisor
        }
        if remainder == 0 { return quotient }
        switch rounding {
        case .towardZero:
            return quotient
        case .down:
            return dividend < 0 ? quotient - 1 : quotient
        case .up:
            return dividend < 0 ? quotient : quotient + 1
        case .awayFromZero:
            return dividend < 0 ? quotient - 1 : quotient + 1
        case .nearestHalfEven:
            let twice = remainder.magnitude * 2
            let d = divisor.magnitude
            let step: Int128 = dividend < 0 ? -1 : 1
            if twice > d { return quotient + step }
            if twice < d { return quotient }
            return quotient % 2 == 0 ? quotient : quotient + step
        }
    }
}

/// How a value that falls between two representable values is resolved.
/// `down`/`up` are toward negative/positive infinity (floor/ceiling).
public enum Rounding: Sendable, Hashable {
    case down
    case up
    case towardZero
    case awayFromZero
    case nearestHalfEven
}
