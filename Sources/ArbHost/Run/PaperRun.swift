import ArbCore
import ArbFeed
import ArbFeedNIO
import ArbRisk
import ArbPostgres
import ArbRecorder
import ArbSynthetic
import Foundation
import Histogram
import Logging

/// How `arbd run` behaves beyond the manifest.
public struct RunOptions: Sendable {
    /// Also write the summary JSON here.
    public var summaryPath: String?
    /// Show a one-line live status while running (where `statusOutput` says).
    public var showStatus: Bool
    /// Where the status line goes; nil: nowhere.
    public var statusOutput: StatusOutput?
    /// Install SIGINT/SIGTERM handlers (off in tests).
    public var handleSignals: Bool
    public var environment: [String: String]

    public init(summaryPath: String? = nil, showStatus: Bool = true, statusOutput: StatusOutput? = nil, handleSignals: Bool = true,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.summaryPath = summaryPath; self.showStatus = showStatus; self.statusOutput = statusOutput
        self.handleSignals = handleSignals; self.environment = environment
    }
}

/// A paper run: the synthetic market through the kernel with paper venues, until
/// `max_runtime` or a signal, then the summary and the journal.
public final class PaperRun {
    public let plan: RunPlan
    public let options: RunOptions
    /// Raise it from any thread (as SIGINT does) to end the run at its next check.
    public let stop = StopSignal()
    /// The kernel of the last `execute`, for inspection after the run.
    public private(set) var kernel: Kernel?
    /// SIGUSR1 (or `raise()` from any thread): the global kill switch.
    public let haltSignal = HaltSignal()
    /// The kill switch's file in the run folder (`arbd risk halt|resume`), and what it did.
    var control: RiskControlFile?
    var controlReport = RiskControlReport()
    var journal: Journal?
    /// `[metrics] listen`: the endpoint while the run lasts.
    public private(set) var metrics: MetricsEndpoint?
    var runMetrics: RunMetrics?
    /// Wall time the kill-switch inputs were last looked at.
    var lastControlCheck: UInt64 = 0
    static let controlInterval: UInt64 = 50_000_000

    public init(plan: RunPlan, options: RunOptions) {
        self.plan = plan
        self.options = options
    }

    /// The run's folder: `<data_dir>/<run_name or run-<seed>>`.
    public var folder: String {
        let m = plan.manifest
        return (m.dataDir as NSString).appendingPathComponent(m.runName ?? "run-\(m.seed)")
    }

    public var runName: String { (folder as NSString).lastPathComponent }

