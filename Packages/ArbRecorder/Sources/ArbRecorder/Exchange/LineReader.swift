import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// Reads lines from a plain or gzip file (zlib detects which), in big chunks, handing
/// out each line as a byte range without copying.
final class LineReader {
    let path: String
    private let file: gzFile
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var eof = false
    private(set) var lineNumber = 0
    private(set) var bytesRead = 0

    init(path: String, bufferSize: Int = 1 << 20) throws {
        self.path = path
        guard let f = gzopen(path, "rb") else { throw RecordingError(.io, "cannot open for reading", file: path) }
        file = f
        gzbuffer(f, 1 << 17)
        buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    deinit { gzclose(file) }

    /// Calls `body` with the next line (without the newline); false at the end of the file.
    func next(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        while true {
            let found: Int? = start < end ? buffer.withUnsafeBufferPointer { b in
                memchr(b.baseAddress! + start, 0x0A, end - start).map { $0.assumingMemoryBound(to: UInt8.self) - UnsafeMutablePointer(mutating: b.baseAddress!) }
            } : nil
            if let nl = found {
                lineNumber += 1
                var lineEnd = nl
                if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<lineEnd])) }
                start = nl + 1
                return true
            }
            if eof {
                guard start < end else { return false }
                lineNumber += 1
                try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
                start = end
                return true
            }
            // Move the partial line to the front, grow if one line fills the buffer, read more.
            if start > 0 {
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                end -= start; start = 0
            }
            if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            let n = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress! + end, UInt32($0.count - end)) }
            if n < 0 {
                var code: Int32 = 0
                let message = String(cString: gzerror(file, &code))
                throw RecordingError(.io, "read failed (\(message)): is the gzip file complete?", file: path)
            }
            if n == 0 {
                // A gzip stream cut short reads as a clean end unless zlib is asked.
                var code: Int32 = 0
                let message = String(cString: gzerror(file, &code))
                if code != Z_OK {
                    throw RecordingError(.io, "the gzip stream ends early (\(message)): the file is truncated or corrupt", file: path)
                }
                eof = true
            } else {
                end += Int(n); bytesRead += Int(n)
            }
        }
    }
}

/// Writes text to a plain or gzip file.
final class TextWriter {
    private let file: gzFile
    let path: String
    init(path: String, gzip: Bool) throws {
        self.path = path
        guard let f = gzopen(path, gzip ? "wb6" : "wT") else { throw RecordingError(.io, "cannot open for writing", file: path) }
        file = f
        gzbuffer(f, 1 << 17)
    }
    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        let n = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        guard n == bytes.count else { throw RecordingError(.io, "write failed (disk full?)", file: path) }
    }
    func close() throws {
        guard gzclose(file) == Z_OK else { throw RecordingError(.io, "closing failed", file: path) }
    }
}

/// The eight fields of a Tardis row as byte ranges, without an array.
struct EightFields {
    private var starts: (Int, Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// Splits on commas; false unless there are exactly eight fields.
    @inline(__always)
    mutating func split(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var n = 0
        starts.0 = 0
        withUnsafeMutableBytes(of: &starts) { raw in
            let s = raw.bindMemory(to: Int.self)
            for i in 0..<line.count where line[i] == 0x2C {
                n += 1
                if n > 7 { n = 99; break }
                s[n] = i + 1
            }
            s[8] = line.count + 1
        }
        return n == 7
    }

    @inline(__always)
    subscript(_ k: Int) -> Range<Int> {
        withUnsafeBytes(of: starts) { raw in
            let s = raw.bindMemory(to: Int.self)
            return s[k]..<(s[k + 1] - 1)
        }
    }
}

/// Byte-level field parsing for CSV rows.
enum Fields {

    @inline(__always)
    /// A non-negative integer, or nil if malformed or beyond Int64 (never wraps).
    static func int(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int64? {
        guard !r.isEmpty else { return nil }
        var v: Int64 = 0
        for i in r {
            let d = line[i] &- 0x30
            guard d < 10 else { return nil }
            let (times10, o1) = v.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int64(d))
            guard !o1 && !o2 else { return nil }
            v = next
        }
        return v
    }

    /// A decimal like "9660.48" or "1e-5"-free text into raw 1e-9 units; nil if malformed
    /// or more precise than 1e-9.
    @inline(__always)
    static func decimal(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> (raw: Int64, decimals: Int)? {
        guard !r.isEmpty else { return nil }
        var integer: Int64 = 0, fraction: Int64 = 0, decimals = 0, seenPoint = false, digits = 0
        var i = r.lowerBound
        var negative = false
        if line[i] == 0x2D { negative = true; i += 1 }
        while i < r.upperBound {
            let c = line[i]
            if c == 0x2E { if seenPoint { return nil }; seenPoint = true; i += 1; continue }
            let d = c &- 0x30
            guard d < 10 else { return nil }
            digits += 1
            if seenPoint {
                decimals += 1
                if decimals > 9 { if d != 0 { return nil } } else { fraction = fraction * 10 + Int64(d) }
            } else {
                integer = integer &* 10 &+ Int64(d)
                if integer > 9_000_000_000 { return nil }
            }
            i += 1
        }
        guard digits > 0 else { return nil }  // "-", "." and "-." are not numbers
        var scale = decimals < 9 ? 9 - decimals : 0
        while scale > 0 { fraction *= 10; scale -= 1 }
        let raw = integer * 1_000_000_000 + fraction
        return (negative ? -raw : raw, min(decimals, 9))
    }

    static func equals(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ text: StaticString) -> Bool {
        guard r.count == text.utf8CodeUnitCount else { return false }
        let p = text.utf8Start
        for (k, i) in r.enumerated() where line[i] != p[k] { return false }
        return true
    }

    static func string(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: line[r]), as: UTF8.self)
    }
}

/// gzip for tools and benchmarks (the Tardis CSV.gz comparison).
public enum Gzip {
    /// Writes `bytes` to `path` as gzip at `level`; returns the file's size.
    public static func write(_ bytes: [UInt8], to path: String, level: Int) throws -> Int {
        guard let f = gzopen(path, "wb\(level)") else { throw RecordingError(.io, "cannot open for writing", file: path) }
        var done = 0
        while done < bytes.count {
            let chunk = min(1 << 24, bytes.count - done)
            let n = bytes.withUnsafeBytes { gzwrite(f, $0.baseAddress! + done, UInt32(chunk)) }
            guard n > 0 else { gzclose(f); throw RecordingError(.io, "gzip write failed", file: path) }
            done += Int(n)
        }
        gzclose(f)
        return (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
import Foundation
