import ArbCore
import ArbRecorder
import ArbSynthetic
import Foundation

/// `arbd record`: what the manifest's market-data source produces, for `max_runtime` of
/// event time, into recording files. The synthetic source now; live feeds later through
/// the same recorder.
public struct RecordRun {
    public let plan: RunPlan
    public let output: String
    public var layout: RecorderOptions.Layout = .combined
    public var compressionLevel = 3
    public var fsync: FsyncPolicy = .never
    /// Where the progress line goes; nil: nowhere.
    public var progressOutput: StatusOutput?

    public init(plan: RunPlan, output: String) { self.plan = plan; self.output = output }

    public func execute() throws -> RecorderReport {
        let m = plan.manifest
        guard m.marketData.source == .synthetic else {
            throw plan.loaded.error(["market_data", "source"], "`arbd record` records the synthetic source (live feeds come later); this manifest replays recordings already")
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
        let recorder = Recorder(instruments: RecordingHeader.entries(for: plan.universe),
                                options: RecorderOptions(directory: output, source: "synthetic seed \(m.seed)", compressionLevel: compressionLevel,
                                                         fsync: fsync, layout: layout))
        recorder.start()
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
