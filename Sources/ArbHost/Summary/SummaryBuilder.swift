import ArbCore
import ArbRisk
import ArbPaper
import ArbRateLimit

/// Reads the kernel's state after a run into a `RunSummary`.
struct SummaryBuilder {
    let plan: RunPlan
    let kernel: Kernel

    func build(runName: String, folder: String, stoppedBy: String, startTime: Timestamp, endTime: Timestamp, strategyReports: [StrategyReport],
               journal: RunSummary.JournalInfo, replay: RunSummary.Replay?, wall: RunSummary.Wall) -> RunSummary {
        let m = plan.manifest
        let u = plan.universe
        let c = kernel.counters
        let reporting = m.reportingCurrency

        let statement = kernel.pnlStatement()
        var fees = kernel.unroutedLedgers.reduce(Amount.zero) { $0 + $1.fees }
        var routes: [RunSummary.RoutePnL] = []
        for (i, name) in kernel.routeNames.enumerated() {
            let ledger = kernel.routeLedgers[i]
            fees += ledger.fees
            var flows: [String: String] = [:]
            for (a, amount) in kernel.routeFlows[i].enumerated() where !amount.isZero { flows[u.assetCode(AssetId(a))] = amount.description }
            routes.append(.init(route: name, fills: ledger.fills, bought: ledger.bought.description, sold: ledger.sold.description,
                                realised: ledger.realised.description, fees: ledger.fees.description, flows: flows,
                                openQuantity: ledger.quantity.description))
        }

        var feesPaid: [String: [String: String]] = [:]
        var balances: [String: [String: RunSummary.Balance]] = [:]
        for v in 0..<u.venueCount {
            let venue = u.venueName(VenueId(v))
            var feeRow: [String: String] = [:], balanceRow: [String: RunSummary.Balance] = [:]
            for a in 0..<u.assetCount {
                let asset = AssetId(a), code = u.assetCode(asset)
                let fee = kernel.feesPaid[v][a]
                if !fee.isZero { feeRow[code] = fee.description }
                let start = kernel.initialBalances[v].total(asset), end = kernel.balances[v].total(asset)
                if start.isZero && end.isZero { continue }
                let track = kernel.inventory[v][a]
                balanceRow[code] = .init(start: start.description, end: end.description,
                                         available: kernel.balances[v].available[a].description,
                                         locked: kernel.balances[v].locked[a].description, change: (end - start).description,
                                         lowest: track.lowest.description, floor: track.floor?.description,
                                         secondsAtOrBelowFloor: track.floor == nil ? nil
                                             : Double(kernel.nanosecondsAtFloor(venue: VenueId(v), asset: asset, until: endTime)) / 1e9)
            }
            feesPaid[venue] = feeRow
            balances[venue] = balanceRow
        }

        var positions: [String: [String: RunSummary.Position]] = [:]
        for instrument in u.instruments {
            let ledger = kernel.instrumentLedgers[instrument.id.index]
            guard ledger.fills > 0 else { continue }
            let coinFees = kernel.coinFees[instrument.id.index]
            positions[u.venueName(instrument.venue), default: [:]][instrument.symbol] =
                .init(fills: ledger.fills, quantity: (ledger.quantity - coinFees).description, coinFees: coinFees.description,
                      realised: ledger.realised.description, fees: ledger.fees.description)
        }

        var exposure: [RunSummary.Exposure] = []
        var strategies: [RunSummary.StrategyInfo] = []
        for (i, report) in strategyReports.enumerated() {
            let name = i < plan.strategyNames.count ? plan.strategyNames[i] : report.name
            for line in report.openExposure where !line.quantity.isZero {
                exposure.append(.init(strategy: name, venue: line.venue, asset: line.asset, quantity: line.quantity.description))
            }
            strategies.append(.init(name: name, plugin: report.name, counters: report.counters, notes: report.notes))
        }

        var rateLimits: [RunSummary.RateLimitInfo] = []
        for v in 0..<u.venueCount {
            let venueSide = (kernel.venue(VenueId(v)) as? any PaperAccountHolder)?.admission as? ExchangeSideLimits
            let client = v < plan.rateLimiters.count ? plan.rateLimiters[v]?.report(at: kernel.now) : nil
            rateLimits.append(.init(exchange: u.venueName(VenueId(v)), client: client, venueRequests: venueSide?.requestsSeen ?? 0,
                                    venueTooManyRequests: venueSide?.tooManyRequestsSent ?? 0, venueBans: venueSide?.bansIssued ?? 0))
        }

        return RunSummary(
            run: .init(name: runName, manifest: plan.loaded.file, mode: m.mode.rawValue, clock: m.clock.rawValue, seed: m.seed,
                       maxRuntime: m.maxRuntime.text, startEventTimeNs: startTime.nanoseconds, endEventTimeNs: endTime.nanoseconds,
                       stoppedBy: stoppedBy, folder: folder),
            events: .init(marketEvents: c.marketEvents, bookUpdates: c.bookUpdates, trades: c.trades, strategyWakeups: c.strategyWakeups,
                          // In a simulated run the exchange sees (and drops) them before the kernel.
                          unknownInstrumentEvents: c.unknownInstrumentEvents + ((kernel.simulation as? SimulatedExchange)?.statistics.unknownInstrumentEvents ?? 0)),
            universe: {
                guard let gate = kernel.marketWatcher as? UniverseGate else {
                    return .init(mode: "list", selected: plan.manifest.marketData.symbols, changes: 0)
                }
                return .init(mode: "top_n", selected: gate.selectedSymbols, changes: gate.changeCount)
            }(),
            opportunities: c.opportunities,
            opportunityLedger: .init(kernel.opportunityTally),
            orders: .init(sent: c.ordersSent, filled: c.ordersFilled, fills: c.fills, venueRejections: c.venueRejections,
                          preTradeRejections: c.preTradeRejections, cancelRequests: c.cancels, expirations: c.expirations,
                          openAtEnd: kernel.openOrderCount, rejectionsByCode: c.rejectionsByCode),
            pnl: .init(reportingCurrency: reporting, equityStart: statement.equityStart.description, equityEnd: statement.equityEnd.description,
                       realisedTotal: statement.realisedTotal.description, unrealised: statement.unrealised.description,
                       fxTranslation: statement.fxTranslation.description,
                       transferCosts: kernel.transfers.isEmpty ? nil : statement.transferCosts.description, total: statement.total.description,
                       feesTotal: fees.description, routes: routes, unvaluedFills: kernel.unvaluedFills,
                       unvaluedAssets: statement.unvaluedAssets.map { u.assetCode($0) }),
            feesPaid: feesPaid, positions: positions, balances: balances, openExposure: exposure, strategies: strategies, rateLimits: rateLimits,
            risk: (kernel.orderGuard as? KernelRiskGuard).map { RunSummary.RiskInfo($0) },
            simulation: simulationInfo(), journal: journal, replay: replay, wall: wall)
    }

    func simulationInfo() -> RunSummary.Simulation {
        let exchange = kernel.simulation as? SimulatedExchange
        let stats = exchange?.statistics ?? ExchangeStatistics()
        var latencies: [String: [String: String]] = [:]
        for (v, name) in plan.exchangeNames.enumerated() {
            let l = plan.latencies[v]
            latencies[name] = ["order_outbound": l.orderOutbound.description, "order_inbound": l.orderInbound.description,
                               "feed": l.feed.description]
        }
        let competition = plan.competition.map { "someone else takes dislocations beyond \($0.edgePpm) ppm after \($0.delay)" } ?? "off"
        return RunSummary.Simulation(ordersShortOnArrival: stats.ordersShortOnArrival, ordersBeatenByCompetitor: stats.ordersBeatenByCompetitor,
                                     competitorTakes: stats.competitorTakes, feedMessagesDropped: exchange?.feedMessagesDropped ?? 0,
                                     replenishment: plan.replenishment.description, competition: competition, latencies: latencies)
    }
}
