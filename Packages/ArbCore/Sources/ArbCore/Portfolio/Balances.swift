/// One account's balances on one venue: available and locked per asset.
///
/// The same arithmetic serves the kernel's view of an account and the paper venue's
/// own books, so the two can only disagree if events are lost.
public struct Balances: Sendable, Hashable {
    public private(set) var available: [Amount]
    public private(set) var locked: [Amount]

    public init(assetCount: Int) {
        available = Array(repeating: .zero, count: assetCount)
        locked = Array(repeating: .zero, count: assetCount)
    }

    @inlinable public func total(_ asset: AssetId) -> Amount { available[asset.index] + locked[asset.index] }

    public mutating func deposit(_ asset: AssetId, _ amount: Amount) {
        available[asset.index] += amount
    }

    /// Takes `amount` out of what is available; false (and no change) if not enough.
    @discardableResult
    public mutating func withdraw(_ asset: AssetId, _ amount: Amount) -> Bool {
        guard amount.raw >= 0, available[asset.index] >= amount else { return false }
        available[asset.index] -= amount
        return true
    }

    /// Moves `amount` from available to locked; false (and no change) if not enough.
    @discardableResult
    public mutating func lock(_ asset: AssetId, _ amount: Amount) -> Bool {
        guard amount <= available[asset.index] else { return false }
        available[asset.index] -= amount
        locked[asset.index] += amount
        return true
    }

    /// Returns what is still locked for an order to available.
    public mutating func release(_ asset: AssetId, _ amount: Amount) {
        locked[asset.index] -= amount
        available[asset.index] += amount
    }

    /// Applies a fill of an order whose lock is `remainingLock` (of `lockAsset`):
    /// the given asset leaves the lock, the received asset (net of fee) is credited.
    /// A fee in a third asset (e.g. BNB) comes from available.
    public mutating func settleFill(side: Side, instrument: Instrument, quantity: Quantity, notional: Amount,
                                    fee: Amount, feeAsset: AssetId, remainingLock: inout Amount) {
        let given = side == .buy ? instrument.quote : instrument.base
        let received = side == .buy ? instrument.base : instrument.quote
        var spend = side == .buy ? notional : quantity.asAmount
        var credit = side == .buy ? quantity.asAmount : notional
        if feeAsset == given { spend += fee }
        else if feeAsset == received { credit -= fee }
        else { available[feeAsset.index] -= fee }
        // A limit buy that fills better than its limit spends less than it locked: the rest
        // stays locked until the order ends. Never take more from the lock than it holds.
        let fromLock = spend <= remainingLock ? spend : remainingLock
        locked[given.index] -= fromLock
        remainingLock -= fromLock
        if spend > fromLock { available[given.index] -= (spend - fromLock) }
        available[received.index] += credit
    }
}

/// What an order must lock before it is sent, in which asset.
public struct OrderLock: Sendable, Hashable {
    public var asset: AssetId
    public var amount: Amount
    public init(asset: AssetId, amount: Amount) { self.asset = asset; self.amount = amount }

    /// The lock a venue takes for `intent`: the base quantity for a sell; for a buy the
    /// quote cost at the limit price (or the quote budget, or the book-walk cost of a market
    /// buy by quantity), plus the taker fee when fees are charged in the quote asset.
    public static func required(for intent: OrderIntent, instrument: Instrument, fees: FeeSchedule, book: OrderBook) -> OrderLock {
        if intent.side == .sell {
            return OrderLock(asset: instrument.base, amount: intent.quantity.asAmount)
        }
        var cost: Amount
        if intent.type == .limit {
            cost = Amount.notional(intent.price, intent.quantity, .up)
        } else if intent.isQuoteSized {
            cost = intent.quoteAmount
        } else {
            let walk = book.walk(taker: .buy, quantity: intent.quantity)
            // Unfillable remainder priced at the worst visible level; the venue expires it anyway.
            let rest = intent.quantity - walk.filled
            cost = walk.notional + Amount.notional(walk.worstPrice, rest, .up)
        }
        if fees.asset == .quote {
            cost += cost.scaled(by: fees.taker, .up).rounded(toMultipleOf: fees.roundingStep, .up)
        }
        return OrderLock(asset: instrument.quote, amount: cost)
    }
}
