/// A signed position in one base asset with average-cost accounting, valued in the
/// run's reporting currency at the time of each fill. Used per route and per venue.
public struct PositionLedger: Sendable, Hashable {
    /// Signed base quantity: positive long, negative short. An `Amount` (128 bits): what
    /// a ledger accumulates over a long run can pass Int64 at 1e-9 (10^10 SHIB).
    public private(set) var quantity: Amount = .zero
    /// Signed cost of the open position in the reporting currency (same sign as `quantity`).
    public private(set) var cost: Amount = .zero
    /// Realised PnL in the reporting currency, net of fees.
    public private(set) var realised: Amount = .zero
    /// Fees paid, in the reporting currency.
    public private(set) var fees: Amount = .zero
    public private(set) var bought: Amount = .zero
    public private(set) var sold: Amount = .zero
    public private(set) var fills: Int = 0

    public init() {}

    /// Books a fill of `qty` base units worth `value` (reporting currency, positive),
    /// paying `fee` (reporting currency).
    public mutating func apply(side: Side, quantity qty: Quantity, value: Amount, fee: Amount) {
        guard qty.raw > 0 else { return }
        fills += 1
        fees += fee
        realised -= fee
        if side == .buy { bought += qty.asAmount } else { sold += qty.asAmount }
        let sign: Int128 = side == .buy ? 1 : -1
        let signedValue = side == .buy ? value : -value
        let opening = quantity.raw == 0 || (quantity.raw > 0) == (side == .buy)
        if opening {
            quantity.raw += sign * Int128(qty.raw)
            cost += signedValue
            return
        }
        let open = quantity.raw.magnitude
        let close = Int128(Swift.min(UInt128(qty.raw), open))
        let closedCost = Amount(raw: FixedDecimal.divide(cost.raw * close, by: Int128(open), rounding: .nearestHalfEven))
        let closedValue = Amount(raw: FixedDecimal.divide(value.raw * close, by: Int128(qty.raw), rounding: .nearestHalfEven))
        // Long closed by a sell: proceeds − cost. Short closed by a buy: (−cost) − price paid.
        realised += quantity.raw > 0 ? closedValue - closedCost : (-closedCost) - closedValue
        quantity.raw += sign * close
        cost -= closedCost
        let rest = Int128(qty.raw) - close
        if rest > 0 {
            quantity.raw += sign * rest
            cost += side == .buy ? value - closedValue : -(value - closedValue)
        }
    }
}
