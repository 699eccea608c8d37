/// A small, fast, seedable generator (SplitMix64). Integer-only, so the same seed gives
/// the same stream on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0); the tiny modulo bias is irrelevant here.
    @inline(__always)
    public mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }

    /// Uniform in `-range...range`.
    @inline(__always)
    public mutating func symmetric(_ range: Int64) -> Int64 {
        guard range > 0 else { return 0 }
        return Int64(below(UInt64(2 * range + 1))) - range
    }

    /// Roughly normal with standard deviation ≈ `sigma` (sum of four uniforms).
    @inline(__always)
    public mutating func bell(_ sigma: Int64) -> Int64 {
        // Four uniforms on ±r have sd r·√(4/3); r = sigma·0.866.
        let r = sigma * 866 / 1000
        return symmetric(r) + symmetric(r) + symmetric(r) + symmetric(r)
    }
}
