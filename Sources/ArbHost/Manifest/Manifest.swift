import ArbCore
import ArbPaper
import ArbRateLimit
import Foundation

/// A run's manifest: everything `arbd run` needs, decoded strictly from TOML.
/// Key names are the manifest's (snake_case); see docs/MANIFEST.md.
public struct Manifest: Decodable, Sendable {
    public var mode: RunMode
    public var seed: UInt64
    /// How long the run lasts: simulated time with `clock = "simulated"`, wall time with `"wall"`.
    public var maxRuntime: DurationText
    public var clock: ClockMode
    public var reportingCurrency: String
    /// Where runs write their folders (journal, summary).
    public var dataDir: String
    /// The run's folder name under `data_dir`; defaults to `run-<seed>`.
    public var runName: String?
    public var marketData: MarketDataSection
    public var exchanges: [String: ExchangeSection]
    public var strategies: [String: StrategySection]
    public var storage: StorageSection?
    public var simulation: SimulationSection
    /// Which of `market_data.symbols` strategies may trade: all (`list`) or the most traded (`top_n`).
    public var universe: UniverseSection
    /// The 4-tier risk guard; none without the section.
    public var risk: RiskSection?
    /// Prometheus metrics over HTTP; none without the section.
    public var metrics: MetricsSection?

    enum CodingKeys: String, CodingKey {
        case mode, seed, maxRuntime = "max_runtime", clock, reportingCurrency = "reporting_currency", dataDir = "data_dir"
        case runName = "run_name", marketData = "market_data", exchanges, strategies, storage, simulation, universe, risk, metrics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decode(RunMode.self, forKey: .mode)
        // Read as a signed TOML integer: TOMLKit traps converting a negative one to UInt64
        // (found by fuzzing).
        let rawSeed = try c.decode(Int64.self, forKey: .seed)
        guard rawSeed >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .seed, in: c, debugDescription: "must be a whole number from 0, got \(rawSeed)")
        }
        seed = UInt64(rawSeed)
        maxRuntime = try c.decode(DurationText.self, forKey: .maxRuntime)
        clock = try c.decode(.clock, default: .simulated)
        reportingCurrency = try c.decode(.reportingCurrency, default: "USDT")
        dataDir = try c.decode(.dataDir, default: "runs")
        runName = try c.decodeIfPresent(String.self, forKey: .runName)
        marketData = try c.decode(MarketDataSection.self, forKey: .marketData)
        exchanges = try c.decode([String: ExchangeSection].self, forKey: .exchanges)
        strategies = try c.decode(.strategies, default: [:])
        storage = try c.decodeIfPresent(StorageSection.self, forKey: .storage)
        simulation = try c.decode(.simulation, default: SimulationSection())
        universe = try c.decode(.universe, default: UniverseSection())
        risk = try c.decodeIfPresent(RiskSection.self, forKey: .risk)
        metrics = try c.decodeIfPresent(MetricsSection.self, forKey: .metrics)
    }
}

/// `[metrics]`: where `arbd run` and `arbd record` serve Prometheus metrics (`GET /metrics`).
public struct MetricsSection: Decodable, Sendable {
    /// `host:port` to listen on; port 0 takes any free port (the run logs it).
    public var listen: String
    enum CodingKeys: String, CodingKey { case listen }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decode(String.self, forKey: .listen)
        guard Self.parse(listen) != nil else {
            throw DecodingError.dataCorruptedError(forKey: .listen, in: c,
                                                   debugDescription: "'\(listen)' is not host:port with a port from 0 to 65535, e.g. \"127.0.0.1:9464\"")
        }
    }

    /// (host, port) of `host:port`; nil when it is not one.
    static func parse(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty, !host.contains(where: \.isWhitespace), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        return (host, port)
    }
}

