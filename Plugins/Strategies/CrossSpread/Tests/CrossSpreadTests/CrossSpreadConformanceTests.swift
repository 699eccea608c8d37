import ArbCore
import ArbTesting
import CrossSpread
import Testing

@Test("cross-spread passes the conformance cases: empty, crossed and stale books, a ban, a partial fill, a rejected leg")
func crossSpreadConforms() {
    let findings = StrategyConformance.check(pricesThroughFX: true) { market in
        var p = CrossSpreadParameters()
        p.venueA = ConformanceMarket.alphaName; p.venueB = ConformanceMarket.betaName; p.bases = ["BTC"]
        p.orderNotional = "500"
        return try CrossSpreadPlugin.make(parameters: p, universe: market.scenario.universe)
    }
    #expect(findings.isEmpty, "\(findings)")
}
