/// The venue's symbols (`BNBBTC`, `KRW-BTC`) to dense indexes, looked up straight from a
/// message's bytes: no `String` per message. Open addressing over a power-of-two table,
/// FNV-1a hashes, keys kept in one byte array. Built once at start-up.
public struct SymbolTable: Sendable {
    var slots: [Int32]
    var keyStart: [Int]
    var keyLength: [Int]
    var values: [Int32]
    var storage: [UInt8] = []
    var mask: Int

    /// `symbols[i]` maps to `i`. Duplicates keep the first.
    public init(_ symbols: [String]) {
        var size = 8
        while size < symbols.count * 2 { size *= 2 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
        keyStart = []; keyLength = []; values = []
        for (i, s) in symbols.enumerated() {
            let bytes = Array(s.utf8)
            let found = bytes.withUnsafeBufferPointer { lookup($0) }
            guard found == nil else { continue }
            let entry = Int32(keyStart.count)
            keyStart.append(storage.count); keyLength.append(bytes.count); values.append(Int32(i))
            storage.append(contentsOf: bytes)
            var slot = Self.hash(bytes.withUnsafeBufferPointer { $0 }) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }

    @inline(__always) static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The index of the symbol spelled by `bytes`, or nil.
    @inline(__always)
    public func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        var slot = Self.hash(bytes) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { return nil }
            let e = Int(entry)
            if keyLength[e] == bytes.count {
                let start = keyStart[e]
                var equal = true
                var k = 0
                while k < bytes.count { if storage[start + k] != bytes[k] { equal = false; break }; k += 1 }
                if equal { return values[e] }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `symbol`, or nil.
    public func lookup(_ symbol: String) -> Int32? {
        Array(symbol.utf8).withUnsafeBufferPointer { lookup($0) }
    }
}
