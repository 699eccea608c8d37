import ArbCore
import ArbFeedNIO
import ArbRateLimit
import Foundation

/// The end-of-run summary. Everything outside `wall` depends only on the manifest and
/// seed: two runs of the same manifest give identical values there.
public struct RunSummary: Codable, Sendable {
    public struct RunInfo: Codable, Sendable {
        public var name: String
        public var manifest: String
        public var mode: String
        public var clock: String
        public var seed: UInt64
        public var maxRuntime: String
        public var startEventTimeNs: Int64
        public var endEventTimeNs: Int64
        /// `max_runtime`, `signal` or `source_exhausted`.
        public var stoppedBy: String
        public var folder: String
    }
    public struct Events: Codable, Sendable {
        public var marketEvents: Int
        public var bookUpdates: Int
        public var trades: Int
        public var strategyWakeups: Int
        public var unknownInstrumentEvents: Int
    }
    public struct Orders: Codable, Sendable {
        public var sent: Int
        public var filled: Int
        public var fills: Int
        public var venueRejections: Int
        public var preTradeRejections: Int
        public var cancelRequests: Int
        public var expirations: Int
        public var openAtEnd: Int
        public var rejectionsByCode: [String: Int]
    }
    public struct RoutePnL: Codable, Sendable {
        public var route: String
        public var fills: Int
        public var bought: String
        public var sold: String
        /// Realised PnL net of fees, in the reporting currency (fills valued at fill-time FX).
        public var realised: String
        public var fees: String
        /// Net flow per asset (quote currencies and base): the PnL in the route's own currencies.
        public var flows: [String: String]
        /// Base left unhedged on this route.
        public var openQuantity: String
    }
    /// The run's PnL, reconciled: `total == equity_end - equity_start` and
    /// `total == realised_total + unrealised + fx_translation`, exactly (see PnLStatement).
    public struct PnL: Codable, Sendable {
        public var reportingCurrency: String
        /// Starting balances at the start marks.
        public var equityStart: String
        /// Ending balances at the end marks.
        public var equityEnd: String
        /// Closed trades at average cost, net of fees, each fill valued at its own time.
        public var realisedTotal: String
        /// Open inventory at the end marks against its cost (fills, or the start marks).
        public var unrealised: String
        /// The quote currencies' move (e.g. KRW against USDT) on what is held and traded in them.
        public var fxTranslation: String
        /// Fees of transfers between venues (rebalancing), valued when each was sent:
        /// total = realised + unrealised + FX translation − transfer costs.
        public var transferCosts: String?
        public var total: String
        public var feesTotal: String
        public var routes: [RoutePnL]
        /// Fills that could not be valued (no price for an asset yet).
        public var unvaluedFills: Int
        /// Assets left out of the equity lines for want of a price.
        public var unvaluedAssets: [String]
    }
    /// One instrument's position on its venue (average cost, reporting currency).
    public struct Position: Codable, Sendable {
        public var fills: Int
        /// Net base bought less sold, less fees paid in the base coin.
        public var quantity: String
        /// Fees paid in the base coin (included in `quantity`).
        public var coinFees: String
        public var realised: String
        public var fees: String
    }
    public struct Balance: Codable, Sendable {
        public var start: String
        public var end: String
        public var available: String
        public var locked: String
        public var change: String
        /// The lowest total balance during the run.
        public var lowest: String
        /// A floor a strategy keeps this balance at, if any, and the time spent at or below it.
        public var floor: String?
        public var secondsAtOrBelowFloor: Double?
    }
    public struct Exposure: Codable, Sendable {
        public var strategy: String
        public var venue: String
        public var asset: String
        public var quantity: String
    }
    public struct StrategyInfo: Codable, Sendable {
        public var name: String
        public var plugin: String
        public var counters: [String: StrategyCounter]
        public var notes: [String]
    }
    /// One exchange's rate limits: what the client limiter did and what the venue answered.
    public struct Simulation: Codable, Sendable {
        /// Our taker orders (IOC, FOK, market) that found less within their limit than they asked for.
        public var ordersShortOnArrival: Int
        /// Of those, the ones a modelled competitor had beaten to the liquidity since they were sent.
        public var ordersBeatenByCompetitor: Int
        public var competitorTakes: Int
        /// Feed messages dropped because a venue's feed link was full (the client's book was then wrong until the next snapshot).
        public var feedMessagesDropped: Int
        public var replenishment: String
        public var competition: String
        /// Per venue: order outbound, order inbound and feed latency models.
        public var latencies: [String: [String: String]]
    }

