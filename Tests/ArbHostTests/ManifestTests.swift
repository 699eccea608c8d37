import ArbCore
import Foundation
import ArbdPlugins
import Testing
@testable import ArbHost

/// A small valid manifest; tests edit it textually.
func manifestText(dataDir: String = "/tmp/arbor-test-runs", runtime: String = "20s", extra: String = "", strategyParameters: String = "",
                  withStrategy: Bool = true) -> String {
    let strategy = withStrategy ? """
    [strategies.spread]
    plugin = "cross-spread"

    [strategies.spread.parameters]
    min_edge = "0.0015"
    order_notional = "1000"
    \(strategyParameters)
    """ : ""
    return """
    mode = "paper"
    seed = 7
    max_runtime = "\(runtime)"
    reporting_currency = "USDT"
    data_dir = "\(dataDir)"

    [market_data]
    source = "synthetic"
    symbols = ["BTC", "ETH", "XRP"]
    events_per_second = 2000
    fx = { venue = "upbit", symbol = "KRW-USDT", initial_rate = "1400" }
    # Far jumpier than the calibrated default, so that a run of a few seconds trades.
    synthetic = { premium_sd_ppm = 2500, premium_half_life_s = 5 }

    [exchanges.upbit]
    latency_ms = { outbound = 15, inbound = 15 }
    balances = { KRW = "200000000", BTC = "1", ETH = "20", XRP = "40000" }

    [exchanges.binance]
    latency_ms = { outbound = 25, inbound = 25 }
    balances = { USDT = "150000", BTC = "1", ETH = "20", XRP = "40000" }

    \(strategy)
    \(extra)
    """
}

func load(_ text: String) throws -> RunPlan { try RunPlan(try ManifestLoader.load(text: text, file: "test.toml"), plugins: registeredPlugins) }

/// The first error message a manifest produces.
func problem(_ text: String) -> String {
    do { _ = try load(text); return "no error" } catch { return String(describing: error) }
}

