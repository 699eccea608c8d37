import ArbCore
import ArbFeed
import ArbRisk
import ArbPaper
import Foundation
import ArbRateLimit
import ArbSynthetic
import ArbUniverse

/// A manifest turned into wired parts: the universe with dense ids, one configured
/// plugin and paper venue per exchange, the strategies, the synthetic market, deposits.
/// Everything is ordered (exchanges and strategies by name) so ids are reproducible.
public final class RunPlan {
    public let loaded: LoadedManifest
    public var manifest: Manifest { loaded.manifest }
    public let universe: Universe
    public let exchangeNames: [String]
    public let plugins: [any HostedExchangePlugin]
    /// The plugins this plan could pick from (for messages and later lookups).
    public let registry: PluginRegistry
    public let strategyNames: [String]
    /// Each strategy, built over a universe (the run's, or the bench's wider one).
    let strategyFactories: [(Universe) throws -> any Strategy]
    public let fxInstrument: InstrumentId?
    public let reportingAsset: AssetId
    public let deposits: [(VenueId, AssetId, Amount)]
    public let market: SyntheticMarketConfig
    /// The `top_n` universe rule, if the manifest chose it (nil: `list`, every symbol).
    public let universeRule: TopNRule?
    /// The risk guard's limits (`[risk]`); nil: no guard.
    public let riskLimits: RiskLimits?
    /// The inventory tier's bands and rebalancing planner (`[risk.inventory]`, `[risk.rebalance]`).
    public let inventory: InventoryManager?
    /// Per venue, the live feed's settings (`[exchanges.<name>.feed]`), checked against
    /// the plugin with the run's instruments.
    public let feedSettings: [FeedSettings]

