import ArbCore
import Testing
@testable import ArbRisk

/// An independent auditor: keeps its own books of balances and open orders (plain loops,
/// no incremental sums), and for every order the guard accepted confirms that no limit
/// was breached at the time of acceptance, or that the order did not add to the measure.
struct Auditor {
    let limits: RiskLimits
    let venues = 2, assets = 3
    var balance: [[Int128]]
    var reference: [[Int128]]
    var marks: [Int128] = [1_000_000_000, 50_000_000_000_000, 2_000_000_000_000]
    /// Open orders: venue, inflow asset and amount left, outflow asset and amount left, route, value.
    var open: [UInt64: (venue: Int, inAsset: Int, inLeft: Int128, outAsset: Int, outLeft: Int128, route: Int32, notional: Int128)] = [:]
    var sends: [Int64] = []
    var halted = false
    var violations: [String] = []

    init(limits: RiskLimits) {
        self.limits = limits
        balance = Array(repeating: [100_000 * 1_000_000_000, 1_000_000_000, 10 * 1_000_000_000], count: 2)
        reference = balance
    }

    /// Exposure value: cash is not exposure.
    func value(_ units: Int128, _ a: Int) -> Int128 { limits.isCash[a] ? 0 : worth(units, a) }

    /// What `units` of asset `a` are worth, rounded up.
    func worth(_ units: Int128, _ a: Int) -> Int128 {
        if units == 0 { return 0 }
        let p = units * marks[a]
        return p / 1_000_000_000 + (p % 1_000_000_000 > 0 ? 1 : 0)
    }

    /// Worst-case |change| of (v, a), optionally with one more order's flows.
    func worst(_ v: Int, _ a: Int, extraIn: Int128 = 0, extraOut: Int128 = 0) -> Int128 {
        var plus = extraIn, minus = extraOut
        for o in open.values where o.venue == v {
            if o.inAsset == a { plus += o.inLeft }
            if o.outAsset == a { minus += o.outLeft }
        }
        let d = balance[v][a] - reference[v][a]
        return max(abs(d + plus), abs(d - minus))
    }

    func worstNet(_ a: Int, extra: (v: Int, inA: Int, inAmt: Int128, outA: Int, outAmt: Int128)?) -> Int128 {
        var d: Int128 = 0, plus: Int128 = 0, minus: Int128 = 0
        for v in 0..<venues { d += balance[v][a] - reference[v][a] }
        for o in open.values {
            if o.inAsset == a { plus += o.inLeft }
            if o.outAsset == a { minus += o.outLeft }
        }
        if let e = extra { if e.inA == a { plus += e.inAmt }; if e.outA == a { minus += e.outAmt } }
        return max(abs(d + plus), abs(d - minus))
    }

