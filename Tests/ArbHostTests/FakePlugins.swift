import ArbCore
import ArbFeed
import ArbdPlugins
import ArbRateLimit
import ArbRecorder
import Foundation
import Testing
@testable import ArbHost

/// An exchange plugin the host has never heard of: USD quotes, BTC and ETH, a 0.1 % fee
/// and one documented pool of 5 orders per second. The host must check, wire and run it
/// from a registry alone.
struct FakeExchangePlugin: HostedExchangePlugin {
    struct Settings: Decodable, Sendable {
        var fee: Ratio = Ratio("0.001")
        init() {}
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            fee = try c.decode(.fee, default: Ratio("0.001"))
        }
        enum CodingKeys: String, CodingKey { case fee }
    }
    static let id = "fake-exchange-with-a-long-plugin-id"
    static let summary = "a test venue: USD quotes, 5 orders/s"
    static var defaultSettings: Settings { Settings() }
    static let settingList = [PluginParameter("fee", type: "ratio", default: "\"0.001\"", range: "≥ 0", meaning: "maker and taker fee")]
    let rules: FakeRules

    init(settings: Settings) throws {
        guard settings.fee.raw >= 0 else { throw PluginConfigurationError(plugin: Self.id, setting: "fee", message: "must be 0 or more") }
        rules = FakeRules(fee: settings.fee)
    }

    var defaultQuote: String { "USD" }
    func listedBases(quote: String) -> [String] { quote == "USD" ? ["BTC", "ETH"] : [] }
    func listing(base: String, quote: String) -> InstrumentSpec? {
        listedBases(quote: quote).contains(base) ? syntheticListing(base: base, quote: quote, referencePrice: .zero) : nil
    }
    func listing(symbol: String) -> InstrumentSpec? {
        let parts = symbol.split(separator: "/").map(String.init)
        return parts.count == 2 ? listing(base: parts[0], quote: parts[1]) : nil
    }
    func syntheticListing(base: String, quote: String, referencePrice: Price) -> InstrumentSpec {
        InstrumentSpec(symbol: "\(base)/\(quote)", baseCode: base, quoteCode: quote, tickRule: .fixed(Price("0.01")),
                       lotStep: Quantity("0.0001"), minQuantity: Quantity("0.0001"), maxQuantity: Quantity(units: 1_000),
                       minNotional: Amount(units: 1), maxNotional: nil, priceDecimals: 2, quantityDecimals: 4)
    }

    var rateLimitRules: any RateLimitRules { FakeRateLimits() }
    var rateLimitWording: any RateLimitWording { FakeRateLimits() }
    var banPolicy: BanPolicy { BanPolicy(first: .seconds(60), longest: .seconds(600)) }

    func makeFeed(instruments: [FeedInstrument], settings: FeedSettings) throws -> any VenueFeed { FakeFeed(instruments: instruments) }
    static func sampleFeed(symbols: [String], levels: Int, messages: Int, seed: UInt64) -> FeedSample {
        FeedSample(snapshots: [:], frames: (0..<messages).map { Array(#"{"s":"\#(symbols[$0 % symbols.count])","b":"99.5","a":"100.5","q":"1"}"#.utf8) },
                   levels: 2 * messages)
    }
}

/// The fake venue's feed: one websocket, frames `{"s":SYMBOL,"b":BID,"a":ASK,"q":SIZE}`,
/// each the whole (one-level) book.
final class FakeFeed: VenueFeed {
    let venue = FakeExchangePlugin.id
    let instruments: [FeedInstrument]
    let table: SymbolTable
    init(instruments: [FeedInstrument]) { self.instruments = instruments; table = SymbolTable(instruments.map(\.symbol)) }
    func connectionPlans() -> [FeedConnectionPlan] {
        [FeedConnectionPlan(url: FeedURL(scheme: "wss", host: "fake.invalid", port: 443, pathAndQuery: "/feed"), instruments: instruments.map(\.id))]
    }
    func connected(_ connection: Int, at time: Timestamp, output: inout FeedOutput) {}
    func disconnected(_ connection: Int, at time: Timestamp, output: inout FeedOutput) {
        for i in instruments { output.events.append(.status(FeedStatus(kind: .gap, instrument: i.id, receivedAt: time))) }
    }
    func receive(_ frame: UnsafeRawBufferPointer, connection: Int, receivedAt: Timestamp, output: inout FeedOutput) {
        var c = JSONCursor(frame)
        var symbol: Range<Int>?, bid: Int64?, ask: Int64?, size: Int64?
        if c.beginObject() {
            while let key = c.nextKey() {
                if c.key(key, is: "s") { symbol = c.string() } else if c.key(key, is: "b") { bid = c.decimal() }
                else if c.key(key, is: "a") { ask = c.decimal() } else if c.key(key, is: "q") { size = c.decimal() } else { c.skipValue() }
            }
        }
        guard !c.failed, c.atEnd(), let symbol, let bid, let ask, let size, let k = table.lookup(c.bytes(symbol)) else {
            output.malformed("fake: \(FeedParsing.excerpt(frame))"); return
        }
        output.events.append(.bookSnapshot(BookSnapshot(instrument: instruments[Int(k)].id, bids: [BookLevel(price: Price(raw: bid), quantity: Quantity(raw: size))],
                                                        asks: [BookLevel(price: Price(raw: ask), quantity: Quantity(raw: size))],
                                                        exchangeTime: receivedAt, receivedAt: receivedAt)))
    }
    func snapshotRequest(for instrument: InstrumentId) -> FeedHTTPRequest? { nil }
    func receiveSnapshot(_ body: UnsafeRawBufferPointer, for instrument: InstrumentId, receivedAt: Timestamp, output: inout FeedOutput) {}
    func resync(_ instrument: InstrumentId, at time: Timestamp, output: inout FeedOutput) {}
}

struct FakeRules: VenueRules {
    let fee: Ratio
    var name: String { FakeExchangePlugin.id }
    func fees(for instrument: Instrument) -> FeeSchedule { FeeSchedule(maker: fee, taker: fee, asset: .quote) }
    func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        checkForm(intent, instrument: instrument) { Rejection(reason: $0, venueCode: "FAKE_\($0.rawValue)", message: $0.rawValue) }
    }
    func insufficientBalance(side: Side) -> Rejection { Rejection(reason: .insufficientBalance, venueCode: "FAKE_FUNDS", message: "no funds") }
    func postOnlyWouldTake(side: Side) -> PostOnlyOutcome { .cancel }
    func unknownOrder() -> Rejection { Rejection(reason: .unknownOrder, venueCode: "FAKE_UNKNOWN", message: "unknown order") }
}

