import ArbCore

/// Every route a universe allows, from the enabled venues' instruments, in a
/// deterministic order (cross, then cross_fx, then triangular; each by id).
public enum RouteEnumerator {
    /// - Parameter fxInstruments: the books that price one quote currency in another
    ///   (`KRW-USDT` on Upbit); a `cross_fx` route needs one linking its two quotes.
    public static func routes(in universe: Universe, fxInstruments: [InstrumentId] = []) -> [Route] {
        let fx = Set(fxInstruments)
        let tradable = universe.instruments.filter { !fx.contains($0.id) }
        var routes = cross(tradable, universe) + crossFX(tradable, fx: fxInstruments.map { universe[$0] }, universe)
        routes += triangular(universe.instruments, universe)
        let order: [RouteKind: Int] = [.cross: 0, .crossFX: 1, .triangular: 2]
        return routes.sorted { (order[$0.kind]!, $0.id) < (order[$1.kind]!, $1.id) }
    }

    /// Buy on one venue, sell on another, one base in one quote: both directions.
    static func cross(_ instruments: [Instrument], _ u: Universe) -> [Route] {
        var routes: [Route] = []
        let groups = Dictionary(grouping: instruments) { [$0.base.index, $0.quote.index] }
        for list in groups.values where list.count > 1 {
            for buy in list {
                for sell in list where sell.venue != buy.venue {
                    routes.append(Route(id: "cross:\(buy.baseCode)/\(buy.quoteCode):\(u.venueName(buy.venue))>\(u.venueName(sell.venue))", kind: .cross,
                                        legs: [RouteLeg(venue: buy.venue, instrument: buy.id, side: .buy),
                                               RouteLeg(venue: sell.venue, instrument: sell.id, side: .sell)]))
                }
            }
        }
        return routes
    }

    /// One base in two quotes on two venues, joined by an FX book: both directions, with
    /// the leg that converts the sale's quote back into the purchase's.
    static func crossFX(_ instruments: [Instrument], fx: [Instrument], _ u: Universe) -> [Route] {
        var routes: [Route] = []
        let byBase = Dictionary(grouping: instruments, by: \.base.index)
        for list in byBase.values {
            for buy in list {
                for sell in list where sell.venue != buy.venue && sell.quote != buy.quote {
                    // Proceeds arrive in the sale's quote; convert them into the purchase's.
                    guard let book = fx.first(where: { Set([$0.base, $0.quote]) == Set([buy.quote, sell.quote]) }) else { continue }
                    let side: Side = book.base == sell.quote ? .sell : .buy
                    routes.append(Route(id: "cross_fx:\(buy.baseCode):\(u.venueName(buy.venue))(\(buy.quoteCode))>\(u.venueName(sell.venue))(\(sell.quoteCode))",
                                        kind: .crossFX,
                                        legs: [RouteLeg(venue: buy.venue, instrument: buy.id, side: .buy),
                                               RouteLeg(venue: sell.venue, instrument: sell.id, side: .sell)],
                                        conversion: RouteLeg(venue: book.venue, instrument: book.id, side: side)))
                }
            }
        }
        return routes
    }

    /// Three instruments on one venue whose assets form a cycle: from each asset that
    /// some leg of it quotes in (what one holds to start), both ways round.
    static func triangular(_ instruments: [Instrument], _ u: Universe) -> [Route] {
        var routes: [Route] = []
        for (venue, list) in Dictionary(grouping: instruments, by: \.venue.index) {
            // The instrument joining each pair of assets on this venue.
            var edge: [[Int]: Instrument] = [:]
            var neighbours: [Int: Set<Int>] = [:]
            for i in list {
                let key = [min(i.base.index, i.quote.index), max(i.base.index, i.quote.index)]
                if edge[key] == nil { edge[key] = i }
                neighbours[i.base.index, default: []].insert(i.quote.index)
                neighbours[i.quote.index, default: []].insert(i.base.index)
            }
            func link(_ a: Int, _ b: Int) -> Instrument? { edge[[min(a, b), max(a, b)]] }
            for a in neighbours.keys.sorted() {
                for b in neighbours[a]!.sorted() where b > a {
                    for c in neighbours[b]!.sorted() where c > b && neighbours[a]!.contains(c) {
                        let triangle = [a, b, c]
                        for start in triangle {
                            let others = triangle.filter { $0 != start }
                            // Start only from an asset one of its two legs is quoted in.
                            guard link(start, others[0])!.quote.index == start || link(start, others[1])!.quote.index == start else { continue }
                            for path in [[start, others[0], others[1], start], [start, others[1], others[0], start]] {
                                var legs: [RouteLeg] = []
                                for step in 0..<3 {
                                    let instrument = link(path[step], path[step + 1])!
                                    // Holding path[step]: buy the base with it, or sell it as the base.
                                    let side: Side = instrument.quote.index == path[step] ? .buy : .sell
                                    legs.append(RouteLeg(venue: VenueId(venue), instrument: instrument.id, side: side))
                                }
                                let assets = path.map { u.assetCode(AssetId($0)) }.joined(separator: ">")
                                routes.append(Route(id: "triangular:\(u.venueName(VenueId(venue))):\(assets)", kind: .triangular, legs: legs))
                            }
                        }
                    }
                }
            }
        }
        return routes
    }
}
