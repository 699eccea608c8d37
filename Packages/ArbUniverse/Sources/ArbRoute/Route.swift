import ArbCore

/// The shape of a route.
public enum RouteKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Two legs on two venues in one quote currency: buy on one, sell on the other.
    case cross
    /// Two legs in different quote currencies (Upbit KRW against Binance USDT), valued
    /// through an FX book; an optional third leg converts the proceeds on that book.
    case crossFX = "cross_fx"
    /// Three legs on one venue that start and end in the same asset
    /// (USDT → BTC → ETH → USDT on Binance).
    case triangular
}

/// One order of a route: on which venue, which instrument, which side.
public struct RouteLeg: Sendable, Hashable {
    public var venue: VenueId
    public var instrument: InstrumentId
    public var side: Side
    public init(venue: VenueId, instrument: InstrumentId, side: Side) { self.venue = venue; self.instrument = instrument; self.side = side }
}

/// A way to trade a price difference, as a value: its legs in order, and for `cross_fx`
/// the optional conversion leg. Routes are enumerated from a universe (`RouteEnumerator`)
/// in a deterministic order, and their ids are stable across runs of the same universe.
public struct Route: Sendable, Hashable, Identifiable {
    /// `cross:BTC:upbit>bithumb`, `cross_fx:BTC:binance>upbit`, `triangular:binance:USDT>BTC>ETH>USDT`.
    public var id: String
    public var kind: RouteKind
    /// In execution order.
    public var legs: [RouteLeg]
    /// `cross_fx` only: converting the proceeds back on the FX book.
    public var conversion: RouteLeg?

    public init(id: String, kind: RouteKind, legs: [RouteLeg], conversion: RouteLeg? = nil) {
        self.id = id; self.kind = kind; self.legs = legs; self.conversion = conversion
    }

    /// Every instrument the route reads: its legs', the conversion's, and for `cross_fx`
    /// the FX book that values it.
    public func instruments(fx: InstrumentId? = nil) -> [InstrumentId] {
        var ids = legs.map(\.instrument)
        if let conversion { ids.append(conversion.instrument) }
        if let fx, !ids.contains(fx) { ids.append(fx) }
        return ids
    }

    /// Why this route cannot work in `universe`, or nil: each leg on its venue's
    /// instrument; a cross route buying and selling one base in one quote on two venues;
    /// a triangular route whose legs chain each asset into the next and close the cycle.
    public func problem(in universe: Universe) -> String? {
        for leg in legs + (conversion.map { [$0] } ?? []) {
            guard leg.instrument.index >= 0 && leg.instrument.index < universe.instruments.count else { return "leg on unknown instrument \(leg.instrument.index)" }
            guard universe[leg.instrument].venue == leg.venue else { return "leg on \(universe[leg.instrument].symbol) names another venue than the instrument's" }
        }
        switch kind {
        case .cross, .crossFX:
            guard legs.count == 2 else { return "a \(kind.rawValue) route has two legs, not \(legs.count)" }
            let a = universe[legs[0].instrument], b = universe[legs[1].instrument]
            guard a.venue != b.venue else { return "a \(kind.rawValue) route trades on two venues" }
            guard a.base == b.base, legs[0].side != legs[1].side else { return "a \(kind.rawValue) route buys and sells the same base" }
            if kind == .cross && a.quote != b.quote { return "a cross route trades one quote currency; \(a.quoteCode) and \(b.quoteCode) differ (cross_fx)" }
            if kind == .crossFX && a.quote == b.quote { return "a cross_fx route trades two quote currencies" }
        case .triangular:
            guard legs.count == 3 else { return "a triangular route has three legs, not \(legs.count)" }
            guard Set(legs.map(\.venue)).count == 1 else { return "a triangular route trades on one venue" }
            // Follow what is held: each leg spends what the last one gave.
            let first = universe[legs[0].instrument]
            let start = legs[0].side == .buy ? first.quote : first.base
            var held = start
            for leg in legs {
                let instrument = universe[leg.instrument]
                let spends = leg.side == .buy ? instrument.quote : instrument.base
                guard spends == held else {
                    return "the legs do not chain: \(instrument.symbol) \(leg.side) spends \(universe.assetCode(spends)), but the route holds \(universe.assetCode(held))"
                }
                held = leg.side == .buy ? instrument.base : instrument.quote
            }
            guard held == start else { return "the legs do not close the cycle: they end in \(universe.assetCode(held)), not \(universe.assetCode(start))" }
        }
        return nil
    }
}