    public func execute() throws -> RunSummary {
        let m = plan.manifest
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // The run's start: the recordings' first event for a replay, else the synthetic
        // market's start. Strategies start at it (`now` in their `start()`).
        var recordings: RecordingSource? = nil
        var start = RunPlan.startTime
        // Live: the run starts now (wall-clock time, as the feeds stamp their events).
        if m.marketData.source == .live { start = SystemFeedClock().now() }
        if m.marketData.source == .recording {
            let source = try RecordingSource(paths: plan.recordingFiles, universe: plan.universe)
            start = source.startTime ?? start
            recordings = source
        }
        let kernel = try plan.makeKernel(startTime: start)
        self.kernel = kernel
        if let section = m.metrics {
            let endpoint = try MetricsEndpoint(listen: section.listen, logger: Logger(label: "arbor.metrics"))
            metrics = endpoint
            runMetrics = RunMetrics(factory: endpoint.factory)
        }
        defer { metrics?.stop() }
        // Storage: configured servers must be reachable now, or the run does not start.
        let sinks = try connectSinks()
        let journal = try Journal(path: (folder as NSString).appendingPathComponent("journal.jsonl"), universe: plan.universe,
                                  routeName: { [names = kernel.routeNames] in $0 >= 0 && Int($0) < names.count ? names[Int($0)] : "" },
                                  extraSinks: sinks)
        kernel.observer = journal
        (kernel.marketWatcher as? UniverseGate)?.onChange = { journal.universeChanged($0, at: $1) }
        (kernel.orderGuard as? KernelRiskGuard)?.audit = journal
        self.journal = journal
        journal.start()
        if options.handleSignals { stop.install(); haltSignal.install() }
        defer { if options.handleSignals { stop.uninstall(); haltSignal.uninstall() } }
        // The kill switch: what the control file already holds applies from the start.
        control = RiskControlFile(folder: folder)
        applyControl(kernel)

        let wallStart = MonotonicClock.nanoseconds()
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let status = StatusLine(output: options.showStatus ? options.statusOutput : nil)
        var loop: LoopResult
        var replay: RunSummary.Replay? = nil
        var liveFeeds: [FeedReport]? = nil
        var receiveToKernel: RunSummary.Latency? = nil
        switch m.marketData.source {
        case .synthetic:
            var source = SyntheticMarket(config: plan.market, startTime: start)
            loop = run(kernel, &source, end: start + m.maxRuntime.duration, status: status, wallStart: wallStart)
        case .recording:
            var source = recordings!
            status.start = start
            loop = run(kernel, &source, end: start + m.maxRuntime.duration, status: status, wallStart: wallStart)
            replay = RunSummary.Replay(files: plan.recordingFiles, replayed: source.replayed, skipped: source.skipped, problems: source.problems)
        case .live:
            status.start = start
            let wallEnd = wallStart &+ UInt64(m.maxRuntime.nanoseconds)
            let live = m.marketData.liveHandoff == .inline
                ? try runLive(kernel, wallEnd: wallEnd, status: status, wallStart: wallStart)
                : try runLiveQueued(kernel, wallEnd: wallEnd, status: status, wallStart: wallStart)
            loop = live.loop
            liveFeeds = live.feeds
            receiveToKernel = live.receiveToKernel
        }
        let stoppedBy = kernel.fault != nil ? "strategy_fault" : loop.stoppedBy
        let histogram = loop.histogram
        let steps = loop.steps
        let latencySum = loop.latencySum
        status.finish()
        let wallSeconds = Double(MonotonicClock.nanoseconds() - wallStart) / 1e9
        let end = start + m.maxRuntime.duration
        let endTime = stoppedBy == "max_runtime" ? end : kernel.now
        let strategyReports = kernel.stopStrategies()
        let sinkReports = journal.finish()

        let latency = RunSummary.Latency(count: Int(histogram.totalCount), avgNs: steps > 0 ? Int(latencySum / steps) : 0,
                                         p50Ns: Int(histogram.valueAtPercentile(50)), p99Ns: Int(histogram.valueAtPercentile(99)),
                                         maxNs: Int(histogram.max))
        var summary = SummaryBuilder(plan: plan, kernel: kernel).build(
            runName: runName, folder: folder, stoppedBy: stoppedBy, startTime: start, endTime: endTime, strategyReports: strategyReports,
            journal: RunSummary.JournalInfo(file: journal.path, sinks: sinkReports), replay: replay,
            wall: RunSummary.Wall(startedAt: startedAt, durationSeconds: wallSeconds,
                                  eventsPerSecond: wallSeconds > 0 ? Double(kernel.counters.marketEvents) / wallSeconds : 0,
                                  loopLatency: latency, receiveToKernel: receiveToKernel, rssBytes: MonotonicClock.residentBytes(),
                                  journalBackpressureWaits: journal.backpressureWaits))
        summary.feeds = liveFeeds
        if var risk = summary.risk {
            controlReport.badLines = control?.badLines ?? 0
            risk.control = controlReport
            summary.risk = risk
        }
        let json = try summary.json()
        try json.write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("summary.json")))
        if let path = options.summaryPath { try json.write(to: URL(fileURLWithPath: path)) }
        // A strategy broke a rule: the journal and the summary are written up to the
        // fault, and the run fails with it.
        if let fault = kernel.fault { throw fault }
        return summary
    }

    /// Runs the loop with the manifest's clock.
    func run<Source: MarketDataSource>(_ kernel: Kernel, _ source: inout Source, end: Timestamp, status: StatusLine, wallStart: UInt64) -> LoopResult {
        switch plan.manifest.clock {
        case .simulated:
            var clock = SimulatedClock()
            return runLoop(kernel, &source, end: end, clock: &clock, paced: false, status: status, wallStart: wallStart)
        case .wall:
            var clock = WallClock(speed: plan.manifest.marketData.speed)
            return runLoop(kernel, &source, end: end, clock: &clock, paced: true, status: status, wallStart: wallStart)
        }
    }

    struct LoopResult {
        var stoppedBy: String
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var steps: UInt64 = 0
        var latencySum: UInt64 = 0
    }

    /// Steps the kernel until `end`, a stop request or the end of the data, timing each step.
    /// Generic over the clock so the simulated path has no waiting code at all.
    func runLoop<Clock: RunClock, Source: MarketDataSource>(_ kernel: Kernel, _ source: inout Source, end: Timestamp, clock: inout Clock,
                                                            paced: Bool, status: StatusLine, wallStart: UInt64) -> LoopResult {
        var result = LoopResult(stoppedBy: "source_exhausted",
                                histogram: Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three),
                                steps: 0, latencySum: 0)
        var lastStatus = wallStart
        let stop = self.stop
        while true {
            if result.steps & 63 == 0 && controlDue() { applyControl(kernel) }
            if result.steps & 1023 == 0 {
                if stop.isRaised { result.stoppedBy = "signal"; break }
                let now = MonotonicClock.nanoseconds()
                if now - lastStatus >= 1_000_000_000 {
                    lastStatus = now
                    status.show(kernel: kernel, end: end, wallSeconds: Double(now - wallStart) / 1e9)
                    runMetrics?.publish(kernel.counters)
                }
            }
            if paced {
                guard let due = kernel.nextDueTime(&source), due < end else { result.stoppedBy = "max_runtime"; break }
                guard clock.wait(until: due, shouldStop: { stop.isRaised || controlDue() }) else {
                    if stop.isRaised { result.stoppedBy = "signal"; break }
                    applyControl(kernel)
                    continue
                }
            }
            let t0 = MonotonicClock.nanoseconds()
            guard kernel.step(&source, until: end) else {
                result.stoppedBy = kernel.fault != nil ? "strategy_fault" : kernel.nextDueTime(&source) == nil ? "source_exhausted" : "max_runtime"
                break
            }
            let elapsed = MonotonicClock.nanoseconds() - t0
            _ = result.histogram.record(elapsed)
            result.latencySum &+= elapsed
            result.steps += 1
        }
        return result
    }

    /// The live run: the kernel runs on the feeds' event loop (`LiveKernelDriver`), each
    /// message stepped through it as it is parsed, and timers, simulated venues' answers,
    /// the kill switch, the status line and the end checked there too; this thread waits
    /// for the end, then stops the feeds.
    func runLive(_ kernel: Kernel, wallEnd: UInt64, status: StatusLine, wallStart: UInt64) throws
        -> (loop: LoopResult, feeds: [FeedReport], receiveToKernel: RunSummary.Latency) {
        var feeds: LiveFeeds?
        var lastStatus = wallStart
        let stop = self.stop
        let driver = LiveKernelDriver(kernel: kernel) { [unowned self] in
            if stop.isRaised { return "signal" }
            let wall = MonotonicClock.nanoseconds()
            if wall >= wallEnd { return "max_runtime" }
            if self.controlDue() { self.applyControl(kernel) }
            if wall - lastStatus >= 1_000_000_000 {
                lastStatus = wall
                status.show(kernel: kernel, end: status.start + self.plan.manifest.maxRuntime.duration, wallSeconds: Double(wall - wallStart) / 1e9,
                            extra: feeds?.progressLine() ?? "")
                self.runMetrics?.publish(kernel.counters)
            }
            return nil
        }
        let live = try LiveFeeds(plan: plan, logger: Logger(label: "arbor.feed"), sink: driver, metrics: metrics?.factory)
        feeds = live
        guard let loop = live.connectors.first?.loop else { throw LiveRunError(message: "a live run needs at least one enabled exchange ([exchanges.<name>] enabled = true)") }
        driver.start(on: loop)
        live.start()
        let result = driver.waitForEnd()
        live.stop()
        return (result, live.reports(), driver.receiveToKernel.summary)
    }

    /// The live run with `live_handoff = "queue"`: the feeds deliver into a bounded queue
    /// and this thread steps the kernel on what has arrived (waiting up to 20 ms, or to
    /// the kernel's next due time, when nothing has).
    func runLiveQueued(_ kernel: Kernel, wallEnd: UInt64, status: StatusLine, wallStart: UInt64) throws
        -> (loop: LoopResult, feeds: [FeedReport], receiveToKernel: RunSummary.Latency) {
        let m = plan.manifest
        let feeds = try LiveFeeds(plan: plan, logger: Logger(label: "arbor.feed"), capacity: m.marketData.liveQueueEvents, metrics: metrics?.factory)
        feeds.start()
        var result = LoopResult(stoppedBy: "max_runtime")
        var receiveToKernel = ReceiveToKernel()
        let clock = SystemFeedClock()
        var source = LiveMarketSource()
        var batch: [MarketEvent] = []
        batch.reserveCapacity(4_096)
        var lastStatus = wallStart
        while true {
            if stop.isRaised { result.stoppedBy = "signal"; break }
            let wall = MonotonicClock.nanoseconds()
            if wall >= wallEnd { result.stoppedBy = "max_runtime"; break }
            if controlDue() { applyControl(kernel) }
            if wall - lastStatus >= 1_000_000_000 {
                lastStatus = wall
                status.show(kernel: kernel, end: status.start + m.maxRuntime.duration, wallSeconds: Double(wall - wallStart) / 1e9,
                            extra: feeds.progressLine())
                runMetrics?.publish(kernel.counters)
            }
            if batch.isEmpty { feeds.queue.queue.takeBatch(max: 4_096, into: &batch, waitingUntil: .distantPast) }
            let now = clock.now()
            receiveToKernel.record(batch, at: now)
            source.append(batch)
            batch.removeAll(keepingCapacity: true)
            result.stepDue(kernel, &source, by: now)
            if kernel.fault != nil { result.stoppedBy = "strategy_fault"; break }
            // Wait for data, at most until the next scheduled thing or 20 ms.
            var wake = now + .milliseconds(20)
            if let due = kernel.nextDueTime(&source), due < wake { wake = due }
            let waitNs = max(0, (wake - clock.now()).nanosecondsInt64)
            if waitNs > 0 { feeds.queue.queue.takeBatch(max: 4_096, into: &batch, waitingUntil: Date().addingTimeInterval(Double(waitNs) / 1e9)) }
        }
        feeds.stop()
        return (result, feeds.reports(), receiveToKernel.summary)
    }

    /// Whether the kill-switch inputs are due a look (SIGUSR1 at once, the file every 50 ms).
    func controlDue() -> Bool {
        haltSignal.isRaised || MonotonicClock.nanoseconds() &- lastControlCheck >= controlInterval
    }

    /// Every 50 ms of wall time; 20 ms with a shared tier (an account-wide halt reaches
    /// every process well within 100 ms).
    var controlInterval: UInt64 { plan.manifest.risk?.shared == "redis" ? 20_000_000 : Self.controlInterval }

    /// Applies SIGUSR1 and the control file's new commands, on the kernel's thread
    /// between steps (at the current event time).
    func applyControl(_ kernel: Kernel) {
        lastControlCheck = MonotonicClock.nanoseconds()
        if haltSignal.take() {
            note(ensureGuard(kernel).halt(.global, reason: "SIGUSR1", kernel: kernel))
            controlReport.applied.append("halt global (SIGUSR1)")
        }
        (kernel.orderGuard as? KernelRiskGuard)?.pollShared(kernel: kernel)
        guard let control else { return }
        for command in control.poll() {
            let g = ensureGuard(kernel)
            guard let scope = g.resolve(command.scope) else {
                controlReport.unresolved.append("\(command.action.rawValue) \(command.scope): no such scope in this run")
                continue
            }
            let reason = command.reason.isEmpty ? "arbd risk \(command.action.rawValue)" : command.reason
            switch command.action {
            case .halt: note(g.halt(scope, reason: reason, kernel: kernel))
            case .resume: note(g.resume(scope, reason: reason, kernel: kernel))
            }
            controlReport.applied.append("\(command.action.rawValue) \(command.scope)")
        }
    }

    /// A kill-switch command that reached this process but not the shared store: logged,
    /// and listed in the summary (`risk.control.not_shared`).
    func note(_ problem: String?) {
        guard let problem else { return }
        controlReport.notShared.append(problem)
        Logger(label: "arbor.risk.control").error("kill switch: \(problem)")
    }

    /// The run's guard; a run without `[risk]` gets one without limits at its first
    /// kill-switch command, so the switch always works.
    func ensureGuard(_ kernel: Kernel) -> KernelRiskGuard {
        if let g = kernel.orderGuard as? KernelRiskGuard { return g }
        let g = KernelRiskGuard(limits: plan.defaultRiskLimits(), universe: kernel.universe)
        g.install(on: kernel)
        g.audit = journal
        return g
    }

    /// Connects the configured storage sinks; a configured server that cannot be reached
    /// stops the run before it starts, with the reason.
    func connectSinks() throws -> [JournalSink] {
        guard let storage = plan.manifest.storage else { return [] }
        var sinks: [JournalSink] = []
        func secret(_ variable: String?, _ path: [String]) throws -> String? {
            guard let variable else { return nil }
            guard let value = options.environment[variable], !value.isEmpty else {
                throw plan.loaded.error(path, "the environment variable \(variable) is not set; export it with the password")
            }
            return value
        }
        if let pg = storage.postgres {
            let password = try secret(pg.passwordEnv, ["storage", "postgres", "password_env"])
            let endpoint = PostgresEndpoint(host: pg.host, port: pg.port, user: pg.user, database: pg.database, password: password)
            do {
                sinks.append(try PostgresJournalSink(endpoint: endpoint, runId: runName, batchSize: pg.batchSize))
            } catch {
                throw StorageUnavailable(service: "PostgreSQL", endpoint: endpoint.display, reason: String(describing: error),
                                         fix: "start the server, fix [storage.postgres] in \(plan.loaded.file), or remove that section to journal to files only")
            }
        }
        if let redis = storage.redis {
            let password = try secret(redis.passwordEnv, ["storage", "redis", "password_env"])
            do {
                sinks.append(try RedisStateSink(host: redis.host, port: redis.port, database: redis.database, password: password,
                                                prefix: redis.keyPrefix, runId: runName))
            } catch {
                throw StorageUnavailable(service: "Redis", endpoint: "\(redis.host):\(redis.port)", reason: String(describing: error),
                                         fix: "start the server, fix [storage.redis] in \(plan.loaded.file), or remove that section")
            }
        }
        return sinks
    }
}

