/// A forward-only reader over one JSON document in a byte buffer, for feed messages.
///
/// It allocates nothing and decodes only what the caller asks for: keys are compared as
/// bytes, numbers (JSON numbers or numbers in strings, as Binance sends them) are read
/// straight into fixed-point raw values, and everything else is skipped. Every read is
/// bounds-checked: malformed input sets `failed` and makes every later read fail, so a
/// loop over a damaged message ends and the caller counts it; nothing traps.
///
/// Objects and arrays are walked with `beginObject`/`nextKey` and
/// `beginArray`/`nextElement`:
/// ```
/// guard cursor.beginObject() else { … }
/// while let key = cursor.nextKey() {
///     if cursor.key(key, is: "u") { last = cursor.integer() } else { cursor.skipValue() }
/// }
/// if cursor.failed { … }
/// ```
public struct JSONCursor {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let count: Int
    /// Offset of the next byte to read.
    public private(set) var position: Int = 0
    /// The input was not what the caller read for (or not JSON): every later read fails.
    public private(set) var failed = false
    /// Per open container: whether a value has been read in it yet (a comma comes before
    /// the next). Bit `depth` of `started`; containers deeper than 64 fail.
    var started: UInt64 = 0
    var depth = 0
    static let maxDepth = 64

    /// Reads `bytes`, which must outlive the cursor.
    public init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer still needs a valid pointer; reads check `count` first.
        base = bytes.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(bitPattern: 1)!
        count = bytes.count
    }

    // MARK: bytes

    @inline(__always) mutating func skipSpace() {
        while position < count {
            let b = base[position]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            position += 1
        }
    }

    /// The next byte after white space, without consuming it (nil at the end).
    @inline(__always) public mutating func peek() -> UInt8? {
        skipSpace()
        return position < count ? base[position] : nil
    }

    @inline(__always) mutating func fail() { failed = true; position = count }

    /// Everything left is white space (a document has nothing after its value).
    public mutating func atEnd() -> Bool { skipSpace(); return !failed && position == count }

    // MARK: containers

    /// Enters an object: true if the next value is one.
    public mutating func beginObject() -> Bool { open(0x7B) }

    /// Enters an array: true if the next value is one.
    public mutating func beginArray() -> Bool { open(0x5B) }

    mutating func open(_ bracket: UInt8) -> Bool {
        guard !failed, peek() == bracket, depth < Self.maxDepth else { fail(); return false }
        position += 1
        depth += 1
        started &= ~(1 << UInt64(depth))
        return true
    }

    /// The next key of the object entered last (its bytes' offsets), positioned at its
    /// value; nil at the object's end (consumed) or on malformed input (`failed`).
    public mutating func nextKey() -> Range<Int>? {
        guard !failed else { return nil }
        guard separator(close: 0x7D) else { return nil }
        guard let key = stringRange() else { fail(); return nil }
        guard peek() == 0x3A else { fail(); return nil }
        position += 1
        return key
    }

    /// Moves to the next element of the array entered last: false at the array's end
    /// (consumed) or on malformed input (`failed`).
    public mutating func nextElement() -> Bool {
        guard !failed else { return false }
        return separator(close: 0x5D)
    }

    /// At a container's next entry: the closing bracket ends it (false), a comma is
    /// required between entries.
    mutating func separator(close: UInt8) -> Bool {
        guard let b = peek() else { fail(); return false }
        let bit: UInt64 = 1 << UInt64(depth)
        if b == close {
            position += 1
            depth -= 1
            // The container just closed is a value read in its parent.
            started |= 1 << UInt64(depth)
            return false
        }
        if started & bit != 0 {
            guard b == 0x2C else { fail(); return false }
            position += 1
        } else {
            started |= bit
        }
        return true
    }

    // MARK: values

    /// A string's content bytes (offsets, escapes left as they are), or nil.
    public mutating func stringRange() -> Range<Int>? {
        guard !failed, peek() == 0x22 else { return nil }
        var i = position + 1
        let start = i
        while i < count {
            let b = base[i]
            if b == 0x22 { position = i + 1; return start..<i }
            if b == 0x5C { i += 2; continue }
            if b < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// Reads a string value, or fails.
    public mutating func string() -> Range<Int>? {
        guard let r = stringRange() else { fail(); return nil }
        return r
    }

    /// Whether the bytes at `range` are exactly `literal`.
    @inline(__always)
    public func key(_ range: Range<Int>, is literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let l = literal.utf8Start
        var i = 0
        while i < range.count {
            if base[range.lowerBound + i] != l[i] { return false }
            i += 1
        }
        return true
    }

    /// The bytes at `range` (for a diagnostic or a symbol lookup).
    public func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// The text at `range` (diagnostics; allocates).
    public func text(_ range: Range<Int>) -> String { String(decoding: bytes(range), as: UTF8.self) }

    /// A whole JSON integer (no fraction or exponent), checked; fails otherwise.
    public mutating func integer() -> Int64? {
        guard !failed, peek() != nil else { fail(); return nil }
        let negative = base[position] == 0x2D
        var i = negative ? position + 1 : position
        var value: Int64 = 0, digits = 0
        while i < count, base[i] &- 0x30 < 10 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(base[i] &- 0x30))
            guard !o1, !o2 else { fail(); return nil }
            value = s; digits += 1; i += 1
        }
        guard digits > 0, i == count || !Self.continuesNumber(base[i]) else { fail(); return nil }
        position = i
        return negative ? 0 &- value : value
    }

    /// A non-negative integer that may also come as a string (`"123"`).
    public mutating func unsignedInteger() -> UInt64? {
        let quoted = peek() == 0x22
        if quoted { position += 1 }
        guard let v = integer(), v >= 0 else { fail(); return nil }
        if quoted { guard position < count, base[position] == 0x22 else { fail(); return nil }; position += 1 }
        return UInt64(v)
    }

    @inline(__always) static func continuesNumber(_ b: UInt8) -> Bool {
        b == 0x2E || b == 0x65 || b == 0x45 || b &- 0x30 < 10
    }

    /// A decimal number, as a JSON number or inside a string (`"0.0024"`), in fixed point
    /// with `scale` decimals (9 for ArbCore's values): exact or nil (fails) — more
    /// decimals than the scale holds (unless zeros), out of range, or not a number.
    public mutating func decimal(scale: Int = 9) -> Int64? {
        guard !failed, let first = peek() else { fail(); return nil }
        let quoted = first == 0x22
        var i = quoted ? position + 1 : position
        guard let (value, next) = DecimalParser.parse(base, from: i, count: count, scale: scale) else { fail(); return nil }
        i = next
        if quoted {
            guard i < count, base[i] == 0x22 else { fail(); return nil }
            i += 1
        } else if i < count, Self.continuesNumber(base[i]) {
            fail(); return nil
        }
        position = i
        return value
    }

    /// `true` or `false`; fails otherwise.
    public mutating func boolean() -> Bool? {
        guard !failed, let b = peek() else { fail(); return nil }
        if b == 0x74, literal("true") { return true }
        if b == 0x66, literal("false") { return false }
        fail(); return nil
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard position + n <= count else { return false }
        for k in 0..<n where base[position + k] != word.utf8Start[k] { return false }
        position += n
        return true
    }

    /// Skips the next value whatever it is (nested containers included, to the depth
    /// limit); false (failed) if there is none.
    @discardableResult
    public mutating func skipValue() -> Bool {
        guard !failed, let b = peek() else { fail(); return false }
        switch b {
        case 0x22:
            guard stringRange() != nil else { fail(); return false }
        case 0x7B:
            guard beginObject() else { return false }
            while nextKey() != nil { guard skipValue() else { return false } }
        case 0x5B:
            guard beginArray() else { return false }
            while nextElement() { guard skipValue() else { return false } }
        case 0x74:
            guard literal("true") else { fail(); return false }
        case 0x66:
            guard literal("false") else { fail(); return false }
        case 0x6E:
            guard literal("null") else { fail(); return false }
        default:
            // A number: its characters, checked loosely (skipped numbers are not used).
            var i = position
            if i < count, base[i] == 0x2D { i += 1 }
            let start = i
            while i < count, Self.continuesNumber(base[i]) || base[i] == 0x2B || base[i] == 0x2D { i += 1 }
            guard i > start else { fail(); return false }
            position = i
        }
        return !failed
    }

    /// `null` next (consumed).
    public mutating func null() -> Bool {
        guard !failed, peek() == 0x6E else { return false }
        return literal("null")
    }
}

