import ArbCore
import Testing
@testable import ArbRisk

/// Two venues, three assets: USDT (cash, the reporting currency), BTC at 50,000, ETH at 2,000.
struct Desk {
    static let usdt = AssetId(0), btc = AssetId(1), eth = AssetId(2)
    static let upbit = VenueId(0), binance = VenueId(1)
    var guardian: RiskGuard
    var nextId: UInt64 = 0

    static func limits(_ configure: (inout RiskLimits) -> Void = { _ in }) -> RiskLimits {
        var limits = RiskLimits(venueCount: 2, assetCount: 3)
        limits.isCash[usdt.index] = true
        configure(&limits)
        return limits
    }

    /// Each venue starts with 100,000 USDT and 1 BTC and 10 ETH; marks are set.
    init(_ configure: (inout RiskLimits) -> Void = { _ in }) {
        guardian = RiskGuard(limits: Self.limits(configure))
        for v in [Self.upbit, Self.binance] {
            for (a, x) in [(Self.usdt, Amount("100000")), (Self.btc, Amount("1")), (Self.eth, Amount("10"))] {
                guardian.setReference(v, a, x); guardian.setBalance(v, a, x)
            }
        }
        guardian.setMarks { [Amount("1"), Amount("50000"), Amount("2000")][$0.index] }
    }

    static func intent(_ side: Side = .buy, venue: VenueId = binance, route: Int32 = 0, base: AssetId = btc, quantity: Amount = "0.01",
                       price: Amount = "50000", purpose: OrderPurpose = .entry) -> RiskIntent {
        RiskIntent(venue: venue, route: route, base: base, quote: usdt, side: side, quantity: quantity,
                   quoteAmount: Amount(raw: quantity.raw * price.raw / Int128(FixedDecimal.unit)), purpose: purpose)
    }

    /// Sends `intent` (after a check it must pass) and, if `fill`, fills it completely.
    mutating func trade(_ intent: RiskIntent, at time: Timestamp, fill: Bool = true) -> UInt64 {
        nextId += 1
        guardian.sent(nextId, intent, at: time)
        if fill {
            guardian.filled(nextId, quantity: intent.quantity, quoteAmount: intent.quoteAmount)
            let sign: Int128 = intent.side == .buy ? 1 : -1
            guardian.setBalance(intent.venue, intent.base, guardian.exposure.balance(intent.venue, intent.base) + Amount(raw: sign * intent.quantity.raw))
            guardian.setBalance(intent.venue, intent.quote, guardian.exposure.balance(intent.venue, intent.quote) - Amount(raw: sign * intent.quoteAmount.raw))
            guardian.finished(nextId)
        }
        return nextId
    }
}

func code(_ d: RiskDecision) -> String? {
    if case .refused(let code, _, _, _) = d { return code.rawValue }
    return nil
}
func ms(_ x: Int64) -> Timestamp { .milliseconds(1_767_225_600_000 + x) }

@Suite("Risk guard: each tier's limits and states")
struct RiskGuardTests {
    typealias D = Desk

    @Test("global: gross and net exposure in the reporting currency, worst case over open orders; reductions pass")
    func globalExposure() {
        var desk = Desk { $0.global.maxGrossExposure = "3000"; $0.global.maxNetExposure = "1500" }
        // Buy 0.02 BTC on Binance (1,000) and sell 0.02 on Upbit: gross 2,000, net 0.
        _ = desk.trade(D.intent(quantity: "0.02"), at: ms(0))
        #expect(desk.guardian.check(D.intent(.sell, venue: D.upbit, quantity: "0.02"), at: ms(1)) == .allowed)
        _ = desk.trade(D.intent(.sell, venue: D.upbit, quantity: "0.02"), at: ms(1))
        #expect(desk.guardian.exposure.grossExposure == Amount("2000") && desk.guardian.exposure.netExposure == .zero)
        // One more 0.01 BTC buy: net 500 fine, gross 2,500 fine. Then an open 0.02 buy order counts in full.
        _ = desk.trade(D.intent(quantity: "0.01"), at: ms(2), fill: false)
        let d = desk.guardian.check(D.intent(quantity: "0.02"), at: ms(3))
        #expect(d == .refused(code: .grossExposure, scope: .global, limit: "3000", measured: "3500"))
        // Net: 0.01 pending + 0.02 more on Binance's side = 1,500 net: at the limit, allowed; 0.03 is not.
        var net = Desk { $0.global.maxNetExposure = "1500" }
        #expect(net.guardian.check(D.intent(quantity: "0.03"), at: ms(0)) == .allowed)
        #expect(net.guardian.check(D.intent(quantity: "0.031"), at: ms(0)) == .refused(code: .netExposure, scope: .global, limit: "1500", measured: "1550"))
        _ = net.trade(D.intent(quantity: "0.03"), at: ms(1))
        // Selling back reduces: passes even though the limit is reached.
        #expect(net.guardian.check(D.intent(.sell, quantity: "0.01"), at: ms(2)) == .allowed)
        #expect(desk.guardian.maxGrossExposureSeen == Amount("2500"))
    }

