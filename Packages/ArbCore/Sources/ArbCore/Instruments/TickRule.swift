/// How an exchange constrains prices on an instrument.
public enum TickRule: Sendable, Hashable {
    /// One tick everywhere (Binance PRICE_FILTER.tickSize).
    case fixed(Price)
    /// A price-banded table (Upbit's KRW market): the tick depends on the price.
    case banded(TickTable)

    /// The tick that applies at `price`.
    @inlinable public func tick(at price: Price) -> Price {
        switch self {
        case .fixed(let tick): return tick
        case .banded(let table): return table.tick(at: price)
        }
    }

    /// Whether `price` is on the grid.
    @inlinable public func isValid(_ price: Price) -> Bool {
        price.raw > 0 && price.isMultiple(of: tick(at: price))
    }

    /// Rounds `price` onto the grid. `.down` gives the highest valid price not above it,
    /// `.up` the lowest valid price not below it; band edges are handled so the result
    /// is always valid in its own band.
    public func round(_ price: Price, _ rounding: Rounding) -> Price {
        switch self {
        case .fixed(let tick):
            return price.rounded(toMultipleOf: tick, rounding)
        case .banded(let table):
            return table.round(price, rounding)
        }
    }

    /// The next valid price strictly above (`steps` > 0) or below (< 0) a valid price.
    public func step(_ price: Price, by steps: Int) -> Price {
        var p = price
        if steps > 0 {
            for _ in 0..<steps { p = p + tick(at: p) }
        } else if steps < 0 {
            for _ in 0..<(-steps) {
                // The tick below `p` is the one of the band just under it.
                let below = Price(raw: p.raw - 1)
                p = p - tick(at: below)
                if p.raw <= 0 { return Price(raw: tick(at: Price(raw: 1)).raw) }
            }
        }
        return p
    }
}

/// A table of price bands, each with a tick; lower bounds inclusive, upper exclusive
/// (Upbit: "이상 / 미만").
public struct TickTable: Sendable, Hashable {
    /// Bands sorted by ascending lower bound; the first starts at 0.
    public let bands: [Band]

    /// One band of a tick table: from `minPrice` up, prices are multiples of `tick`.
    public struct Band: Sendable, Hashable {
        /// Where the band starts.
        public let minPrice: Price
        /// Its tick.
        public let tick: Price
        /// A band.
        public init(minPrice: Price, tick: Price) { self.minPrice = minPrice; self.tick = tick }
    }

    /// Bands must be non-empty with positive ticks, and each band's lower bound must be a
    /// multiple of its own tick and of the tick below it, as in every published table;
    /// that makes rounding across an edge land on a valid price. `nil` otherwise.
    public init?(bands: [Band]) {
        let sorted = bands.sorted { $0.minPrice < $1.minPrice }
        guard let first = sorted.first, first.minPrice.raw == 0 else { return nil }
        for (i, band) in sorted.enumerated() {
            guard band.tick.raw > 0, band.minPrice.isMultiple(of: band.tick) || band.minPrice.raw == 0 else { return nil }
            if i > 0 && !band.minPrice.isMultiple(of: sorted[i - 1].tick) { return nil }
        }
        self.bands = sorted
    }

    /// The tick of the band `price` falls in.
    @inlinable public func tick(at price: Price) -> Price {
        // At most ~20 bands: a backwards scan beats a binary search for the usual high prices.
        var i = bands.count - 1
        while i > 0 && price < bands[i].minPrice { i -= 1 }
        return bands[i].tick
    }

    func round(_ price: Price, _ rounding: Rounding) -> Price {
        // Down stays in the band (its edge is on its grid); up reaches at most the next
        // band's edge, which is on both grids.
        price.rounded(toMultipleOf: tick(at: price), rounding)
    }
}
