import ArbCore

/// The exchanges of a simulated run and the network between them and the client.
///
/// Every market event reaches it at exchange time. Each instrument's book here is the
/// exchange's own (`ExchangeBook`): the feed's levels less what our orders and modelled
/// competitors took. What the exchange then publishes goes onto the venue's feed link
/// and reaches the kernel a feed latency later, so the strategy sees the market as a
/// client would: late, and without the liquidity it already took. Orders reach a venue
/// after its outbound latency and match here, against the exchange's book, in event
/// order with the market.
public final class SimulatedExchange: MarketSimulation {
    public let universe: Universe
    public let replenishment: ReplenishmentModel
    /// The paper venues by venue id. They own the exchange, so it refers to them without
    /// owning (`unowned(unsafe)`: read on every event with resting orders, no refcount).
    var venues: [VenueSlot]
    struct VenueSlot {
        unowned(unsafe) var venue: (any SimulatedVenue)?
    }
    var competition: Competition?
    /// Each instrument's venue index, read on every event (an `Instrument` copy costs
    /// reference counting on its strings).
    let venueOfInstrument: [Int]

    /// Everything touched on every event, in one heap block reached through a pointer:
    /// read and written in place with no runtime exclusivity check (as stored properties
    /// of this class those checks were a fifth of an event). Only the kernel's thread
    /// touches it.
    struct State {
        var books: [ExchangeBook]
        var feeds: [FeedLink]
        /// Whether a venue has orders resting on an instrument (read on every event).
        var hasResting: [Bool]
        var actions = TimedQueue<ExchangeAction>()
        var now: Timestamp = .zero
        var statistics = ExchangeStatistics()
        var changedLevels: [(BookSide, Price)] = []
        /// Exchange time of the last competitor take per instrument (for "arrived too late").
        var lastCompetitorTake: [Timestamp]
        /// What is due next and when: a feed's index, or -1 for the exchange's own queue.
        /// Kept up to date on every push, schedule and pop, so asking costs nothing.
        var nextDue: Timestamp = .distantFuture
        var nextSource = -1
        /// A competitor take already scheduled for (pair, direction).
        var competitorPending: [Bool] = []
    }
    let state: UnsafeMutablePointer<State>

    var books: [ExchangeBook] { _read { yield state.pointee.books } _modify { yield &state.pointee.books } }
    var feeds: [FeedLink] { _read { yield state.pointee.feeds } _modify { yield &state.pointee.feeds } }
    var hasResting: [Bool] { _read { yield state.pointee.hasResting } _modify { yield &state.pointee.hasResting } }
    var lastCompetitorTake: [Timestamp] { _read { yield state.pointee.lastCompetitorTake } _modify { yield &state.pointee.lastCompetitorTake } }
    private var changedLevels: [(BookSide, Price)] { _read { yield state.pointee.changedLevels } _modify { yield &state.pointee.changedLevels } }
    /// Exchange time of the latest thing that happened here.
    public internal(set) var now: Timestamp { _read { yield state.pointee.now } _modify { yield &state.pointee.now } }
    public internal(set) var statistics: ExchangeStatistics {
        _read { yield state.pointee.statistics } _modify { yield &state.pointee.statistics }
    }

    enum ExchangeAction {
        case arrival(VenueId, ExecutionRequest)
        case competitor(pair: Int, direction: Int)
    }

