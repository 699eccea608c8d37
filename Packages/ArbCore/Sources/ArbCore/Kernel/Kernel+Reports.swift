extension Kernel {
    /// Books a report from a venue into the account and tells the strategy.
    func apply(_ report: ExecutionReport) {
        guard var open = openOrders[report.orderId] else { return }
        var valued: FillValue? = nil
        let venueIndex = open.order.venue.index
        let instrument = universe.instruments[open.order.intent.instrument.index]
        switch report.kind {
        case .accepted:
            break
        case .fill:
            counters.fills += 1
            balances[venueIndex].settleFill(side: report.side, instrument: instrument, quantity: report.fillQuantity,
                                            notional: report.fillNotional, fee: report.fee, feeAsset: report.feeAsset,
                                            remainingLock: &open.remainingLock)
            if open.filled.raw == 0, let throttle = throttles[venueIndex] {
                throttle.orderTraded(open.order, instrument, at: now)
            }
            open.filled += report.fillQuantity
            noteBalance(venue: venueIndex, asset: instrument.base.index)
            noteBalance(venue: venueIndex, asset: instrument.quote.index)
            if report.feeAsset != instrument.base && report.feeAsset != instrument.quote {
                noteBalance(venue: venueIndex, asset: report.feeAsset.index)
            }
            feesPaid[venueIndex][report.feeAsset.index] += report.fee
            if report.feeAsset == instrument.base { coinFees[instrument.id.index] += report.fee }
            let route = Int(open.order.intent.route)
            if route >= 0 && route < routeFlows.count {
                let signedBase = report.side == .buy ? report.fillQuantity.asAmount : -report.fillQuantity.asAmount
                routeFlows[route][instrument.base.index] += signedBase
                routeFlows[route][instrument.quote.index] -= report.side == .buy ? report.fillNotional : -report.fillNotional
                routeFlows[route][report.feeAsset.index] -= report.fee
            }
            let value = valuation.value(report.fillNotional, of: instrument.quote, books: books)
            let fee = valuation.value(report.fee, of: report.feeAsset, books: books)
            if let value, let fee {
                valued = FillValue(notional: value, fee: fee)
                instrumentLedgers[instrument.id.index].apply(side: report.side, quantity: report.fillQuantity, value: value, fee: fee)
                if route >= 0 && route < routeLedgers.count {
                    routeLedgers[route].apply(side: report.side, quantity: report.fillQuantity, value: value, fee: fee)
                    if routeBases[routeNames[route]] == nil { routeBases[routeNames[route]] = instrument.base }
                } else {
                    unroutedLedgers[instrument.id.index].apply(side: report.side, quantity: report.fillQuantity, value: value, fee: fee)
                }
            } else {
                unvaluedFills += 1
            }
        case .rejected:
            counters.venueRejections += 1
            let code = report.rejection?.venueCode ?? "unknown"
            counters.rejectionsByCode["\(universe.venueNames[venueIndex]):\(code)", default: 0] += 1
            if let rejection = report.rejection, [418, 429, 403].contains(rejection.httpStatus), let throttle = throttles[venueIndex] {
                throttle.venueRefused(rejection, action: .newOrder(open.order.intent, instrument), at: now)
            }
        case .cancelRejected:
            if let rejection = report.rejection, [418, 429, 403].contains(rejection.httpStatus), let throttle = throttles[venueIndex] {
                throttle.venueRefused(rejection, action: .cancel(open.order, instrument, orderAge: now - open.order.submittedAt), at: now)
            }
        case .cancelled:
            break
        case .expired:
            counters.expirations += 1
        }
        if report.isFinal {
            if open.remainingLock.raw != 0 {
                balances[venueIndex].release(open.lock.asset, open.remainingLock)
                open.remainingLock = .zero
            }
            if open.filled.raw > 0 { counters.ordersFilled += 1 }
            openOrders[report.orderId] = nil
        } else {
            openOrders[report.orderId] = open
        }
        orderGuard?.orderReported(report, order: open.order, instrument: instrument, kernel: self)
        observer?.orderReport(report, order: open.order, valued: valued, at: now)
        let owner = open.order.strategy.index
        if !strategyStopped[owner] { strategies[owner].onReport(report, order: open.order, contexts[owner]) }
    }
}