    public struct RateLimitInfo: Codable, Sendable {
        public var exchange: String
        public var client: RateLimitReport?
        public var venueRequests: Int
        public var venueTooManyRequests: Int
        public var venueBans: Int
    }
    /// A replay run: what came from the recordings.
    public struct Replay: Codable, Sendable {
        public var files: [String]
        public var replayed: Int
        /// Events for instruments this run does not trade.
        public var skipped: Int
        /// Recovered or damaged files.
        public var problems: [String]
    }
    public struct JournalInfo: Codable, Sendable {
        public var file: String
        public var sinks: [SinkReport]
    }
    public struct Latency: Codable, Sendable {
        public var count: Int
        public var avgNs: Int
        public var p50Ns: Int
        public var p99Ns: Int
        public var maxNs: Int
    }
    /// Wall-clock facts: these differ from run to run.
    public struct Wall: Codable, Sendable {
        public var startedAt: String
        public var durationSeconds: Double
        public var eventsPerSecond: Double
        public var loopLatency: Latency
        /// A live run: from a message's receive stamp to the kernel taking it, per message.
        public var receiveToKernel: Latency?
        public var rssBytes: Int
        public var journalBackpressureWaits: Int
    }

    /// The opportunity ledger's tally: detected == executed + Σ skipped.
    public struct OpportunityLedger: Codable, Sendable {
        public var detected: Int
        public var executed: Int
        /// Reason code → count.
        public var skipped: [String: Int]
        /// Realised minus detected edge of executed opportunities with fills, in bps.
        public var realisedMinusDetectedBps: Distribution

        public struct Distribution: Codable, Sendable {
            public var count: Int
            public var mean: Double
            public var min: Int64
            public var p10: Int64
            public var p50: Int64
            public var p90: Int64
            public var max: Int64

