import ArbRateLimit

/// What `arbd plugins` prints: every registered plugin's full id (never cut), its
/// summary, and for exchanges the rate-limit pools the manifest may override.
public enum PluginListing {
    public static func text(_ registry: PluginRegistry) -> String {
        let width = (registry.exchangeIds + registry.strategyIds).map(\.count).max() ?? 0
        func row(_ id: String, _ summary: String) -> String { "  " + id + String(repeating: " ", count: width - id.count + 2) + summary + "\n" }
        var out = "exchanges:\n"
        for p in registry.exchanges {
            out += row(p.id, p.summary)
            if let pools = try? registry.rateLimitRules(exchange: p.id)?.pools.map(\.id) {
                out += row("", "rate-limit pools: " + pools.joined(separator: ", "))
            }
        }
        if registry.exchanges.isEmpty { out += "  (none registered)\n" }
        out += "strategies:\n"
        for p in registry.strategies { out += row(p.id, p.summary) }
        if registry.strategies.isEmpty { out += "  (none registered)\n" }
        return out
    }
}