/// A configured storage server that cannot be used.
public struct StorageUnavailable: Error, CustomStringConvertible {
    public var service: String
    public var endpoint: String
    public var reason: String
    public var fix: String
    public var description: String { "\(service) is configured at \(endpoint) but not usable: \(reason)\n  fix: \(fix)" }
}

/// The one-line live status: redrawn in place on a terminal, a line every few seconds
/// otherwise (CI logs).
final class StatusLine {
    let output: StatusOutput?
    /// Event time at which the run's window starts.
    var start = RunPlan.startTime
    var lines = 0
    init(output: StatusOutput?) { self.output = output }

    /// `extra`: the live feeds' line (messages/s per venue, resyncs, reconnects, stale).
    func show(kernel: Kernel, end: Timestamp, wallSeconds: Double, extra: @autoclosure () -> String = "") {
        guard let output else { return }
        let terminal = output.isTerminal
        lines += 1
        if !terminal && lines % 5 != 0 { return }
        let c = kernel.counters
        let simulated = Double((kernel.now - start).nanosecondsInt64) / 1e9
        let total = Double((end - start).nanosecondsInt64) / 1e9
        var text = String(format: "arbd %.0fs/%.0fs event time | %.1fs wall | %d events | %d opportunities | %d orders | %d fills | %d rejected",
                          simulated, total, wallSeconds, c.marketEvents, c.opportunities, c.ordersSent, c.fills, c.venueRejections + c.preTradeRejections)
        let feeds = extra()
        if !feeds.isEmpty { text += " | " + feeds }
        output.write(terminal ? "\r\u{1B}[K" + text : text + "\n")
    }

    func finish() {
        if let output, output.isTerminal, lines > 0 { output.write("\r\u{1B}[K") }
    }
}
