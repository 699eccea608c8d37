import ArbCore
import ArbRecorder
import ArbSynthetic
import Foundation
import Logging
import ArbFeedNIO

/// `arbd record`: what the manifest's market-data source produces into recording files:
/// the synthetic source for `max_runtime` of event time, or the live feeds for
/// `max_runtime` of wall-clock time or until SIGINT/SIGTERM (the files are closed cleanly
/// either way).
public final class RecordRun {
    public let plan: RunPlan
    public let output: String
    public var layout: RecorderOptions.Layout = .combined
    public var compressionLevel = 3
    public var fsync: FsyncPolicy = .never
    /// Where the progress line goes; nil: nowhere.
    public var progressOutput: StatusOutput?
    /// Raise it (as SIGINT does) to end a live recording at its next check.
    public let stop = StopSignal()
    /// Install SIGINT/SIGTERM handlers for a live recording (off in tests).
    public var handleSignals = true
    /// The live feeds' figures at the end of a live recording.
    public private(set) var feedReports: [FeedReport] = []
    /// `[metrics] listen`: the endpoint while recording.
    public private(set) var metrics: MetricsEndpoint?

    public init(plan: RunPlan, output: String) { self.plan = plan; self.output = output }

    /// The live feeds into `recorder` until `max_runtime` of wall time or a stop; the
    /// feeds' gaps, reconnects, resyncs and stale books are recorded as markers with the
    /// data, so a recording continues across outages and says where they were.
    func recordLive(_ recorder: Recorder) throws -> RecorderReport {
        let m = plan.manifest
        if let section = m.metrics { metrics = try MetricsEndpoint(listen: section.listen, logger: Logger(label: "arbor.metrics")) }
        defer { metrics?.stop() }
        let feeds = try LiveFeeds(plan: plan, logger: Logger(label: "arbor.feed"), capacity: m.marketData.liveQueueEvents, metrics: metrics?.factory)
        if handleSignals { stop.install() }
        defer { if handleSignals { stop.uninstall() } }
        feeds.start()
        let started = MonotonicClock.nanoseconds()
        let end = started &+ UInt64(m.maxRuntime.nanoseconds)
        var lastProgress = started
        var batch: [MarketEvent] = []
        batch.reserveCapacity(4_096)
        var count = 0
        while !stop.isRaised, recorder.writeFailure == nil {
            let now = MonotonicClock.nanoseconds()
            if now >= end { break }
            feeds.queue.queue.takeBatch(max: 4_096, into: &batch, waitingUntil: Date().addingTimeInterval(min(0.2, Double(end - now) / 1e9)))
            for e in batch { recorder.recordWaiting(e) }
            count += batch.count
            if now - lastProgress >= 1_000_000_000, let progressOutput {
                lastProgress = now
                progressOutput.write(String(format: "record %.0fs/%.0fs | %d events | ", Double(now - started) / 1e9, Double(m.maxRuntime.nanoseconds) / 1e9, count)
                                     + feeds.progressLine() + "\n")
            }
        }
        feeds.stop()
        // What the feeds delivered before they stopped is recorded too.
        while feeds.queue.queue.waiting > 0 {
            feeds.queue.queue.takeBatch(max: 4_096, into: &batch, waitingUntil: .distantPast)
            for e in batch { recorder.recordWaiting(e) }
        }
        feedReports = feeds.reports()
        let report = recorder.finish()
        if let error = report.error {
            throw RecordingError(.io, "recording stopped: \(error); \(report.events) events are on disk in \(report.files.count) file(s)")
        }
        return report
    }

    public func execute() throws -> RecorderReport {
        let m = plan.manifest
        guard m.marketData.source != .recording else {
            throw plan.loaded.error(["market_data", "source"], "`arbd record` records the synthetic or the live source; this manifest replays recordings already")
        }
        // The output folder must be writable before anything is simulated.
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let probe = (output as NSString).appendingPathComponent(".arbd-write-check")
            guard FileManager.default.createFile(atPath: probe, contents: Data()) else {
                throw RecordingError(.io, "cannot write in this folder; check the path and permissions", file: output)
            }
            try? FileManager.default.removeItem(atPath: probe)
        } catch let e as RecordingError { throw e } catch {
            throw RecordingError(.io, "cannot create the folder: \(FolderProblem.explain(output)); check the path and permissions",
                                 file: output)
        }
        let live = m.marketData.source == .live
        let recorder = Recorder(instruments: RecordingHeader.entries(for: plan.universe),
                                options: RecorderOptions(directory: output, source: live ? "live \(plan.exchangeNames.joined(separator: ", "))" : "synthetic seed \(m.seed)",
                                                         compressionLevel: compressionLevel, fsync: fsync, layout: layout))
        recorder.start()
        if live { return try recordLive(recorder) }
        var source = SyntheticMarket(config: plan.market, startTime: RunPlan.startTime)
        let end = RunPlan.startTime + m.maxRuntime.duration
        let progress = Progress("record", total: Double(m.maxRuntime.nanoseconds), unit: "events", output: progressOutput)
        var count = 0
        // The window is in exchange time, as a simulated run reads the market: a replay of
        // the recording then sees exactly what the run saw.
        while let event = source.next(), event.exchangeTime < end {
            recorder.recordWaiting(event)
            count += 1
            // A write error stops the recording within about one block, not at the end.
            if count & 0xFFF == 0, recorder.writeFailure != nil { break }
            if count & 0xFFFF == 0 { progress.update(done: Double((event.receivedAt - RunPlan.startTime).nanosecondsInt64), items: count) }
        }
        progress.finish()
        let report = recorder.finish()
        if let error = report.error {
            throw RecordingError(.io, "recording stopped: \(error); \(report.events) events are on disk in \(report.files.count) file(s)")
        }
        return report
    }
}
