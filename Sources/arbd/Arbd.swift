import ArbCore
import ArbHost
import ArbRateLimit
import ArbdPlugins
import ArbRecorder
import ArgumentParser
import Foundation

@main
struct Arbd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbd",
        abstract: "Arbor: manifest-driven cross-exchange arbitrage host.",
        subcommands: [Run.self, Check.self, Plugins.self, Routes.self, Report.self, Risk.self, New.self, Record.self, RecorderCommand.self, Bench.self, BenchRateLimit.self, BenchRecorder.self, RateLimitLoadWorker.self])
}

extension StatusOutput {
    /// The program's stderr; redrawn in place when it is a terminal.
    static let standardError = StatusOutput(isTerminal: isatty(2) != 0) { FileHandle.standardError.write(Data($0.utf8)) }
}

/// Prints an error the way a user can act on it and exits non-zero.
func fail(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("arbd: \(error)\n".utf8))
    return ExitCode(1)
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a paper-trading session from a manifest and print its summary.")

    @Option(name: .long, help: "The manifest (TOML).")
    var manifest: String

    @Option(name: .customLong("summary-json"), help: "Also write the summary JSON to this path.")
    var summaryJSON: String?

    @Flag(name: .long, help: "Do not show the live status line.")
    var quiet = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        do {
            let plan = try RunPlan(try ManifestLoader.load(path: manifest), plugins: registeredPlugins)
            let run = PaperRun(plan: plan, options: RunOptions(summaryPath: summaryJSON, showStatus: !quiet, statusOutput: .standardError))
            let summary = try run.execute()
            print(summary.text(), terminator: "")
            print("summary: \(run.folder)/summary.json\(summaryJSON.map { " and \($0)" } ?? "")")
        } catch {
            throw fail(error)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a manifest; exits non-zero on any problem.")

    @Argument(help: "The manifest (TOML).")
    var file: String

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        do {
            let plan = try RunPlan(try ManifestLoader.load(path: file), plugins: registeredPlugins)
            func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
            print("\(file): ok: \(count(plan.exchangeNames.count, "exchange", "exchanges")) (\(plan.exchangeNames.joined(separator: ", "))), "
                  + "\(count(plan.universe.instruments.count, "instrument", "instruments")), "
                  + "\(count(plan.strategyNames.count, "strategy", "strategies")) (\(plan.strategyNames.joined(separator: ", ")))")
        } catch {
            throw fail(error)
        }
    }
}

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the registered exchange and strategy plugins, or describe one's keys.")

    @Option(help: "Print one plugin's manifest keys: name, type, default, range, meaning.") var describe: String?
    @Flag(help: "Print the plugin sections of docs/MANIFEST.md (generated from the plugins' declarations).") var markdown = false

    func run() throws {
        if let describe {
            guard let text = PluginListing.describe(describe, in: registeredPlugins) else {
                throw fail(ValidationError("--describe: no plugin '\(describe)'; \(registeredPlugins.knownExchanges); \(registeredPlugins.knownStrategies)"))
            }
            print(text, terminator: "")
        } else if markdown {
            print(PluginListing.markdown(registeredPlugins), terminator: "")
        } else {
            print(PluginListing.text(registeredPlugins), terminator: "")
            print("(arbd plugins --describe ID lists a plugin's keys)")
        }
    }
}

struct Routes: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every route the manifest's universe allows: cross, cross_fx and triangular.")
    @Option(help: "The manifest (TOML).") var manifest: String
    @Option(help: "Also write the routes as JSON here (id, kind, legs with venue, symbol, side).") var json: String?

    func run() throws {
        do {
            let plan = try RunPlan(try ManifestLoader.load(path: manifest), plugins: registeredPlugins)
            let rows = RouteListing.rows(plan)
            print(RouteListing.text(rows), terminator: "")
            if let json {
                try RouteListing.json(rows).write(to: URL(fileURLWithPath: json))
                print("routes: \(json)")
            }
        } catch {
            throw fail(error)
        }
    }
}

