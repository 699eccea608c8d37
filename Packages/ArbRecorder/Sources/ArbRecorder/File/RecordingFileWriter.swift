import ArbCore
import Foundation

/// When written data is forced to disk.
public enum FsyncPolicy: Sendable, Hashable {
    /// Leave it to the OS (fastest; a machine crash may lose the last seconds).
    case never
    /// After every block (a crash loses at most the block being filled).
    case everyBlock
}

/// Writes one recording file: header, blocks of `blockEvents` events, then index and
/// footer on `close()`. Not thread-safe: the recorder's writer thread owns it. A file
/// cut short (crash, full disk) keeps every complete block readable.
public final class RecordingFileWriter {
    public let path: String
    public let header: RecordingHeader
    public let blockEvents: Int
    public let fsync: FsyncPolicy
    private let file: RawFile
    private var codec: BlockCodec
    private let compressor: ZstdCompressor
    private var pending: [MarketEvent] = []
    private var raw: [UInt8] = []
    private var compressed: [UInt8] = []
    private var index: [BlockInfo] = []
    public private(set) var bytesWritten = 0
    public private(set) var eventsWritten = 0
    private var closed = false

    public init(path: String, header: RecordingHeader, blockEvents: Int = 32_768, fsync: FsyncPolicy = .never) throws {
        self.path = path
        self.header = header
        self.blockEvents = max(1, blockEvents)
        self.fsync = fsync
        file = try RawFile(path: path, writing: true)
        codec = BlockCodec(priceUnits: header.instruments.map(\.priceUnit), quantityUnits: header.instruments.map(\.quantityUnit))
        compressor = ZstdCompressor(level: Int32(header.compressionLevel))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = [UInt8](try encoder.encode(header))
        var bytes = FileLayout.magic
        LittleEndian.append(UInt32(json.count), to: &bytes)
        bytes += json
        LittleEndian.append(FileLayout.crc(json[...]), to: &bytes)
        try file.write(bytes)
        bytesWritten = bytes.count
        pending.reserveCapacity(self.blockEvents)
    }

    public var blockCount: Int { index.count }
    public var pendingEvents: Int { pending.count }

    /// Adds an event (instrument ids are the header's). Writes a block when one is full.
    public func append(_ event: MarketEvent) throws {
        guard event.instrument.index >= 0 && event.instrument.index < header.instruments.count else {
            throw RecordingError(.badInput, "event for instrument \(event.instrument.index), but the header lists \(header.instruments.count)", file: path)
        }
        pending.append(event)
        if pending.count >= blockEvents { try flushBlock() }
    }

    /// Writes what is pending as a block (no-op when empty).
    public func flushBlock() throws {
        guard !pending.isEmpty else { return }
        codec.encode(pending[...], into: &raw)
        try compressor.compress(raw, into: &compressed)
        let first = pending.first!.receivedAt.nanoseconds, last = pending.last!.receivedAt.nanoseconds
        var head: [UInt8] = []
        LittleEndian.append(FileLayout.blockMagic, to: &head)
        LittleEndian.append(UInt32(compressed.count), to: &head)
        LittleEndian.append(UInt32(raw.count), to: &head)
        LittleEndian.append(UInt32(pending.count), to: &head)
        LittleEndian.append(first, to: &head)
        LittleEndian.append(last, to: &head)
        LittleEndian.append(FileLayout.crc(compressed[...]), to: &head)
        LittleEndian.append(FileLayout.crc(head[...]), to: &head)
        try file.write(head + compressed)
        index.append(BlockInfo(offset: bytesWritten, compressedSize: compressed.count, rawSize: raw.count, count: pending.count,
                               firstTimeNs: first, lastTimeNs: last))
        bytesWritten += head.count + compressed.count
        eventsWritten += pending.count
        pending.removeAll(keepingCapacity: true)
        if fsync == .everyBlock { file.sync() }
    }

    /// Flushes the last block, writes the index and the footer. The file is complete.
    public func close() throws {
        guard !closed else { return }
        closed = true
        try flushBlock()
        try Self.writeIndex(index, to: file, at: bytesWritten)
        file.sync()
    }

    static func writeIndex(_ index: [BlockInfo], to file: RawFile, at offset: Int) throws {
        var bytes: [UInt8] = []
        LittleEndian.append(FileLayout.indexMagic, to: &bytes)
        LittleEndian.append(UInt32(index.count), to: &bytes)
        for b in index {
            LittleEndian.append(UInt64(b.offset), to: &bytes)
            LittleEndian.append(b.firstTimeNs, to: &bytes)
            LittleEndian.append(b.lastTimeNs, to: &bytes)
            LittleEndian.append(UInt32(b.count), to: &bytes)
        }
        let crc = FileLayout.crc(bytes[...])
        LittleEndian.append(UInt64(offset), to: &bytes)
        LittleEndian.append(UInt32(index.count), to: &bytes)
        LittleEndian.append(crc, to: &bytes)
        bytes += FileLayout.footerMagic
        try file.write(bytes)
    }
}
