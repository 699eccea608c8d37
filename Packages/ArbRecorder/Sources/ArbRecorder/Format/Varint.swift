/// LEB128 varints and zigzag, for the block streams.
enum Varint {
    @inline(__always)
    static func write(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    @inline(__always)
    static func write(signed value: Int64, to out: inout [UInt8]) {
        write(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &out)
    }
}

/// Reads varints from a slice of a decoded block, checking bounds: a corrupt block is an
/// error, never a crash.
struct ByteReader {
    /// Valid while the decoder holds the block (it decodes inside `withUnsafeBufferPointer`).
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) { self.bytes = bytes; self.position = start; self.end = end }

    @inline(__always)
    mutating func varint() throws -> UInt64 {
        // Most fields fit one byte.
        if position < end, bytes[position] < 0x80 {
            defer { position += 1 }
            return UInt64(bytes[position])
        }
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw RecordingError(.corrupt, "truncated or overlong varint") }
            let b = bytes[position]; position += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always)
    mutating func signed() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    @inline(__always)
    mutating func byte() throws -> UInt8 {
        guard position < end else { throw RecordingError(.corrupt, "truncated stream") }
        defer { position += 1 }
        return bytes[position]
    }
}

/// Little-endian fixed-width fields of the file structure.
enum LittleEndian {
    static func append<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }
    static func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: ArraySlice<UInt8>, at offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= bytes.startIndex, offset + size <= bytes.endIndex else { return nil }
        var v: T = 0
        for i in 0..<size { v |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
        return v
    }

    static func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset + size <= bytes.count else { return nil }
        var v: T = 0
        for i in 0..<size { v |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
        return v
    }
}