extension Bench {
    func runRoutes() throws {
        let count = symbols == "1,10,20,50,100,500" ? "1000" : symbols
        guard let n = Int(count.trimmingCharacters(in: .whitespaces)), (2...5_000).contains(n) else {
            throw fail(ValidationError("--symbols: with --routes give one symbol count between 2 and 5000, e.g. --symbols 1000"))
        }
        guard events > 0 else { throw fail(ValidationError("--events must be positive")) }
        do {
            let plan = try RunPlan(try ManifestLoader.load(path: manifest), plugins: registeredPlugins)
            let bench = try RouteBench(plan: plan, seed: seed, events: events)
            var results: [RouteBench.Result] = []
            for (name, venues) in [("two venues", plan.exchangeNames.count), ("five venues", 5)] {
                let result = bench.measure(name: name, venues: venues, symbols: n)
                print(result.line)
                results.append(result)
            }
            if let json { try writeResults(results, to: json) }
        } catch {
            throw fail(error)
        }
    }
}

/// Writes a benchmark's results as JSON (snake_case keys, sorted) and says where.
func writeResults<T: Encodable>(_ results: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    try encoder.encode(results).write(to: URL(fileURLWithPath: path))
    print("results: \(path)")
}

struct Risk: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The kill switch: halt or resume a scope of a running arbd (docs/RISK.md).",
                                                    subcommands: [Halt.self, Resume.self])

    struct Target: ParsableArguments {
        @Option(name: .long, help: "The manifest of the run to act on (its data_dir and run_name name the run's folder).")
        var manifest: String
        @Option(name: .long, help: "global, exchange:NAME, route:ID or symbol:BASE.")
        var scope = "global"
        @Option(name: .long, help: "Why, for the audit trail.")
        var reason: String?
    }

    static func act(_ action: RiskCommand.Action, _ target: Target) throws {
        do {
            let plan = try RunPlan(try ManifestLoader.load(path: target.manifest), plugins: registeredPlugins)
            let command = try RiskCommands.command(action, scope: target.scope, reason: target.reason, plan: plan)
            print(try RiskCommands.apply(command, plan: plan, folder: PaperRun(plan: plan, options: RunOptions()).folder))
        } catch {
            throw fail(error)
        }
    }

    struct Halt: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Halt a scope: no new entries; its resting orders are cancelled; hedges go on.")
        @OptionGroup var target: Target
        func run() throws { try Risk.act(.halt, target) }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a halted scope (the only way back from a kill switch, a daily loss or a drawdown).")
        @OptionGroup var target: Target
        func run() throws { try Risk.act(.resume, target) }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reports on a finished run.", subcommands: [Ledger.self])

    struct Ledger: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The opportunity ledger per route: detected, executed, skipped by reason, edges, slippage.")
        @Argument(help: "The run's folder (runs/run-42: arbd run prints it).") var runFolder: String

        func run() throws {
            do {
                print(try LedgerReport.read(runFolder: runFolder).text(), terminator: "")
            } catch {
                throw fail(error)
            }
        }
    }
}

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a plugin from a template.", subcommands: [NewStrategy.self])
}

