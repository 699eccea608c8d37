import ArbHost
import Binance
import CrossSpread
import Triangular
import Upbit
// arbd new strategy: imports above this line

/// Every plugin `arbd` is built with: the one line to change when adding an exchange or
/// a strategy (docs/PLUGINS.md). The host imports none of them; it gets this registry.
public let registeredPlugins = PluginRegistry(
    exchanges: [BinancePlugin.self, UpbitPlugin.self],
    strategies: [
        CrossSpreadPlugin.self,
        TriangularPlugin.self,
        // arbd new strategy: strategies above this line
    ]
)
