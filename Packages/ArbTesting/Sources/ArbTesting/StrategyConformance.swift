import ArbCore

/// The market every conformance case starts from: venue `alpha` quoting KRW (with the
/// `KRW-USDT` FX book) and venue `beta` quoting USDT, both listing BTC, both funded.
/// A strategy under test is built over it (`scenario.universe`) by the caller.
public struct ConformanceMarket {
    /// The scenario the case scripts; build the strategy over its universe.
    public let scenario: Scenario
    /// The two venues.
    public let alpha: VenueId, beta: VenueId
    /// BTC on each venue, and the FX book on alpha.
    public let btcAlpha: InstrumentId, btcBeta: InstrumentId, fx: InstrumentId
    /// The venues' names, for a strategy's parameters.
    public static let alphaName = "alpha", betaName = "beta"

    init(banOnBeta: Bool = false, betaMinNotional: Amount = "5") {
        let s = Scenario(reportingAsset: "USDT")
        alpha = s.venue(Self.alphaName, fees: FeeSchedule(maker: "0.0005", taker: "0.0005", asset: .quote), latencyMs: 5)
        beta = s.venue(Self.betaName, fees: FeeSchedule(maker: "0.001", taker: "0.001", asset: .received), latencyMs: 5,
                       admission: banOnBeta ? BanningAdmission(afterRequests: 1, banFor: .seconds(60)) : nil)
        btcAlpha = s.instrument(on: alpha, symbol: "KRW-BTC", base: "BTC", quote: "KRW", tick: "1000", lot: "0.00000001", minNotional: "5000")
        fx = s.instrument(on: alpha, symbol: "KRW-USDT", base: "USDT", quote: "KRW", tick: "0.5", lot: "0.00000001", isFX: true)
        btcBeta = s.instrument(on: beta, symbol: "BTCUSDT", base: "BTC", quote: "USDT", tick: "0.01", lot: "0.00001", minNotional: betaMinNotional)
        s.deposit("100000000", of: "KRW", on: alpha)
        s.deposit("1", of: "BTC", on: alpha)
        s.deposit("100000", of: "USDT", on: beta)
        s.deposit("1", of: "BTC", on: beta)
        scenario = s
    }

    /// A fresh FX book and books on both venues with about 1 % between them (alpha cheap).
    func dislocated(at ms: Int64, fx fxAt: Int64? = nil, betaBid: (Price, Quantity) = ("101000", "1")) {
        scenario.book(at: fxAt ?? ms, on: fx, bids: [("1399.5", "100000")], asks: [("1400.5", "100000")])
        scenario.book(at: ms, on: btcAlpha, bids: [("139000000", "1")], asks: [("140000000", "1")])
        scenario.book(at: ms, on: btcBeta, bids: [betaBid], asks: [("101100", "1")])
    }
}

/// An exchange gate that lets `afterRequests` requests through and then bans for
/// `banFor` (HTTP 418), as a venue does to a client that kept going after a 429.
public final class BanningAdmission: ExchangeAdmission {
    let allowed: Int
    let banFor: Duration
    /// Requests seen so far.
    public private(set) var seen = 0
    /// Lets `allowed` requests through, then bans for `banFor`.
    public init(afterRequests allowed: Int, banFor: Duration) { self.allowed = allowed; self.banFor = banFor }
    /// Nil while under the allowance, a 418 after.
    public func admit(_ request: ExecutionRequest, instrument: Instrument, at now: Timestamp) -> Rejection? {
        seen += 1
        guard seen > allowed else { return nil }
        return Rejection(reason: .banned, venueCode: "418", message: "banned", httpStatus: 418, retryAfter: banFor)
    }
    /// Nothing to count.
    public func orderTraded(_ order: Order, instrument: Instrument, at now: Timestamp) {}
}

