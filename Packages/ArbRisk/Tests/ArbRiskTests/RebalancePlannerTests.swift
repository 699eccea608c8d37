import ArbCore
import Testing
@testable import ArbRisk

@Suite("Rebalancing planner")
struct RebalancePlannerTests {
    let btc = AssetId(1), upbit = VenueId(0), binance = VenueId(1)
    let t0 = Timestamp.defaultRunStart

    func planner(terms: Bool = true, trigger: Ratio = "0.8") -> RebalancePlanner {
        var bands = Array(repeating: [InventoryBand?](repeating: nil, count: 2), count: 2)
        bands[0][1] = InventoryBand(min: "0.5", max: "1.5"); bands[1][1] = InventoryBand(min: "0.5", max: "1.5")
        var t = Array(repeating: [TransferTerms?](repeating: nil, count: 2), count: 2)
        if terms {
            t[0][1] = TransferTerms(network: "BTC", withdrawalFee: "0.0005", withdrawalMinimum: "0.001", arrival: .seconds(1_800))
            t[1][1] = TransferTerms(network: "BTC", withdrawalFee: "0.0002", withdrawalMinimum: "0.001", arrival: .seconds(600))
        }
        var p = RebalancePlanner(bands: bands, targets: Array(repeating: [nil, nil], count: 2), terms: t)
        p.trigger = trigger
        return p
    }

    func balances(_ u: Amount, _ b: Amount) -> (VenueId, AssetId) -> Amount { { v, a in a.index == 1 ? (v.index == 0 ? u : b) : .zero } }

    @Test("from the venue past its trigger above the target to the one below: the gap plus the fee, capped by the surplus")
    func proposal() {
        let plan = planner().plan(balance: balances("1.48", "0.55"), inFlight: { _, _ in .zero }, at: t0)
        #expect(plan.blocked.isEmpty)
        #expect(plan.proposals == [TransferProposal(asset: btc, from: upbit, to: binance, amount: "0.4505", network: "BTC", fee: "0.0005",
                                                    minimum: "0.001", arrivesAt: t0 + .seconds(1_800))])
        #expect(plan.proposals[0].received == Amount("0.45"))
        // A smaller surplus caps it (what arrives is then short of the gap by the fee).
        #expect(planner().plan(balance: balances("1.45", "0.55"), inFlight: { _, _ in .zero }, at: t0).proposals.first?.amount == Amount("0.45"))
        // Within the trigger (0.8 of the way to the edge: 1.4 and 0.6): nothing.
        #expect(planner().plan(balance: balances("1.35", "0.65"), inFlight: { _, _ in .zero }, at: t0).proposals.isEmpty)
        // One side past its trigger: the other side is the venue below its target.
        let one = planner().plan(balance: balances("1.45", "0.9"), inFlight: { _, _ in .zero }, at: t0).proposals
        #expect(one.count == 1 && one[0].from == upbit && one[0].amount == Amount("0.1005"))
    }

    @Test("what is in flight counts at its destination: the same gap is never sent twice")
    func inFlight() {
        let plan = planner().plan(balance: balances("1.0", "0.55"), inFlight: { v, a in v == self.binance && a == self.btc ? Amount("0.45") : .zero }, at: t0)
        #expect(plan.proposals.isEmpty)
    }

    @Test("no withdrawal terms: nothing proposed, the asset and venue reported; below the minimum or the fee: nothing")
    func blockedAndMinimum() {
        let plan = planner(terms: false).plan(balance: balances("1.45", "0.55"), inFlight: { _, _ in .zero }, at: t0)
        #expect(plan.proposals.isEmpty && plan.blocked.count == 1 && plan.blocked[0].0 == btc && plan.blocked[0].1 == upbit)
        // A surplus smaller than the fee: nothing worth sending.
        var p = planner(trigger: "0.0001")
        p.terms[0][1] = TransferTerms(network: "BTC", withdrawalFee: "0.01", withdrawalMinimum: "0.001", arrival: .seconds(1))
        #expect(p.plan(balance: balances("1.005", "0.999"), inFlight: { _, _ in .zero }, at: t0).proposals.isEmpty)
    }
}
