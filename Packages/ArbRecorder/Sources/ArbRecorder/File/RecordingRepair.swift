import ArbCore

/// Repairs a damaged or cut recording: verifies every block (checksums and decoding),
/// copies every intact block into a new file with a fresh index and footer, and keeps the
/// original unless asked to replace it.
public enum RecordingRepair {
    public struct Report: Sendable, Hashable {
        /// Blocks and events kept.
        public var blocks: Int
        public var events: Int
        /// Blocks that failed verification and were left out, and their events.
        public var damagedBlocks: Int
        public var lostEvents: Int
        /// Bytes of the original that are not in the repaired file (damage, a cut block, garbage).
        public var discardedBytes: Int
        public var wasIntact: Bool
        /// Where the repaired recording was written (nil when intact).
        public var output: String?
    }

    /// - Parameters:
    ///   - output: the repaired file; default `<path>.repaired.arbrec`.
    ///   - inPlace: replace the original with the repaired file.
    public static func repair(path: String, output: String? = nil, inPlace: Bool = false) throws -> Report {
        let reader = try RecordingFileReader(path: path)
        var good: [Int] = [], damaged: [Int] = []
        for i in reader.blocks.indices {
            var sink: [MarketEvent] = []
            do { try reader.readBlock(i, into: &sink); good.append(i) } catch { damaged.append(i) }
        }
        let keptEvents = good.reduce(0) { $0 + reader.blocks[$1].count }
        let lostEvents = damaged.reduce(0) { $0 + reader.blocks[$1].count }
        if reader.recovery == nil && damaged.isEmpty {
            return Report(blocks: good.count, events: keptEvents, damagedBlocks: 0, lostEvents: 0, discardedBytes: 0, wasIntact: true, output: nil)
        }
        let target = inPlace ? path + ".repairing" : (output ?? Self.defaultOutput(for: path))
        let out = try RawFile(path: target, writing: true)
        try out.write(try reader.rawBytes(at: 0, count: reader.dataStart))
        var offset = reader.dataStart
        var index: [BlockInfo] = []
        for i in good {
            let bytes = try reader.rawBlockBytes(i)
            var info = reader.blocks[i]
            info.offset = offset
            index.append(info)
            try out.write(bytes)
            offset += bytes.count
        }
        try RecordingFileWriter.writeIndex(index, to: out, at: offset)
        out.sync()
        let written = offset + 8 + index.count * FileLayout.indexEntrySize + FileLayout.footerSize
        if inPlace { try RawFile.rename(target, to: path) }
        return Report(blocks: good.count, events: keptEvents, damagedBlocks: damaged.count, lostEvents: lostEvents,
                      discardedBytes: max(0, reader.fileSize - written), wasIntact: false, output: inPlace ? path : target)
    }

    /// `x.arbrec` → `x.repaired.arbrec`.
    static func defaultOutput(for path: String) -> String {
        path.hasSuffix(".arbrec") ? String(path.dropLast(7)) + ".repaired.arbrec" : path + ".repaired.arbrec"
    }
}
