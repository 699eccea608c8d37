import ArbCore
import ArbRisk
import ArbSynthetic
import Foundation
import Histogram

/// `arbd bench --risk`: what the risk guard costs each order. The manifest's universe,
/// every limit of the four tiers switched on (exposure, floors, bands, imbalance, order
/// rate, open notional), a stream of random entry intents near the limits (about a third
/// refused), with sends, fills and ends applied between checks untimed so the book and
/// its open orders keep changing. Each check is timed on its own; the empty timing (two
/// clock reads) is reported alongside.
public struct RiskBench {
    public struct Result: Codable, Sendable {
        public var venues: Int
        public var assets: Int
        public var checks: Int
        public var refusedShare: Double
        /// `RiskGuard.check` (the guard alone), every check; and the allowed ones alone.
        public var checkP50Ns: Int, checkP99Ns: Int, checkP999Ns: Int, checkMaxNs: Int
        public var allowedP50Ns: Int, allowedP99Ns: Int
        /// Mean over the whole stream, untimed inside (no clock reads).
        public var checkMeanNs: Double
        /// `KernelRiskGuard.admit`: the kernel's call, turning an `OrderIntent` into flows first.
        public var admitP50Ns: Int, admitP99Ns: Int, admitMeanNs: Double
        public var emptyP50Ns: Int, emptyP99Ns: Int
        /// A guard with no limit set, the same stream.
        public var noLimitsP50Ns: Int, noLimitsP99Ns: Int
        /// Refusals by code in the timed stream.
        public var refusals: [String: Int]

        public var line: String {
            String(format: "risk guard: %d venues × %d assets, %d checks (%.0f %% refused)\n  check: p50 %d ns p99 %d ns p99.9 %d ns max %d ns; mean %.1f ns untimed; allowed ones p50 %d ns p99 %d ns\n  kernel admit (intent → flows → check): p50 %d ns p99 %d ns; mean %.1f ns untimed\n  empty timing: p50 %d ns p99 %d ns; no limits set: p50 %d ns p99 %d ns\n  refused: %@",
                   venues, assets, checks, refusedShare * 100, checkP50Ns, checkP99Ns, checkP999Ns, checkMaxNs, checkMeanNs, allowedP50Ns, allowedP99Ns,
                   admitP50Ns, admitP99Ns, admitMeanNs, emptyP50Ns, emptyP99Ns, noLimitsP50Ns, noLimitsP99Ns,
                   refusals.keys.sorted().map { "\($0) \(refusals[$0]!)" }.joined(separator: ", "))
        }
    }

    let plan: RunPlan
    let seed: UInt64
    let checks: Int

    public init(plan: RunPlan, seed: UInt64, checks: Int) { self.plan = plan; self.seed = seed; self.checks = checks }

    /// Limits on every tier, scaled to the funded balances.
    func limits(_ kernel: Kernel) -> RiskLimits {
        var limits = plan.defaultRiskLimits()
        let u = kernel.universe
        limits.global.maxGrossExposure = "60000"; limits.global.maxNetExposure = "20000"
        limits.global.maxDailyLoss = "2000"; limits.global.maxDrawdown = "3000"; limits.global.maxOrdersPerSecond = 50
        limits.route.maxNotional = "1500"; limits.route.maxOpenNotional = "3000"
        for v in 0..<u.venueCount {
            limits.exchanges[v].maxExposure = "40000"
            limits.exchanges[v].balanceFloors = (0..<u.assetCount).map { a in
                let total = kernel.balances[v].total(AssetId(a))
                return total.raw > 0 ? Amount(raw: total.raw / 10) : nil
            }
            for a in 0..<u.assetCount where !limits.isCash[a] {
                let total = kernel.balances[v].total(AssetId(a))
                if total.raw > 0 { limits.bands[v][a] = InventoryBand(min: Amount(raw: total.raw / 2), max: Amount(raw: total.raw * 3 / 2)) }
            }
        }
        for a in 0..<u.assetCount where !limits.isCash[a] {
            limits.symbols[a].maxImbalance = "0.6"
            limits.symbols[a].maxNetPosition = Amount(raw: kernel.balances.reduce(Int128(0)) { $0 + $1.total(AssetId(a)).raw } / 4)
        }
        return limits
    }