struct NewStrategy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strategy",
        abstract: "Create a strategy plugin package (sources, parameters, passing tests), register it and add its tests to the suite.",
        discussion: "Then: swift build, swift test --filter <Name>Tests, and enable it in a manifest with [strategies.x] plugin = \"<id>\" (docs/STRATEGIES.md).")

    @Argument(help: "The plugin id: lower-case words joined by hyphens, e.g. premium-reversion.") var name: String
    @Option(help: "single: one instrument on one venue; cross: one base on two venues.") var template = "single"
    @Option(help: "The repository root.") var root = "."

    func run() throws {
        guard let kind = StrategyScaffold.Template(rawValue: template) else {
            throw fail(ValidationError("--template: '\(template)' is not one of \(StrategyScaffold.Template.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        do {
            let scaffold = try StrategyScaffold(id: name, template: kind)
            let changed = try scaffold.apply(root: root)
            print("created \(scaffold.folder) (\(kind.rawValue) template) and registered \(scaffold.stem)Plugin:")
            for path in changed { print("  \(path)") }
            print("""
                next:
                  swift build --product arbd
                  swift test --filter \(scaffold.stem)Tests
                  .build/debug/arbd plugins --describe \(scaffold.id)
                then enable it in a manifest: [strategies.mine] plugin = "\(scaffold.id)" (docs/STRATEGIES.md)
                """)
        } catch {
            throw fail(error)
        }
    }
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure the kernel on synthetic data at several symbol counts (the D74 matrix).")

    @Option(name: .long, help: "Symbol counts, comma-separated.")
    var symbols: String = "1,10,20,50,100,500"

    @Option(name: .long, help: "Market events per case.")
    var events: Int = 2_000_000

    @Option(name: .long, help: "Write the results as JSON here.")
    var json: String?

    @Option(name: .long, help: "Seed of the synthetic market.")
    var seed: UInt64 = 7

    @Flag(name: .long, help: "Also time the kernel alone on events generated beforehand (uses their memory; RSS then includes them).")
    var pregenerated = false

    @Option(name: .long, help: "The manifest whose exchanges, latencies, limits and simulation the bench wires (as arbd run does).")
    var manifest: String = "manifests/paper.toml"

    @Option(name: .long, help: "Only time the kernel alone in one wiring (client, books or full), for profilers.")
    var kernelOnly: String?

    @Flag(name: .long, help: "Measure route health instead: rescoring per book update on the two venues and on a generated 5-venue universe (--symbols: one count, default 1000).")
    var routes = false

    @Flag(name: .long, help: "Measure the risk guard instead: the cost of one order's check with every tier's limits on (--events: checks, default 2,000,000).")
    var risk = false

    @Flag(name: .long, help: "Measure each exchange's feed instead: its documented messages from bytes to book events, on one core (--symbols: one count, default 200; --events: messages, default 500,000; --levels).")
    var feed = false

    @Option(name: .long, help: "With --feed or --feed-loopback: book levels per message.")
    var levels: Int = 10

    @Flag(name: .long, help: "Measure a live paper run over loopback instead: the manifest's run with each exchange's feed pointed at a local server that sends the venue's documented messages at --rate a venue for --seconds; prints receive-to-kernel latency and the feeds' counts.")
    var feedLoopback = false

    @Option(name: .long, help: "With --feed-loopback: messages a second, per venue.")
    var rate: Int = 10_000

    @Option(name: .long, help: "With --feed-loopback: seconds to send for.")
    var seconds: Double = 5

    @Option(name: .long, help: "With --feed-loopback: inline (the kernel on the feeds' thread) or queue (a bounded queue to the kernel's thread).")
    var liveHandoff: String = "inline"

    func run() throws {
        if routes { return try runRoutes() }
        if feed { return try runFeed() }
        if feedLoopback { return try runFeedLoopback() }
        if risk {
            guard events > 0 else { throw fail(ValidationError("--events must be positive")) }
            do {
                let plan = try RunPlan(try ManifestLoader.load(path: manifest), plugins: registeredPlugins)
                let result = try RiskBench(plan: plan, seed: seed, checks: events).measure()
                print(result.line)
                if let json { try writeResults([result], to: json) }
            } catch {
                throw fail(error)
            }
            return
        }
        let counts = symbols.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var parsed: [Int] = []
        for c in counts {
            guard let n = Int(c), n > 0, n <= 5_000 else {
                throw fail(ValidationError("--symbols: '\(c)' is not a symbol count between 1 and 5000; e.g. --symbols 1,10,100"))
            }
            parsed.append(n)
        }
        guard events > 0 else { throw fail(ValidationError("--events must be positive")) }
        do {
            let plan = try RunPlan(try ManifestLoader.load(path: manifest), plugins: registeredPlugins)
            let runner = try BenchRunner(plan: plan, seed: seed, events: events, pregenerated: pregenerated)
            if let kernelOnly {
                guard let mode = BenchRunner.KernelMode(rawValue: kernelOnly) else {
                    throw fail(ValidationError("--kernel-only: '\(kernelOnly)' is not one of client, books, full"))
                }
                for n in parsed { print(String(format: "symbols %4d | kernel alone (%@): %.0f events/s", n, mode.rawValue, try runner.kernelAlone(symbols: n, mode: mode))) }
                return
            }
            let results = try runner.run(symbolCounts: parsed) { print($0.line) }
            if let json { try writeResults(results, to: json) }
        } catch {
            throw fail(error)
        }
    }
}

extension Bench {
    func runFeed() throws {
        let count = symbols == "1,10,20,50,100,500" ? 200 : Int(symbols) ?? -1
        guard (1...5_000).contains(count) else { throw fail(ValidationError("--symbols: with --feed give one symbol count between 1 and 5000, e.g. --symbols 200")) }
        guard (1...1_000).contains(levels) else { throw fail(ValidationError("--levels: must be between 1 and 1000")) }
        guard (1...50_000_000).contains(events) else { throw fail(ValidationError("--events: must be between 1 and 50000000")) }
        let bench = FeedBench(registry: registeredPlugins)
        var results: [FeedBench.Result] = []
        do {
            for id in registeredPlugins.exchangeIds {
                let r = try bench.measure(exchange: id, symbols: count, levels: levels, messages: events == 2_000_000 ? 500_000 : events, seed: seed)
                print(r.line)
                results.append(r)
            }
            if let json { try writeResults(results, to: json) }
        } catch {
            throw fail(error)
        }
    }
}

extension Bench {
    func runFeedLoopback() throws {
        guard (1...1_000).contains(levels) else { throw fail(ValidationError("--levels: must be between 1 and 1000")) }
        guard (1_000...200_000).contains(rate) else { throw fail(ValidationError("--rate: messages a second a venue, between 1000 and 200000")) }
        guard seconds.isFinite, seconds >= 0.5, seconds <= 600 else { throw fail(ValidationError("--seconds: between 0.5 and 600")) }
        guard let handoff = LiveHandoff(rawValue: liveHandoff) else { throw fail(ValidationError("--live-handoff: '\(liveHandoff)'; use inline or queue")) }
        do {
            let result = try FeedLoopbackBench(registry: registeredPlugins).measure(manifest: manifest, levels: levels, rate: rate, seconds: seconds,
                                                                                    seed: seed, handoff: handoff)
            print(result.line)
            if let json { try writeResults([result], to: json) }
        } catch {
            throw fail(error)
        }
    }
}

/// The multi-process rate-limit test's worker (not for users).
struct RateLimitLoadWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ratelimit-load", abstract: "Hammer a Redis-shared rate limiter and log every grant.",
                                                    shouldDisplay: false)
    @Option(help: "An exchange plugin id (arbd plugins).") var exchange = "upbit"
    @Option(name: .customLong("redis-host")) var redisHost = "127.0.0.1"
    @Option(name: .customLong("redis-port")) var redisPort: Int
    @Option var prefix: String
    @Option var seconds: Double = 4
    @Option var log: String
    @Option var stats: String?
    @Option(name: .customLong("max-sleep-us"), help: "Longest sleep on a wait (0: never sleep, to measure the limiter).") var maxSleepMicros: Int64 = 1_000
    @Option(name: .customLong("fallback-share"), help: "The share used while Redis is unreachable.") var fallbackShare = "0.25"
    @Option(name: .customLong("reconnect-ms"), help: "How often to try Redis again while it is unreachable.") var reconnectMs: Int64 = 1_000
    @Option(name: .customLong("clock-offset-ms"), help: "Run this worker's clock this far from the wall (a skewed host).") var clockOffsetMs: Int64 = 0
    @Option(name: .customLong("start-delay-ms"), help: "Wait this long before the first request (a process started later).") var startDelayMs: Int64 = 0

    func run() throws {
        let rules = try rateLimitRules(exchange)
        try checkSeconds(seconds)
        guard let share = Ratio(fallbackShare), share.raw > 0, share <= .one else {
            throw fail(ValidationError("--fallback-share: '\(fallbackShare)' must be a ratio above 0 and at most 1, e.g. 0.25"))
        }
        guard (10...600_000).contains(reconnectMs) else { throw fail(ValidationError("--reconnect-ms: must be between 10 and 600000")) }
        guard abs(clockOffsetMs) <= 86_400_000 else { throw fail(ValidationError("--clock-offset-ms: at most a day either way")) }
        let limiter = RateLimitLoad.sharedLimiter(rules: rules, host: redisHost, port: redisPort, prefix: prefix, fallbackShare: share,
                                                  reconnectInterval: .milliseconds(reconnectMs))
        guard (0...600_000).contains(startDelayMs) else { throw fail(ValidationError("--start-delay-ms: must be between 0 and 600000")) }
        if startDelayMs > 0 { usleep(useconds_t(startDelayMs * 1_000)) }
        var lines: [String] = []
        let result = RateLimitLoad.run(limiter, rules: rules, seconds: seconds, log: &lines, maxSleep: .microseconds(maxSleepMicros),
                                       clockOffset: .milliseconds(clockOffsetMs))
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        if let stats {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            try encoder.encode(result).write(to: URL(fileURLWithPath: stats))
        }
        if limiter.isUsingFallback { throw fail(ValidationError("Redis was not reachable at the end: the worker finished on its fallback share")) }
    }
}

