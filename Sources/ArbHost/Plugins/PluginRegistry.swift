import ArbCore
import ArbFeed
import ArbRateLimit

/// What an exchange plugin must bring to be built into `arbd`: its listings and rules
/// (`ExchangePlugin`), its documented rate limits (`RateLimitedExchange`) and its live
/// feed (`LiveFeedExchange`). A plugin missing one does not compile into the list.
public typealias HostedExchangePlugin = RateLimitedExchangePlugin & LiveFeedExchange

/// The plugins a program is built with. The host imports no plugin: `arbd` registers
/// them in one place (`Sources/ArbdPlugins/RegisteredPlugins.swift`) and hands the
/// registry to everything that picks plugins by id: the run plan, the bench, the
/// rate-limit tools and every message that lists what is known.
public struct PluginRegistry: Sendable {
    /// Exchange plugins bring their rate limits and their feed: a plugin without them does
    /// not compile into this list.
    public let exchanges: [any HostedExchangePlugin.Type]
    public let strategies: [any StrategyPlugin.Type]

    /// - Precondition: ids are unique within each list (a programming error otherwise).
    public init(exchanges: [any HostedExchangePlugin.Type], strategies: [any StrategyPlugin.Type]) {
        precondition(Set(exchanges.map { $0.id }).count == exchanges.count, "two exchange plugins share an id")
        precondition(Set(strategies.map { $0.id }).count == strategies.count, "two strategy plugins share an id")
        self.exchanges = exchanges.sorted { $0.id < $1.id }
        self.strategies = strategies.sorted { $0.id < $1.id }
    }

    public func exchange(_ id: String) -> (any HostedExchangePlugin.Type)? { exchanges.first { $0.id == id } }
    public func strategy(_ id: String) -> (any StrategyPlugin.Type)? { strategies.first { $0.id == id } }
    public var exchangeIds: [String] { exchanges.map { $0.id } }
    public var strategyIds: [String] { strategies.map { $0.id } }

    /// "known: a, b" for messages, or a hint when nothing is registered.
    public var knownExchanges: String { exchangeIds.isEmpty ? "no exchange plugin is registered" : "known: \(exchangeIds.joined(separator: ", "))" }
    public var knownStrategies: String { strategyIds.isEmpty ? "no strategy plugin is registered" : "known: \(strategyIds.joined(separator: ", "))" }

    /// An exchange plugin with its default settings, e.g. for its documented rate limits.
    public func defaultExchange(_ id: String) throws -> (any HostedExchangePlugin)? {
        guard let type = exchange(id) else { return nil }
        func make<P: HostedExchangePlugin>(_ type: P.Type) throws -> any HostedExchangePlugin { try P(settings: P.defaultSettings) }
        return try make(type)
    }

    /// The documented rate limits of the exchange plugin `id` (default settings).
    public func rateLimitRules(exchange id: String) throws -> (any RateLimitRules)? {
        try defaultExchange(id)?.rateLimitRules
    }
}

extension LoadedManifest {
    /// Configures an exchange plugin from `[exchanges.<name>.settings]`.
    func makeExchange<P: HostedExchangePlugin>(_ type: P.Type, section name: String) throws -> any HostedExchangePlugin {
        let path = ["exchanges", name, "settings"]
        let settings = try decodePluginSection(P.Settings.self, at: path, plugin: (P.id, P.settingList), default: P.defaultSettings)
        do { return try P(settings: settings) } catch let e as PluginConfigurationError {
            throw error(path + [e.setting], e.message)
        }
    }

    /// Builds a strategy from `[strategies.<name>.parameters]`.
    func makeStrategy<P: StrategyPlugin>(_ type: P.Type, section name: String, universe: Universe) throws -> any Strategy {
        let path = ["strategies", name, "parameters"]
        // Without a parameters section the plugin's defaults apply (an empty table decoded).
        let parameters = try decodePluginSection(P.Parameters.self, at: path, plugin: (P.id, P.parameterList),
                                                 default: try ManifestLoader.decodeEmpty(P.Parameters.self))
        do { return try P.make(parameters: parameters, universe: universe) } catch let e as PluginConfigurationError {
            throw error(path + [e.setting], e.message)
        }
    }
}