    /// Validates everything a run needs, collecting every problem it finds. Plugins are
    /// picked by id from `plugins`, the program's registry.
    public init(_ loaded: LoadedManifest, plugins registry: PluginRegistry) throws {
        self.loaded = loaded
        self.registry = registry
        let m = loaded.manifest
        var errors: [ManifestError] = []
        var universe = Universe()

        if m.exchanges.isEmpty { errors.append(loaded.error(["exchanges"], "enable at least one exchange, e.g. [exchanges.upbit]")) }
        if m.marketData.symbols.isEmpty { errors.append(loaded.error(["market_data", "symbols"], "list at least one base asset, e.g. [\"BTC\"]")) }
        if m.marketData.eventsPerSecond <= 0 || m.marketData.eventsPerSecond > 100_000_000 {
            errors.append(loaded.error(["market_data", "events_per_second"], "must be between 1 and 100000000"))
        }

        // Exchanges, in name order.
        var names: [String] = [], plugins: [any HostedExchangePlugin] = []
        for name in m.exchanges.keys.sorted() {
            let section = m.exchanges[name]!
            let id = section.plugin ?? name
            guard let type = registry.exchange(id) else {
                errors.append(loaded.error(["exchanges", name] + (section.plugin == nil ? [] : ["plugin"]),
                                           "unknown exchange plugin '\(id)'; \(registry.knownExchanges) (arbd plugins). To add one: docs/PLUGINS.md"))
                continue
            }
            do {
                let plugin = try loaded.makeExchange(type, section: name)
                names.append(name)
                plugins.append(plugin)
                universe.addVenue(name)
            } catch let e as ManifestError { errors.append(e) }
        }

        // Rate limits: pool names must be the exchange's, the redis backend needs [storage.redis].
        for (v, name) in names.enumerated() {
            let section = m.exchanges[name]!.rateLimits
            let known = plugins[v].rateLimitRules.pools.map(\.id)
            for (key, overrides) in [("limits", section.limits), ("venue_limits", section.venueLimits)] {
                for pool in overrides.keys.sorted() {
                    if !known.contains(pool) {
                        errors.append(loaded.error(["exchanges", name, "rate_limits", key, pool], "unknown pool '\(pool)'; \(type(of: plugins[v]).id) has: \(known.joined(separator: ", "))"))
                    } else if overrides[pool]! <= 0 {
                        errors.append(loaded.error(["exchanges", name, "rate_limits", key, pool], "must be positive"))
                    }
                }
            }
            if section.share.raw <= 0 || section.share > .one {
                errors.append(loaded.error(["exchanges", name, "rate_limits", "share"], "must be above 0 and at most 1, e.g. \"0.25\""))
            }
            if section.softUtilisation.raw <= 0 || section.softUtilisation > .one {
                errors.append(loaded.error(["exchanges", name, "rate_limits", "soft_utilisation"], "must be above 0 and at most 1, e.g. \"0.8\""))
            }
            if section.backend == .redis && m.storage?.redis == nil {
                errors.append(loaded.error(["exchanges", name, "rate_limits", "backend"], "the redis backend needs a [storage.redis] section"))
            }
            if section.fallbackShare.raw <= 0 || section.fallbackShare > .one {
                errors.append(loaded.error(["exchanges", name, "rate_limits", "fallback_share"],
                                           "must be above 0 and at most 1: one over the number of processes sharing the budget, e.g. \"0.25\" for four"))
            }
            if section.reconnectMs < 10 || section.reconnectMs > 600_000 {
                errors.append(loaded.error(["exchanges", name, "rate_limits", "reconnect_ms"], "must be between 10 and 600000 (10 minutes)"))
            }
        }

        if let redis = m.storage?.redis {
            // Braces would change the hash tag that keeps a budget's keys in one Cluster slot.
            if redis.keyPrefix.isEmpty || redis.keyPrefix.contains(where: { $0 == "{" || $0 == "}" || $0.isWhitespace }) {
                errors.append(loaded.error(["storage", "redis", "key_prefix"], "must be non-empty, without braces or spaces, e.g. \"arbor\""))
            }
            if !(1...65_535).contains(redis.port) {
                errors.append(loaded.error(["storage", "redis", "port"], "must be a TCP port (1-65535)"))
            }
            if redis.database < 0 {
                errors.append(loaded.error(["storage", "redis", "database"], "must be 0 or more"))
            }
        }

        // Latency models per venue: each checked now, files read now.
        let manifestFolder = (loaded.file as NSString).deletingLastPathComponent
        var latencies: [VenueLatencyModels] = []
        for name in names {
            let section = m.exchanges[name]!.latencyMs
            var models: [LatencyModel] = []
            for (key, spec) in [("outbound", section.outbound), ("inbound", section.inbound), ("feed", section.feed)] {
                switch spec.model(relativeTo: manifestFolder) {
                case .success(let model): models.append(model)
                case .failure(let e):
                    errors.append(loaded.error(["exchanges", name, "latency_ms", key], e.message))
                    models.append(.zero)
                }
            }
            latencies.append(VenueLatencyModels(orderOutbound: models[0], orderInbound: models[1], feed: models[2]))
        }

        // The simulated exchanges: replenishment and competition.
        let sim = m.simulation
        var replenishment = ReplenishmentModel.none
        if sim.replenishMs < 0 || sim.replenishMs > 86_400_000 {
            errors.append(loaded.error(["simulation", "replenish_ms"], "must be between 0 (taken liquidity stays taken) and 86400000"))
        } else if sim.replenishMs > 0 {
            replenishment = .linear(.milliseconds(sim.replenishMs))
        }
        if sim.feedCapacity < 1_024 || sim.feedCapacity > 1 << 26 {
            errors.append(loaded.error(["simulation", "feed_capacity"], "must be between 1024 and 67108864 messages"))
        }
        var competition: CompetitionModel? = nil
        if let section = sim.competition, section.enabled {
            var model = CompetitionModel(edgePpm: section.edgePpm, sharePpm: section.sharePpm)
            switch section.delayMs.model(relativeTo: manifestFolder) {
            case .success(let delay): model.delay = delay
            case .failure(let e): errors.append(loaded.error(["simulation", "competition", "delay_ms"], e.message))
            }
            if section.edgePpm < 0 || section.edgePpm > 1_000_000 {
                errors.append(loaded.error(["simulation", "competition", "edge_ppm"], "must be between 0 and 1000000 (ppm of the price), e.g. 2500"))
            }
            if section.sharePpm <= 0 || section.sharePpm > 1_000_000 {
                errors.append(loaded.error(["simulation", "competition", "share_ppm"], "must be above 0 and at most 1000000, e.g. 1000000 (all of it)"))
            }
            competition = model
        }

        // Instruments: each venue's listing of each symbol.
        var deposits: [(VenueId, AssetId, Amount)] = []
        var listings: [[SyntheticMarketConfig.Listing]] = Array(repeating: [], count: names.count)
        let symbolOrder = m.marketData.symbols
        for (v, name) in names.enumerated() {
            let section = m.exchanges[name]!
            let plugin = plugins[v]
            let quote = section.quote ?? plugin.defaultQuote
            let bases = section.symbols ?? symbolOrder
            for base in bases {
                guard let spec = plugin.listing(base: base, quote: quote) else {
                    let listed = plugin.listedBases(quote: quote)
                    errors.append(loaded.error(["exchanges", name, section.symbols == nil ? "" : "symbols"].filter { !$0.isEmpty },
                        "\(base)/\(quote) is not listed on \(type(of: plugin).id)\(section.symbols == nil ? " (from market_data.symbols)" : ""); listed: \(listed.joined(separator: ", "))"))
                    continue
                }
                let id = universe.addInstrument(spec, on: VenueId(v))
                if let s = symbolOrder.firstIndex(of: base) {
                    listings[v].append(SyntheticMarketConfig.Listing(symbol: s, instrument: universe[id]))
                } else {
                    errors.append(loaded.error(["exchanges", name, "symbols"], "\(base) is not in market_data.symbols, so no market data would come for it"))
                }
            }
            // Cross markets: this venue's bases where it lists them against another quote.
            for (q, crossQuote) in section.crossQuotes.enumerated() {
                let path = ["exchanges", name, "cross_quotes"]
                let pricing: SyntheticMarketConfig.ListingQuote
                if crossQuote == quote || section.crossQuotes[..<q].contains(crossQuote) {
                    errors.append(loaded.error(path, "'\(crossQuote)' is listed twice (the venue's quote is \(quote))")); continue
                } else if let s = symbolOrder.firstIndex(of: crossQuote) {
                    pricing = .symbol(s)
                } else if crossQuote == m.reportingCurrency {
                    pricing = .reference
                } else {
                    errors.append(loaded.error(path, "'\(crossQuote)' has no price: add it to market_data.symbols (or use the reporting currency, \(m.reportingCurrency))"))
                    continue
                }
                let listed = plugin.listedBases(quote: crossQuote)
                var added = 0
                for base in bases where base != crossQuote {
                    guard let spec = plugin.listing(base: base, quote: crossQuote), let s = symbolOrder.firstIndex(of: base) else { continue }
                    let id = universe.addInstrument(spec, on: VenueId(v))
                    listings[v].append(SyntheticMarketConfig.Listing(symbol: s, instrument: universe[id], quote: pricing))
                    added += 1
                }
                if added == 0 {
                    errors.append(loaded.error(path, listed.isEmpty
                        ? "\(type(of: plugin).id) has no \(crossQuote) market in its catalogue"
                        : "none of this venue's symbols is listed against \(crossQuote); listed: \(listed.joined(separator: ", "))"))
                }
            }
        }

        // The FX book.
        var fxInstrument: InstrumentId? = nil
        var fxVenueIndex: Int? = nil
        if let fx = m.marketData.fx {
            if let v = names.firstIndex(of: fx.venue) {
                let plugin = plugins[v]
                if let spec = plugin.listing(symbol: fx.symbol) {
                    fxInstrument = universe.addInstrument(spec, on: VenueId(v))
                    fxVenueIndex = v
                } else {
                    errors.append(loaded.error(["market_data", "fx", "symbol"], "'\(fx.symbol)' is not a listing of \(fx.venue); use the venue's own symbol format, e.g. KRW-USDT on upbit"))
                }
            } else {
                errors.append(loaded.error(["market_data", "fx", "venue"], "'\(fx.venue)' is not an enabled exchange; enabled: \(names.joined(separator: ", "))"))
            }
            if fx.initialRate.raw <= 0 { errors.append(loaded.error(["market_data", "fx", "initial_rate"], "must be positive")) }
        }

        // Live feeds: URLs and choices checked now, by the plugin, with the run's instruments
        // (`arbd check` refuses what `arbd run` and `arbd record` would).
        var feedSettings: [FeedSettings] = []
        for (v, name) in names.enumerated() {
            let section = m.exchanges[name]!.feed
            let path = ["exchanges", name, "feed"]
            var settings = FeedSettings(depth: section.depth, updateSpeedMs: section.updateSpeedMs)
            if let text = section.wsURL {
                switch FeedURL.parse(text, allowedSchemes: ["wss", "ws"]) {
                case .success(let url): settings.wsBase = url
                case .failure(let e): errors.append(loaded.error(path + ["ws_url"], "\(e.message); e.g. wss://stream.example.com:443"))
                }
            }
            if let text = section.restURL {
                switch FeedURL.parse(text, allowedSchemes: ["https", "http"]) {
                case .success(let url): settings.restBase = url
                case .failure(let e): errors.append(loaded.error(path + ["rest_url"], "\(e.message); e.g. https://api.example.com"))
                }
            }
            if !(100...86_400_000).contains(section.staleAfterMs) {
                errors.append(loaded.error(path + ["stale_after_ms"], "must be between 100 and 86400000"))
            }
            if !(1_000...86_400_000).contains(section.idleTimeoutMs) {
                errors.append(loaded.error(path + ["idle_timeout_ms"], "must be between 1000 and 86400000"))
            }
            let instruments = universe.instruments.filter { $0.venue == VenueId(v) }.map { FeedInstrument(id: $0.id, symbol: $0.symbol) }
            do {
                _ = try plugins[v].makeFeed(instruments: instruments, settings: settings)
            } catch let e as PluginConfigurationError {
                errors.append(loaded.error(path + [e.setting], e.message))
            } catch {
                errors.append(loaded.error(path, "\(error)"))
            }
            feedSettings.append(settings)
        }

        // Balances: non-negative, any asset code.
        for (v, name) in names.enumerated() {
            for code in m.exchanges[name]!.balances.keys.sorted() {
                let amount = m.exchanges[name]!.balances[code]!
                if amount.isNegative {
                    errors.append(loaded.error(["exchanges", name, "balances", code], "balance must not be negative (got \(amount))"))
                    continue
                }
                deposits.append((VenueId(v), universe.asset(code), amount))
            }
        }
        let reportingAsset = universe.asset(m.reportingCurrency)
        // Every funded asset and every traded base must be valuable in the reporting
        // currency through the configured books, or PnL would silently leave it out.
        let valuation = Valuation(universe: universe, reportingAsset: reportingAsset, preferred: fxInstrument.map { [$0] } ?? [])
        let needed = Set(deposits.map(\.1)).union(universe.instruments.map(\.base))
        let unvaluable = needed.filter { !valuation.canValue($0) }.map { universe.assetCode($0) }.sorted()
        if !unvaluable.isEmpty && !names.isEmpty {
            let quotes = Set(universe.instruments.map(\.quoteCode)).sorted().joined(separator: ", ")
            errors.append(loaded.error(["reporting_currency"],
                "'\(m.reportingCurrency)' cannot value \(unvaluable.joined(separator: ", ")) through the configured books; "
                + "report in a currency the venues quote (\(quotes)) or add an FX book under market_data.fx"))
        }

        // Strategies, in name order; built later (each run gets fresh instances).
        var strategyNames: [String] = [], factories: [(Universe) throws -> any Strategy] = []
        for name in m.strategies.keys.sorted() {
            let id = m.strategies[name]!.plugin
            guard let type = registry.strategy(id) else {
                errors.append(loaded.error(["strategies", name, "plugin"], "unknown strategy plugin '\(id)'; \(registry.knownStrategies) (arbd plugins). To write one: arbd new strategy NAME (docs/STRATEGIES.md)"))
                continue
            }
            do {
                _ = try loaded.makeStrategy(type, section: name, universe: universe)  // validate now
                strategyNames.append(name)
                factories.append { try loaded.makeStrategy(type, section: name, universe: $0) }
            } catch let e as ManifestError {
                errors.append(e)
            } catch {
                errors.append(loaded.error(["strategies", name], "strategy '\(name)' (\(id)) could not be built: \(error)"))
            }
        }

        // A recording source: the files must exist and be recordings.
        var recordingFiles: [String] = []
        if m.marketData.source == .recording {
            if m.marketData.recordings.isEmpty {
                errors.append(loaded.error(["market_data", "recordings"], "list recording files or folders, e.g. [\"runs/recorded\"]"))
            }
            for path in m.marketData.recordings {
                let found = Self.recordingFiles(at: path)
                if found.isEmpty {
                    errors.append(loaded.error(["market_data", "recordings"], "no recording at '\(path)' (expected a .arbrec file or a folder holding some)"))
                }
                recordingFiles += found
            }
        } else if !m.marketData.recordings.isEmpty {
            errors.append(loaded.error(["market_data", "recordings"], "only used with source = \"recording\""))
        }
        if m.marketData.speed.raw <= 0 { errors.append(loaded.error(["market_data", "speed"], "must be positive, e.g. 10")) }

        // The synthetic market over those instruments.
        var symbols: [SyntheticMarketConfig.Symbol] = []
        let overrides = m.marketData.synthetic?.referencePrices ?? [:]
        for base in symbolOrder {
            if let price = overrides[base] ?? SyntheticMarketConfig.referencePrices[base].flatMap({ Price($0) }) {
                symbols.append(.init(base: base, referencePrice: price))
            } else if m.marketData.source != .synthetic {
                symbols.append(.init(base: base, referencePrice: Price(units: 1)))
            } else {
                errors.append(loaded.error(["market_data", "synthetic", "reference_prices"], "no reference price for \(base); add \(base) = \"<price in \(m.reportingCurrency)>\""))
                symbols.append(.init(base: base, referencePrice: Price(units: 1)))
            }
        }
        let venues = names.indices.map { v in
            SyntheticMarketConfig.Venue(listings: listings[v], pricedThroughFX: fxVenueIndex == v)
        }
        var market = SyntheticMarketConfig(seed: m.seed, symbols: symbols, venues: venues,
                                           fxInstrument: fxInstrument.map { universe[$0] }, fxRate: m.marketData.fx?.initialRate ?? Price(units: 1))
        market.meanEventGapNs = 1_000_000_000 / Int64(max(1, m.marketData.eventsPerSecond))
        if let s = m.marketData.synthetic {
            if let x = s.levels { market.levels = x }
            if let x = s.halfSpreadPpm { market.halfSpreadPpm = x }
            if let x = s.priceStepPpm { market.priceStepPpm = x }
            if let x = s.fxStepPpm { market.fxStepPpm = x }
            if let x = s.premiumMeanPpm { market.premiumMeanPpm = x }
            if let x = s.premiumSdPpm { market.premiumSdPpm = x }
            if let x = s.venueNoisePpm { market.venueNoisePpm = x }
            if let x = s.levelNotional { market.levelNotional = x }
            if market.levels < 1 || market.levels > 1_000 { errors.append(loaded.error(["market_data", "synthetic", "levels"], "must be between 1 and 1000")) }
            if let x = s.premiumSdPpm, x < 0 || x > 200_000 {
                errors.append(loaded.error(["market_data", "synthetic", "premium_sd_ppm"], "must be between 0 and 200000 (20 %)"))
            }
            if let x = s.premiumHalfLifeS {
                if x < 1 || x > 30 * 86_400 {
                    errors.append(loaded.error(["market_data", "synthetic", "premium_half_life_s"], "must be between 1 and 2592000 (30 days), e.g. 300"))
                } else {
                    market.premiumHalfLifeMs = x * 1_000  // in range: cannot overflow
                }
            }
        }

        // The universe rule.
        var universeRule: TopNRule? = nil
        let u = m.universe
        func universeError(_ key: String, _ message: String) { errors.append(loaded.error(["universe", key], message)) }
        switch u.mode {
        case .list:
            for key in UniverseSection.CodingKeys.allCases.map(\.rawValue) where key != "mode" && u.given.contains(key) {
                universeError(key, "only used with mode = \"top_n\"; with \"list\" every symbol of market_data.symbols is traded")
            }
        case .topN:
            if u.n < 1 { universeError("n", "must be at least 1, e.g. 10") }
            if u.hysteresisRanks < 0 { universeError("hysteresis_ranks", "must not be negative (0: leave as soon as ranked below n)") }
            if u.hysteresisS < 0 { universeError("hysteresis_s", "must not be negative (0: leave at the first ranking below)") }
            if u.hysteresisS > 30 * 86_400 { universeError("hysteresis_s", "must be at most 2592000 (30 days)") }
            if !(1...10_000).contains(u.depthBps) { universeError("depth_bps", "must be between 1 and 10000, e.g. 20") }
            if !(1...30 * 86_400).contains(u.volumeWindowS) { universeError("volume_window_s", "must be between 1 and 2592000 (30 days), e.g. 3600") }
            if !(1...86_400).contains(u.refreshS) { universeError("refresh_s", "must be between 1 and 86400, e.g. 60") }
            if u.minDepth.isNegative { universeError("min_depth", "must not be negative") }
            if u.minVolume.isNegative { universeError("min_volume", "must not be negative") }
            for (key, list) in [("allow", u.allow), ("deny", u.deny)] {
                for symbol in list where !symbolOrder.contains(symbol) {
                    universeError(key, "'\(symbol)' is not in market_data.symbols (\(symbolOrder.joined(separator: ", ")))")
                }
            }
            for symbol in Set(u.allow).intersection(u.deny).sorted() { universeError("deny", "'\(symbol)' is both allowed and denied") }
            if !symbolOrder.isEmpty && symbolOrder.allSatisfy({ u.deny.contains($0) }) {
                universeError("deny", "the universe selects nothing: every symbol of market_data.symbols is denied")
            }
            if u.n >= 1 && u.n <= Int64(Int32.max) && u.hysteresisRanks >= 0 && u.hysteresisRanks <= Int64(Int32.max) {
                universeRule = TopNRule(n: Int(u.n), minDepth: u.minDepth, depthBps: u.depthBps, minVolume: u.minVolume,
                                        volumeWindow: .seconds(u.volumeWindowS), refresh: .seconds(u.refreshS),
                                        hysteresisRanks: Int(u.hysteresisRanks), hysteresisTime: .seconds(max(0, u.hysteresisS)),
                                        allow: Set(u.allow), deny: Set(u.deny))
            }
        }

        // The risk guard.
        var riskLimits: RiskLimits? = nil
        var inventory: InventoryManager? = nil
        if let section = m.risk {
            let quotes = names.enumerated().map { v, name in m.exchanges[name]!.quote ?? plugins[v].defaultQuote }
            let limits = RiskPlan.limits(section, loaded: loaded, universe: universe, exchangeNames: names, quoteCurrencies: quotes,
                                         reportingCurrency: m.reportingCurrency, errors: &errors)
            inventory = RiskPlan.inventory(section, loaded: loaded, universe: universe, exchangeNames: names, limits: limits, errors: &errors)
            riskLimits = limits
        }

        if !errors.isEmpty { throw ManifestErrors(errors: errors) }
        self.riskLimits = riskLimits
        self.inventory = inventory
        self.feedSettings = feedSettings
        self.universeRule = universeRule
        self.universe = universe
        self.exchangeNames = names
        self.plugins = plugins
        self.strategyNames = strategyNames
        self.strategyFactories = factories
        self.fxInstrument = fxInstrument
        self.reportingAsset = reportingAsset
        self.deposits = deposits
        self.market = market
        self.recordingFiles = recordingFiles
        self.latencies = latencies
        self.replenishment = replenishment
        self.competition = competition
        try validateStrategiesStart()
    }

