import ArbCore
import Foundation

/// Reads a recording: header, block index (from the footer, or by scanning a file cut
/// short), and blocks on demand. Every block is checked against its checksums.
public final class RecordingFileReader {
    public let path: String
    public let header: RecordingHeader
    public private(set) var blocks: [BlockInfo]
    /// Set when the file had no valid footer: what could be recovered.
    public let recovery: Recovery?
    public let fileSize: Int
    /// Where the blocks start (after the header).
    let dataStart: Int
    private let file: RawFile
    private var codec: BlockCodec
    private let decompressor = ZstdDecompressor()
    private var rawBuffer: [UInt8] = []

    public struct Recovery: Sendable, Hashable, CustomStringConvertible {
        /// Complete, verified blocks.
        public var blocks: Int
        public var events: Int
        /// Bytes up to the end of the last good block.
        public var validBytes: Int
        /// Bytes after it that could not be used (a cut block, garbage).
        public var discardedBytes: Int
        public var reason: String
        /// Damaged stretches between good blocks that were skipped, and their bytes.
        public var damagedRegions: Int = 0
        public var damagedBytes: Int = 0
        public var description: String {
            "no valid footer (\(reason)): recovered \(blocks) complete blocks (\(events) events)"
                + (damagedRegions > 0 ? "; skipped \(damagedBytes) damaged bytes in \(damagedRegions) places" : "")
                + "; \(discardedBytes) trailing bytes unusable"
        }
    }

    public init(path: String) throws {
        self.path = path
        file = try RawFile(path: path, writing: false)
        fileSize = file.size
        let start = try file.read(at: 0, count: 12)
        guard start.count == 12, Array(start[0..<6]) == Array(FileLayout.magic[0..<6]) else {
            throw RecordingError(.notARecording, "not an Arbor recording (bad magic); expected a file written by `arbd record`", file: path, offset: 0)
        }
        guard start[6...7].elementsEqual(FileLayout.magic[6...7]) else {
            throw RecordingError(.unsupportedVersion, "file layout version \(start[7]) is newer than this arbd understands", file: path, offset: 6)
        }
        let jsonLength = Int(LittleEndian.read(UInt32.self, start[...], at: 8)!)
        guard jsonLength <= FileLayout.maxHeaderSize, 12 + jsonLength + 4 <= fileSize else {
            throw RecordingError(.corrupt, "the header claims \(jsonLength) bytes, more than the file (\(fileSize) bytes) or the format's maximum "
                                 + "(\(FileLayout.maxHeaderSize)); the header is damaged", file: path, offset: 8)
        }
        let rest = try file.read(at: 12, count: jsonLength + 4)
        guard rest.count == jsonLength + 4 else { throw RecordingError(.truncated, "the header is cut short", file: path, offset: 12) }
        guard FileLayout.crc(rest[0..<jsonLength]) == LittleEndian.read(UInt32.self, rest[...], at: jsonLength)! else {
            throw RecordingError(.corrupt, "the header's checksum does not match", file: path, offset: 12)
        }
        let header: RecordingHeader
        do { header = try JSONDecoder().decode(RecordingHeader.self, from: Data(rest[0..<jsonLength])) } catch {
            throw RecordingError(.corrupt, "the header is not valid: \(error)", file: path, offset: 12)
        }
        guard header.formatVersion <= RecordingHeader.currentVersion else {
            throw RecordingError(.unsupportedVersion, "format version \(header.formatVersion); this arbd reads up to \(RecordingHeader.currentVersion)", file: path)
        }
        if let problem = header.problem {
            throw RecordingError(.corrupt, "the header is not valid: \(problem)", file: path, offset: 12)
        }
        self.header = header
        dataStart = 12 + jsonLength + 4
        codec = BlockCodec(priceUnits: header.instruments.map(\.priceUnit), quantityUnits: header.instruments.map(\.quantityUnit))
        if let index = Self.readIndex(file, size: fileSize, dataStart: dataStart) {
            blocks = index
            recovery = nil
        } else {
            let scanned = Self.scan(file, size: fileSize, from: dataStart)
            blocks = scanned.blocks
            recovery = Recovery(blocks: scanned.blocks.count, events: scanned.blocks.reduce(0) { $0 + $1.count }, validBytes: scanned.validBytes,
                                discardedBytes: fileSize - scanned.validBytes, reason: scanned.reason,
                                damagedRegions: scanned.damagedRegions, damagedBytes: scanned.damagedBytes)
        }
    }

    public var eventCount: Int { blocks.reduce(0) { $0 + $1.count } }