    /// The measures before and after `intent`, each checked against its limit.
    mutating func audit(accepted intent: RiskIntent, at time: Timestamp) {
        guard !intent.isRepair else { return }
        if halted { violations.append("entry accepted while halted at \(time)") }
        let v = intent.venue.index
        let (inA, inAmt) = intent.side == .buy ? (intent.base.index, intent.quantity.raw) : (intent.quote.index, intent.quoteAmount.raw)
        let (outA, outAmt) = intent.side == .buy ? (intent.quote.index, intent.quoteAmount.raw) : (intent.base.index, intent.quantity.raw)
        func gross(_ extra: Bool) -> (venue: Int128, gross: Int128, net: Int128) {
            var venueTotal: Int128 = 0, gross: Int128 = 0, net: Int128 = 0
            for w in 0..<venues {
                for a in 0..<assets {
                    let x = value(worst(w, a, extraIn: extra && w == v && a == inA ? inAmt : 0, extraOut: extra && w == v && a == outA ? outAmt : 0), a)
                    gross += x
                    if w == v { venueTotal += x }
                }
            }
            for a in 0..<assets { net += value(worstNet(a, extra: extra ? (v, inA, inAmt, outA, outAmt) : nil), a) }
            return (venueTotal, gross, net)
        }
        let before = gross(false), after = gross(true)
        func check(_ name: String, _ limit: Amount?, _ b: Int128, _ a: Int128) {
            if let limit, a > limit.raw && a > b { violations.append("\(name): \(a) > \(limit.raw) (was \(b)) at \(time)") }
        }
        check("gross", limits.global.maxGrossExposure, before.gross, after.gross)
        check("net", limits.global.maxNetExposure, before.net, after.net)
        check("venue", limits.exchanges[v].maxExposure, before.venue, after.venue)
        let base = intent.base.index
        check("symbol", limits.symbols[base].maxNetPosition, worstNet(base, extra: nil), worstNet(base, extra: (v, inA, inAmt, outA, outAmt)))
        let notional = worth(intent.quoteAmount.raw, intent.quote.index)
        if let limit = limits.route.maxNotional, notional > limit.raw { violations.append("route notional \(notional) at \(time)") }
        if let limit = limits.route.maxOpenNotional {
            let openValue = open.values.filter { $0.route == intent.route }.reduce(Int128(0)) { $0 + $1.notional }
            if openValue + notional > limit.raw { violations.append("open notional \(openValue + notional) at \(time)") }
        }
        if let floors = limits.exchanges[v].balanceFloors.isEmpty ? nil : limits.exchanges[v].balanceFloors, let floor = floors[outA] {
            let low = balance[v][outA] - open.values.filter { $0.venue == v && $0.outAsset == outA }.reduce(Int128(0)) { $0 + $1.outLeft } - outAmt
            if low < floor.raw { violations.append("floor \(low) < \(floor.raw) at \(time)") }
        }
        if let band = limits.bands[v][inA] {
            let high = balance[v][inA] + open.values.filter { $0.venue == v && $0.inAsset == inA }.reduce(Int128(0)) { $0 + $1.inLeft } + inAmt
            if high > band.max.raw { violations.append("band max \(high) at \(time)") }
        }
        if let limit = limits.global.maxOrdersPerSecond {
            let recent = sends.filter { $0 > time.nanoseconds - 1_000_000_000 }.count
            if recent + 1 > limit { violations.append("order rate \(recent + 1) at \(time)") }
        }
    }

    mutating func sent(_ id: UInt64, _ intent: RiskIntent, at time: Timestamp) {
        let (inA, inAmt) = intent.side == .buy ? (intent.base.index, intent.quantity.raw) : (intent.quote.index, intent.quoteAmount.raw)
        let (outA, outAmt) = intent.side == .buy ? (intent.quote.index, intent.quoteAmount.raw) : (intent.base.index, intent.quantity.raw)
        open[id] = (intent.venue.index, inA, inAmt, outA, outAmt, intent.route, worth(intent.quoteAmount.raw, intent.quote.index))
        sends.append(time.nanoseconds)
    }

    /// Fills `share` (0...1 in thousandths) of what is left.
    mutating func fill(_ id: UInt64, thousandths: Int128) -> (quantity: Amount, quote: Amount, venue: Int, inA: Int, outA: Int, inDone: Int128, outDone: Int128)? {
        guard var o = open[id] else { return nil }
        let inDone = o.inLeft * thousandths / 1000, outDone = o.outLeft * thousandths / 1000
        o.inLeft -= inDone; o.outLeft -= outDone
        open[id] = o
        balance[o.venue][o.inAsset] += inDone
        balance[o.venue][o.outAsset] -= outDone
        return (.zero, .zero, o.venue, o.inAsset, o.outAsset, inDone, outDone)
    }
}