/// The documented limits of the registered exchange plugin `id`, or a usage error listing the known ones.
func rateLimitRules(_ id: String) throws -> any RateLimitRules {
    guard let rules = try registeredPlugins.rateLimitRules(exchange: id) else {
        throw fail(ValidationError("--exchange: '\(id)' is not a registered exchange plugin; \(registeredPlugins.knownExchanges)"))
    }
    return rules
}

/// `--seconds`: a finite duration from 0.1 s to an hour.
func checkSeconds(_ seconds: Double) throws {
    guard seconds.isFinite, seconds >= 0.1, seconds <= 3_600 else {
        throw fail(ValidationError("--seconds: \(seconds) must be between 0.1 and 3600"))
    }
}

/// Rate-limiter benchmarks: in-process tryAcquire, and Redis-shared acquisitions with 1 and N processes.
struct BenchRateLimit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-ratelimit", abstract: "Measure the rate limiter: in process, and shared through Redis.")
    @Option(name: .customLong("redis-port")) var redisPort: Int?
    @Option(name: .customLong("redis-host")) var redisHost = "127.0.0.1"
    @Option var processes: Int = 4
    @Option var seconds: Double = 3
    @Option(help: "The exchange plugin whose limits are measured (arbd plugins).") var exchange = "binance"

    func run() throws {
        let rules = try rateLimitRules(exchange)
        try checkSeconds(seconds)
        guard (1...64).contains(processes) else { throw fail(ValidationError("--processes: must be between 1 and 64")) }
        let local = RateLimitLoad.inProcessNanosecondsPerCall(rules: rules, calls: 5_000_000)
        print(String(format: "in-process tryAcquire: %.1f ns/op (%d of 5,000,000 granted)", local.nsPerCall, local.granted))
        guard let port = redisPort else { print("(no --redis-port: Redis figures skipped)"); return }
        let me = CommandLine.arguments[0]
        for n in [1, processes] {
            let prefix = "arbor-bench-\(UUID().uuidString.prefix(8))"
            let dir = NSTemporaryDirectory()
            let children: [Process] = try (0..<n).map { i in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: me)
                p.arguments = ["ratelimit-load", "--exchange", exchange, "--redis-host", redisHost, "--redis-port", String(port), "--prefix", prefix,
                               "--seconds", String(seconds), "--log", "\(dir)/\(prefix)-\(i).log", "--stats", "\(dir)/\(prefix)-\(i).json",
                               "--max-sleep-us", "0"]
                try p.run()
                return p
            }
            for c in children { c.waitUntilExit() }
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let stats = try (0..<n).map { try decoder.decode(RateLimitLoad.Stats.self, from: Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(prefix)-\($0).json"))) }
            let total = stats.reduce(0) { $0 + $1.acquisitionsPerSecond }
            print(String(format: "redis, %d process%@: %.0f acquisitions/s in total; per call p50 %d ns, p99 %d ns (worst process)",
                         n, n == 1 ? "" : "es", total, stats.map(\.p50Ns).max()!, stats.map(\.p99Ns).max()!))
        }
    }
}

struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record what the manifest's market-data source produces into zstd recording files.")

    @Option(name: .long, help: "The manifest (TOML).") var manifest: String
    @Option(name: .long, help: "Folder for the recordings.") var output: String
    @Flag(name: .customLong("split-venues"), help: "One file per venue (default: one for all, which keeps the exact cross-venue order).")
    var splitVenues = false
    @Option(name: .long, help: "zstd level, 1-19.") var level: Int = 3
    @Option(name: .long, help: "block: force each block to disk (a crash loses at most one block); never: leave it to the OS.")
    var fsync: String = "never"
    @Flag(name: .long, help: "No progress line.") var quiet = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        guard (1...19).contains(level) else { throw fail(ValidationError("--level: \(level) is not a zstd level from 1 to 19")) }
        guard fsync == "block" || fsync == "never" else { throw fail(ValidationError("--fsync: '\(fsync)'; use block or never")) }
        do {
            var record = RecordRun(plan: try RunPlan(try ManifestLoader.load(path: manifest), plugins: registeredPlugins), output: output)
            record.layout = splitVenues ? .perVenue : .combined
            record.compressionLevel = level
            record.fsync = fsync == "block" ? .everyBlock : .never
            record.progressOutput = quiet ? nil : .standardError
            let report = try record.execute()
            print("recorded \(report.events) events into \(report.files.count) file(s), \(report.bytes) bytes on disk (index and footer included)"
                  + String(format: " (%.2f bytes/event)", Double(report.bytes) / Double(max(report.events, 1))))
            for f in report.files { print("  \(f)") }
            if report.dropped > 0 { print("  \(report.dropped) events dropped, recorded as \(report.gapMarkers) gap markers") }
            if let error = report.error { throw fail(RecordingError(.io, error)) }
        } catch let e as ExitCode { throw e } catch { throw fail(error) }
    }
}

