/// Why a detected opportunity was not executed: a stable code for the ledger, the
/// journal and the summary (docs/ROUTES.md lists them).
public struct OpportunitySkip: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable code (`below_edge`, `size_zero.buy_balance`, …).
    public let code: String
    /// A reason with this code; prefer the named ones below.
    public init(code: String) { self.code = code }
    public var description: String { code }

    /// At the order size, walking the books, the edge no longer clears the threshold.
    public static let belowEdge = OpportunitySkip(code: "below_edge")
    /// An inventory band (floor or ceiling) left no room.
    public static let inventory = OpportunitySkip(code: "inventory")
    /// A risk limit refused it.
    public static let risk = OpportunitySkip(code: "risk")
    /// The client's order budget (rate limits, the prioritiser's attempt tokens) had none left.
    public static let rateLimit = OpportunitySkip(code: "rate_limit")
    /// The route was not active: the prioritiser gave the shared budgets to better routes.
    public static let notPrioritised = OpportunitySkip(code: "not_prioritised")
    /// The route was cooling down after its last attempt.
    public static let cooldown = OpportunitySkip(code: "cooldown")
    /// A book it reads was older than the strategy accepts.
    public static let staleFeed = OpportunitySkip(code: "stale_feed")
    /// An attempt on the route (or on the books it shares) was still in flight.
    public static let routeBusy = OpportunitySkip(code: "route_busy")
    /// A venue rule refused a leg before anything was sent (minimum, precision, balance).
    public static let pretradeRejected = OpportunitySkip(code: "pretrade_rejected")
    /// The size came out 0, because of `cause` (`order_notional`, `buy_balance`, `book_depth`, …).
    public static func sizeZero(_ cause: String) -> OpportunitySkip { OpportunitySkip(code: "size_zero.\(cause)") }
}

/// What happened to a detected opportunity.
public enum OpportunityDecision: Sendable, Hashable {
    case executed
    case skipped(OpportunitySkip)

    /// `executed`, or the skip's code.
    public var code: String {
        switch self {
        case .executed: return "executed"
        case .skipped(let skip): return skip.code
        }
    }
}

/// One leg of an opportunity: what was expected against what filled.
public struct OpportunityLeg: Sendable, Hashable {
    /// The leg's instrument.
    public var instrument: InstrumentId
    /// Buy or sell.
    public var side: Side
    /// The price the decision expected (the walk's average, or the touch).
    public var expectedPrice: Price
    /// The base quantity the leg was sized to.
    public var plannedQuantity: Quantity
    /// What filled (0 until the legs have ended, and for skipped opportunities).
    public var filledQuantity: Quantity = .zero
    /// Average fill price; nil when nothing filled.
    public var filledPrice: Price?
    /// From detection to the venue's first answer, and to the last fill.
    public var acknowledgedAfter: Duration?
    /// From detection to the leg's last fill.
    public var filledAfter: Duration?

    /// A leg as planned; the fills are filled in when the legs have ended.
    public init(instrument: InstrumentId, side: Side, expectedPrice: Price, plannedQuantity: Quantity) {
        self.instrument = instrument; self.side = side; self.expectedPrice = expectedPrice; self.plannedQuantity = plannedQuantity
    }

    /// How much worse than expected the fill was, in basis points (positive = worse:
    /// paid more on a buy, got less on a sell); nil when nothing filled.
    public var slippageBps: Int64? {
        guard let filled = filledPrice, expectedPrice.raw > 0 else { return nil }
        let diff = Int128(filled.raw) - Int128(expectedPrice.raw)
        let signed = side == .buy ? diff : -diff
        return Int64(FixedDecimal.divide(signed * 10_000, by: Int128(expectedPrice.raw), rounding: .nearestHalfEven))
    }
}

