import ArbCore

/// The live-feed part an exchange plugin must provide: the host's plugin list requires
/// it (`HostedExchangePlugin`), so a venue without a feed does not compile into `arbd`.
public protocol LiveFeedExchange {
    /// Its public feed for `instruments` with the manifest's `[exchanges.<name>.feed]`.
    /// Throws `PluginConfigurationError` naming the key (`depth`, `update_speed_ms`) when
    /// a setting is not one the venue offers.
    func makeFeed(instruments: [FeedInstrument], settings: FeedSettings) throws -> any VenueFeed
    /// Messages in the venue's documented format, for benchmarks and load tests against
    /// a local server: per symbol a snapshot answer (if the venue syncs by REST) and a
    /// stream of book updates with `levels` levels each, continuing from it, interleaved
    /// across symbols. Deterministic for a seed.
    static func sampleFeed(symbols: [String], levels: Int, messages: Int, seed: UInt64) -> FeedSample
}

/// An instrument of the run as its venue's feed names it.
public struct FeedInstrument: Sendable, Hashable {
    public var id: InstrumentId
    /// The venue's symbol (`BTCUSDT`, `KRW-BTC`).
    public var symbol: String
    public init(id: InstrumentId, symbol: String) { self.id = id; self.symbol = symbol }
}

/// `[exchanges.<name>.feed]`: where to connect and what to ask for. Unset values are the
/// venue's documented defaults.
public struct FeedSettings: Sendable, Hashable {
    /// Replaces scheme, host and port of the documented websocket endpoint.
    public var wsBase: FeedURL?
    /// Replaces scheme, host and port of the documented REST endpoint.
    public var restBase: FeedURL?
    /// Book depth (levels per side), where the venue offers a choice.
    public var depth: Int?
    /// Update speed in milliseconds, where the venue offers a choice.
    public var updateSpeedMs: Int?

    public init(wsBase: FeedURL? = nil, restBase: FeedURL? = nil, depth: Int? = nil, updateSpeedMs: Int? = nil) {
        self.wsBase = wsBase; self.restBase = restBase; self.depth = depth; self.updateSpeedMs = updateSpeedMs
    }
}

/// A venue's messages for a benchmark or a local test server.
public struct FeedSample: Sendable {
    /// REST snapshot answers by symbol (empty for venues without).
    public var snapshots: [String: [UInt8]]
    /// Websocket frames in order.
    public var frames: [[UInt8]]
    /// Book levels the frames carry in all (for per-level rates).
    public var levels: Int
    /// The venue sends these as binary websocket frames (Upbit), else as text.
    public var binaryFrames: Bool
    public init(snapshots: [String: [UInt8]], frames: [[UInt8]], levels: Int, binaryFrames: Bool = false) {
        self.snapshots = snapshots; self.frames = frames; self.levels = levels; self.binaryFrames = binaryFrames
    }
}
