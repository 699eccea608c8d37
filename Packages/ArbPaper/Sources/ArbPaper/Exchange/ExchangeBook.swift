import ArbCore

/// One instrument's book as the exchange itself holds it: the feed's levels less what
/// our orders and modelled competitors took.
///
/// A feed replaying the market without us keeps showing liquidity we took. So what was
/// taken at a price stays subtracted from that level until the feed shows the level at
/// or below what was left (someone else traded or cancelled it: the feed has caught up),
/// until the level goes, or until the replenishment model has restored it.
struct ExchangeBook {
    /// What the exchange shows and matches against.
    var book = OrderBook(reservingLevels: 32)
    /// Levels with liquidity taken that the feed does not know of. Usually empty.
    var taken: [TakenLevel] = []

    struct TakenLevel {
        var side: BookSide
        var price: Price
        /// How much was taken, as of `at`.
        var quantity: Quantity
        /// The level's size right after the last take: a feed showing this or less has caught up.
        var left: Quantity
        /// The feed's latest size for the level (what it would be without us).
        var feedQuantity: Quantity
        var at: Timestamp
    }

    /// What is still taken of `level` at `now` under `model`.
    static func stillTaken(_ level: TakenLevel, at now: Timestamp, model: ReplenishmentModel) -> Quantity {
        switch model {
        case .none: return level.quantity
        case .linear(let span):
            let total = span.nanosecondsInt64
            let elapsed = now.nanoseconds - level.at.nanoseconds
            if elapsed >= total { return .zero }
            if elapsed <= 0 { return level.quantity }
            // Round what is still taken up: the conservative side.
            let left = (Int128(level.quantity.raw) * Int128(total - elapsed) + Int128(total - 1)) / Int128(total)
            return Quantity(raw: Int64(left))
        }
    }

    @inline(__always) func takenIndex(_ side: BookSide, _ price: Price) -> Int? {
        var i = 0
        while i < taken.count {
            if taken[i].side == side && taken[i].price == price { return i }
            i += 1
        }
        return nil
    }

    /// The feed sets a level to `feedQuantity`; returns what the exchange now shows there.
    mutating func applyFeed(_ side: BookSide, price: Price, quantity feedQuantity: Quantity, at now: Timestamp,
                            model: ReplenishmentModel) -> Quantity {
        var shown = feedQuantity
        if !taken.isEmpty, let k = takenIndex(side, price) {
            let still = Self.stillTaken(taken[k], at: now, model: model)
            if feedQuantity <= taken[k].left || still.raw == 0 || feedQuantity.raw <= 0 {
                taken.remove(at: k)
            } else {
                shown = feedQuantity - still
                taken[k].feedQuantity = feedQuantity
                if shown.raw <= 0 { shown = .zero }
            }
        }
        book.apply(side, price: price, quantity: shown)
        return shown
    }

    /// The feed replaces the whole book. Returns the levels as the exchange shows them
    /// (the feed's own arrays when nothing is taken, so no copy on the common path).
    mutating func applyFeed(_ snapshot: BookSnapshot, at now: Timestamp, model: ReplenishmentModel) -> BookSnapshot {
        guard !taken.isEmpty else {
            book.replace(bids: snapshot.bids, asks: snapshot.asks)
            return snapshot
        }
        var shown = snapshot
        var kept: [TakenLevel] = []
        for level in taken {
            let levels = level.side == .bid ? shown.bids : shown.asks
            guard let i = levels.firstIndex(where: { $0.price == level.price }) else { continue }  // the level went
            let feedQuantity = levels[i].quantity
            let still = Self.stillTaken(level, at: now, model: model)
            if feedQuantity <= level.left || still.raw == 0 { continue }
            var updated = level
            updated.feedQuantity = feedQuantity
            kept.append(updated)
            let left = feedQuantity - still
            if level.side == .bid { shown.bids[i].quantity = left.raw > 0 ? left : .zero }
            else { shown.asks[i].quantity = left.raw > 0 ? left : .zero }
        }
        taken = kept
        book.replace(bids: shown.bids, asks: shown.asks)
        return shown
    }

    /// Someone (we, or a competitor) takes `quantity` at a level; it stays taken.
    mutating func take(_ side: BookSide, price: Price, quantity: Quantity, at now: Timestamp, model: ReplenishmentModel) {
        let before = book.quantityAt(side, price: price)
        let take = quantity < before ? quantity : before
        guard take.raw > 0 else { return }
        let left = before - take
        book.apply(side, price: price, quantity: left)
        if let k = takenIndex(side, price) {
            taken[k].quantity = Self.stillTaken(taken[k], at: now, model: model) + take
            taken[k].left = left
            taken[k].at = now
        } else {
            taken.append(TakenLevel(side: side, price: price, quantity: take, left: left, feedQuantity: before, at: now))
        }
    }

    /// Under a refill model, brings every level with taken liquidity up to date at `now`;
    /// returns the levels whose shown size changed.
    mutating func refill(at now: Timestamp, model: ReplenishmentModel, changed: inout [(BookSide, Price)]) {
        guard case .linear = model, !taken.isEmpty else { return }
        var i = 0
        while i < taken.count {
            let level = taken[i]
            let still = Self.stillTaken(level, at: now, model: model)
            let shown = still < level.feedQuantity ? level.feedQuantity - still : .zero
            if shown != book.quantityAt(level.side, price: level.price) {
                book.apply(level.side, price: level.price, quantity: shown)
                changed.append((level.side, level.price))
            }
            if still.raw == 0 { taken.remove(at: i) } else { i += 1 }
        }
    }

    /// A gap or resync: the exchange's book is whatever the next snapshot says.
    mutating func clear() {
        book.clear()
        taken.removeAll(keepingCapacity: true)
    }
}
