import CZstd

/// A zstd compression context, reused across blocks. One thread at a time.
final class ZstdCompressor {
    private let context: OpaquePointer
    let level: Int32

    init(level: Int32) {
        context = ZSTD_createCCtx()
        self.level = level
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `input` into `output` (replacing its contents).
    func compress(_ input: [UInt8], into output: inout [UInt8]) throws {
        let bound = ZSTD_compressBound(input.count)
        output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_compress2(context, dst.baseAddress, bound, src.baseAddress, input.count)
            }
        }
        guard ZSTD_isError(written) == 0 else { throw RecordingError(.compression, "zstd: \(String(cString: ZSTD_getErrorName(written)))") }
        output.removeLast(bound - written)
    }
}

/// A zstd decompression context, reused across blocks.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() { context = ZSTD_createDCtx() }
    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses a block whose decompressed size is known from its header.
    func decompress(_ input: ArraySlice<UInt8>, expectedSize: Int, into output: inout [UInt8]) throws {
        if output.count != expectedSize { output = [UInt8](repeating: 0, count: expectedSize) }
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_decompressDCtx(context, dst.baseAddress, expectedSize, src.baseAddress, input.count)
            }
        }
        guard ZSTD_isError(written) == 0, written == expectedSize else {
            throw RecordingError(.corrupt, "block does not decompress to its recorded size")
        }
    }
}

/// One-shot zstd for tools and benchmarks (comparing with plain JSON lines + zstd).
public enum Zstd {
    public static func compress(_ bytes: [UInt8], level: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        try ZstdCompressor(level: level).compress(bytes, into: &out)
        return out
    }
}
