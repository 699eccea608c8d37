/// Repairs a recording cut short: keeps every complete block, drops the rest, and writes
/// a fresh index and footer.
public enum RecordingRepair {
    public struct Report: Sendable, Hashable {
        public var blocks: Int
        public var events: Int
        public var discardedBytes: Int
        public var wasIntact: Bool
    }

    public static func repair(path: String) throws -> Report {
        let reader = try RecordingFileReader(path: path)
        guard let recovery = reader.recovery else {
            return Report(blocks: reader.blocks.count, events: reader.eventCount, discardedBytes: 0, wasIntact: true)
        }
        let file = try RawFile(path: path, writing: true, truncate: false)
        try file.truncate(to: recovery.validBytes)
        file.seekToEnd()
        try RecordingFileWriter.writeIndex(reader.blocks, to: file, at: recovery.validBytes)
        file.sync()
        return Report(blocks: recovery.blocks, events: recovery.events, discardedBytes: recovery.discardedBytes, wasIntact: false)
    }
}