/// `[universe]`: the rule choosing which symbols strategies may trade (docs/MANIFEST.md).
public struct UniverseSection: Decodable, Sendable {
    public enum Mode: String, Decodable, Sendable { case list, topN = "top_n" }
    /// `list`: every symbol of `market_data.symbols`. `top_n`: the N most traded with enough depth.
    public var mode: Mode = .list
    public var n: Int64 = 10
    /// Reporting currency within `depth_bps` of the mid on the weakest venue.
    public var minDepth: Amount = .zero
    public var depthBps: Int64 = 20
    /// Reporting currency traded over `volume_window_s`, all venues.
    public var minVolume: Amount = .zero
    public var volumeWindowS: Int64 = 3_600
    public var refreshS: Int64 = 60
    /// A selected symbol leaves after ranking below n + `hysteresis_ranks` (or failing a
    /// minimum) for `hysteresis_s`.
    public var hysteresisRanks: Int64 = 2
    public var hysteresisS: Int64 = 300
    public var allow: [String] = []
    public var deny: [String] = []
    /// Keys given in the manifest (the top_n ones are refused with mode = "list").
    var given: Set<String> = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, n, minDepth = "min_depth", depthBps = "depth_bps", minVolume = "min_volume", volumeWindowS = "volume_window_s"
        case refreshS = "refresh_s", hysteresisRanks = "hysteresis_ranks", hysteresisS = "hysteresis_s", allow, deny
    }

    init() {}
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        given = Set(c.allKeys.map(\.rawValue))
        mode = try c.decode(.mode, default: mode)
        n = try c.decode(.n, default: n)
        minDepth = try c.decode(.minDepth, default: minDepth)
        depthBps = try c.decode(.depthBps, default: depthBps)
        minVolume = try c.decode(.minVolume, default: minVolume)
        volumeWindowS = try c.decode(.volumeWindowS, default: volumeWindowS)
        refreshS = try c.decode(.refreshS, default: refreshS)
        hysteresisRanks = try c.decode(.hysteresisRanks, default: hysteresisRanks)
        hysteresisS = try c.decode(.hysteresisS, default: hysteresisS)
        allow = try c.decode(.allow, default: allow)
        deny = try c.decode(.deny, default: deny)
    }
}

public enum RunMode: String, Decodable, Sendable, CaseIterable {
    /// Paper trading on the manifest's market-data source.
    case paper
}

public enum ClockMode: String, Decodable, Sendable, CaseIterable {
    /// Event time, as fast as the machine goes.
    case simulated
    /// Events are paced to the wall clock (a live-like paper run).
    case wall
}

/// A duration written as `"90s"`, `"10m"`, `"1h30m"`, `"250ms"`.
public struct DurationText: Decodable, Sendable, Hashable, CustomStringConvertible {
    public var nanoseconds: Int64
    public var text: String

    public init?(_ text: String) {
        var total: Int64 = 0
        var number: Int64 = 0
        var digits = 0
        var chars = Array(text.replacingOccurrences(of: " ", with: ""))
        guard !chars.isEmpty else { return nil }
        chars.append(" ")
        var i = 0
        while i < chars.count - 1 {
            let ch = chars[i]
            if let d = ch.wholeNumberValue, ch.isASCII {
                number = number * 10 + Int64(d); digits += 1; i += 1
                if number > 1_000_000_000 { return nil }
                continue
            }
            guard digits > 0 else { return nil }
            let unit: Int64
            if ch == "m" && chars[i + 1] == "s" { unit = 1_000_000; i += 2 }
            else if ch == "h" { unit = 3_600_000_000_000; i += 1 }
            else if ch == "m" { unit = 60_000_000_000; i += 1 }
            else if ch == "s" { unit = 1_000_000_000; i += 1 }
            else { return nil }
            // Checked: "10000000h" must be an error, not a trap.
            let (part, overflowPart) = number.multipliedReportingOverflow(by: unit)
            let (sum, overflowSum) = total.addingReportingOverflow(part)
            guard !overflowPart && !overflowSum else { return nil }
            total = sum
            number = 0; digits = 0
        }
        guard digits == 0, total > 0 else { return nil }
        self.nanoseconds = total
        self.text = text
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let value = DurationText(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected a positive duration such as \"90s\", \"10m\", \"1h30m\" or \"250ms\" (at most 2562047h), got \"\(text)\""))
        }
        self = value
    }

    public var duration: Duration { .nanoseconds(nanoseconds) }
    public var description: String { text }
}

public struct MarketDataSection: Decodable, Sendable {
    public var source: MarketDataSourceKind
    /// Bases traded on every enabled exchange (unless an exchange lists its own).
    public var symbols: [String]
    /// Average market events per second of event time, across all books.
    public var eventsPerSecond: Int
    /// The FX book: the venue and symbol that price one currency in the other.
    public var fx: FXSection?
    public var synthetic: SyntheticSection?
    /// With `source = "recording"`: recording files or folders (searched for `*.arbrec`).
    public var recordings: [String]
    /// With `clock = "wall"`: replay at this multiple of real time.
    public var speed: Ratio
    /// With `source = "live"`: how messages reach the kernel (`inline` on the feeds' thread,
    /// or through a bounded `queue` to the kernel's own thread).
    public var liveHandoff: LiveHandoff
    /// With `live_handoff = "queue"`: events the queue holds.
    public var liveQueueEvents: Int