    @Test("exchange: exposure per venue and balance floors, with code, limit and measured value")
    func exchangeLimits() {
        var desk = Desk {
            $0.exchanges[1].maxExposure = "1000"
            $0.exchanges[0].balanceFloors = [Amount("99000"), Amount("0.9"), nil]
        }
        #expect(desk.guardian.check(D.intent(quantity: "0.03"), at: ms(0)) == .refused(code: .exchangeExposure, scope: .exchange(D.binance), limit: "1000", measured: "1500"))
        #expect(desk.guardian.check(D.intent(quantity: "0.03", purpose: .hedge), at: ms(0)) == .allowed)
        // Upbit: selling 0.2 BTC would leave 0.8 < 0.9; buying 0.03 spends 1,500 USDT, leaving 98,500 < 99,000.
        #expect(desk.guardian.check(D.intent(.sell, venue: D.upbit, quantity: "0.2"), at: ms(0)) == .refused(code: .balanceFloor, scope: .exchange(D.upbit), limit: "0.9", measured: "0.8"))
        #expect(code(desk.guardian.check(D.intent(venue: D.upbit, quantity: "0.03"), at: ms(0))) == "risk.exchange.balance_floor")
        #expect(desk.guardian.check(D.intent(venue: D.upbit, quantity: "0.01"), at: ms(0)) == .allowed)
    }

    @Test("route: notional per order, open notional, consecutive losses cool the route down, a broken-leg rate halts it")
    func routeLimits() {
        var desk = Desk {
            $0.route.maxNotional = "1000"; $0.route.maxOpenNotional = "1500"
            $0.route.maxConsecutiveLosses = 3; $0.route.lossCooldown = .seconds(60)
            $0.route.maxBrokenLegRate = "0.4"; $0.route.minAttempts = 5; $0.route.brokenLegWindow = 5
        }
        #expect(desk.guardian.check(D.intent(quantity: "0.03"), at: ms(0)) == .refused(code: .routeNotional, scope: .route(0), limit: "1000", measured: "1500"))
        _ = desk.trade(D.intent(quantity: "0.02"), at: ms(0), fill: false)
        #expect(desk.guardian.check(D.intent(quantity: "0.011"), at: ms(1)) == .refused(code: .routeOpenNotional, scope: .route(0), limit: "1500", measured: "1550"))
        #expect(desk.guardian.check(D.intent(route: 1, quantity: "0.011"), at: ms(1)) == .allowed)
        // Three losing attempts in a row on route 1: a cool-down, then back.
        for i in 0..<3 { desk.guardian.attemptFinished(route: 1, realisedEdgePpm: -20, at: ms(10 + Int64(i))) }
        #expect(code(desk.guardian.check(D.intent(route: 1), at: ms(20))) == "risk.route.halted")
        #expect(desk.guardian.check(D.intent(route: 2), at: ms(20)) == .allowed)
        #expect(desk.guardian.check(D.intent(route: 1), at: ms(60_013)) == .allowed)
        #expect(desk.guardian.states.transitions.map(\.code) == [.consecutiveLosses, .consecutiveLosses])
        // Route 2: three of five attempts needed a hedge: above 40 %, halted until resumed.
        for i in 0..<5 {
            if i % 2 == 0 { _ = desk.trade(D.intent(route: 2, quantity: "0.001", purpose: .hedge), at: ms(100)) }
            desk.guardian.attemptFinished(route: 2, realisedEdgePpm: 5, at: ms(100 + Int64(i)))
        }
        #expect(code(desk.guardian.check(D.intent(route: 2), at: ms(200))) == "risk.route.halted")
        #expect(desk.guardian.states.reason(of: .route(2))?.code == .brokenLegs && desk.guardian.states.reason(of: .route(2))?.recovery == .explicitResume)
        #expect(code(desk.guardian.check(D.intent(route: 2), at: ms(86_400_000))) == "risk.route.halted")
    }