@Suite("Manifest")
struct ManifestTests {
    @Test("the bundled manifest and the test manifest are valid")
    func valid() throws {
        let plan = try load(manifestText())
        #expect(plan.exchangeNames == ["binance", "upbit"])
        #expect(plan.universe.instruments.count == 7)
        #expect(plan.strategyNames == ["spread"])
        let bundled = try RunPlan(try ManifestLoader.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../manifests/paper.toml").standardized.path), plugins: registeredPlugins)
        #expect(bundled.universe.instruments.count == 21)
    }

    @Test("a typo'd key names the file, the line and the key path")
    func typo() {
        let message = problem(manifestText().replacingOccurrences(of: "max_runtime", with: "max_runtim"))
        #expect(message.contains("test.toml:3"))
        #expect(message.contains("max_runtim"))
        let nested = problem(manifestText().replacingOccurrences(of: "outbound = 25", with: "outbund = 25"))
        #expect(nested.contains("exchanges.binance.latency_ms.outbund"), "\(nested)")
        #expect(nested.contains("test.toml:20"), "\(nested)")
    }

    @Test("a plugin's own settings are strict too, with the full path")
    func pluginTypo() {
        let message = problem(manifestText(strategyParameters: "min_egde = \"0.1\""))
        #expect(message.contains("strategies.spread.parameters.min_egde"), "\(message)")
        #expect(message.contains("test.toml:"))
    }

    @Test("a wrong type says what was expected")
    func wrongType() {
        let message = problem(manifestText().replacingOccurrences(of: "seed = 7", with: "seed = \"seven\""))
        #expect(message.contains("seed"))
        #expect(message.contains("test.toml:2"))
        #expect(message.contains("wrong type") || message.contains("expected"), "\(message)")
        let decimal = problem(manifestText(strategyParameters: "hedge_slippage = \"lots\""))
        #expect(decimal.contains("hedge_slippage") && decimal.contains("decimal string"), "\(decimal)")
    }

    @Test("a missing value says it is missing")
    func missing() {
        let message = problem(manifestText().replacingOccurrences(of: "seed = 7\n", with: ""))
        #expect(message.contains("seed") && message.contains("missing"), "\(message)")
    }

    @Test("an unknown plugin lists the known ones")
    func unknownPlugin() {
        let exchange = problem(manifestText().replacingOccurrences(of: "[exchanges.binance]", with: "[exchanges.binanse]"))
        #expect(exchange.contains("unknown exchange plugin 'binanse'") && exchange.contains("known: binance, upbit"), "\(exchange)")
        let strategy = problem(manifestText().replacingOccurrences(of: "plugin = \"cross-spread\"", with: "plugin = \"triangle\""))
        #expect(strategy.contains("unknown strategy plugin 'triangle'") && strategy.contains("cross-spread"), "\(strategy)")
    }

    @Test("an unknown symbol on a venue lists what it lists")
    func unknownSymbol() {
        let message = problem(manifestText().replacingOccurrences(of: "[\"BTC\", \"ETH\", \"XRP\"]", with: "[\"BTC\", \"WOOF\"]"))
        #expect(message.contains("WOOF/USDT is not listed on binance"), "\(message)")
        #expect(message.contains("WOOF/KRW is not listed on upbit"))
        #expect(message.contains("listed: ADA"))
    }

    @Test("a negative balance is refused")
    func negativeBalance() {
        let message = problem(manifestText().replacingOccurrences(of: "USDT = \"150000\"", with: "USDT = \"-5\""))
        #expect(message.contains("exchanges.binance.balances.USDT") && message.contains("must not be negative"), "\(message)")
    }

    @Test("secrets are refused with the fix")
    func secrets() {
        let message = problem(manifestText(extra: "[storage.redis]\npassword = \"hunter2\""))
        #expect(message.contains("storage.redis.password") && message.contains("password_env"), "\(message)")
        #expect(!message.contains("hunter2"))
    }

    @Test("shared rate-limit settings out of range are refused with the key named")
    func sharedRateLimitSettings() {
        let redis = "[storage.redis]\nkey_prefix = \"{team}\"\n"
        let limits = "[exchanges.upbit.rate_limits]\nbackend = \"redis\"\nfallback_share = \"0\"\nreconnect_ms = 5\n"
        let text = manifestText(extra: redis).replacingOccurrences(of: "[exchanges.binance]", with: limits + "\n[exchanges.binance]")
        let message = problem(text)
        #expect(message.contains("exchanges.upbit.rate_limits.fallback_share") && message.contains("one over the number of processes"), "\(message)")
        #expect(message.contains("exchanges.upbit.rate_limits.reconnect_ms") && message.contains("between 10 and 600000"), "\(message)")
        #expect(message.contains("storage.redis.key_prefix") && message.contains("without braces"), "\(message)")
    }

    @Test("TOML syntax errors point at the line")
    func syntax() {
        let message = problem(manifestText().replacingOccurrences(of: "seed = 7", with: "seed = = 7"))
        #expect(message.contains("test.toml:2") && message.contains("syntax"), "\(message)")
    }

    @Test("strategy parameters are validated by the plugin")
    func strategyValidation() {
        let message = problem(manifestText(strategyParameters: "venue_b = \"upbit\""))
        #expect(message.contains("strategies.spread.parameters.venue_b") && message.contains("must differ"), "\(message)")
    }

    @Test("several problems are reported together")
    func several() {
        let text = manifestText()
            .replacingOccurrences(of: "USDT = \"150000\"", with: "USDT = \"-5\"")
            .replacingOccurrences(of: "plugin = \"cross-spread\"", with: "plugin = \"nope\"")
        let message = problem(text)
        #expect(message.contains("negative") && message.contains("nope"))
    }

    @Test("durations", arguments: [("90s", Int64(90_000_000_000)), ("10m", 600_000_000_000), ("1h30m", 5_400_000_000_000), ("250ms", 250_000_000)])
    func durations(_ text: String, _ ns: Int64) { #expect(DurationText(text)?.nanoseconds == ns) }

    @Test("bad durations", arguments: ["", "10", "m", "5x", "-5s", "0s"])
    func badDurations(_ text: String) { #expect(DurationText(text) == nil) }
}
