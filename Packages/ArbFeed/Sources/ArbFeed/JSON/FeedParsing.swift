import ArbCore

/// Small helpers every venue's parser uses.
public enum FeedParsing {
    /// Milliseconds since the epoch as a timestamp; nil if negative or beyond 2^63 ns.
    @inline(__always)
    public static func timestamp(milliseconds ms: Int64) -> Timestamp? {
        guard ms >= 0 else { return nil }
        let (ns, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? nil : Timestamp(nanoseconds: ns)
    }

    /// The start of a message for a log line: at most 160 bytes, on one line.
    public static func excerpt(_ bytes: UnsafeRawBufferPointer) -> String {
        let n = min(bytes.count, 160)
        var s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<n]), as: UTF8.self)
        if bytes.count > n { s += "… (\(bytes.count) bytes)" }
        return String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