    enum CodingKeys: String, CodingKey {
        case source, symbols, eventsPerSecond = "events_per_second", fx, synthetic, recordings, speed
        case liveHandoff = "live_handoff", liveQueueEvents = "live_queue_events"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(MarketDataSourceKind.self, forKey: .source)
        symbols = try c.decode([String].self, forKey: .symbols)
        eventsPerSecond = try c.decode(.eventsPerSecond, default: 2_000)
        fx = try c.decodeIfPresent(FXSection.self, forKey: .fx)
        synthetic = try c.decodeIfPresent(SyntheticSection.self, forKey: .synthetic)
        recordings = try c.decode(.recordings, default: [])
        speed = try c.decode(.speed, default: .one)
        liveHandoff = try c.decode(.liveHandoff, default: .inline)
        liveQueueEvents = try c.decode(.liveQueueEvents, default: 1 << 18)
        guard (1_024...(1 << 24)).contains(liveQueueEvents) else {
            throw DecodingError.dataCorruptedError(forKey: .liveQueueEvents, in: c,
                                                   debugDescription: "must be between 1024 and 16777216 events, got \(liveQueueEvents)")
        }
    }
}

/// How a live run's messages reach the kernel (docs/FEEDS.md).
public enum LiveHandoff: String, Decodable, Sendable, CaseIterable {
    /// The kernel runs on the feeds' event loop: each message goes through it on the
    /// thread that parsed it (lowest latency; a slow strategy slows the reads).
    case inline
    /// A bounded queue to the kernel's own thread: the feeds never wait for the kernel;
    /// a full queue is counted and marks the books it would have changed with a gap and
    /// a resync. Costs a thread wake-up per burst.
    case queue
}

public enum MarketDataSourceKind: String, Decodable, Sendable, CaseIterable {
    /// The deterministic synthetic market.
    case synthetic
    /// Replay of `arbd record` files (or imported Tardis data).
    case recording
    /// The venues' public websocket feeds (`[exchanges.<name>.feed]`).
    case live
}

/// `[exchanges.<name>.feed]`: where the live feed connects and what it asks for. Every
/// key is optional; unset, the venue's documented endpoints and defaults apply.
public struct FeedSection: Decodable, Sendable {
    /// Replaces scheme, host and port of the documented websocket endpoint (`wss://…`,
    /// or `ws://…` for a local server); the documented path is kept.
    public var wsURL: String?
    /// Replaces scheme, host and port of the documented REST endpoint (snapshots).
    public var restURL: String?
    /// Book depth, where the venue offers a choice (Binance snapshot 5–5000, Upbit 1, 5, 15, 30).
    public var depth: Int?
    /// Update speed in ms, where the venue offers a choice (Binance 100 or 1000).
    public var updateSpeedMs: Int?
    /// An instrument with no data this long is stale (marked, not traded, resynced).
    public var staleAfterMs: Int64
    /// A connection with no frame this long is opened again.
    public var idleTimeoutMs: Int64

    enum CodingKeys: String, CodingKey {
        case wsURL = "ws_url", restURL = "rest_url", depth, updateSpeedMs = "update_speed_ms", staleAfterMs = "stale_after_ms"
        case idleTimeoutMs = "idle_timeout_ms"
    }
    public init() { staleAfterMs = 10_000; idleTimeoutMs = 60_000 }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        wsURL = try c.decodeIfPresent(String.self, forKey: .wsURL)
        restURL = try c.decodeIfPresent(String.self, forKey: .restURL)
        depth = try c.decodeIfPresent(Int.self, forKey: .depth)
        updateSpeedMs = try c.decodeIfPresent(Int.self, forKey: .updateSpeedMs)
        staleAfterMs = try c.decode(.staleAfterMs, default: 10_000)
        idleTimeoutMs = try c.decode(.idleTimeoutMs, default: 60_000)
    }
}

public struct FXSection: Decodable, Sendable {
    public var venue: String
    public var symbol: String
    /// Starting rate for the synthetic source (quote per base of the FX symbol).
    public var initialRate: Price