struct RecorderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recorder", abstract: "Inspect, measure, repair, export and import recordings.",
                                                    subcommands: [Inspect.self, Stats.self, Repair.self, Export.self, Import.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Header, instruments, blocks and health of recordings.")
        @Argument(help: "Recording files.") var files: [String]
        @Flag(name: .long, help: "Check every block's checksums and contents, and name the damaged ones.") var verify = false
        func run() throws {
            var damaged = false
            do {
                for f in files {
                    let text = try RecordingTools.inspect(f, verify: verify)
                    if text.contains("DAMAGED") { damaged = true }
                    print(text, terminator: "")
                }
            } catch { throw fail(error) }
            if damaged { throw ExitCode(1) }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Events per venue, instrument and type; bytes per event.")
        @Argument(help: "Recording files or folders.") var paths: [String]
        @Flag(name: .long, help: "JSON instead of a table.") var json = false
        func run() throws {
            do {
                let files = paths.flatMap { RunPlan.recordingFiles(at: $0) }
                guard !files.isEmpty else { throw RecordingError(.badInput, "no recordings found at \(paths.joined(separator: ", "))") }
                let stats = try RecordingTools.stats(files)
                if json {
                    let e = JSONEncoder(); e.outputFormatting = [.prettyPrinted, .sortedKeys]; e.keyEncodingStrategy = .convertToSnakeCase
                    print(String(decoding: try e.encode(stats), as: UTF8.self))
                } else { print(RecordingTools.render(stats), terminator: "") }
            } catch let e as ExitCode { throw e } catch { throw fail(error) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export recordings as Tardis CSV (incremental_book_L2 and trades) or JSON lines.")
        enum Format: String, ExpressibleByArgument { case tardisCSV = "tardis-csv", jsonl }
        @Argument(help: "Recording files or folders (merged by time).") var paths: [String]
        @Option(name: .long, help: "tardis-csv or jsonl.") var format: Format
        @Option(name: .long, help: "A folder (tardis-csv) or a file (jsonl).") var output: String
        @Flag(name: .long, help: "gzip the output.") var gzip = false
        @Flag(name: .long, help: "No progress line.") var quiet = false
        func run() throws {
            do {
                let files = paths.flatMap { RunPlan.recordingFiles(at: $0) }
                guard !files.isEmpty else { throw RecordingError(.badInput, "no recordings found at \(paths.joined(separator: ", "))") }
                let progress = Progress("export", total: nil, unit: "events", output: quiet ? nil : .standardError)
                let update: (Int, Int) -> Void = { done, _ in progress.update(done: 0, items: done) }
                let report: RecordingExport.Report
                switch format {
                case .tardisCSV:
                    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                    report = try RecordingExport.tardisCSV(paths: files, directory: output, gzip: gzip, progress: update)
                case .jsonl:
                    report = try RecordingExport.jsonLines(paths: files, output: output, gzip: gzip, progress: update)
                }
                progress.finish()
                print("exported \(report.events) events (\(report.bookRows) book rows, \(report.tradeRows) trade rows, \(report.skipped) feed markers without a Tardis row)")
                for f in report.files { print("  \(f)") }
            } catch let e as ExitCode { throw e } catch { throw fail(error) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import Tardis CSV files (incremental_book_L2, trades; plain or gzip) into one recording.")
        @Argument(help: "Tardis CSV files.") var files: [String]
        @Option(name: .long, help: "The recording to write.") var output: String
        @Option(name: .long, help: "zstd level, 1-19.") var level: Int = 3
        @Flag(name: .customLong("skip-bad-rows"), help: "Skip and count malformed rows instead of stopping at the first.") var skipBadRows = false
        @Flag(name: .long, help: "No progress line.") var quiet = false
        func run() throws {
            guard (1...19).contains(level) else { throw fail(ValidationError("--level: \(level) is not a zstd level from 1 to 19")) }
            do {
                let progress = Progress("import", total: nil, unit: "rows", output: quiet ? nil : .standardError)
                let r = try TardisImport.run(inputs: files, output: output, compressionLevel: level, skipBadRows: skipBadRows) {
                    progress.update(done: 0, items: $0)
                }
                progress.finish()
                print("imported \(r.rows) rows as \(r.events) events for \(r.instruments.count) instruments into \(output) (\(r.bytes) bytes)")
                if r.skippedRows > 0 { print("  skipped \(r.skippedRows) malformed rows, e.g.:"); for p in r.problems { print("    \(p)") } }
            } catch let e as ExitCode { throw e } catch { throw fail(error) }
        }
    }

    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify every block of a recording and write a copy with every intact block and a fresh index (the original is kept).")
        @Argument(help: "The recording.") var file: String
        @Option(name: .long, help: "Where to write the repaired copy (default: <file>.repaired.arbrec).") var output: String?
        @Flag(name: .long, help: "Replace the original with the repaired copy.") var inPlace = false
        func run() throws {
            do {
                let r = try RecordingRepair.repair(path: file, output: output, inPlace: inPlace)
                print(r.wasIntact ? "\(file): verified intact, \(r.blocks) blocks, \(r.events) events; nothing to do"
                                  : "\(file): repaired into \(r.output ?? file): kept \(r.blocks) intact blocks (\(r.events) events), "
                                    + "left out \(r.damagedBlocks) damaged blocks (\(r.lostEvents) events) and \(r.discardedBytes) unusable bytes")
            } catch { throw fail(error) }
        }
    }
}

struct BenchRecorder: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-recorder",
        abstract: "Measure the recording format against Tardis CSV + gzip and JSON lines + zstd on one generated L2 stream.")
    @Option var updates: Int = 2_000_000
    @Option(name: .long, help: "Scratch folder.") var directory: String = NSTemporaryDirectory() + "arbor-bench-recorder"
    @Option var json: String?
    func run() throws {
        guard updates > 0 else { throw fail(ValidationError("--updates must be positive")) }
        do {
            let r = try RecorderBench(updates: updates).run(directory: directory)
            print(String(format: "%d L2 updates, %d instruments", r.updates, r.instruments))
            print(String(format: "arbor format (zstd 3):  %.2f bytes/update  write %.2f M/s  read %.2f M/s", r.arborBytesPerEvent, r.arborWriteEventsPerS / 1e6, r.arborReadEventsPerS / 1e6))
            print(String(format: "Tardis CSV + gzip -6:   %.2f bytes/update", r.csvGzBytesPerEvent))
            print(String(format: "JSON lines + zstd -3:   %.2f bytes/update", r.jsonlZstdBytesPerEvent))
            print(String(format: "arbor / CSV.gz = %.3f; Tardis CSV.gz import %.2f M rows/s", r.ratioToCsvGz, r.tardisImportRowsPerS / 1e6))
            if let json {
                let e = JSONEncoder(); e.outputFormatting = [.prettyPrinted, .sortedKeys]; e.keyEncodingStrategy = .convertToSnakeCase
                try e.encode(r).write(to: URL(fileURLWithPath: json))
            }
        } catch { throw fail(error) }
    }
}
