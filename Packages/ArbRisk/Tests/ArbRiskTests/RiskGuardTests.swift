import ArbCore
import Testing
@testable import ArbRisk

@Suite("Risk guard: states and limits")
struct RiskGuardTests {
    let btc = AssetId(1), eth = AssetId(2)
    let upbit = VenueId(0), binance = VenueId(1)
    func ms(_ x: Int64) -> Timestamp { .milliseconds(x) }

    func intent(_ side: Side = .buy, venue: VenueId = VenueId(1), route: Int32 = 0, base: AssetId = AssetId(1), quantity: Amount = "0.01",
                notional: Amount = "1000", purpose: OrderPurpose = .entry) -> RiskIntent {
        RiskIntent(venue: venue, route: route, base: base, side: side, quantity: quantity, notional: notional, purpose: purpose)
    }

    func code(_ d: RiskDecision) -> String? {
        if case .refused(let code, _, _, _) = d { return code.rawValue }
        return nil
    }

    @Test("each limit refuses the order that would breach it, with its code, the limit and the value it would make")
    func limits() {
        var limits = RiskLimits(maxGrossExposure: "5000", maxRouteNotional: "2000")
        limits.maxExchangeExposure[binance] = "3000"
        limits.maxSymbolPosition[btc] = "0.05"
        var guardian = RiskGuard(limits: limits, venueCount: 2, assetCount: 3)
        #expect(code(guardian.check(intent(notional: "2500"), at: ms(0))) == "risk.route.notional")
        guardian.filled(venue: binance, base: btc, side: .buy, quantity: "0.02", notional: "2000")
        let d = guardian.check(intent(notional: "1500"), at: ms(1))
        #expect(d == .refused(code: .exchangeExposure, scope: .exchange(binance), limit: "3000", measured: "3500"))
        guardian.filled(venue: upbit, base: eth, side: .buy, quantity: "1", notional: "2500")
        #expect(code(guardian.check(intent(venue: upbit, base: eth, notional: "1000"), at: ms(2))) == "risk.global.gross_exposure")
        guardian.filled(venue: upbit, base: btc, side: .buy, quantity: "0.025", notional: "0")
        #expect(code(guardian.check(intent(venue: upbit, quantity: "0.01", notional: "0"), at: ms(3))) == "risk.symbol.net_position")
        // Reducing the position passes every exposure limit.
        #expect(guardian.check(intent(.sell, venue: upbit, quantity: "0.01", notional: "500"), at: ms(4)) == .allowed)
        #expect(guardian.refusals[.routeNotional] == 1 && guardian.maxGrossExposureSeen == Amount("4500"))
    }

    @Test("a daily loss reached mid-run halts new entries but lets open legs hedge and unwind, until an explicit resume")
    func dailyLoss() {
        var guardian = RiskGuard(limits: RiskLimits(maxDailyLoss: "1000"), venueCount: 2, assetCount: 3)
        guardian.marked(dailyPnL: "-400", at: ms(10))
        #expect(guardian.check(intent(), at: ms(11)) == .allowed)
        guardian.marked(dailyPnL: "-1000", at: ms(20))
        #expect(code(guardian.check(intent(), at: ms(21))) == "risk.global.halted")
        #expect(guardian.check(intent(.sell, purpose: .hedge), at: ms(22)) == .allowed)
        #expect(guardian.check(intent(.sell, purpose: .unwind), at: ms(23)) == .allowed)
        let t = guardian.states.transitions
        #expect(t.count == 1 && t[0].code == .dailyLoss && t[0].from == .active && t[0].to == .halted && t[0].recovery == .explicitResume)
        #expect(t[0].reason.contains("1000"))
        // No cool-down brings it back; a resume does.
        #expect(code(guardian.check(intent(), at: ms(86_400_000))) == "risk.global.halted")
        guardian.resume(.global, reason: "operator", at: ms(86_400_001))
        #expect(guardian.check(intent(), at: ms(86_400_002)) == .allowed)
    }

    @Test("a stale feed on one venue stops entries through it and only it; the cool-down brings it back")
    func staleVenue() {
        var guardian = RiskGuard(limits: RiskLimits(), venueCount: 2, assetCount: 3)
        guardian.setState(.exchange(upbit), .halted, code: .staleFeed, reason: "book 2.5 s old ≥ 2 s", at: ms(0), recovery: .cooldown(until: ms(5_000)))
        #expect(code(guardian.check(intent(venue: upbit), at: ms(1))) == "risk.exchange.halted")
        #expect(guardian.check(intent(venue: binance), at: ms(1)) == .allowed)
        #expect(guardian.check(intent(venue: upbit), at: ms(5_000)) == .allowed)
        #expect(guardian.states.transitions.map(\.to) == [.halted, .active])
    }

    @Test("reducing lets through only what reduces the position (or repairs); a state never relaxes by escalation")
    func reducing() {
        var guardian = RiskGuard(limits: RiskLimits(), venueCount: 2, assetCount: 3)
        guardian.filled(venue: binance, base: btc, side: .buy, quantity: "0.03", notional: "3000")
        guardian.setState(.symbol(btc), .reducing, code: .symbolPosition, reason: "imbalance", at: ms(0), recovery: .explicitResume)
        #expect(code(guardian.check(intent(.buy), at: ms(1))) == "risk.symbol.reducing")
        #expect(guardian.check(intent(.sell), at: ms(1)) == .allowed)
        // Selling past flat would grow the position the other way: refused.
        #expect(code(guardian.check(intent(.sell, quantity: "0.07"), at: ms(1))) == "risk.symbol.reducing")
        guardian.halt(reason: "kill switch", at: ms(2))
        guardian.setState(.global, .reducing, code: .grossExposure, reason: "less severe", at: ms(3), recovery: nil)
        #expect(guardian.states.state(of: .global) == .halted)
        #expect(code(guardian.check(intent(.sell), at: ms(4))) == "risk.global.halted")
    }
}