    enum CodingKeys: String, CodingKey { case venue, symbol, initialRate = "initial_rate" }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        venue = try c.decode(String.self, forKey: .venue)
        symbol = try c.decode(String.self, forKey: .symbol)
        initialRate = try c.decode(.initialRate, default: Price(units: 1_400))
    }
}

/// Tuning of the synthetic market; every field is optional.
public struct SyntheticSection: Decodable, Sendable {
    public var levels: Int?
    public var halfSpreadPpm: Int64?
    public var priceStepPpm: Int64?
    public var fxStepPpm: Int64?
    public var premiumMeanPpm: Int64?
    public var premiumSdPpm: Int64?
    public var premiumHalfLifeS: Int64?
    public var venueNoisePpm: Int64?
    public var levelNotional: Amount?
    public var referencePrices: [String: Price]?

    enum CodingKeys: String, CodingKey {
        case levels, halfSpreadPpm = "half_spread_ppm", priceStepPpm = "price_step_ppm", fxStepPpm = "fx_step_ppm"
        case premiumMeanPpm = "premium_mean_ppm", premiumSdPpm = "premium_sd_ppm", premiumHalfLifeS = "premium_half_life_s"
        case venueNoisePpm = "venue_noise_ppm", levelNotional = "level_notional", referencePrices = "reference_prices"
    }
}

public struct ExchangeSection: Decodable, Sendable {
    /// The plugin id; defaults to the section's name (`[exchanges.upbit]` → `upbit`).
    public var plugin: String?
    /// Quote currency of the arbitrage legs; the plugin's default (Upbit KRW, Binance USDT).
    public var quote: String?
    /// Bases on this venue; defaults to `market_data.symbols`.
    public var symbols: [String]?
    /// Further quote markets whose listings of this venue's bases join the universe
    /// (`["BTC"]` adds ETHBTC, XRPBTC, … on Binance): cross and triangular routes.
    public var crossQuotes: [String]
    public var latencyMs: LatencySection
    /// Starting balances by asset code, as decimal strings.
    public var balances: [String: Amount]
    /// Plugin settings: decoded by the plugin itself, strictly.
    var settings: OpaqueTOML?
    public var rateLimits: RateLimitSection
    /// The live feed's endpoints and choices (`source = "live"`).
    public var feed: FeedSection

    enum CodingKeys: String, CodingKey {
        case plugin, quote, symbols, crossQuotes = "cross_quotes", latencyMs = "latency_ms", balances, settings, rateLimits = "rate_limits", feed
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        plugin = try c.decodeIfPresent(String.self, forKey: .plugin)
        quote = try c.decodeIfPresent(String.self, forKey: .quote)
        symbols = try c.decodeIfPresent([String].self, forKey: .symbols)
        crossQuotes = try c.decode(.crossQuotes, default: [])
        latencyMs = try c.decode(.latencyMs, default: LatencySection())
        balances = try c.decode([String: Amount].self, forKey: .balances)
        settings = try c.decodeIfPresent(OpaqueTOML.self, forKey: .settings)
        rateLimits = try c.decode(.rateLimits, default: RateLimitSection())
        feed = try c.decode(.feed, default: FeedSection())
    }
}

/// `[exchanges.<name>.rate_limits]`: how this process uses the exchange's budget.
public struct RateLimitSection: Decodable, Sendable {
    /// `local` (this process alone) or `redis` (shared with other processes through [storage.redis]).
    public var backend: RateLimitBackendKind = .local
    /// This process's share of every pool, e.g. "0.25" when four processes split one IP.
    public var share: Ratio = .one
    /// Above this utilisation new orders wait; queries and market data earlier.
    public var softUtilisation: Ratio = Ratio("0.8")
    /// Pool limits replacing the documented ones for this account (client side), e.g. { orders_10s = 50 }.
    public var limits: [String: Int64] = [:]
    /// With the redis backend: the share used locally while Redis is unreachable. The
    /// shares of all processes on one budget must add up to at most 1.
    public var fallbackShare: Ratio = Ratio("0.25")
    /// With the redis backend: how often to try Redis again while it is unreachable.
    /// Every process on one budget must use the same value (docs/RATE-LIMITS.md).
    public var reconnectMs: Int64 = 1_000
    /// Paper venues answer 429 and ban as the exchange does.
    public var enforceAtVenue: Bool = true
    /// What the paper venue enforces, if not the documented limits (to rehearse another
    /// process sharing the IP, or a lower account tier).
    public var venueLimits: [String: Int64] = [:]