    /// The index from the footer, if the footer and index are intact.
    static func readIndex(_ file: RawFile, size: Int, dataStart: Int) -> [BlockInfo]? {
        guard size >= dataStart + FileLayout.footerSize else { return nil }
        let footer = try? file.read(at: size - FileLayout.footerSize, count: FileLayout.footerSize)
        guard let footer, footer.count == FileLayout.footerSize, Array(footer[16..<24]) == FileLayout.footerMagic,
              let indexOffset = LittleEndian.read(UInt64.self, footer[...], at: 0),
              let count = LittleEndian.read(UInt32.self, footer[...], at: 8),
              let crc = LittleEndian.read(UInt32.self, footer[...], at: 12) else { return nil }
        // Every declared number is checked against the file before use: a flipped bit in
        // the footer must make the index unusable (the blocks are then scanned), not trap.
        let length = 8 + Int(count) * FileLayout.indexEntrySize
        guard let start = Int(exactly: indexOffset), start >= dataStart, start <= size,
              start + length + FileLayout.footerSize == size,
              let bytes = try? file.read(at: start, count: length), bytes.count == length,
              FileLayout.crc(bytes[...]) == crc, LittleEndian.read(UInt32.self, bytes[...], at: 0) == FileLayout.indexMagic else { return nil }
        var blocks: [BlockInfo] = []
        var previousEnd = dataStart
        for i in 0..<Int(count) {
            let o = 8 + i * FileLayout.indexEntrySize
            guard let offset = Int(exactly: LittleEndian.read(UInt64.self, bytes[...], at: o)!),
                  offset >= previousEnd, offset <= start - FileLayout.blockHeaderSize else { return nil }  // no addition near Int.max
            previousEnd = offset + FileLayout.blockHeaderSize
            blocks.append(BlockInfo(offset: offset, compressedSize: -1, rawSize: -1,
                                    count: Int(LittleEndian.read(UInt32.self, bytes[...], at: o + 24)!),
                                    firstTimeNs: LittleEndian.read(Int64.self, bytes[...], at: o + 8)!,
                                    lastTimeNs: LittleEndian.read(Int64.self, bytes[...], at: o + 16)!))
        }
        return blocks
    }

    struct ScanResult {
        var blocks: [BlockInfo] = []
        /// Bytes up to the end of the last good block.
        var validBytes: Int
        var reason = ""
        var damagedRegions = 0
        var damagedBytes = 0
    }

    /// Walks the blocks from the start, verifying each. A damaged stretch is skipped: the
    /// walk resumes at the next block whose header and payload verify, so one bad block
    /// loses only itself.
    static func scan(_ file: RawFile, size: Int, from start: Int) -> ScanResult {
        var result = ScanResult(validBytes: start)
        var offset = start
        while true {
            if offset == size { result.reason = "the file ends after its last block (no index was written)"; return result }
            if let info = verifiedBlock(file, size: size, at: offset) {
                result.blocks.append(info)
                offset += FileLayout.blockHeaderSize + info.compressedSize
                result.validBytes = offset
                continue
            }
            let head = (try? file.read(at: offset, count: FileLayout.blockHeaderSize)) ?? []
            let why = head.count < FileLayout.blockHeaderSize ? "a block header is cut at byte \(offset)"
                : LittleEndian.read(UInt32.self, head[...], at: 0) == FileLayout.indexMagic ? "the index or footer is damaged"
                : "the block at byte \(offset) is cut or damaged"
            guard let next = nextVerifiedBlock(file, size: size, after: offset) else { result.reason = why; return result }
            result.damagedRegions += 1
            result.damagedBytes += next - offset
            offset = next
        }
    }

    /// The block at `offset` if its header and payload verify and it lies inside the file.
    static func verifiedBlock(_ file: RawFile, size: Int, at offset: Int) -> BlockInfo? {
        guard let head = try? file.read(at: offset, count: FileLayout.blockHeaderSize), head.count == FileLayout.blockHeaderSize,
              let info = parseBlockHeader(head, at: offset) else { return nil }
        let end = offset + FileLayout.blockHeaderSize + info.compressedSize
        guard end <= size, let payload = try? file.read(at: offset + FileLayout.blockHeaderSize, count: info.compressedSize),
              payload.count == info.compressedSize,
              FileLayout.crc(payload[...]) == LittleEndian.read(UInt32.self, head[...], at: 32) else { return nil }
        return info
    }