    @Test("symbol: net position across venues per base, and the imbalance between venues")
    func symbolLimits() {
        var desk = Desk { $0.symbols[1].maxNetPosition = "0.05"; $0.symbols[2].maxImbalance = "0.5" }
        _ = desk.trade(D.intent(quantity: "0.04"), at: ms(0))
        #expect(desk.guardian.check(D.intent(venue: D.upbit, quantity: "0.02"), at: ms(1)) == .refused(code: .symbolPosition, scope: .symbol(D.btc), limit: "0.05", measured: "0.06"))
        #expect(desk.guardian.check(D.intent(.sell, venue: D.upbit, quantity: "0.02"), at: ms(1)) == .allowed)
        // ETH 10 and 10: selling 4 on Upbit makes 6 against 10 (imbalance 4/16 = 0.25); 6 more makes 0 against 10 (1.0).
        let eth = { (side: Side, q: Amount) in D.intent(side, venue: D.upbit, base: D.eth, quantity: q, price: "2000") }
        _ = desk.trade(eth(.sell, "4"), at: ms(2))
        #expect(code(desk.guardian.check(eth(.sell, "5"), at: ms(3))) == "risk.symbol.imbalance")
        #expect(desk.guardian.check(eth(.sell, "2"), at: ms(3)) == .allowed)
        // Buying back narrows it: allowed whatever the level.
        #expect(desk.guardian.check(eth(.buy, "1"), at: ms(3)) == .allowed)
    }

    @Test("inventory bands: no entry takes a venue's balance further out of its band")
    func bands() {
        var desk = Desk { $0.bands[1][1] = InventoryBand(min: "0.9", max: "1.05") }
        #expect(desk.guardian.check(D.intent(quantity: "0.06"), at: ms(0)) == .refused(code: .aboveBand, scope: .exchange(D.binance), limit: "1.05", measured: "1.06"))
        #expect(desk.guardian.check(D.intent(.sell, quantity: "0.11"), at: ms(0)) == .refused(code: .belowBand, scope: .exchange(D.binance), limit: "0.9", measured: "0.89"))
        #expect(desk.guardian.check(D.intent(.sell, quantity: "0.1"), at: ms(0)) == .allowed)
        // Upbit has no band.
        #expect(desk.guardian.check(D.intent(venue: D.upbit, quantity: "0.06"), at: ms(0)) == .allowed)
    }

    @Test("global: orders per second, counting a pair's first leg for its second")
    func orderRate() {
        var desk = Desk { $0.global.maxOrdersPerSecond = 3 }
        for i in 0..<3 { _ = desk.trade(D.intent(quantity: "0.001"), at: ms(Int64(i) * 100)) }
        #expect(desk.guardian.check(D.intent(), at: ms(999)) == .refused(code: .orderRate, scope: .global, limit: "3", measured: "4"))
        #expect(desk.guardian.check(D.intent(), at: ms(1_000)) == .allowed)
        // At 1,050 ms one slot is free (the order at 0 left the second), so a pair does not fit.
        let pair = desk.guardian.checkPair(D.intent(), D.intent(.sell, venue: D.upbit), at: ms(1_050))
        #expect(pair?.leg == 1 && code(pair!.1) == "risk.global.order_rate")
        #expect(desk.guardian.checkPair(D.intent(), D.intent(.sell, venue: D.upbit), at: ms(1_100)) == nil)
    }

    @Test("a pair's second leg is checked as if the first were sent: two buys that each fit but not together")
    func pairs() {
        var desk = Desk { $0.global.maxGrossExposure = "1000" }
        let pair = desk.guardian.checkPair(D.intent(quantity: "0.015"), D.intent(venue: D.upbit, quantity: "0.015"), at: ms(0))
        #expect(pair?.leg == 1 && pair?.1 == .refused(code: .grossExposure, scope: .global, limit: "1000", measured: "1500"))
        // A buy and a sell of the same base across venues: gross 1,500 would pass at 2,000.
        desk.guardian.limits.global.maxGrossExposure = "2000"
        #expect(desk.guardian.checkPair(D.intent(quantity: "0.015"), D.intent(.sell, venue: D.upbit, quantity: "0.015"), at: ms(0)) == nil)
        // The trial reservation is gone after the check.
        #expect(desk.guardian.exposure.grossExposure == .zero)
    }