    init() {}
    enum CodingKeys: String, CodingKey {
        case backend, share, softUtilisation = "soft_utilisation", limits, fallbackShare = "fallback_share", reconnectMs = "reconnect_ms"
        case enforceAtVenue = "enforce_at_venue", venueLimits = "venue_limits"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        backend = try c.decode(.backend, default: .local)
        share = try c.decode(.share, default: .one)
        softUtilisation = try c.decode(.softUtilisation, default: Ratio("0.8"))
        limits = try c.decode(.limits, default: [:])
        fallbackShare = try c.decode(.fallbackShare, default: Ratio("0.25"))
        reconnectMs = try c.decode(.reconnectMs, default: 1_000)
        enforceAtVenue = try c.decode(.enforceAtVenue, default: true)
        venueLimits = try c.decode(.venueLimits, default: [:])
    }

    var policy: RateLimitPolicy { RateLimitPolicy(share: share, softUtilisation: softUtilisation, limitOverrides: limits) }
}

public enum RateLimitBackendKind: String, Decodable, Sendable, CaseIterable {
    case local
    case redis
}

/// `latency_ms = { outbound = …, inbound = …, feed = … }`: the three latencies of a venue
/// connection. Each is a number of milliseconds (fixed), `{ p50 = 12, p99 = 60 }`
/// (lognormal), or `{ file = "latency/upbit-feed.txt" }` (measured values, replayed).
public struct LatencySection: Decodable, Sendable {
    public var outbound: LatencySpec = .fixedMilliseconds("20")
    public var inbound: LatencySpec = .fixedMilliseconds("20")
    /// Exchange → client for market data. Defaults to 0 only for compatibility; the
    /// bundled manifest sets a realistic one.
    public var feed: LatencySpec = .fixedMilliseconds("0")
    init() {}
    enum CodingKeys: String, CodingKey { case outbound, inbound, feed }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        outbound = try c.decode(.outbound, default: outbound)
        inbound = try c.decode(.inbound, default: inbound)
        feed = try c.decode(.feed, default: feed)
    }
}

/// One latency as the manifest writes it.
public enum LatencySpec: Decodable, Sendable, Hashable {
    case fixedMilliseconds(String)
    case lognormal(p50: String, p99: String)
    case file(String)

    enum CodingKeys: String, CodingKey { case p50, p99, file }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer() {
            if let ms = try? single.decode(Int64.self) { self = .fixedMilliseconds(String(ms)); return }
            if let text = try? single.decode(String.self) { self = .fixedMilliseconds(text); return }
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let file = try c.decodeIfPresent(String.self, forKey: .file) {
            if c.contains(.p50) || c.contains(.p99) {
                throw DecodingError.dataCorruptedError(forKey: .file, in: c, debugDescription: "give either a file or p50/p99, not both")
            }
            self = .file(file); return
        }
        func number(_ key: CodingKeys) throws -> String {
            if let ms = try? c.decode(Int64.self, forKey: key) { return String(ms) }
            if let text = try? c.decode(String.self, forKey: key) { return text }
            throw DecodingError.keyNotFound(key, .init(codingPath: c.codingPath,
                                                       debugDescription: "a lognormal latency needs p50 and p99 in milliseconds, e.g. { p50 = 12, p99 = 60 }"))
        }
        self = .lognormal(p50: try number(.p50), p99: try number(.p99))
    }

    /// The model, or why not (a message naming the fix). Files are read relative to `directory`.
    public func model(relativeTo directory: String) -> Result<LatencyModel, LatencySpecError> {
        func ms(_ text: String, _ name: String) -> Result<Duration, LatencySpecError> {
            if text.hasPrefix("-") { return .failure(.init(message: "\(name) must not be negative (got \(text))")) }
            guard let ns = LatencyFile.nanoseconds(fromMilliseconds: text) else {
                return .failure(.init(message: "\(name) '\(text)' is not a latency in milliseconds between 0 and 3600000, e.g. 12 or \"0.5\""))
            }
            return .success(.nanoseconds(ns))
        }
        let model: LatencyModel
        switch self {
        case .fixedMilliseconds(let text):
            switch ms(text, "the latency") { case .success(let d): model = .fixed(d); case .failure(let e): return .failure(e) }
        case .lognormal(let p50Text, let p99Text):
            let p50: Duration, p99: Duration
            switch ms(p50Text, "p50") { case .success(let d): p50 = d; case .failure(let e): return .failure(e) }
            switch ms(p99Text, "p99") { case .success(let d): p99 = d; case .failure(let e): return .failure(e) }
            model = .lognormal(p50: p50, p99: p99)
        case .file(let path):
            let full = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                return .failure(.init(message: "cannot read the latency file '\(full)'; give a path relative to the manifest"))
            }
            do { model = .samples(try LatencyFile.parse(text)) } catch {
                return .failure(.init(message: "latency file '\(full)' \(error.description)"))
            }
        }
        if let problem = model.problem { return .failure(.init(message: problem)) }
        return .success(model)
    }
}