@Suite("Risk guard: property test against an independent auditor")
struct RiskAuditorTests {
    @Test("random intent streams: no order accepted breaches a limit at the time of acceptance", arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func randomStreams(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let limits = Desk.limits {
            $0.global.maxGrossExposure = "4000"; $0.global.maxNetExposure = "2500"; $0.global.maxOrdersPerSecond = 8
            $0.exchanges[1].maxExposure = "2500"; $0.exchanges[0].balanceFloors = [Amount("98000"), Amount("0.95"), Amount("9")]
            $0.route.maxNotional = "1200"; $0.route.maxOpenNotional = "1300"
            $0.symbols[1].maxNetPosition = "0.06"; $0.bands[1][2] = InventoryBand(min: "9", max: "11")
        }
        var guardian = RiskGuard(limits: limits)
        var auditor = Auditor(limits: limits)
        for v in 0..<2 { for a in 0..<3 {
            guardian.setReference(VenueId(v), AssetId(a), Amount(raw: auditor.reference[v][a]))
            guardian.setBalance(VenueId(v), AssetId(a), Amount(raw: auditor.balance[v][a]))
        } }
        guardian.setMarks { Amount(raw: auditor.marks[$0.index]) }
        // A twin that projects every order exactly: the headroom shortcut must never
        // change a decision.
        var exact = guardian
        exact.keepsProjection = true
        var disagreements: [String] = []
        var time = ms(0), id: UInt64 = 0, accepted = 0, refused = 0
        for step in 0..<3_000 {
            time = time + .milliseconds(Int64(rng.next() % 150))
            let roll = rng.next() % 100
            if roll < 55 {
                let base = rng.next() % 3 == 0 ? Desk.eth : Desk.btc
                let q = base == Desk.btc ? Amount(raw: Int128(1 + rng.next() % 30) * 1_000_000) : Amount(raw: Int128(1 + rng.next() % 80) * 10_000_000)
                let price = Amount(raw: auditor.marks[base.index])
                let purpose: OrderPurpose = rng.next() % 10 == 0 ? .hedge : .entry
                let intent = Desk.intent(rng.next() % 2 == 0 ? .buy : .sell, venue: VenueId(Int(rng.next() % 2)), route: Int32(rng.next() % 3),
                                         base: base, quantity: q, price: price, purpose: purpose)
                let decision = guardian.check(intent, at: time)
                let exactDecision = exact.check(intent, at: time)
                if decision != exactDecision { disagreements.append("step \(step): \(decision) vs exact \(exactDecision)") }
                if decision == .allowed {
                    auditor.audit(accepted: intent, at: time)
                    id += 1; accepted += 1
                    guardian.sent(id, intent, at: time)
                    exact.sent(id, intent, at: time)
                    auditor.sent(id, intent, at: time)
                } else {
                    refused += 1
                }
            } else if roll < 90, let target = auditor.open.keys.sorted().first(where: { _ in rng.next() % 3 != 0 }) {
                // Fill part or all of an open order, then maybe end it.
                let share = Int128(rng.next() % 2 == 0 ? 1000 : 1 + rng.next() % 999)
                let f = auditor.fill(target, thousandths: share)!
                let intentSide = guardian.openOrder(target)!.side
                let balances = auditor.balance[f.venue]
                func apply(_ g: inout RiskGuard) {
                    g.filled(target, quantity: Amount(raw: intentSide == .buy ? f.inDone : f.outDone), quoteAmount: Amount(raw: intentSide == .buy ? f.outDone : f.inDone))
                    g.setBalance(VenueId(f.venue), AssetId(f.inA), Amount(raw: balances[f.inA]))
                    g.setBalance(VenueId(f.venue), AssetId(f.outA), Amount(raw: balances[f.outA]))
                }
                apply(&guardian)
                apply(&exact)
                if share == 1000 || rng.next() % 2 == 0 { guardian.finished(target); exact.finished(target); auditor.open[target] = nil }
            } else if roll < 95 {
                // The market moves: new marks.
                auditor.marks[1] = auditor.marks[1] * Int128(980 + rng.next() % 41) / 1000
                auditor.marks[2] = auditor.marks[2] * Int128(980 + rng.next() % 41) / 1000
                guardian.setMarks { Amount(raw: auditor.marks[$0.index]) }
                exact.setMarks { Amount(raw: auditor.marks[$0.index]) }
            } else if roll < 97 {
                guardian.halt(reason: "kill switch \(step)", at: time); auditor.halted = true
                exact.halt(reason: "kill switch \(step)", at: time)
            } else {
                guardian.resume(.global, reason: "resume \(step)", at: time); auditor.halted = false
                exact.resume(.global, reason: "resume \(step)", at: time)
            }
        }
        #expect(auditor.violations.isEmpty, "\(auditor.violations.prefix(5))")
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        // The stream exercised both sides of the limits.
        #expect(accepted > 300 && refused > 300, "accepted \(accepted), refused \(refused)")
        #expect(guardian.refusals.count >= 8, "\(guardian.refusals)")
    }
}
