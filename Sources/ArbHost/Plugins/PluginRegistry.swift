import ArbCore
import Binance
import CrossSpread
import Upbit

/// Every plugin the host knows, registered here and only here, at compile time.
/// The manifest picks them by id.
public enum PluginRegistry {
    public static let exchanges: [any ExchangePlugin.Type] = [BinancePlugin.self, UpbitPlugin.self]
    public static let strategies: [any StrategyPlugin.Type] = [CrossSpreadPlugin.self]

    public static func exchange(_ id: String) -> (any ExchangePlugin.Type)? { exchanges.first { $0.id == id } }
    public static func strategy(_ id: String) -> (any StrategyPlugin.Type)? { strategies.first { $0.id == id } }
    public static var exchangeIds: [String] { exchanges.map { $0.id }.sorted() }
    public static var strategyIds: [String] { strategies.map { $0.id }.sorted() }
}

extension LoadedManifest {
    /// Configures an exchange plugin from `[exchanges.<name>.settings]`.
    func makeExchange<P: ExchangePlugin>(_ type: P.Type, section name: String) throws -> any ExchangePlugin {
        let path = ["exchanges", name, "settings"]
        let settings = try decodePluginSection(P.Settings.self, at: path, default: P.defaultSettings)
        do { return try P(settings: settings) } catch let e as PluginConfigurationError {
            throw error(path + [e.setting], e.message)
        }
    }

    /// Builds a strategy from `[strategies.<name>.parameters]`.
    func makeStrategy<P: StrategyPlugin>(_ type: P.Type, section name: String) throws -> any Strategy {
        let path = ["strategies", name, "parameters"]
        // Without a parameters section the plugin's defaults apply (an empty table decoded).
        let parameters = try decodePluginSection(P.Parameters.self, at: path, default: try ManifestLoader.decodeEmpty(P.Parameters.self))
        do { return try P.make(parameters: parameters) } catch let e as PluginConfigurationError {
            throw error(path + [e.setting], e.message)
        }
    }
}
