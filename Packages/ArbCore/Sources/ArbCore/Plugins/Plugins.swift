/// How a paper venue is set up for a run.
public struct PaperVenueOptions: Sendable, Hashable {
    /// Order latency each way and the feed's latency.
    public var latency: VenueLatencyModels
    /// Answer as the exchange would when its documented rate limits are exceeded (429, then bans).
    public var enforceRateLimits: Bool
    /// Pool limits replacing the documented ones (an account's real limits).
    public var rateLimitOverrides: [String: Int64]

    /// The options of one paper venue.
    public init(latency: VenueLatencyModels, enforceRateLimits: Bool = true, rateLimitOverrides: [String: Int64] = [:]) {
        self.latency = latency; self.enforceRateLimits = enforceRateLimits; self.rateLimitOverrides = rateLimitOverrides
    }
}

/// An exchange plugin: one venue's listings, rules and adapter, configured by typed
/// settings from the manifest (`[exchanges.<id>.settings]`, unknown keys rejected).
public protocol ExchangePlugin: Sendable {
    associatedtype Settings: Decodable & Sendable
    /// The id the manifest uses, e.g. `upbit`.
    static var id: String { get }
    static var summary: String { get }
    static var defaultSettings: Settings { get }
    /// Every key of `Settings`, described (`arbd plugins --describe ID`).
    static var settingList: [PluginParameter] { get }
    init(settings: Settings) throws

    /// The quote currency this venue's arbitrage legs use by default (Upbit KRW, Binance USDT).
    var defaultQuote: String { get }
    /// Bases listed against `quote` in the plugin's catalogue, sorted.
    func listedBases(quote: String) -> [String]
    /// The listing for `base`/`quote`, or nil if the venue does not list it.
    func listing(base: String, quote: String) -> InstrumentSpec?
    /// The listing for a venue-native symbol (`KRW-USDT`, `BTCUSDT`), or nil.
    func listing(symbol: String) -> InstrumentSpec?
    /// A listing for an asset the catalogue does not have, with rules derived from a
    /// reference price the way this venue sets them. For synthetic universes (benchmarks).
    func syntheticListing(base: String, quote: String, referencePrice: Price) -> InstrumentSpec
    associatedtype Rules: VenueRules
    /// The venue's order rules, fees and wording: what its paper venue enforces and what
    /// the client checks before sending.
    var rules: Rules { get }
    /// The exchange's own gate on requests reaching it (its rate limits, answered with
    /// 429s and bans) for a paper venue; nil when `options` turn enforcement off.
    func exchangeAdmission(options: PaperVenueOptions) -> (any ExchangeAdmission)?
}

/// A strategy plugin: builds a strategy from typed parameters
/// (`[strategies.<name>.parameters]`, unknown keys rejected) over the run's universe.
public protocol StrategyPlugin: Sendable {
    associatedtype Parameters: Decodable & Sendable
    /// The id the manifest uses: `plugin = "cross-spread"`.
    static var id: String { get }
    /// One line for `arbd plugins`.
    static var summary: String { get }
    /// Every key of `Parameters`, described (`arbd plugins --describe ID`).
    static var parameterList: [PluginParameter] { get }
    /// Builds the strategy. Resolve venues and instruments here, from `universe`, into
    /// plain (non-optional) properties; throw `PluginConfigurationError` naming the
    /// parameter and the fix when something is missing. `start()` then subscribes.
    static func make(parameters: Parameters, universe: Universe) throws -> any Strategy
}

/// A plugin's refusal of its configuration, naming the setting and the fix.
public struct PluginConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The plugin's id.
    public var plugin: String
    /// The key at fault (`min_edge`, or a dotted path below it).
    public var setting: String
    /// What is wrong and how to fix it.
    public var message: String
    /// A refusal naming the key; the host reports it at `…parameters.<setting>` with its line.
    public init(plugin: String, setting: String, message: String) { self.plugin = plugin; self.setting = setting; self.message = message }
    public var description: String { "\(plugin): \(setting): \(message)" }
}
