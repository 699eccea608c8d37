import ArbCore
import Foundation

/// How the recorder writes.
public struct RecorderOptions: Sendable, Hashable {
    public var directory: String
    /// Written into each header (`synthetic`, a feed name...).
    public var source: String
    /// Start a new file once one holds this many bytes...
    public var rotateBytes: Int
    /// ...or spans this much event time (files also never span two UTC dates).
    public var rotateInterval: Duration
    public var blockEvents: Int
    public var compressionLevel: Int
    public var fsync: FsyncPolicy
    /// Events the producer may be ahead of the disk; beyond it events are dropped and the
    /// loss is written as a `gap` marker.
    public var queueCapacity: Int
    /// One file per venue, or one file for all venues. Only `combined` keeps the exact
    /// order of events from different venues that share a receive time, which replaying a
    /// simulated run bit for bit needs; live feeds rarely tie.
    public var layout: Layout
    public enum Layout: String, Sendable, Hashable { case perVenue = "per-venue", combined }

    public init(directory: String, source: String, rotateBytes: Int = 256 << 20, rotateInterval: Duration = .seconds(3_600),
                blockEvents: Int = 32_768, compressionLevel: Int = 3, fsync: FsyncPolicy = .never, queueCapacity: Int = 1 << 20,
                layout: Layout = .perVenue) {
        self.layout = layout
        self.directory = directory; self.source = source; self.rotateBytes = rotateBytes; self.rotateInterval = rotateInterval
        self.blockEvents = blockEvents; self.compressionLevel = compressionLevel; self.fsync = fsync; self.queueCapacity = queueCapacity
    }
}

/// What a recorder did.
public struct RecorderReport: Sendable, Hashable, Codable {
    public var events: Int
    public var dropped: Int
    public var gapMarkers: Int
    public var files: [String]
    public var bytes: Int
    public var error: String?
}

/// Records market events off the producer's thread: one file per venue (or one for all,
/// named after all of them joined by `+`), named
/// `<directory>/<venue>/<YYYY-MM-DD>/<venue>-<YYYYMMDDTHHMMSS>Z-<n>.arbrec`, rotated by
/// size and time. `record` never blocks. If the writer falls behind and the queue is
/// full, the event is dropped, counted, and a `gap` marker (with how many were lost) is
/// recorded before the next event of that instrument, so the file shows the hole.
public final class Recorder: @unchecked Sendable {
    public let options: RecorderOptions
    let instruments: [RecordingHeader.InstrumentEntry]
    /// Per instrument: (venue index, id inside that venue's files).
    private let placement: [(venue: Int, local: Int)]
    private let venues: [String]
    private let queue: BoundedQueue<MarketEvent>
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    // Producer side.
    private var droppedPerInstrument: [UInt64]
    private var firstMissing: [UInt64]
    public private(set) var dropped = 0
    public private(set) var gapMarkers = 0
    // Writer side.
    private var writers: [RecordingFileWriter?]
    private var fileStart: [Int64]
    private var fileCounter: [Int]
    private var files: [String] = []
    /// Events and bytes on disk: counted when a file is closed (its index and footer
    /// written), from what its blocks hold and the file's size.
    private var events = 0
    private var bytes = 0
    private var failure: String?
    /// Set by the writer thread on the first write error; read by producers that can stop.
    private let failed = NSLock()
    private var failedMessage: String?

    /// The first write error, if any: a producer that can stop (`arbd record`) checks it
    /// every few thousand events and stops within about one block.
    public var writeFailure: String? {
        failed.lock(); defer { failed.unlock() }
        return failedMessage
    }

    private func noteFailure(_ message: String) {
        if failure == nil { failure = message }
        failed.lock(); if failedMessage == nil { failedMessage = message }; failed.unlock()
    }

    public init(instruments: [RecordingHeader.InstrumentEntry], options: RecorderOptions) {
        self.options = options
        self.instruments = instruments
        let allVenues = Array(Set(instruments.map(\.venue))).sorted()
        let venueNames = options.layout == .combined ? [allVenues.joined(separator: "+")] : allVenues
        venues = venueNames
        var counters = [Int](repeating: 0, count: venueNames.count)
        var placement: [(venue: Int, local: Int)] = []
        for entry in instruments {
            let v = options.layout == .combined ? 0 : venueNames.firstIndex(of: entry.venue)!
            placement.append((v, counters[v]))
            counters[v] += 1
        }
        self.placement = placement
        queue = BoundedQueue(capacity: max(1, options.queueCapacity))
        droppedPerInstrument = Array(repeating: 0, count: instruments.count)
        firstMissing = Array(repeating: 0, count: instruments.count)
        writers = Array(repeating: nil, count: venues.count)
        fileStart = Array(repeating: 0, count: venues.count)
        fileCounter = Array(repeating: 0, count: venues.count)
    }