    public func measure() throws -> Result {
        let kernel = try plan.makeKernel()
        let u = kernel.universe
        let riskGuard = KernelRiskGuard(limits: limits(kernel), universe: u)
        riskGuard.install(on: kernel)
        // Marks from a synthetic market's first seconds.
        var market = SyntheticMarket(config: plan.market, startTime: RunPlan.startTime)
        kernel.checksInvariants = false
        for _ in 0..<50_000 { guard let e = market.next() else { break }; kernel.handle(e) }
        _ = riskGuard.review(kernel: kernel)
        var guardian = riskGuard.guardian

        // Intents beforehand (no allocation while timing): limit orders at the touch, one
        // to two orders' worth of the route limit, on every instrument that has a price.
        var rng = SplitMix64(seed: seed)
        let tradable = u.instruments.filter { kernel.touch($0.id).bid != nil && kernel.touch($0.id).ask != nil }
        var orders: [(OrderIntent, Instrument, RiskIntent)] = []
        orders.reserveCapacity(4_096)
        for _ in 0..<4_096 {
            let i = tradable[Int(rng.next() % UInt64(tradable.count))]
            let side: Side = rng.next() % 2 == 0 ? .buy : .sell
            let touch = kernel.touch(i.id)
            let price = side == .buy ? touch.ask!.price : touch.bid!.price
            let quoteValue = kernel.value(Amount(units: 1), of: i.quote) ?? Amount(units: 1)
            // 300 to 1,800 in the reporting currency.
            let target = Amount(units: 300 + Int64(rng.next() % 1_500))
            let quote = Amount(raw: target.raw * Int128(FixedDecimal.unit) / max(1, quoteValue.raw))
            let q = Quantity(raw: Int64(clamping: quote.raw * Int128(FixedDecimal.unit) / max(1, Int128(price.raw))))
            let intent = OrderIntent.limit(side, on: i.id, price: price, quantity: q, timeInForce: .immediateOrCancel, route: Int32(rng.next() % 8))
            orders.append((intent, i, riskGuard.riskIntent(intent, i, kernel)))
        }

        var check = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        var admit = check, empty = check, allowedHistogram = check
        var refused = 0, time = kernel.now, id: UInt64 = 0
        var open: [UInt64] = []
        open.reserveCapacity(64)
        func churn(_ k: Int, _ r: RiskIntent) {
            // Every order the guard allows is sent; orders fill or end a few checks later.
            id += 1
            guardian.sent(id, r, at: time)
            open.append(id)
            if open.count > 16 {
                let done = open.removeFirst()
                if let o = guardian.openOrder(done), k % 3 != 0 { guardian.filled(done, quantity: o.quantity, quoteAmount: o.quoteAmount) }
                guardian.finished(done)
            }
        }
        for k in 0..<checks {
            // 20 to 60 ms apart: within the 50 orders a second the limits allow.
            time = time + .milliseconds(Int64(20 + rng.next() % 40))
            let (_, _, r) = orders[k & 4_095]
            let t0 = MonotonicClock.nanoseconds()
            let decision = guardian.check(r, at: time)
            let t1 = MonotonicClock.nanoseconds()
            _ = check.record(t1 - t0)
            if decision.isAllowed { _ = allowedHistogram.record(t1 - t0) }
            let e0 = MonotonicClock.nanoseconds()
            _ = empty.record(MonotonicClock.nanoseconds() - e0)
            if decision.isAllowed { churn(k, r) } else { refused += 1 }
        }
        // The same stream through a guard with no limit set: what the check's frame costs.
        var bare = RiskGuard(limits: plan.defaultRiskLimits())
        var bareHistogram = check
        bareHistogram.reset()
        for k in 0..<min(checks, 500_000) {
            let t0 = MonotonicClock.nanoseconds()
            _ = bare.check(orders[k & 4_095].2, at: time)
            _ = bareHistogram.record(MonotonicClock.nanoseconds() - t0)
        }
        // Untimed inside: the mean over the stream.
        var replay = riskGuard.guardian
        let m0 = MonotonicClock.nanoseconds()
        var allowed = 0
        for k in 0..<checks {
            time = time + .milliseconds(40)
            if replay.check(orders[k & 4_095].2, at: time).isAllowed { allowed += 1 }
        }
        let meanNs = Double(MonotonicClock.nanoseconds() - m0) / Double(max(1, checks))
        // The kernel's call.
        let admits = min(checks, 200_000)
        for k in 0..<admits {
            let (intent, instrument, _) = orders[k & 4_095]
            let t0 = MonotonicClock.nanoseconds()
            _ = riskGuard.admit(intent, instrument: instrument, strategy: StrategyId(0), kernel: kernel)
            _ = admit.record(MonotonicClock.nanoseconds() - t0)
        }
        let a0 = MonotonicClock.nanoseconds()
        for k in 0..<admits {
            let (intent, instrument, _) = orders[k & 4_095]
            _ = riskGuard.admit(intent, instrument: instrument, strategy: StrategyId(0), kernel: kernel)
        }
        let admitMean = Double(MonotonicClock.nanoseconds() - a0) / Double(max(1, admits))
        _ = allowed
        return Result(venues: u.venueCount, assets: u.assetCount, checks: checks, refusedShare: Double(refused) / Double(max(1, checks)),
                      checkP50Ns: Int(check.valueAtPercentile(50)), checkP99Ns: Int(check.valueAtPercentile(99)),
                      checkP999Ns: Int(check.valueAtPercentile(99.9)), checkMaxNs: Int(check.max),
                      allowedP50Ns: Int(allowedHistogram.valueAtPercentile(50)), allowedP99Ns: Int(allowedHistogram.valueAtPercentile(99)),
                      checkMeanNs: meanNs,
                      admitP50Ns: Int(admit.valueAtPercentile(50)), admitP99Ns: Int(admit.valueAtPercentile(99)), admitMeanNs: admitMean,
                      emptyP50Ns: Int(empty.valueAtPercentile(50)), emptyP99Ns: Int(empty.valueAtPercentile(99)),
                      noLimitsP50Ns: Int(bareHistogram.valueAtPercentile(50)), noLimitsP99Ns: Int(bareHistogram.valueAtPercentile(99)),
                      refusals: Dictionary(uniqueKeysWithValues: guardian.refusals.map { ($0.key.rawValue, $0.value) }))
    }
}