struct FakeRateLimits: RateLimitRules, RateLimitWording {
    let exchange = FakeExchangePlugin.id
    let pools = [PoolDefinition(id: "orders_1s", scheme: .fixedWindow(limit: 5, window: .seconds(1)), scope: .account)]
    func costs(for request: RateLimitRequest) -> [PoolCost] {
        switch request.endpoint {
        case .newOrder, .cancelOrder: return [PoolCost(pool: 0, weight: 1)]
        default: return []
        }
    }
    func interpret(_ feedback: RateLimitFeedback) -> [FeedbackAction] {
        feedback.status == 429 ? [.blockPool(pool: 0, for: feedback.retryAfter ?? .seconds(1))] : []
    }
    func tooManyRequests(pool: String, retryAfter: Duration) -> Rejection {
        Rejection(reason: .rateLimited, venueCode: "FAKE_429", message: "slow down", httpStatus: 429, retryAfter: retryAfter)
    }
    func banned(retryAfter: Duration) -> Rejection {
        Rejection(reason: .banned, venueCode: "FAKE_418", message: "banned", httpStatus: 418, retryAfter: retryAfter)
    }
}

/// A strategy plugin the host has never heard of: buys `quantity` of `base` on `venue`
/// with an IOC at the ask on every `every`-th book update.
struct FakeTakerPlugin: StrategyPlugin {
    struct Parameters: Decodable, Sendable {
        var venue: String
        var base: String = "BTC"
        var quantity: Quantity = Quantity("0.001")
        var every: Int = 50
        /// Misbehave, for the fault tests: "zero_timer" or "throw_in_start".
        var misbehave: String = ""
        enum CodingKeys: String, CodingKey { case venue, base, quantity, every, misbehave }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            venue = try c.decode(String.self, forKey: .venue)
            base = try c.decode(.base, default: "BTC")
            quantity = try c.decode(.quantity, default: Quantity("0.001"))
            every = try c.decode(.every, default: 50)
            misbehave = try c.decode(.misbehave, default: "")
        }
    }
    static let id = "fake-taker"
    static let summary = "buys a little now and then (tests)"
    static let parameterList = [
        PluginParameter("venue", type: "string", default: nil, meaning: "where to buy"),
        PluginParameter("base", type: "asset code", default: "\"BTC\"", meaning: "what to buy"),
        PluginParameter("quantity", type: "quantity", default: "\"0.001\"", meaning: "how much each time"),
        PluginParameter("every", type: "integer", default: "50", range: "≥ 1", meaning: "one order per this many book updates"),
        PluginParameter("misbehave", type: "string", default: "\"\"", meaning: "zero_timer or throw_in_start, for the fault tests"),
    ]
    static func make(parameters: Parameters, universe: Universe) throws -> any Strategy {
        guard parameters.every > 0 else { throw PluginConfigurationError(plugin: id, setting: "every", message: "must be at least 1") }
        return FakeTaker(parameters: parameters)
    }
}