    public func start() {
        let thread = Thread { [self] in self.drain() }
        thread.name = "arbd-recorder"
        self.thread = thread
        thread.start()
    }

    // MARK: producer

    /// Hands an event (run instrument ids = the `instruments` order) to the writer. Never blocks.
    public func record(_ event: MarketEvent) {
        let i = event.instrument.index
        guard i >= 0 && i < instruments.count else { return }
        if droppedPerInstrument[i] > 0 {
            let gap = MarketEvent.status(FeedStatus(kind: .gap, instrument: event.instrument, receivedAt: event.receivedAt,
                                                    sequence: firstMissing[i], count: droppedPerInstrument[i]))
            guard queue.tryPut(gap) else { droppedPerInstrument[i] += 1; dropped += 1; return }
            gapMarkers += 1
            droppedPerInstrument[i] = 0
        }
        if !queue.tryPut(event) {
            if droppedPerInstrument[i] == 0 { firstMissing[i] = event.feedSequence }
            droppedPerInstrument[i] += 1
            dropped += 1
        }
    }

    /// For sources that can wait (a simulation, an import): blocks while the queue is full
    /// instead of dropping, so nothing is lost.
    public func recordWaiting(_ event: MarketEvent) {
        let i = event.instrument.index
        guard i >= 0 && i < instruments.count else { return }
        queue.put(event)
    }

    /// Times `recordWaiting` found the queue full and waited.
    public var waits: Int { queue.backpressureWaits }

    /// Waits for everything queued to be written and closes the files (index and footer).
    public func finish() -> RecorderReport {
        queue.close()
        if thread != nil { done.wait() }
        return RecorderReport(events: events, dropped: dropped, gapMarkers: gapMarkers, files: files, bytes: bytes, error: failure)
    }

    // MARK: writer

    private func drain() {
        var batch: [MarketEvent] = []
        while true {
            queue.takeBatch(max: 8_192, into: &batch)
            if batch.isEmpty { break }
            guard failure == nil else { continue }
            do { for event in batch { try write(event) } } catch { noteFailure(String(describing: error)) }
        }
        for v in writers.indices { closeWriter(v) }
        done.signal()
    }

    private func write(_ event: MarketEvent) throws {
        let (v, local) = placement[event.instrument.index]
        let t = event.receivedAt.nanoseconds
        if let w = writers[v] {
            let sameDay = Self.day(t) == Self.day(fileStart[v])
            if w.bytesWritten >= options.rotateBytes || t - fileStart[v] >= options.rotateInterval.nanosecondsInt64 || !sameDay {
                closeWriter(v)
            }
        }
        if writers[v] == nil { try openWriter(v, at: t) }
        try writers[v]!.append(event.with(instrument: InstrumentId(local)))
    }

    private func openWriter(_ v: Int, at t: Int64) throws {
        let venue = venues[v]
        let folder = (options.directory as NSString).appendingPathComponent("\(venue)/\(Self.day(t))")
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw RecordingError(.io, "cannot create the folder: \(FolderProblem.explain(folder)); check the path and permissions",
                                 file: folder)
        }
        fileCounter[v] += 1
        let path = (folder as NSString).appendingPathComponent("\(venue)-\(Self.stamp(t))-\(fileCounter[v]).arbrec")
        let members = options.layout == .combined ? instruments : instruments.filter { $0.venue == venue }
        let header = RecordingHeader(source: options.source, instruments: members, startTimeNs: t,
                                     compressionLevel: options.compressionLevel)
        writers[v] = try RecordingFileWriter(path: path, header: header, blockEvents: options.blockEvents, fsync: options.fsync)
        fileStart[v] = t
        files.append(path)
    }

    private func closeWriter(_ v: Int) {
        guard let w = writers[v] else { return }
        do { try w.close() } catch { noteFailure(String(describing: error)) }
        events += w.eventsWritten
        let size = (try? FileManager.default.attributesOfItem(atPath: w.path)[.size] as? Int) ?? nil
        bytes += size ?? w.bytesWritten
        writers[v] = nil
    }

    static func day(_ ns: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(ns / 1_000_000_000))
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    static func stamp(_ ns: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(ns / 1_000_000_000))
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