    /// Starts every strategy on a throwaway kernel (no storage, no shared limiter, no
    /// event), so that what a strategy refuses at start — a venue that is not enabled, an
    /// FX symbol that is not an instrument — fails `arbd check` as it would `arbd run`.
    func validateStrategiesStart() throws {
        let kernel = wire(universe: universe, venueNames: exchangeNames, fxInstruments: fxInstrument.map { [$0] } ?? [],
                          rateLimiters: Array(repeating: nil, count: exchangeNames.count))
        try addStrategies(to: kernel)
    }

    /// Builds and starts every strategy on `kernel`; what a strategy refuses becomes a
    /// manifest error at `strategies.<name>.parameters.<setting>`, all of them at once.
    func addStrategies(to kernel: Kernel) throws {
        var errors: [ManifestError] = []
        for (i, factory) in strategyFactories.enumerated() {
            do { try kernel.add(try factory(kernel.universe), label: strategyNames[i]) } catch let e as PluginConfigurationError {
                errors.append(loaded.error(["strategies", strategyNames[i], "parameters", e.setting], e.message))
            } catch let e as ManifestError {
                errors.append(e)
            } catch {
                // Anything else a strategy throws at start: named, with where to look.
                let plugin = manifest.strategies[strategyNames[i]]!.plugin
                errors.append(loaded.error(["strategies", strategyNames[i]],
                    "strategy '\(strategyNames[i])' (\(plugin)) failed to start: \(error); check its parameters (arbd plugins --describe \(plugin)) and its start() (docs/STRATEGIES.md)"))
            }
        }
        if !errors.isEmpty { throw ManifestErrors(errors: errors) }
    }