/// A row of the opportunity ledger: every opportunity a strategy detects gets one, with
/// its decision; an executed one also gets its legs' fills and its realised edge.
public struct OpportunityRecord: Sendable, Hashable {
    /// Per run, in detection order (`StrategyContext.newOpportunityId()`).
    public var id: UInt64
    /// The strategy that detected it (set by `StrategyContext.recordOpportunity`).
    public var strategy: StrategyId
    /// The route, as registered with `StrategyContext.route(named:)`.
    public var route: Int32
    /// When it was detected (event time).
    public var detectedAt: Timestamp
    /// The edge as detected (after fees), ppm.
    public var detectedEdgePpm: Int64
    /// The size it was detected at, in `sizeAsset`.
    public var detectedSize: Amount
    /// The asset `detectedSize` is in.
    public var sizeAsset: AssetId
    /// Executed, or skipped with a reason.
    public var decision: OpportunityDecision
    /// The legs as planned and, once they have ended, as filled (empty for most skips).
    public var legs: [OpportunityLeg]
    /// The edge the fills achieved (after fees), ppm; executed opportunities whose legs filled.
    public var realisedEdgePpm: Int64?

    /// A row; `strategy` is set when it is recorded.
    public init(id: UInt64, strategy: StrategyId, route: Int32, detectedAt: Timestamp, detectedEdgePpm: Int64, detectedSize: Amount,
                sizeAsset: AssetId, decision: OpportunityDecision, legs: [OpportunityLeg] = [], realisedEdgePpm: Int64? = nil) {
        self.id = id; self.strategy = strategy; self.route = route; self.detectedAt = detectedAt; self.detectedEdgePpm = detectedEdgePpm
        self.detectedSize = detectedSize; self.sizeAsset = sizeAsset; self.decision = decision; self.legs = legs
        self.realisedEdgePpm = realisedEdgePpm
    }

    /// The edge a chain of fills achieves: the product over legs of what one unit of what
    /// a leg spends brings (price on a sell, 1 / price on a buy), each after its fee,
    /// minus one; in ppm. The legs must chain (a cross route's two legs, a triangle's
    /// three); `fxRate` converts a `cross_fx` route's proceeds back (quote A per quote B,
    /// applied when given). Nil when a leg has no price.
    public static func chainEdgePpm(prices: [(Side, Price, Ratio)], fxRate: Price? = nil) -> Int64? {
        // Exact rationals would grow; 1e-18 fixed point in 128 bits is ample for a few legs.
        let scale = Int128(1_000_000_000_000_000_000)
        var value = scale
        // Nil rather than a trap when prices far outside any market's range overflow.
        func times(_ x: Int128, _ m: Int128, over d: Int128) -> Int128? {
            let (product, overflow) = x.multipliedReportingOverflow(by: m)
            return overflow ? nil : product / d
        }
        let unit = Int128(FixedDecimal.unit)
        for (side, price, fee) in prices {
            guard price.raw > 0 else { return nil }
            let p = Int128(price.raw)
            guard let moved = side == .sell ? times(value, p, over: unit) : times(value, unit, over: p),
                  let net = times(moved, unit - Int128(fee.raw), over: unit) else { return nil }
            value = net
        }
        if let fxRate {
            guard fxRate.raw > 0, let converted = times(value, Int128(fxRate.raw), over: unit) else { return nil }
            value = converted
        }
        guard let ppm = times(value - scale, 1_000_000, over: scale) else { return nil }
        return Int64(clamping: ppm)
    }
}

/// The run's tally of the ledger: detected = executed + Σ skipped, by construction.
public struct OpportunityTally: Sendable, Hashable {
    /// Rows recorded.
    public var detected = 0
    /// Rows with decision `executed`.
    public var executed = 0
    /// Other rows, by skip reason code.
    public var skipped: [String: Int] = [:]
    /// Realised minus detected edge of executed opportunities, basis points, one per row
    /// with a realised edge.
    public var realisedMinusDetectedBps: [Int64] = []

    /// An empty tally.
    public init() {}

    mutating func add(_ record: OpportunityRecord) {
        detected += 1
        switch record.decision {
        case .executed:
            executed += 1
            if let realised = record.realisedEdgePpm {
                realisedMinusDetectedBps.append((realised - record.detectedEdgePpm) / 100)
            }
        case .skipped(let skip): skipped[skip.code, default: 0] += 1
        }
    }
}
