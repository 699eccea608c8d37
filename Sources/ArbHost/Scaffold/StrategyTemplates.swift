/// The sources `arbd new strategy` writes. `__TYPE__` becomes the strategy's type-name
/// stem (`PremiumReversion`), `__ID__` its plugin id (`premium-reversion`). Both
/// templates compile, pass their tests and run in `arbd run` as written: a CI test
/// scaffolds each into a scratch tree, builds it and runs its tests.
enum StrategyTemplates {
    static func package(_ stem: String) -> String {
        """
        // swift-tools-version:6.0
        import PackageDescription

        // The strategy depends on ArbCore alone; ArbTesting is for its tests.
        let package = Package(
            name: "\(stem)",
            platforms: [.macOS(.v15)],
            products: [
                .library(name: "\(stem)", targets: ["\(stem)"]),
            ],
            dependencies: [
                .package(path: "../../../Packages/ArbCore"),
                .package(path: "../../../Packages/ArbTesting"),
            ],
            targets: [
                .target(name: "\(stem)", dependencies: [.product(name: "ArbCore", package: "ArbCore")]),
                .testTarget(name: "\(stem)Tests", dependencies: [
                    "\(stem)",
                    .product(name: "ArbCore", package: "ArbCore"),
                    .product(name: "ArbTesting", package: "ArbTesting"),
                ]),
            ]
        )

        """
    }

    // MARK: single: one instrument on one venue

    static let singleSource = #"""
    import ArbCore

    /// Parameters under `[strategies.<name>.parameters]` for `__ID__`.
    public struct __TYPE__Parameters: Decodable, Sendable, Hashable {
        /// The venue to trade on: an enabled exchange's name.
        public var venue: String = ""
        /// The instrument, in the venue's own symbol format (`KRW-BTC`, `BTCUSDT`).
        public var symbol: String = ""
        /// Buy when the ask is this far below the average mid; sell when the bid is this far above.
        public var edge: Ratio = "0.005"
        /// How fast the average follows the mid: the weight of each new mid.
        public var smoothing: Ratio = "0.05"
        /// Quote amount per order.
        public var orderNotional: Amount = "100"
        /// Largest position held, in base units.
        public var maxPosition: Quantity = "10"
        /// Pause after each order.
        public var cooldownMs: Int64 = 1_000