    /// Each venue's order and feed latencies.
    public let latencies: [VenueLatencyModels]
    public let replenishment: ReplenishmentModel
    public let competition: CompetitionModel?

    /// Recording files for a replay run, in a stable order.
    public let recordingFiles: [String]

    /// `path` itself if it is a file, else every `*.arbrec` below it, sorted.
    public static func recordingFiles(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let items = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
        return items.filter { $0.hasSuffix(".arbrec") }.sorted().map { (path as NSString).appendingPathComponent($0) }
    }

    /// The quote currency venue `v` trades in (its section's `quote`, else the plugin's default).
    public func quote(ofVenue v: Int) -> String {
        manifest.exchanges[exchangeNames[v]]!.quote ?? plugins[v].defaultQuote
    }

    /// The client-side limiter per exchange (every exchange plugin declares its limits).
    /// Built by `makeKernel`; the run keeps them for its summary.
    public private(set) var rateLimiters: [(any RateLimitBackend)?] = []

    public func makeRateLimiters() throws -> [(any RateLimitBackend)?] {
        rateLimiters = try plugins.enumerated().map { v, limited -> (any RateLimitBackend)? in
            let section = manifest.exchanges[exchangeNames[v]]!.rateLimits
            switch section.backend {
            case .local:
                return RateLimiter(rules: limited.rateLimitRules, policy: section.policy)
            case .redis:
                return try SharedRateLimiterFactory.make(rules: limited.rateLimitRules, section: section, plan: self)
            }
        }
        return rateLimiters
    }