final class FakeTaker: Strategy {
    let name = FakeTakerPlugin.id
    let parameters: FakeTakerPlugin.Parameters
    var instrument: InstrumentId?
    var updates = 0, sent = 0, refused = 0
    var startedAt: Timestamp = .zero
    init(parameters: FakeTakerPlugin.Parameters) { self.parameters = parameters }

    struct Refusal: Error, CustomStringConvertible { var description: String { "refusing to start on a Sunday" } }

    func start(_ context: StrategyContext) throws {
        if parameters.misbehave == "throw_in_start" { throw Refusal() }
        startedAt = context.now
        guard let venue = context.universe.venueId(parameters.venue),
              let id = context.universe.instruments.first(where: { $0.venue == venue && context.universe.assetCode($0.base) == parameters.base })?.id else {
            throw PluginConfigurationError(plugin: name, setting: "venue", message: "no \(parameters.base) instrument on '\(parameters.venue)'")
        }
        instrument = id
        context.subscribe(id)
        if parameters.misbehave == "zero_timer" { context.schedule(after: .seconds(1), token: 1) }
    }
    func onTimer(_ token: UInt64, _ context: StrategyContext) {
        if parameters.misbehave == "zero_timer" { context.schedule(after: .zero, token: 2) }
    }
    func onBook(_ id: InstrumentId, _ context: StrategyContext) {
        updates += 1
        guard updates % parameters.every == 0, let ask = context.bestAsk(id) else { return }
        switch context.submit(.limit(.buy, on: id, price: ask.price, quantity: parameters.quantity, timeInForce: .immediateOrCancel)) {
        case .success: sent += 1
        case .failure: refused += 1
        }
    }
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
    func stop(_ context: StrategyContext) -> StrategyReport {
        StrategyReport(name: name, counters: ["sent": .count(Int64(sent)), "refused": .count(Int64(refused)), "start_ns": .count(startedAt.nanoseconds)])
    }
}

let fakeRegistry = PluginRegistry(exchanges: [FakeExchangePlugin.self], strategies: [FakeTakerPlugin.self])