/// Exact decimal text to fixed point: `-`, digits, an optional fraction and an optional
/// exponent (`1.5E-5`). No `Double` on the way: the digits are accumulated as an integer
/// with overflow checks and scaled by a power of ten; digits beyond the scale must be
/// zeros (else the value is not representable and is refused, never rounded).
public enum DecimalParser {
    /// The value and the offset after it, or nil.
    @inline(__always)
    public static func parse(_ p: UnsafePointer<UInt8>, from start: Int, count: Int, scale: Int) -> (Int64, Int)? {
        var i = start
        var negative = false
        if i < count, p[i] == 0x2D { negative = true; i += 1 }
        var mantissa: Int64 = 0
        var intDigits = 0, fracDigits = 0
        // Zeros after the point not yet multiplied in: "1.50000000000000000000" is fine.
        var pendingZeros = 0
        while i < count, p[i] &- 0x30 < 10 {
            guard accumulate(&mantissa, p[i]) else { return nil }
            intDigits += 1; i += 1
        }
        if i < count, p[i] == 0x2E {
            i += 1
            while i < count, p[i] &- 0x30 < 10 {
                let d = p[i]
                if d == 0x30 {
                    pendingZeros += 1
                } else {
                    for _ in 0..<pendingZeros { guard accumulate(&mantissa, 0x30) else { return nil } }
                    fracDigits += pendingZeros + 1
                    pendingZeros = 0
                    guard accumulate(&mantissa, d) else { return nil }
                }
                i += 1
            }
            guard fracDigits + pendingZeros > 0 else { return nil }
        }
        guard intDigits > 0 else { return nil }
        var exponent = 0
        if i < count, p[i] == 0x65 || p[i] == 0x45 {
            i += 1
            var expNegative = false
            if i < count, p[i] == 0x2D || p[i] == 0x2B { expNegative = p[i] == 0x2D; i += 1 }
            var digits = 0
            while i < count, p[i] &- 0x30 < 10 {
                // Beyond 4 digits the value is 0 or out of range either way.
                if exponent < 10_000 { exponent = exponent * 10 + Int(p[i] &- 0x30) }
                digits += 1; i += 1
            }
            guard digits > 0 else { return nil }
            if expNegative { exponent = -exponent }
        }
        // value = mantissa × 10^(exponent − fracDigits), wanted × 10^scale.
        let shift = scale + exponent - fracDigits
        var value = mantissa
        if mantissa != 0 {
            if shift >= 0 {
                guard shift <= 18 else { return nil }
                let (v, o) = mantissa.multipliedReportingOverflow(by: pow10(shift))
                guard !o else { return nil }
                value = v
            } else {
                guard -shift <= 18 else { return nil }
                let divisor = pow10(-shift)
                guard mantissa % divisor == 0 else { return nil }
                value = mantissa / divisor
            }
        }
        return (negative ? 0 &- value : value, i)
    }

    /// 10^e for 0...18, as a table (the parser's hot path; `FixedDecimal.powerOfTen` loops).
    @inline(__always) static func pow10(_ e: Int) -> Int64 {
        switch e {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1000
        case 4: return 10000
        case 5: return 100000
        case 6: return 1000000
        case 7: return 10000000
        case 8: return 100000000
        case 9: return 1000000000
        case 10: return 10000000000
        case 11: return 100000000000
        case 12: return 1000000000000
        case 13: return 10000000000000
        case 14: return 100000000000000
        case 15: return 1000000000000000
        case 16: return 10000000000000000
        case 17: return 100000000000000000
        case 18: return 1000000000000000000
        default: return 1
        }
    }

    @inline(__always) static func accumulate(_ m: inout Int64, _ digit: UInt8) -> Bool {
        let (a, o1) = m.multipliedReportingOverflow(by: 10)
        let (b, o2) = a.addingReportingOverflow(Int64(digit &- 0x30))
        m = b
        return !o1 && !o2
    }
}