    @Test("a daily loss reached mid-run halts new entries but lets open legs hedge and unwind, until an explicit resume")
    func dailyLoss() {
        var desk = Desk { $0.global.maxDailyLoss = "1000" }
        desk.guardian.marked(equity: "200000", referenceEquity: "200000", at: ms(0))
        desk.guardian.marked(equity: "199600", referenceEquity: "200000", at: ms(10))
        #expect(desk.guardian.check(D.intent(), at: ms(11)) == .allowed)
        desk.guardian.marked(equity: "199000", referenceEquity: "200000", at: ms(20))
        #expect(code(desk.guardian.check(D.intent(), at: ms(21))) == "risk.global.halted")
        #expect(desk.guardian.check(D.intent(.sell, purpose: .hedge), at: ms(22)) == .allowed)
        #expect(desk.guardian.check(D.intent(.sell, purpose: .unwind), at: ms(23)) == .allowed)
        let t = desk.guardian.states.transitions
        #expect(t.count == 1 && t[0].code == .dailyLoss && t[0].from == .active && t[0].to == .halted && t[0].recovery == .explicitResume)
        #expect(t[0].reason.contains("1000"))
        // No cool-down brings it back, not even a new day; a resume does.
        desk.guardian.marked(equity: "199000", referenceEquity: "200000", at: ms(86_400_000))
        #expect(code(desk.guardian.check(D.intent(), at: ms(86_400_000))) == "risk.global.halted")
        desk.guardian.resume(.global, reason: "operator", at: ms(86_400_001))
        #expect(desk.guardian.check(D.intent(), at: ms(86_400_002)) == .allowed)
    }

    @Test("trading PnL leaves the inventory's own market move out; equity PnL counts it; drawdown from the peak")
    func pnlBasisAndDrawdown() {
        // Both sides fall together by 2,000 (the market moved the inventory): trading PnL unchanged.
        var trading = Desk { $0.global.maxDailyLoss = "1000" }
        trading.guardian.marked(equity: "200000", referenceEquity: "200000", at: ms(0))
        trading.guardian.marked(equity: "198000", referenceEquity: "198000", at: ms(10))
        #expect(trading.guardian.check(D.intent(), at: ms(11)) == .allowed && trading.guardian.pnl == .zero)
        var equity = Desk { $0.global.maxDailyLoss = "1000"; $0.global.pnlBasis = .equity }
        equity.guardian.marked(equity: "200000", referenceEquity: "200000", at: ms(0))
        equity.guardian.marked(equity: "198000", referenceEquity: "198000", at: ms(10))
        #expect(code(equity.guardian.check(D.intent(), at: ms(11))) == "risk.global.halted")
        // Drawdown: up 3,000, then down 2,500 from the peak (still up 500 on the day).
        var dd = Desk { $0.global.maxDrawdown = "2500" }
        dd.guardian.marked(equity: "200000", referenceEquity: "200000", at: ms(0))
        dd.guardian.marked(equity: "203000", referenceEquity: "200000", at: ms(10))
        dd.guardian.marked(equity: "200600", referenceEquity: "200000", at: ms(20))
        #expect(dd.guardian.check(D.intent(), at: ms(21)) == .allowed)
        dd.guardian.marked(equity: "200500", referenceEquity: "200000", at: ms(30))
        #expect(dd.guardian.states.reason(of: .global)?.code == .drawdown)
    }

    @Test("a stale feed on one venue halts routes through it and only them; fresh again, it recovers after the cool-down")
    func staleVenue() {
        var desk = Desk { $0.exchanges[0].maxFeedAge = .seconds(2); $0.exchanges[0].cooldown = .seconds(5) }
        desk.guardian.feedAge(D.upbit, .milliseconds(1_500), at: ms(0))
        #expect(desk.guardian.check(D.intent(venue: D.upbit), at: ms(1)) == .allowed)
        desk.guardian.feedAge(D.upbit, .milliseconds(2_500), at: ms(1_000))
        #expect(code(desk.guardian.check(D.intent(venue: D.upbit), at: ms(1_001))) == "risk.exchange.halted")
        #expect(desk.guardian.check(D.intent(venue: D.binance), at: ms(1_001)) == .allowed)
        // Still stale at 3 s: the cool-down runs from the last stale review.
        desk.guardian.feedAge(D.upbit, .milliseconds(4_500), at: ms(3_000))
        #expect(code(desk.guardian.check(D.intent(venue: D.upbit), at: ms(7_000))) == "risk.exchange.halted")
        #expect(desk.guardian.check(D.intent(venue: D.upbit), at: ms(8_000)) == .allowed)
        #expect(desk.guardian.states.transitions.map(\.to) == [.halted, .active])
        #expect(desk.guardian.states.transitions[0].code == .staleFeed)
    }