    /// - Parameters:
    ///   - feedLatency: each venue's feed latency, in venue-id order.
    ///   - feedCapacity: messages in flight per venue before one is dropped (and counted).
    ///   - competition: other takers, or nil for none (unit tests).
    ///   - seed: seeds every latency and competitor draw.
    public init(universe: Universe, feedLatency: [LatencyModel], replenishment: ReplenishmentModel = .none,
                competition: CompetitionModel? = nil, seed: UInt64 = 1, feedCapacity: Int = 1 << 22) {
        precondition(feedLatency.count == universe.venueCount, "one feed latency per venue")
        self.universe = universe
        self.replenishment = replenishment
        state = .allocate(capacity: 1)
        state.initialize(to: State(
            books: Array(repeating: ExchangeBook(), count: universe.instruments.count),
            feeds: feedLatency.enumerated().map { v, model in
                FeedLink(latency: LatencySampler(model, seed: SeedMixer.mix(seed, stream: 0xFEED, index: v)), capacity: feedCapacity)
            },
            hasResting: Array(repeating: false, count: universe.instruments.count),
            lastCompetitorTake: Array(repeating: .zero, count: universe.instruments.count)))
        venues = Array(repeating: VenueSlot(venue: nil), count: universe.venueCount)
        venueOfInstrument = universe.instruments.map(\.venue.index)
        if let competition {
            let model = Competition(model: competition, universe: universe, seed: SeedMixer.mix(seed, stream: 0xC0, index: 0))
            self.competition = model
            state.pointee.competitorPending = Array(repeating: false, count: model.pairs.count * 2)
        }
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// A paper venue joins the exchange for its venue id.
    func attach(_ venue: any SimulatedVenue, as id: VenueId) {
        precondition(venues[id.index].venue == nil, "one paper venue per venue id")
        venues[id.index].venue = venue
    }

    /// The exchange's own book for an instrument (what it matches against).
    public func exchangeBook(_ id: InstrumentId) -> OrderBook { books[id.index].book }

    /// Messages dropped because a venue's feed link was full.
    public var feedMessagesDropped: Int { feeds.reduce(0) { $0 + $1.dropped } }

    func schedule(_ action: ExchangeAction, at time: Timestamp) {
        let t = time < now ? now : time
        state.pointee.actions.schedule(action, at: t)
        // The exchange's own actions go first on ties.
        if t <= state.pointee.nextDue { state.pointee.nextDue = t; state.pointee.nextSource = -1 }
    }

    /// Queues a feed message for the client and keeps the next-due mark.
    @inline(__always)
    func publish(_ event: consuming MarketEvent, venue v: Int, deliverAt t: Timestamp) {
        state.pointee.feeds[v].push(event, deliverAt: t)
        let s = state.pointee.nextSource
        if t < state.pointee.nextDue || (t == state.pointee.nextDue && s > v) {
            state.pointee.nextDue = t
            state.pointee.nextSource = v
        }
    }

    /// Recomputes the next-due mark after something was taken off a queue.
    func refreshNextDue() {
        var best = state.pointee.actions.nextTime ?? .distantFuture
        var source = -1
        let count = state.pointee.feeds.count
        var v = 0
        while v < count {
            if let t = state.pointee.feeds[v].nextTime, t < best { best = t; source = v }
            v += 1
        }
        state.pointee.nextDue = best
        state.pointee.nextSource = source
    }

    // MARK: MarketSimulation

    public var nextDueTime: Timestamp? {
        let t = state.pointee.nextDue
        return t == .distantFuture ? nil : t
    }

    public func performNext() -> MarketEvent? {
        // Exchange actions first on ties, then feeds in venue order: the same every run.
        let source = state.pointee.nextSource
        if source >= 0 {
            let event = state.pointee.feeds[source].pop()
            refreshNextDue()
            return event
        }
        guard let (time, action) = state.pointee.actions.popNext() else { return nil }
        refreshNextDue()
        if time > now { now = time }
        switch action {
        case .arrival(let venue, let request):
            venues[venue.index].venue?.arrive(request, at: now)
        case .competitor(let pair, let direction):
            competitorActs(pair: pair, direction: direction)
        }
        return nil
    }

    public func exchangeReceives(_ event: consuming MarketEvent, at time: Timestamp) {
        if time > now { now = time }
        let id = event.instrument
        guard id.index >= 0 && id.index < venueOfInstrument.count else { statistics.unknownInstrumentEvents += 1; return }
        let v = venueOfInstrument[id.index]
        refillIfNeeded(id)
        let deliverAt = feeds[v].deliveryTime(publishedAt: now)
        let resting = hasResting[id.index]
        var touchMayHaveMoved = true
        switch consume event {
        case .bookDelta(var d):
            let before = resting ? books[id.index].book.quantityAt(d.side, price: d.price) : .zero
            d.quantity = books[id.index].applyFeed(d.side, price: d.price, quantity: d.quantity, at: now, model: replenishment)
            d.receivedAt = deliverAt
            publish(.bookDelta(d), venue: v, deliverAt: deliverAt)
            // A level behind the touch changes no dislocation.
            let best = d.side == .bid ? state.pointee.books[id.index].book.bestBid : state.pointee.books[id.index].book.bestAsk
            if let best {
                touchMayHaveMoved = d.side == .bid ? d.price >= best.price : d.price <= best.price
            }
            if resting, let venue = venues[v].venue {
                venue.levelChanged(id, side: d.side, price: d.price, from: before, to: d.quantity, at: now)
                if d.endOfMessage { venue.bookMoved(id, at: now) }
            }
        case .bookSnapshot(let s):
            var levelsBefore: [(BookSide, Price, Quantity)] = []
            if resting, let venue = venues[v].venue {
                for (side, price) in venue.restingPrices(id) {
                    levelsBefore.append((side, price, books[id.index].book.quantityAt(side, price: price)))
                }
            }
            var shown = books[id.index].applyFeed(s, at: now, model: replenishment)
            shown.receivedAt = deliverAt
            publish(.bookSnapshot(shown), venue: v, deliverAt: deliverAt)
            if resting, let venue = venues[v].venue {
                for (side, price, before) in levelsBefore {
                    venue.levelChanged(id, side: side, price: price, from: before, to: books[id.index].book.quantityAt(side, price: price), at: now)
                }
                venue.bookMoved(id, at: now)
            }
        case .trade(var t):
            touchMayHaveMoved = false
            t.receivedAt = deliverAt
            publish(.trade(t), venue: v, deliverAt: deliverAt)
            if resting, let venue = venues[v].venue {
                venue.tradePrinted(id, price: t.price, quantity: t.quantity, takerSide: t.takerSide, at: now)
            }
        case .status(var s):
            if s.kind != .reconnect { books[id.index].clear() }
            s.receivedAt = deliverAt
            publish(.status(s), venue: v, deliverAt: deliverAt)
        }
        if touchMayHaveMoved && competition != nil { lookForDislocations(after: id) }
    }

    // MARK: taking liquidity

    /// Our order or a competitor takes `quantity` at a level of the exchange's book; the
    /// exchange publishes the level's new size.
    func take(_ id: InstrumentId, _ side: BookSide, price: Price, quantity: Quantity) {
        books[id.index].take(side, price: price, quantity: quantity, at: now, model: replenishment)
        publishLevel(id, side, price)
    }

    /// Publishes one level as the exchange now shows it, as one feed message.
    func publishLevel(_ id: InstrumentId, _ side: BookSide, _ price: Price) {
        let v = venueOfInstrument[id.index]
        let deliverAt = feeds[v].deliveryTime(publishedAt: now)
        let book = books[id.index].book
        publish(.bookDelta(BookDelta(instrument: id, side: side, price: price, quantity: book.quantityAt(side, price: price),
                                     exchangeTime: now, receivedAt: deliverAt, sequence: book.sequence, endOfMessage: true)),
                venue: v, deliverAt: deliverAt)
    }

    /// Under a refill model, brings taken levels up to date and publishes the ones that grew.
    func refillIfNeeded(_ id: InstrumentId) {
        guard case .linear = replenishment, !books[id.index].taken.isEmpty else { return }
        changedLevels.removeAll(keepingCapacity: true)
        books[id.index].refill(at: now, model: replenishment, changed: &changedLevels)
        for (side, price) in changedLevels { publishLevel(id, side, price) }
    }

    /// Matching reads the exchange's book brought up to date (refills) at `now`.
    func bookForMatching(_ id: InstrumentId) -> OrderBook {
        refillIfNeeded(id)
        return books[id.index].book
    }
}

/// What the simulated exchange counted.
public struct ExchangeStatistics: Sendable, Hashable {
    /// Taker orders (IOC, FOK, market) that found less within their limit than they asked for on arrival.
    public var ordersShortOnArrival = 0
    /// Of those, orders that a competitor had beaten to the liquidity since they were sent.
    public var ordersBeatenByCompetitor = 0
    public var competitorTakes = 0
    public var unknownInstrumentEvents = 0
    public init() {}
}

/// What a paper venue does at the simulated exchange (called at exchange time).
protocol SimulatedVenue: AnyObject {
    func arrive(_ request: ExecutionRequest, at now: Timestamp)
    /// A level on the side of resting orders changed size (queue positions move).
    func levelChanged(_ id: InstrumentId, side: BookSide, price: Price, from before: Quantity, to after: Quantity, at now: Timestamp)
    /// A trade printed; resting orders at or behind its price may fill.
    func tradePrinted(_ id: InstrumentId, price: Price, quantity: Quantity, takerSide: Side, at now: Timestamp)
    /// The book's message is complete: resting orders the other side now crosses fill.
    func bookMoved(_ id: InstrumentId, at now: Timestamp)
    /// Sides and prices of the orders resting on an instrument.
    func restingPrices(_ id: InstrumentId) -> [(BookSide, Price)]
}

/// Derives independent seeds for each random stream of a run from the run's seed.
public enum SeedMixer {
    public static func mix(_ seed: UInt64, stream: UInt64, index: Int) -> UInt64 {
        var g = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        return g.next()
    }
}