        /// The manifest keys (the declarations test compares them with `parameterList`).
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case venue, symbol, edge, smoothing, orderNotional = "order_notional", maxPosition = "max_position", cooldownMs = "cooldown_ms"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            venue = try c.decode(String.self, forKey: .venue)
            symbol = try c.decode(String.self, forKey: .symbol)
            edge = try c.decode(.edge, default: edge)
            smoothing = try c.decode(.smoothing, default: smoothing)
            orderNotional = try c.decode(.orderNotional, default: orderNotional)
            maxPosition = try c.decode(.maxPosition, default: maxPosition)
            cooldownMs = try c.decode(.cooldownMs, default: cooldownMs)
        }
    }

    /// Registers the strategy: its id, its keys, and how it is built.
    public struct __TYPE__Plugin: StrategyPlugin {
        public static let id = "__ID__"
        public static let summary = "trades one instrument back towards its average mid (a template: make it yours)"
        public static let parameterList = [
            PluginParameter("venue", type: "string", default: nil, meaning: "the venue to trade on (an enabled exchange's name)"),
            PluginParameter("symbol", type: "string", default: nil, meaning: "the instrument, in the venue's own symbol format"),
            PluginParameter("edge", type: "ratio", default: "\"0.005\"", range: "0 < x < 1", meaning: "distance from the average mid that triggers an order"),
            PluginParameter("smoothing", type: "ratio", default: "\"0.05\"", range: "0 < x ≤ 1", meaning: "weight of each new mid in the average"),
            PluginParameter("order_notional", type: "amount", default: "\"100\"", range: "> 0", meaning: "quote amount per order"),
            PluginParameter("max_position", type: "quantity", default: "\"10\"", range: "> 0", meaning: "largest position held, in base units"),
            PluginParameter("cooldown_ms", type: "integer", default: "1000", range: "≥ 0", meaning: "pause after each order"),
        ]

        public static func make(parameters p: __TYPE__Parameters, universe: Universe) throws -> any Strategy {
            func fail(_ key: String, _ message: String) -> PluginConfigurationError { PluginConfigurationError(plugin: id, setting: key, message: message) }
            guard p.edge.raw > 0, p.edge < .one else { throw fail("edge", "must be above 0 and below 1, e.g. \"0.005\"") }
            guard p.smoothing.raw > 0, p.smoothing <= .one else { throw fail("smoothing", "must be above 0 and at most 1, e.g. \"0.05\"") }
            guard p.orderNotional.raw > 0 else { throw fail("order_notional", "must be positive, e.g. \"100\"") }
            guard p.maxPosition.raw > 0 else { throw fail("max_position", "must be positive, e.g. \"10\"") }
            guard p.cooldownMs >= 0 else { throw fail("cooldown_ms", "must not be negative") }
            guard let venue = universe.venueId(p.venue) else {
                throw fail("venue", "'\(p.venue)' is not an enabled exchange; enabled: \(universe.venueNames.joined(separator: ", "))")
            }
            guard let instrument = universe.instrument(venue: venue, symbol: p.symbol) else {
                throw fail("symbol", "'\(p.symbol)' is not an instrument of \(p.venue) in this run; list its base in market_data.symbols")
            }
            return __TYPE__Strategy(parameters: p, instrument: instrument)
        }
    }

    /// Keeps an average of the mid; buys when the ask falls `edge` below it and sells
    /// when the bid rises `edge` above it, one IOC order at a time, within `max_position`.
    final class __TYPE__Strategy: Strategy {
        let name = __TYPE__Plugin.id
        let parameters: __TYPE__Parameters
        let instrument: Instrument
        /// The average mid, once the book has had one.
        var average: Price?
        var position: Quantity = .zero
        var cooldownUntil: Timestamp = .zero
        var pending: ClientOrderId?
        var orders: Int64 = 0, fills: Int64 = 0, refused: Int64 = 0

        init(parameters: __TYPE__Parameters, instrument: Instrument) {
            self.parameters = parameters
            self.instrument = instrument
        }

        func start(_ context: StrategyContext) throws {
            context.subscribe(instrument.id)
        }

        func onBook(_ id: InstrumentId, _ context: StrategyContext) {
            let touch = context.touch(id)
            guard let mid = touch.mid, !touch.isCrossed, let bid = touch.bid, let ask = touch.ask else { return }
            let previous = average ?? mid
            // average += smoothing × (mid − average), exactly.
            let next = previous + (mid - previous).scaled(by: parameters.smoothing, .nearestHalfEven)
            average = next
            guard pending == nil, context.now >= cooldownUntil, let belowAverage = ask.price / next, let aboveAverage = bid.price / next else { return }
            if belowAverage <= .one - parameters.edge && position < parameters.maxPosition {
                send(.buy, price: ask.price, room: parameters.maxPosition - position, context)
            } else if aboveAverage >= .one + parameters.edge && position.raw > 0 {
                send(.sell, price: bid.price, room: position, context)
            }
        }

        /// One IOC order of `order_notional` at `price`, at most `room`, on the lot.
        func send(_ side: Side, price: Price, room: Quantity, _ context: StrategyContext) {
            guard let wanted = parameters.orderNotional.converted(dividingBy: price, .down).asQuantity else { return }
            let quantity = min(wanted, room).rounded(toMultipleOf: instrument.lotStep, .down)
            guard quantity.raw > 0 else { return }
            switch context.submit(.limit(side, on: instrument.id, price: price, quantity: quantity, timeInForce: .immediateOrCancel)) {
            case .success(let id):
                pending = id
                orders += 1
            case .failure:
                refused += 1
            }
            cooldownUntil = context.now + .milliseconds(parameters.cooldownMs)
        }

        func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {
            if report.kind == .fill {
                fills += 1
                position = report.side == .buy ? position + report.fillQuantity : position - report.fillQuantity
            }
            if report.isFinal, order.id == pending { pending = nil }
        }

        func stop(_ context: StrategyContext) -> StrategyReport {
            for order in context.openOrders() { context.cancel(order.id) }
            let open = position.raw == 0 ? [] : [ExposureLine(venue: parameters.venue, asset: context.universe.assetCode(instrument.base), quantity: position.asAmount)]
            return StrategyReport(name: name, counters: ["orders": .count(orders), "fills": .count(fills), "refused": .count(refused)],
                                  openExposure: open)
        }
    }

    """#

    static let singleTests = #"""
    import ArbCore
    import ArbTesting
    import Testing
    import __TYPE__

    @Suite("__ID__")
    struct __TYPE__Tests {
        /// One venue, one instrument, funded in both assets.
        func market() -> (Scenario, InstrumentId) {
            let s = Scenario(reportingAsset: "USDT")
            let alpha = s.venue("alpha", fees: FeeSchedule(maker: .zero, taker: "0.001", asset: .quote), latencyMs: 5)
            let btc = s.instrument(on: alpha, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.0001")
            s.deposit("10000", of: "USDT", on: alpha)
            return (s, btc)
        }

        var parameters: __TYPE__Parameters {
            var p = __TYPE__Parameters()
            p.venue = "alpha"
            p.symbol = "BTC-USDT"
            return p
        }

        @Test("buys when the ask falls below the average mid, and reports the position it holds")
        func buysTheDip() throws {
            let (s, btc) = market()
            for i in 0..<20 { s.book(at: Int64(i) * 100, on: btc, bids: [("99.99", "5")], asks: [("100.01", "5")]) }
            s.book(at: 2_100, on: btc, bids: [("98.9", "5")], asks: [("99", "5")])
            let result = try s.run(__TYPE__Plugin.self, parameters: parameters, until: 3_000)
            let buy = try #require(result.orders.first)
            #expect(buy.intent.side == .buy && buy.intent.price == "99" && buy.intent.quantity == "1.0101")
            #expect(result.filled(buy.id) == "1.0101")
            #expect(result.strategyReport.openExposure.first?.quantity == "1.0101")
            #expect(result.settlementProblems.isEmpty)
        }

        @Test("quiet books: no order")
        func quiet() throws {
            let (s, btc) = market()
            for i in 0..<20 { s.book(at: Int64(i) * 100, on: btc, bids: [("99.99", "5")], asks: [("100.01", "5")]) }
            #expect(try s.run(__TYPE__Plugin.self, parameters: parameters, until: 3_000).orders.isEmpty)
        }

        @Test("a venue that is not enabled is refused, naming the parameter")
        func unknownVenue() {
            let (s, _) = market()
            var p = parameters
            p.venue = "gamma"
            #expect(throws: PluginConfigurationError.self) { try s.run(__TYPE__Plugin.self, parameters: p, until: 10) }
        }

        @Test("every parameter is declared for arbd plugins --describe, and nothing else")
        func declared() {
            #expect(__TYPE__Plugin.parameterList.map(\.name) == __TYPE__Parameters.CodingKeys.allCases.map(\.rawValue))
        }
    }

    """#

    // MARK: cross: one base on two venues in one quote currency

    static let crossSource = #"""
    import ArbCore

    /// Parameters under `[strategies.<name>.parameters]` for `__ID__`.
    public struct __TYPE__Parameters: Decodable, Sendable, Hashable {
        /// The two venues: enabled exchanges' names.
        public var venueA: String = ""
        public var venueB: String = ""
        /// The instrument on each, in the venue's own symbol format, in one quote currency.
        public var symbolA: String = ""
        public var symbolB: String = ""
        /// Trade when one venue's bid is this far above the other's ask, after both taker fees.
        public var minEdge: Ratio = "0.002"
        /// Quote amount per pair of orders.
        public var orderNotional: Amount = "100"
        /// Pause after each pair.
        public var cooldownMs: Int64 = 1_000

        /// The manifest keys (the declarations test compares them with `parameterList`).
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case venueA = "venue_a", venueB = "venue_b", symbolA = "symbol_a", symbolB = "symbol_b"
            case minEdge = "min_edge", orderNotional = "order_notional", cooldownMs = "cooldown_ms"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            venueA = try c.decode(String.self, forKey: .venueA)
            venueB = try c.decode(String.self, forKey: .venueB)
            symbolA = try c.decode(String.self, forKey: .symbolA)
            symbolB = try c.decode(String.self, forKey: .symbolB)
            minEdge = try c.decode(.minEdge, default: minEdge)
            orderNotional = try c.decode(.orderNotional, default: orderNotional)
            cooldownMs = try c.decode(.cooldownMs, default: cooldownMs)
        }
    }

    /// Registers the strategy: its id, its keys, and how it is built.
    public struct __TYPE__Plugin: StrategyPlugin {
        public static let id = "__ID__"
        public static let summary = "buys on the cheaper of two venues and sells on the dearer, both legs at once (a template: make it yours)"
        public static let parameterList = [
            PluginParameter("venue_a", type: "string", default: nil, meaning: "the first venue (an enabled exchange's name)"),
            PluginParameter("venue_b", type: "string", default: nil, range: "≠ venue_a", meaning: "the second venue"),
            PluginParameter("symbol_a", type: "string", default: nil, meaning: "the instrument on venue A, in its own symbol format"),
            PluginParameter("symbol_b", type: "string", default: nil, range: "same base and quote as symbol_a", meaning: "the instrument on venue B"),
            PluginParameter("min_edge", type: "ratio", default: "\"0.002\"", range: "0 ≤ x < 1", meaning: "edge after both taker fees that triggers a pair"),
            PluginParameter("order_notional", type: "amount", default: "\"100\"", range: "> 0", meaning: "quote amount per pair"),
            PluginParameter("cooldown_ms", type: "integer", default: "1000", range: "≥ 0", meaning: "pause after each pair"),
        ]

        public static func make(parameters p: __TYPE__Parameters, universe: Universe) throws -> any Strategy {
            func fail(_ key: String, _ message: String) -> PluginConfigurationError { PluginConfigurationError(plugin: id, setting: key, message: message) }
            guard p.venueA != p.venueB else { throw fail("venue_b", "must differ from venue_a (\(p.venueA))") }
            guard p.minEdge.raw >= 0, p.minEdge < .one else { throw fail("min_edge", "must be at least 0 and below 1, e.g. \"0.002\"") }
            guard p.orderNotional.raw > 0 else { throw fail("order_notional", "must be positive, e.g. \"100\"") }
            guard p.cooldownMs >= 0 else { throw fail("cooldown_ms", "must not be negative") }
            func resolve(_ venueKey: String, _ venue: String, _ symbolKey: String, _ symbol: String) throws -> Instrument {
                guard let v = universe.venueId(venue) else {
                    throw fail(venueKey, "'\(venue)' is not an enabled exchange; enabled: \(universe.venueNames.joined(separator: ", "))")
                }
                guard let instrument = universe.instrument(venue: v, symbol: symbol) else {
                    throw fail(symbolKey, "'\(symbol)' is not an instrument of \(venue) in this run; list its base in market_data.symbols")
                }
                return instrument
            }
            let a = try resolve("venue_a", p.venueA, "symbol_a", p.symbolA)
            let b = try resolve("venue_b", p.venueB, "symbol_b", p.symbolB)
            guard a.base == b.base, a.quote == b.quote else {
                throw fail("symbol_b", "\(p.symbolB) must trade the same base and quote as \(p.symbolA)")
            }
            return __TYPE__Strategy(parameters: p, a: a, b: b)
        }
    }

    /// Watches one base on two venues; when one venue's bid clears the other's ask by
    /// `min_edge` after both taker fees, buys there and sells here, both IOC, both or neither.
    final class __TYPE__Strategy: Strategy {
        let name = __TYPE__Plugin.id
        let parameters: __TYPE__Parameters
        let a: Instrument, b: Instrument
        var cooldownUntil: Timestamp = .zero
        var open: Set<ClientOrderId> = []
        /// Base bought minus sold, per venue: what a broken pair leaves.
        var netA: Quantity = .zero, netB: Quantity = .zero
        var pairs: Int64 = 0, refused: Int64 = 0

        init(parameters: __TYPE__Parameters, a: Instrument, b: Instrument) {
            self.parameters = parameters
            self.a = a
            self.b = b
        }

        func start(_ context: StrategyContext) throws {
            context.subscribe(a.id)
            context.subscribe(b.id)
        }

        func onBook(_ id: InstrumentId, _ context: StrategyContext) {
            guard open.isEmpty, context.now >= cooldownUntil else { return }
            let touchA = context.touch(a.id), touchB = context.touch(b.id)
            guard !touchA.isCrossed, !touchB.isCrossed else { return }
            if let ask = touchA.ask, let bid = touchB.bid, clears(buy: ask.price, on: a, sell: bid.price, on: b, context) {
                trade(buy: a, at: ask.price, sell: b, at: bid.price, context)
            } else if let ask = touchB.ask, let bid = touchA.bid, clears(buy: ask.price, on: b, sell: bid.price, on: a, context) {
                trade(buy: b, at: ask.price, sell: a, at: bid.price, context)
            }
        }

        /// bid × (1 − fee) ≥ ask × (1 + fee) × (1 + min_edge).
        func clears(buy ask: Price, on buyVenue: Instrument, sell bid: Price, on sellVenue: Instrument, _ context: StrategyContext) -> Bool {
            let received = bid.scaled(by: .one - context.fees(sellVenue.id).taker, .down)
            let paid = ask.scaled(by: .one + context.fees(buyVenue.id).taker, .up).scaled(by: .one + parameters.minEdge, .up)
            return received >= paid
        }

        func trade(buy: Instrument, at ask: Price, sell: Instrument, at bid: Price, _ context: StrategyContext) {
            let lot = max(buy.lotStep, sell.lotStep)
            guard let wanted = parameters.orderNotional.converted(dividingBy: ask, .down).asQuantity else { return }
            let quantity = wanted.rounded(toMultipleOf: lot, .down)
            guard quantity.raw > 0 else { return }
            cooldownUntil = context.now + .milliseconds(parameters.cooldownMs)
            switch context.submitPair(first: .limit(.buy, on: buy.id, price: ask, quantity: quantity, timeInForce: .immediateOrCancel),
                                      second: .limit(.sell, on: sell.id, price: bid, quantity: quantity, timeInForce: .immediateOrCancel)) {
            case .sent(let first, let second):
                open = [first, second]
                pairs += 1
            case .rejected:
                refused += 1
            }
        }

        func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {
            if report.kind == .fill {
                let signed = report.side == .buy ? report.fillQuantity : .zero - report.fillQuantity
                if order.venue == a.venue { netA = netA + signed } else { netB = netB + signed }
            }
            if report.isFinal { open.remove(order.id) }
        }

        func stop(_ context: StrategyContext) -> StrategyReport {
            for order in context.openOrders() { context.cancel(order.id) }
            // A pair that filled on one side only leaves base unhedged: say so.
            let net = netA + netB
            let exposure = net.raw == 0 ? [] : [ExposureLine(venue: "\(parameters.venueA)+\(parameters.venueB)", asset: context.universe.assetCode(a.base), quantity: net.asAmount)]
            return StrategyReport(name: name, counters: ["pairs": .count(pairs), "refused": .count(refused)], openExposure: exposure)
        }
    }

    """#

    static let crossTests = #"""
    import ArbCore
    import ArbTesting
    import Testing
    import __TYPE__

    @Suite("__ID__")
    struct __TYPE__Tests {
        /// Two venues quoting BTC in USDT, both funded.
        func market() -> (Scenario, InstrumentId, InstrumentId) {
            let s = Scenario(reportingAsset: "USDT")
            let alpha = s.venue("alpha", fees: FeeSchedule(maker: .zero, taker: "0.001", asset: .quote), latencyMs: 5)
            let beta = s.venue("beta", fees: FeeSchedule(maker: .zero, taker: "0.001", asset: .quote), latencyMs: 20)
            let onAlpha = s.instrument(on: alpha, symbol: "BTC-USDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.0001")
            let onBeta = s.instrument(on: beta, symbol: "BTCUSDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.0001")
            for venue in [alpha, beta] {
                s.deposit("10000", of: "USDT", on: venue)
                s.deposit("1", of: "BTC", on: venue)
            }
            return (s, onAlpha, onBeta)
        }

        var parameters: __TYPE__Parameters {
            var p = __TYPE__Parameters()
            p.venueA = "alpha"; p.symbolA = "BTC-USDT"
            p.venueB = "beta"; p.symbolB = "BTCUSDT"
            return p
        }

        @Test("buys where it is cheap and sells where it is dear, both legs at once")
        func tradesTheEdge() throws {
            let (s, onAlpha, onBeta) = market()
            s.book(at: 0, on: onAlpha, bids: [("99.9", "5")], asks: [("100", "5")])
            s.book(at: 0, on: onBeta, bids: [("101", "5")], asks: [("101.1", "5")])
            let result = try s.run(__TYPE__Plugin.self, parameters: parameters, until: 1_000)
            #expect(result.orders.count == 2)
            #expect(result.orders[0].intent.instrument == onAlpha && result.orders[0].intent.side == .buy)
            #expect(result.orders[1].intent.instrument == onBeta && result.orders[1].intent.side == .sell)
            #expect(result.fills.count == 2 && result.strategyReport.openExposure.isEmpty)
            #expect(result.settlementProblems.isEmpty)
        }

        @Test("no edge after fees: no order")
        func noEdge() throws {
            let (s, onAlpha, onBeta) = market()
            s.book(at: 0, on: onAlpha, bids: [("99.9", "5")], asks: [("100", "5")])
            s.book(at: 0, on: onBeta, bids: [("100.2", "5")], asks: [("100.3", "5")])
            #expect(try s.run(__TYPE__Plugin.self, parameters: parameters, until: 1_000).orders.isEmpty)
        }

        @Test("a leg that misses is reported as open exposure")
        func brokenPair() throws {
            let (s, onAlpha, onBeta) = market()
            s.book(at: 0, on: onAlpha, bids: [("99.9", "5")], asks: [("100", "5")])
            s.book(at: 0, on: onBeta, bids: [("101", "5")], asks: [("101.1", "5")])
            // Beta's bid goes before the sell leg gets there (20 ms).
            s.book(at: 10, on: onBeta, bids: [("95", "5")], asks: [("101.1", "5")])
            let result = try s.run(__TYPE__Plugin.self, parameters: parameters, until: 1_000)
            #expect(result.strategyReport.openExposure.first?.quantity == "1")
        }

        @Test("every parameter is declared for arbd plugins --describe, and nothing else")
        func declared() {
            #expect(__TYPE__Plugin.parameterList.map(\.name) == __TYPE__Parameters.CodingKeys.allCases.map(\.rawValue))
        }
    }

    """#
}