    /// The offset of the next verified block after `offset`, searching for the block magic.
    static func nextVerifiedBlock(_ file: RawFile, size: Int, after offset: Int) -> Int? {
        let chunk = 1 << 20
        let magic: [UInt8] = [0x41, 0x42, 0x4C, 0x4B]  // "ABLK", the block magic little-endian
        var position = offset + 1
        while position + FileLayout.blockHeaderSize <= size {
            guard let bytes = try? file.read(at: position, count: min(chunk + 3, size - position)), bytes.count >= 4 else { return nil }
            var k = 0
            while k + 4 <= bytes.count {
                if bytes[k] == magic[0] && bytes[k + 1] == magic[1] && bytes[k + 2] == magic[2] && bytes[k + 3] == magic[3],
                   verifiedBlock(file, size: size, at: position + k) != nil {
                    return position + k
                }
                k += 1
            }
            position += chunk
        }
        return nil
    }

    static func parseBlockHeader(_ head: [UInt8], at offset: Int) -> BlockInfo? {
        guard LittleEndian.read(UInt32.self, head[...], at: 0) == FileLayout.blockMagic,
              FileLayout.crc(head[0..<36]) == LittleEndian.read(UInt32.self, head[...], at: 36) else { return nil }
        let rawSize = Int(LittleEndian.read(UInt32.self, head[...], at: 8)!)
        let count = Int(LittleEndian.read(UInt32.self, head[...], at: 12)!)
        // Sizes that would make a reader allocate without bound are damage: a raw block
        // beyond the format's maximum, or more events than raw bytes (each takes at least one).
        guard rawSize <= FileLayout.maxBlockRawSize, count <= rawSize else { return nil }
        return BlockInfo(offset: offset, compressedSize: Int(LittleEndian.read(UInt32.self, head[...], at: 4)!),
                         rawSize: rawSize, count: count,
                         firstTimeNs: LittleEndian.read(Int64.self, head[...], at: 16)!, lastTimeNs: LittleEndian.read(Int64.self, head[...], at: 24)!)
    }

    /// Decodes block `i`, appending its events to `out`.
    public func readBlock(_ i: Int, into out: inout [MarketEvent]) throws {
        let offset = blocks[i].offset
        let head = try file.read(at: offset, count: FileLayout.blockHeaderSize)
        guard let info = Self.parseBlockHeader(head, at: offset) else {
            throw RecordingError(.corrupt, "block \(i) header is damaged; `arbd recorder repair` keeps the blocks before it", file: path, offset: offset)
        }
        guard offset + FileLayout.blockHeaderSize + info.compressedSize <= fileSize else {
            throw RecordingError(.corrupt, "block \(i) claims \(info.compressedSize) bytes past the end of the file", file: path, offset: offset)
        }
        let payload = try file.read(at: offset + FileLayout.blockHeaderSize, count: info.compressedSize)
        guard payload.count == info.compressedSize, FileLayout.crc(payload[...]) == LittleEndian.read(UInt32.self, head[...], at: 32) else {
            throw RecordingError(.corrupt, "block \(i) fails its checksum", file: path, offset: offset)
        }
        try decompressor.decompress(payload[...], expectedSize: info.rawSize, into: &rawBuffer)
        // No event of a block that fails is delivered: what it appended is taken back.
        let before = out.count
        do { try codec.decode(rawBuffer, count: info.count, into: &out) } catch let e as RecordingError {
            out.removeSubrange(before...)
            throw RecordingError(e.code, "block \(i): \(e.message)", file: path, offset: offset)
        }
    }

    /// Bytes of the file as they are (the header, for repair).
    func rawBytes(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset + count <= fileSize else {
            throw RecordingError(.corrupt, "range \(offset)+\(count) is outside the file", file: path, offset: offset)
        }
        return try file.read(at: offset, count: count)
    }

    /// Block `i` as stored (header and payload), after verifying it.
    func rawBlockBytes(_ i: Int) throws -> [UInt8] {
        guard let info = Self.verifiedBlock(file, size: fileSize, at: blocks[i].offset) else {
            throw RecordingError(.corrupt, "block \(i) does not verify", file: path, offset: blocks[i].offset)
        }
        return try rawBytes(at: info.offset, count: FileLayout.blockHeaderSize + info.compressedSize)
    }

    /// Checks every block (checksums and decoding); the indexes of those that fail.
    public func damagedBlocks() -> [Int] {
        var damaged: [Int] = []
        var sink: [MarketEvent] = []
        for i in blocks.indices {
            sink.removeAll(keepingCapacity: true)
            do { try readBlock(i, into: &sink) } catch { damaged.append(i) }
        }
        return damaged
    }

    /// Every event, in order.
    public func readAll() throws -> [MarketEvent] {
        var out: [MarketEvent] = []
        for i in blocks.indices { try readBlock(i, into: &out) }
        return out
    }

    /// The first block that may hold events at or after `time` (binary search on the index).
    public func firstBlock(atOrAfter time: Timestamp) -> Int {
        var low = 0, high = blocks.count
        while low < high {
            let mid = (low + high) / 2
            if blocks[mid].lastTimeNs < time.nanoseconds { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