    /// A fresh kernel with a fresh simulated exchange, venues and strategies, funded; the
    /// same plan always builds the same kernel.
    /// `startTime`: the run's start (the recordings' first event for a replay).
    public func makeKernel(startTime: Timestamp = RunPlan.startTime) throws -> Kernel {
        let kernel = wire(universe: universe, venueNames: exchangeNames, fxInstruments: fxInstrument.map { [$0] } ?? [],
                          rateLimiters: try makeRateLimiters(), startTime: startTime)
        for (venue, asset, amount) in deposits { kernel.deposit(venue: venue, asset: asset, amount: amount) }
        if let rule = universeRule {
            UniverseGate(rule: rule, symbols: manifest.marketData.symbols, universe: universe, start: startTime) { _, _ in }.install(on: kernel)
        }
        if let riskLimits {
            let g = KernelRiskGuard(limits: riskLimits, universe: universe)
            g.shared = try SharedRiskFactory.make(plan: self)
            g.inventory = inventory
            g.install(on: kernel)
        }
        try addStrategies(to: kernel)
        return kernel
    }

    /// The run's wiring over any universe of this plan's venues: the simulated exchange
    /// with the manifest's feed latencies, replenishment and competition, each plugin's
    /// paper venue with its order latencies and exchange-side limits, and the client-side
    /// limiters. `arbd run` and `arbd bench` both build their kernel here.
    /// `booksOnly` keeps the exchange-side books but drops feed latency and competition;
    /// `clientOnly` leaves the exchange out (the benchmark's measures of what each costs).
    public func wire(universe: Universe, venueNames: [String], fxInstruments: [InstrumentId],
                     rateLimiters: [(any RateLimitBackend)?], startTime: Timestamp = RunPlan.startTime,
                     booksOnly: Bool = false, clientOnly: Bool = false) -> Kernel {
        let index = venueNames.map { exchangeNames.firstIndex(of: $0)! }
        let exchange = SimulatedExchange(universe: universe, feedLatency: index.map { booksOnly ? .zero : latencies[$0].feed },
                                         replenishment: replenishment, competition: booksOnly ? nil : competition, seed: manifest.seed,
                                         feedCapacity: manifest.simulation.feedCapacity)
        let venues = index.enumerated().map { v, p in
            Self.paperVenue(plugins[p], venue: VenueId(v), exchange: exchange, options: paperOptions(p), seed: manifest.seed)
        }
        // `clientOnly` (benchmarks): market events go straight to the kernel and nothing
        // drives the exchange, so what remains is the kernel's own per-event cost.
        let kernel = Kernel(universe: universe, venues: venues, simulation: clientOnly ? nil : exchange,
                            reportingAsset: universe.assetId(manifest.reportingCurrency) ?? reportingAsset, fxInstruments: fxInstruments,
                            startTime: startTime)
        for (v, p) in index.enumerated() {
            if let backend = rateLimiters[p] { kernel.setThrottle(ClientThrottle(backend: backend), for: VenueId(v)) }
        }
        return kernel
    }