/// Runs any strategy through the edge cases real venues produce and checks what every
/// strategy owes, whatever it trades:
/// - it never faults and never breaks the kernel's invariants; the kernel's balances and
///   the venues' own agree once everything has settled;
/// - it sends nothing on empty books, and nothing on a crossed book;
/// - with `pricesThroughFX`, nothing while the FX book is stale (older than 10 s);
/// - what it reports as open exposure is what it holds: per base asset, the change of
///   the balances across venues plus the base fees paid equals the reported quantity.
///
/// ```swift
/// let findings = StrategyConformance.check(pricesThroughFX: true) { market in
///     try MyPlugin.make(parameters: .init(venueA: "alpha", venueB: "beta"), universe: market.scenario.universe)
/// }
/// #expect(findings.isEmpty, "\(findings)")
/// ```
public enum StrategyConformance {
    /// The edge cases.
    public enum Case: String, CaseIterable, Sendable {
        case emptyBooks = "empty_books"
        case staleFX = "stale_fx"
        case crossedBook = "crossed_book"
        case venueBan = "venue_ban"
        case partialFill = "partial_fill"
        case rejectedLeg = "rejected_leg"
    }

    /// What a case found wrong.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        /// The case.
        public var `case`: Case
        /// What went wrong.
        public var problem: String
        public var description: String { "\(`case`.rawValue): \(problem)" }
    }

    /// Every case; an empty result is a pass.
    public static func check(pricesThroughFX: Bool = false, _ make: (ConformanceMarket) throws -> any Strategy) -> [Finding] {
        Case.allCases.flatMap { check($0, pricesThroughFX: pricesThroughFX, make) }
    }

    /// One case.
    public static func check(_ c: Case, pricesThroughFX: Bool = false, _ make: (ConformanceMarket) throws -> any Strategy) -> [Finding] {
        let m: ConformanceMarket
        switch c {
        case .emptyBooks:
            m = ConformanceMarket()
            m.scenario.book(at: 0, on: m.fx, bids: [("1399.5", "100000")], asks: [("1400.5", "100000")])
            m.scenario.book(at: 10, on: m.btcAlpha, bids: [], asks: [])
            m.scenario.book(at: 10, on: m.btcBeta, bids: [], asks: [])
        case .staleFX:
            m = ConformanceMarket()
            m.dislocated(at: 20_000, fx: 0)
        case .crossedBook:
            m = ConformanceMarket()
            m.scenario.book(at: 0, on: m.fx, bids: [("1399.5", "100000")], asks: [("1400.5", "100000")])
            m.scenario.book(at: 10, on: m.btcAlpha, bids: [("141000000", "1")], asks: [("140000000", "1")])
            m.scenario.book(at: 10, on: m.btcBeta, bids: [("101000", "1")], asks: [("101100", "1")])
        case .venueBan:
            m = ConformanceMarket(banOnBeta: true)
            m.dislocated(at: 10)
            m.dislocated(at: 2_000)
            m.dislocated(at: 4_000)
        case .partialFill:
            m = ConformanceMarket()
            m.dislocated(at: 10, betaBid: ("101000", "0.001"))
        case .rejectedLeg:
            m = ConformanceMarket(betaMinNotional: "1000000000")
            m.dislocated(at: 10)
        }
        var findings: [Finding] = []
        func note(_ problem: String) { findings.append(Finding(case: c, problem: problem)) }
        let result: ScenarioResult
        do {
            result = try m.scenario.run(try make(m), until: 30_000)
        } catch {
            return [Finding(case: c, problem: "the run failed: \(error)")]
        }
        for problem in result.settlementProblems { note(problem) }
        switch c {
        case .emptyBooks where !result.orders.isEmpty:
            note("sent \(result.orders.count) orders with no book to trade on")
        case .crossedBook where result.orders.contains { $0.intent.instrument == m.btcAlpha && $0.intent.purpose == .entry }:
            note("entered on a crossed book (bid 141,000,000 ≥ ask 140,000,000)")
        case .staleFX where pricesThroughFX && !result.orders.isEmpty:
            note("traded \(result.orders.count) orders priced through an FX book 20 s old")
        default: break
        }
        // Reported exposure against what is held.
        let universe = result.kernel.universe
        guard let btc = universe.assetId("BTC") else { return findings }
        var held = Amount.zero
        for venue in [m.alpha, m.beta] { held = held + result.balance(venue, "BTC") - "1" }
        for fill in result.fills where fill.feeAsset == btc { held = held + fill.fee }
        let reported = result.strategyReport.openExposure.filter { $0.asset == "BTC" }.reduce(Amount.zero) { $0 + $1.quantity }
        if held != reported {
            note("reports \(reported) BTC open but holds \(held) more than it started with (fees added back)")
        }
        return findings
    }
}
