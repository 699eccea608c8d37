import Foundation
import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// The byte layout of a recording (docs/RECORDING-FORMAT.md).
enum FileLayout {
    static let magic: [UInt8] = Array("ARBREC".utf8) + [0, 1]
    static let blockMagic: UInt32 = 0x4B4C_4241      // "ABLK"
    static let indexMagic: UInt32 = 0x5844_4941      // "AIDX"
    static let footerMagic: [UInt8] = Array("ARBRECFT".utf8)
    static let blockHeaderSize = 40
    static let indexEntrySize = 28
    static let footerSize = 24
    /// Documented maximums: a declared length beyond them (or beyond the file) is damage,
    /// never an allocation.
    static let maxHeaderSize = 16 << 20
    static let maxBlockRawSize = 256 << 20

    static func crc(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { UInt32(crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
    }
}

/// One block as the index (or a scan) knows it.
public struct BlockInfo: Sendable, Hashable {
    public var offset: Int
    public var compressedSize: Int
    public var rawSize: Int
    public var count: Int
    public var firstTimeNs: Int64
    public var lastTimeNs: Int64
}

/// A POSIX file descriptor, closed on deinit.
final class RawFile {
    let fd: Int32
    let path: String

    init(path: String, writing: Bool, truncate: Bool = true) throws {
        self.path = path
        let flags = writing ? (O_WRONLY | O_CREAT | (truncate ? O_TRUNC : 0)) : O_RDONLY
        fd = open(path, flags, 0o644)
        guard fd >= 0 else {
            throw RecordingError(.io, "cannot open (\(String(cString: strerror(errno)))); check the path and permissions", file: path)
        }
    }
    deinit { close(fd) }

    /// Atomically replaces `to` with `from`.
    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw RecordingError(.io, "cannot replace \(to) with \(from) (errno \(errno))", file: to)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            guard n > 0 else { throw RecordingError(.io, "write failed: \(String(cString: strerror(errno))) (disk full?)", file: path) }
            done += n
        }
    }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            guard n > 0 else { break }
            done += n
        }
        if done < count { out.removeLast(count - done) }
        return out
    }

    var size: Int {
        var st = stat()
        fstat(fd, &st)
        return Int(st.st_size)
    }

    func sync() { fsync(fd) }
    func truncate(to size: Int) throws {
        guard ftruncate(fd, off_t(size)) == 0 else { throw RecordingError(.io, "truncate failed: \(String(cString: strerror(errno)))", file: path) }
    }
    func seekToEnd() { lseek(fd, 0, SEEK_END) }
}

/// Why a folder cannot be created, in words a user can act on (Foundation's own message
/// on Linux is an opaque Cocoa error number).
public enum FolderProblem {
    public static func explain(_ path: String) -> String {
        var current = (path as NSString).standardizingPath
        while !current.isEmpty && current != "/" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: current, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return "\(current) is a file, not a folder" }
                if !FileManager.default.isWritableFile(atPath: current) { return "no permission to write in \(current)" }
                return "the folder could not be created in \(current)"
            }
            current = (current as NSString).deletingLastPathComponent
        }
        return "no part of the path exists"
    }
}