    /// A plugin's paper venue on the run's simulated exchange (generic, so the venue's
    /// matching runs on the plugin's concrete rules).
    static func paperVenue<P: ExchangePlugin>(_ plugin: P, venue: VenueId, exchange: SimulatedExchange, options: PaperVenueOptions,
                                              seed: UInt64) -> any ExecutionVenue {
        PaperVenue(venue: venue, rules: plugin.rules, exchange: exchange, latency: options.latency,
                   admission: plugin.exchangeAdmission(options: options), seed: seed)
    }

    /// The paper venue of exchange `v`: latency, and the exchange-side rate limits.
    func paperOptions(_ v: Int) -> PaperVenueOptions {
        let section = manifest.exchanges[exchangeNames[v]]!
        return PaperVenueOptions(latency: latencies[v], enforceRateLimits: section.rateLimits.enforceAtVenue,
                                 rateLimitOverrides: section.rateLimits.venueLimits)
    }

    /// A guard without limits (cash: the reporting currency and the venues' quotes), for
    /// a kill switch used on a run without `[risk]`.
    public func defaultRiskLimits() -> RiskLimits {
        var errors: [ManifestError] = []
        return RiskPlan.limits(RiskSection(), loaded: loaded, universe: universe, exchangeNames: exchangeNames,
                               quoteCurrencies: exchangeNames.indices.map { quote(ofVenue: $0) },
                               reportingCurrency: manifest.reportingCurrency, errors: &errors)
    }

    /// Event time at which runs start (fixed, so runs are reproducible): 2026-01-01T00:00:00Z.
    public static let startTime = Timestamp.defaultRunStart
}
