import ArbCore

extension OpportunityRecord {
    /// Fills an executed row in from its attempt: each leg's fills against what was
    /// expected, the times to acknowledgement and fill, and the edge the entry fills
    /// achieved (at their average prices, after each leg's taker fee, converted at
    /// `fxRate` when given; nil when a leg filled nothing: repair costs are in the PnL).
    public mutating func complete(with done: LegExecutor.Finished, fxRate: Price? = nil, takerFee: (InstrumentId) -> Ratio) {
        var prices: [(Side, Price, Ratio)] = []
        for k in legs.indices where k < done.filled.count {
            legs[k].filledQuantity = done.filled[k]
            legs[k].acknowledgedAfter = done.acknowledgedAfter[k]
            legs[k].filledAfter = done.filledAfter[k]
            guard done.filled[k].raw > 0 else { continue }
            let average = BookWalk(filled: done.filled[k], notional: done.filledNotional[k]).averagePrice(.down)
            legs[k].filledPrice = average
            prices.append((legs[k].side, average, takerFee(legs[k].instrument)))
        }
        realisedEdgePpm = prices.count == legs.count ? OpportunityRecord.chainEdgePpm(prices: prices, fxRate: fxRate) : nil
    }
}