func fakeManifest(extra: String = "") -> String {
    """
    mode = "paper"
    seed = 3
    max_runtime = "10s"
    reporting_currency = "USD"
    data_dir = "\(NSTemporaryDirectory())arbor-fake-runs"

    [market_data]
    source = "synthetic"
    symbols = ["BTC", "ETH"]
    events_per_second = 500

    [exchanges.alpha]
    plugin = "\(FakeExchangePlugin.id)"
    balances = { USD = "1000000", BTC = "1" }

    [exchanges.beta]
    plugin = "\(FakeExchangePlugin.id)"
    balances = { USD = "1000000", BTC = "1" }

    [strategies.taker]
    plugin = "fake-taker"
    [strategies.taker.parameters]
    venue = "alpha"
    every = 5
    \(extra)
    """
}

@Suite("Plugins come from the program's registry")
struct PluginRegistryTests {
    @Test("the host checks, wires and runs plugins it does not import, with their rate limits")
    func fakePluginsRun() throws {
        let plan = try RunPlan(try ManifestLoader.load(text: fakeManifest(), file: "fake.toml"), plugins: fakeRegistry)
        #expect(plan.exchangeNames == ["alpha", "beta"])
        let run = PaperRun(plan: plan, options: RunOptions(showStatus: false, handleSignals: false))
        let summary = try run.execute()
        let strategy = try #require(summary.strategies.first)
        #expect((strategy.counters["sent"] ?? 0) > 0)
        // The fake plugin's own pool limited the client: 5 a second.
        let limits = try #require(summary.rateLimits.first { $0.exchange == "alpha" }?.client)
        #expect(limits.pools.map(\.pool) == ["orders_1s"])
        #expect(limits.pools[0].metrics.grantedRequests <= 5 * 11)
        #expect(limits.counters.waits > 0, "the taker asks far more often than 5 a second")
    }

    @Test("a strategy's start() sees the run's start: the synthetic market's, or the recordings' first event")
    func startTimeInRuns() throws {
        let dir = NSTemporaryDirectory() + "arbor-start-\(UUID().uuidString.prefix(8))"
        let plan = try RunPlan(try ManifestLoader.load(text: fakeManifest(), file: "fake.toml"), plugins: fakeRegistry)
        let synthetic = try PaperRun(plan: plan, options: RunOptions(showStatus: false, handleSignals: false)).execute()
        #expect(synthetic.strategies.first?.counters["start_ns"]?.integer == RunPlan.startTime.nanoseconds)
        // Record the market and replay it: the replay starts at the first recorded event.
        _ = try RecordRun(plan: plan, output: dir).execute()
        let files = RunPlan.recordingFiles(at: dir)
        let first = try #require(try RecordingSource(paths: files, universe: plan.universe).startTime)
        let replay = fakeManifest().replacingOccurrences(of: "source = \"synthetic\"", with: "source = \"recording\"\nrecordings = [\"\(dir)\"]")
        let replayPlan = try RunPlan(try ManifestLoader.load(text: replay, file: "fake.toml"), plugins: fakeRegistry)
        let replayed = try PaperRun(plan: replayPlan, options: RunOptions(showStatus: false, handleSignals: false)).execute()
        #expect(replayed.strategies.first?.counters["start_ns"]?.integer == first.nanoseconds)
    }

    @Test("a strategy's fault stops arbd run with its name and the fix; the journal and summary are kept")
    func faultInRun() throws {
        let text = fakeManifest(extra: "misbehave = \"zero_timer\"").replacingOccurrences(of: "arbor-fake-runs", with: "arbor-fake-fault-\(UUID().uuidString.prefix(8))")
        let plan = try RunPlan(try ManifestLoader.load(text: text, file: "fake.toml"), plugins: fakeRegistry)
        let run = PaperRun(plan: plan, options: RunOptions(showStatus: false, handleSignals: false))
        let fault = try #require(throws: StrategyFault.self) { try run.execute() }
        #expect(fault.description.contains("strategy 'taker' (fake-taker): scheduled timer 2 0.0 seconds ahead") && fault.kind == .timerDelay)
        #expect(fault.time == RunPlan.startTime + .seconds(1))
        let summary = try String(contentsOfFile: run.folder + "/summary.json", encoding: .utf8)
        #expect(summary.contains("\"stopped_by\" : \"strategy_fault\""))
        #expect(FileManager.default.fileExists(atPath: run.folder + "/journal.jsonl"))
    }

