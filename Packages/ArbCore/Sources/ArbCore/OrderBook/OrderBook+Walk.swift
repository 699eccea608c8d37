extension OrderBook {
    /// Walks the side a taker of `side` consumes for up to `quantity`, optionally not
    /// beyond `limit` (a buy never pays above it, a sell never gets below it).
    public func walk(taker side: Side, quantity: Quantity, limit: Price? = nil) -> BookWalk {
        var result = BookWalk()
        var remaining = quantity
        let levels = side == .buy ? asks : bids
        var i = levels.count - 1
        while i >= 0 && remaining.raw > 0 {
            let level = levels[i]
            if let limit {
                if side == .buy ? level.price > limit : level.price < limit { break }
            }
            let take = level.quantity < remaining ? level.quantity : remaining
            result.filled += take
            result.notional += Amount.notional(level.price, take, .nearestHalfEven)
            result.worstPrice = level.price
            result.levels += 1
            remaining -= take
            i -= 1
        }
        return result
    }

    /// Walks asks spending at most `budget` of the quote asset (a market buy by quote
    /// amount), buying whole multiples of `lotStep` only.
    public func walkBuying(spending budget: Amount, lotStep: Quantity) -> BookWalk {
        var result = BookWalk()
        var left = budget
        var i = asks.count - 1
        while i >= 0 && left.raw > 0 {
            let level = asks[i]
            let full = Amount.notional(level.price, level.quantity, .up)
            var take = level.quantity
            if full > left {
                // Largest lot multiple affordable at this price.
                let affordable = left.converted(dividingBy: level.price, .down)
                guard let q = affordable.asQuantity else { break }
                take = q.rounded(toMultipleOf: lotStep, .down)
                if take.raw <= 0 { break }
            }
            let cost = Amount.notional(level.price, take, .up)
            result.filled += take
            result.notional += cost
            result.worstPrice = level.price
            result.levels += 1
            left -= cost
            if take < level.quantity { break }
            i -= 1
        }
        return result
    }

    /// Total quantity on the first `levels` levels of a side (saturating at Int64.max).
    public func quantity(_ side: BookSide, levels: Int) -> Quantity {
        var total: Int64 = 0
        let n = Swift.min(levels, depth(side))
        for i in 0..<n {
            let (sum, overflow) = total.addingReportingOverflow(level(side, i).quantity.raw)
            total = overflow ? .max : sum
        }
        return Quantity(raw: total)
    }

    /// Total value (price × quantity) on the first `levels` levels of a side.
    public func notional(_ side: BookSide, levels: Int) -> Amount {
        var total = Amount.zero
        let n = Swift.min(levels, depth(side))
        for i in 0..<n {
            let l = level(side, i)
            total += Amount.notional(l.price, l.quantity, .nearestHalfEven)
        }
        return total
    }
}