public struct LatencySpecError: Error, Sendable { public var message: String }

/// `[simulation]`: how the simulated exchanges behave beyond each venue's rules.
public struct SimulationSection: Decodable, Sendable {
    /// 0: liquidity our orders took stays taken while its level lives (the conservative
    /// default); N: it comes back linearly over N ms.
    public var replenishMs: Int64 = 0
    /// Feed messages in flight per venue before one is dropped (and counted).
    public var feedCapacity: Int = 1 << 22
    public var competition: CompetitionSection?

    init() {}
    enum CodingKeys: String, CodingKey { case replenishMs = "replenish_ms", feedCapacity = "feed_capacity", competition }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        replenishMs = try c.decode(.replenishMs, default: 0)
        feedCapacity = try c.decode(.feedCapacity, default: 1 << 22)
        competition = try c.decodeIfPresent(CompetitionSection.self, forKey: .competition)
    }
}

/// `[simulation.competition]`: other takers (docs/SIMULATION.md).
public struct CompetitionSection: Decodable, Sendable {
    public var enabled: Bool = true
    public var edgePpm: Int64 = CompetitionModel().edgePpm
    public var delayMs: LatencySpec = .lognormal(p50: "80", p99: "600")
    public var sharePpm: Int64 = 1_000_000

    enum CodingKeys: String, CodingKey { case enabled, edgePpm = "edge_ppm", delayMs = "delay_ms", sharePpm = "share_ppm" }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decode(.enabled, default: true)
        edgePpm = try c.decode(.edgePpm, default: edgePpm)
        delayMs = try c.decode(.delayMs, default: delayMs)
        sharePpm = try c.decode(.sharePpm, default: 1_000_000)
    }
}

public struct StrategySection: Decodable, Sendable {
    public var plugin: String
    var parameters: OpaqueTOML?
    enum CodingKeys: String, CodingKey { case plugin, parameters }
}

public struct StorageSection: Decodable, Sendable {
    public var redis: RedisSection?
    public var postgres: PostgresSection?
}

public struct RedisSection: Decodable, Sendable {
    public var host: String
    public var port: Int
    public var database: Int
    /// Name of the environment variable holding the password, if the server needs one.
    public var passwordEnv: String?
    /// Prefix of every key Arbor writes.
    public var keyPrefix: String

    enum CodingKeys: String, CodingKey { case host, port, database, passwordEnv = "password_env", keyPrefix = "key_prefix" }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decode(.host, default: "127.0.0.1")
        port = try c.decode(.port, default: 6379)
        database = try c.decode(.database, default: 0)
        passwordEnv = try c.decodeIfPresent(String.self, forKey: .passwordEnv)
        keyPrefix = try c.decode(.keyPrefix, default: "arbor")
    }
}

public struct PostgresSection: Decodable, Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var passwordEnv: String?
    /// Rows per COPY batch.
    public var batchSize: Int

    enum CodingKeys: String, CodingKey { case host, port, user, database, passwordEnv = "password_env", batchSize = "batch_size" }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decode(.host, default: "127.0.0.1")
        port = try c.decode(.port, default: 5432)
        user = try c.decode(String.self, forKey: .user)
        database = try c.decode(String.self, forKey: .database)
        passwordEnv = try c.decodeIfPresent(String.self, forKey: .passwordEnv)
        batchSize = try c.decode(.batchSize, default: 1_000)
    }
}

/// Accepts any TOML value and marks every key inside it as read, so the first strict
/// pass leaves plugin sections to the plugins' own strict decoding.
struct OpaqueTOML: Decodable, Sendable {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            for key in keyed.allKeys { _ = try keyed.decode(OpaqueTOML.self, forKey: key) }
        } else if var list = try? decoder.unkeyedContainer() {
            while !list.isAtEnd { _ = try list.decode(OpaqueTOML.self) }
        }
    }
}