    @Test("what a strategy throws in start() is a manifest error naming it, in arbd check as in arbd run")
    func throwInStart() throws {
        let error = try #require(throws: ManifestErrors.self) {
            try RunPlan(try ManifestLoader.load(text: fakeManifest(extra: "misbehave = \"throw_in_start\""), file: "fake.toml"), plugins: fakeRegistry)
        }
        #expect(error.description.contains("strategy 'taker' (fake-taker) failed to start: refusing to start on a Sunday"), "\(error)")
    }

    @Test("unknown plugin ids are refused with the registry's ids, whatever is registered")
    func unknownIdsListTheRegistry() throws {
        let text = fakeManifest().replacingOccurrences(of: "plugin = \"fake-taker\"", with: "plugin = \"cross-spread\"")
        let error = try #require(throws: ManifestErrors.self) { try RunPlan(try ManifestLoader.load(text: text, file: "fake.toml"), plugins: fakeRegistry) }
        #expect(error.description.contains("unknown strategy plugin 'cross-spread'; known: fake-taker"))
        let empty = PluginRegistry(exchanges: [], strategies: [])
        let none = try #require(throws: ManifestErrors.self) { try RunPlan(try ManifestLoader.load(text: fakeManifest(), file: "fake.toml"), plugins: empty) }
        #expect(none.description.contains("no exchange plugin is registered"))
    }

    @Test("arbd plugins prints whole ids, however long, with each exchange's rate-limit pools")
    func listingKeepsWholeIds() {
        let text = PluginListing.text(fakeRegistry)
        #expect(text.contains("  \(FakeExchangePlugin.id)  a test venue"))
        #expect(text.contains("rate-limit pools: orders_1s"))
        #expect(text.contains("  fake-taker"))
    }

    @Test("arbd plugins --describe prints a plugin's keys with type, default, range and meaning")
    func describe() throws {
        let text = try #require(PluginListing.describe("fake-taker", in: fakeRegistry))
        #expect(text.hasPrefix("fake-taker: buys a little now and then (tests)\n[strategies.<name>.parameters]\n"))
        #expect(text.contains("venue      string, required\n") && text.contains("every      integer, default 50, ≥ 1\n"))
        #expect(PluginListing.describe("nope", in: fakeRegistry) == nil)
    }

    @Test("an unknown key in a plugin's section names the keys it takes and the command that lists them")
    func unknownPluginKey() throws {
        let text = fakeManifest(extra: "evry = 5")
        let error = try #require(throws: ManifestErrors.self) { try RunPlan(try ManifestLoader.load(text: text, file: "fake.toml"), plugins: fakeRegistry) }
        #expect(error.description.contains("strategies.taker.parameters.evry: unknown key 'evry'; fake-taker takes: venue, base, quantity, every, misbehave (arbd plugins --describe fake-taker)"), "\(error)")
    }

    @Test("docs/MANIFEST.md's plugin sections are what the registered plugins declare (regenerate with arbd plugins --markdown)")
    func manifestDocsMatchDeclarations() throws {
        let docs = repositoryRoot.appendingPathComponent("docs/MANIFEST.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let generated = PluginListing.markdown(registeredPlugins)
        #expect(text.contains(generated), "docs/MANIFEST.md is out of date: run `arbd plugins --markdown` and replace the block between the plugins markers")
    }

    @Test("a plugin's rate limits come from the registry: the load tool and the bench need no venue names")
    func rulesFromRegistry() throws {
        #expect(try fakeRegistry.rateLimitRules(exchange: FakeExchangePlugin.id)?.pools.map(\.id) == ["orders_1s"])
        #expect(try fakeRegistry.rateLimitRules(exchange: "upbit") == nil)
    }
}