            init(_ values: [Int64]) {
                let sorted = values.sorted()
                func at(_ q: Double) -> Int64 { sorted.isEmpty ? 0 : sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count - 1) * q + 0.5))] }
                count = sorted.count
                mean = sorted.isEmpty ? 0 : Double(sorted.reduce(Int128(0)) { $0 + Int128($1) }) / Double(sorted.count)
                min = sorted.first ?? 0; max = sorted.last ?? 0
                p10 = at(0.1); p50 = at(0.5); p90 = at(0.9)
            }
        }

        init(_ tally: OpportunityTally) {
            detected = tally.detected; executed = tally.executed; skipped = tally.skipped
            realisedMinusDetectedBps = Distribution(tally.realisedMinusDetectedBps)
        }
    }

    /// The universe rule: which symbols strategies could trade at the end, and how often it changed.
    public struct UniverseInfo: Codable, Sendable {
        public var mode: String
        public var selected: [String]
        public var changes: Int
    }

    public var run: RunInfo
    public var events: Events
    public var universe: UniverseInfo
    public var opportunities: Int
    public var opportunityLedger: OpportunityLedger
    public var orders: Orders
    public var pnl: PnL
    public var feesPaid: [String: [String: String]]
    /// venue → symbol → position, for instruments that traded.
    public var positions: [String: [String: Position]]
    public var balances: [String: [String: Balance]]
    public var openExposure: [Exposure]
    public var strategies: [StrategyInfo]
    public var rateLimits: [RateLimitInfo]
    /// The risk guard, when `[risk]` is configured.
    public var risk: RiskInfo?
    /// What the simulated exchanges counted.
    public var simulation: Simulation
    public var journal: JournalInfo
    public var replay: Replay?
    /// A live run: each venue's feed (messages, gaps, resyncs, reconnects, staleness).
    public var feeds: [FeedReport]?
    public var wall: Wall

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }

    /// The summary as a person reads it.
    public func text() -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        line("== arbd run \(run.name): \(run.mode), \(run.clock) clock, seed \(run.seed), stopped by \(run.stoppedBy) after \(run.maxRuntime)")
        line("events       \(events.marketEvents) market (\(events.bookUpdates) book, \(events.trades) trades), \(events.strategyWakeups) strategy wake-ups")
        if universe.mode != "list" {
            line("universe     \(universe.mode): \(universe.selected.count) selected at the end (\(universe.selected.joined(separator: ", "))), \(universe.changes) changes")
        }
        line("opportunities \(opportunities)")
        let ledger = opportunityLedger
        if ledger.detected > 0 {
            let skips = ledger.skipped.keys.sorted().map { "\($0) \(ledger.skipped[$0]!)" }.joined(separator: ", ")
            line("ledger       \(ledger.detected) detected = \(ledger.executed) executed + \(ledger.detected - ledger.executed) skipped" + (skips.isEmpty ? "" : " (\(skips))"))
            let d = ledger.realisedMinusDetectedBps
            if d.count > 0 {
                line("  realised − detected edge, bps: mean \(String(format: "%.1f", d.mean)), p10 \(d.p10), p50 \(d.p50), p90 \(d.p90) (\(d.count) executed with fills)")
            }
        }
        line("orders       \(orders.sent) sent, \(orders.filled) filled (\(orders.fills) fills), \(orders.venueRejections) rejected by venues, \(orders.preTradeRejections) stopped before sending, \(orders.openAtEnd) open at end")
        for code in orders.rejectionsByCode.keys.sorted() { line("  rejected   \(code): \(orders.rejectionsByCode[code]!)") }
        if let risk {
            let refused = risk.decisions.filter { $0.key != "allowed" }
            line("risk         \(risk.decisions["allowed"] ?? 0) allowed, \(refused.values.reduce(0, +)) refused; max gross exposure \(risk.maxGrossExposureSeen); \(risk.transitions.count) transitions"
                 + (risk.cancelsOnHalt > 0 ? ", \(risk.cancelsOnHalt) resting orders cancelled on halts" : ""))
            for code in refused.keys.sorted() { line("  refused    \(code): \(refused[code]!)") }
            for s in risk.notActiveAtEnd { line("  at end     \(s.scope) \(s.state) (\(s.code))") }
            if let inv = risk.inventory {
                line("  inventory  \(inv.proposals) transfers proposed, \(inv.transfers.count) sent (\(inv.transfers.filter(\.arrived).count) arrived)"
                     + (inv.blocked.isEmpty ? "" : "; blocked: \(inv.blocked.joined(separator: ", "))"))
                for x in inv.transfers { line("  transfer   \(x.amount) \(x.asset) \(x.from) → \(x.to) over \(x.network), fee \(x.fee)\(x.arrived ? "" : " (in flight)")") }
                for venue in inv.secondsOutOfBand.keys.sorted() {
                    for (asset, seconds) in inv.secondsOutOfBand[venue]!.sorted(by: { $0.key < $1.key }) where seconds > 0 {
                        line("  out of band \(venue) \(asset): \(String(format: "%.1f", seconds)) s")
                    }
                }
            }
        }
        let ccy = pnl.reportingCurrency
        line("pnl          total \(pnl.total) \(ccy) = equity \(pnl.equityEnd) at the end − \(pnl.equityStart) at the start")
        line("             = realised \(pnl.realisedTotal) (after \(pnl.feesTotal) of fees) + unrealised \(pnl.unrealised) + FX translation \(pnl.fxTranslation)"
             + (pnl.transferCosts.map { " − transfer costs \($0)" } ?? "")
             + (pnl.unvaluedFills > 0 ? " (\(pnl.unvaluedFills) fills unvalued)" : "")
             + (pnl.unvaluedAssets.isEmpty ? "" : " (no price for \(pnl.unvaluedAssets.joined(separator: ", ")))"))
        for r in pnl.routes where r.fills > 0 {
            let flows = r.flows.keys.sorted().map { "\($0) \(r.flows[$0]!)" }.joined(separator: ", ")
            line("  route      \(r.route): \(r.fills) fills, realised \(r.realised), open \(r.openQuantity); flows \(flows)")
        }
        for venue in positions.keys.sorted() {
            for symbol in positions[venue]!.keys.sorted() {
                let p = positions[venue]![symbol]!
                line("  position   \(venue) \(symbol): \(p.quantity) after \(p.fills) fills (\(p.coinFees) paid in fees), realised \(p.realised)")
            }
        }
        line("balances")
        for venue in balances.keys.sorted() {
            for asset in balances[venue]!.keys.sorted() {
                let b = balances[venue]![asset]!
                var text = "  \(venue) \(asset): \(b.start) -> \(b.end) (\(b.change.hasPrefix("-") ? "" : "+")\(b.change)), lowest \(b.lowest)"
                if let floor = b.floor { text += String(format: ", floor %@: %.1f s at or below it", floor, b.secondsAtOrBelowFloor ?? 0) }
                line(text)
            }
        }
        if openExposure.isEmpty { line("exposure     none open") }
        for e in openExposure { line("  exposure   \(e.strategy) \(e.venue) \(e.asset) \(e.quantity)") }
        for s in strategies {
            line("strategy     \(s.name) (\(s.plugin)): " + s.counters.keys.sorted().map { "\($0)=\(s.counters[$0]!)" }.joined(separator: " "))
            for n in s.notes { line("  note       \(n)") }
        }
        for r in rateLimits {
            var text = "rate limits  \(r.exchange): venue saw \(r.venueRequests) requests, answered \(r.venueTooManyRequests) × 429, \(r.venueBans) bans"
            if let c = r.client {
                text += "; client (\(c.backend)) granted \(c.counters.granted), held \(c.counters.waits), shed \(c.counters.sheds), held while banned \(c.counters.deniedWhileBanned)"
                if c.fallbacks > 0 { text += ", fell back to its local share \(c.fallbacks)×" }
                if c.reconnects > 0 { text += ", reconnected \(c.reconnects)× and wrote \(c.writtenBack) own grants back" }
            }
            line(text)
            for p in r.client?.pools ?? [] where p.metrics.grantedRequests > 0 {
                line("  pool       \(p.pool)\(p.instrument.map { "/\($0)" } ?? ""): \(p.scheme), peak \(p.metrics.peakUtilisationPpm / 10_000) %, \(p.metrics.grantedRequests) requests, \(p.metrics.waits) waits")
            }
        }
        let sim = simulation
        line("simulation   \(sim.ordersShortOnArrival) taker orders found less than they asked on arrival (\(sim.ordersBeatenByCompetitor) beaten by a competitor); "
             + "competitors took \(sim.competitorTakes) dislocations; \(sim.feedMessagesDropped) feed messages dropped")
        line("  model      competition: \(sim.competition); replenishment: \(sim.replenishment)")
        if let r = replay {
            line("replay       \(r.files.count) recordings: \(r.replayed) events replayed, \(r.skipped) skipped (instruments not in this run)")
            for p in r.problems { line("  problem    \(p)") }
        }
        line("journal      \(journal.file): " + journal.sinks.map { "\($0.name) \($0.records)\($0.error.map { " FAILED: \($0)" } ?? "")" }.joined(separator: ", "))
        let l = wall.loopLatency
        line(String(format: "wall         %.2f s, %.0f events/s, loop latency avg %d ns p50 %d ns p99 %d ns max %d ns, RSS %.1f MB",
                    wall.durationSeconds, wall.eventsPerSecond, l.avgNs, l.p50Ns, l.p99Ns, l.maxNs, Double(wall.rssBytes) / 1_048_576))
        return out
    }
}