    @Test("exchange health: reject rate over the window, 429 until Retry-After, round-trip p99 puts the venue in reducing")
    func health() {
        var desk = Desk {
            $0.exchanges[1].maxRejectRate = "0.2"; $0.exchanges[1].minSamples = 10
            $0.exchanges[0].maxRoundTripP99 = .milliseconds(200)
        }
        for i in 0..<10 {
            let id = desk.trade(D.intent(quantity: "0.0001"), at: ms(Int64(i)), fill: false)
            if i < 3 { desk.guardian.venueRejected(D.binance, httpStatus: 400, retryAfter: nil, at: ms(Int64(i))) }
            desk.guardian.finished(id)
        }
        desk.guardian.reviewHealth(at: ms(20))
        #expect(desk.guardian.states.reason(of: .exchange(D.binance))?.code == .rejectRate)
        // 429 with Retry-After 2 s on Upbit.
        var limited = Desk()
        limited.guardian.venueRejected(D.upbit, httpStatus: 429, retryAfter: .seconds(2), at: ms(0))
        #expect(code(limited.guardian.check(D.intent(venue: D.upbit), at: ms(1_999))) == "risk.exchange.halted")
        #expect(limited.guardian.check(D.intent(venue: D.upbit), at: ms(2_000)) == .allowed)
        limited.guardian.venueRejected(D.upbit, httpStatus: 418, retryAfter: nil, at: ms(3_000))
        #expect(limited.guardian.states.reason(of: .exchange(D.upbit))?.code == .banned)
        // Round trips of 300 ms: reducing.
        for i in 0..<30 {
            let id = desk.trade(D.intent(venue: D.upbit, quantity: "0.0001"), at: ms(100 + Int64(i)), fill: false)
            desk.guardian.acknowledged(id, at: ms(400 + Int64(i)))
            desk.guardian.finished(id)
        }
        desk.guardian.reviewHealth(at: ms(1_000))
        #expect(desk.guardian.states.state(of: .exchange(D.upbit)) == .reducing)
        #expect(code(desk.guardian.check(D.intent(venue: D.upbit), at: ms(1_001))) == "risk.exchange.reducing")
    }

    @Test("reducing lets through only what reduces the position (or repairs); a state never relaxes by escalation")
    func reducing() {
        var desk = Desk()
        _ = desk.trade(D.intent(quantity: "0.03"), at: ms(0))
        desk.guardian.setState(.symbol(D.btc), .reducing, code: .symbolPosition, reason: "test", at: ms(0), recovery: .explicitResume)
        #expect(code(desk.guardian.check(D.intent(.buy), at: ms(1))) == "risk.symbol.reducing")
        #expect(desk.guardian.check(D.intent(.sell), at: ms(1)) == .allowed)
        // Selling past flat grows the position the other way: refused.
        #expect(code(desk.guardian.check(D.intent(.sell, quantity: "0.07"), at: ms(1))) == "risk.symbol.reducing")
        desk.guardian.halt(reason: "kill switch", at: ms(2))
        desk.guardian.setState(.global, .reducing, code: .grossExposure, reason: "less severe", at: ms(3), recovery: nil)
        #expect(desk.guardian.states.state(of: .global) == .halted)
        #expect(code(desk.guardian.check(D.intent(.sell), at: ms(4))) == "risk.global.halted")
    }

    @Test("an exposure limit with an asset that has no price yet: entries adding exposure in it are refused")
    func noMark() {
        var guardian = RiskGuard(limits: Desk.limits { $0.global.maxGrossExposure = "1000000" })
        #expect(code(guardian.check(D.intent(), at: ms(0))) == "risk.global.no_mark")
        guardian.setMarks { $0 == D.btc ? Amount("50000") : nil }
        #expect(guardian.check(D.intent(), at: ms(1)) == .allowed)
    }

    @Test("scope names as a person writes them")
    func scopeNames() {
        #expect(ScopeName(parsing: "global") == .global)
        #expect(ScopeName(parsing: "exchange:binance") == .exchange("binance"))
        #expect(ScopeName(parsing: "route:cross:BTC") == .route("cross:BTC"))
        #expect(ScopeName(parsing: "symbol:BTC") == .symbol("BTC"))
        for bad in ["", "globe", "exchange:", "venue:x", "symbol:B TC", "exchange"] { #expect(ScopeName(parsing: bad) == nil) }
    }
}

@Suite("Risk codes")
struct RiskCodeTests {
    @Test("every code is listed once, at its index, with a distinct stable name")
    func table() {
        #expect(RiskCode.all.enumerated().allSatisfy { $0.offset == $0.element.index })
        #expect(Set(RiskCode.all.map(\.rawValue)).count == RiskCode.all.count)
        #expect(RiskCode.all.allSatisfy { $0.rawValue.hasPrefix("risk.") })
    }
}
