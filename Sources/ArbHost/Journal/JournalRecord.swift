import ArbCore

/// One journaled fact about an order, in event time.
enum JournalRecord: Sendable {
    case order(Order, Timestamp)
    case report(ExecutionReport, Order, FillValue?, Timestamp)
    case preTradeRejection(OrderIntent, StrategyId, Rejection, Timestamp)
}

/// Renders records as JSON lines, exact decimals as strings. Runs on the writer thread.
struct JournalFormatter {
    let universe: Universe
    let routeName: (Int32) -> String

    func line(_ record: JournalRecord, sequence: Int) -> String {
        switch record {
        case .order(let order, let time):
            let i = universe[order.intent.instrument]
            let intent = order.intent
            return "{\"seq\":\(sequence),\"t\":\(time.nanoseconds),\"event\":\"order\",\"order\":\"\(order.id)\",\"strategy\":\(order.strategy.index),"
                + "\"venue\":\"\(universe.venueName(order.venue))\",\"symbol\":\"\(i.symbol)\",\"side\":\"\(intent.side)\",\"type\":\"\(intent.type)\","
                + "\"tif\":\"\(intent.timeInForce)\",\"price\":\"\(intent.price)\",\"quantity\":\"\(intent.quantity)\",\"quote_amount\":\"\(intent.quoteAmount)\","
                + "\"purpose\":\"\(intent.purpose)\",\"route\":\(JSONText.quote(routeName(intent.route)))}"
        case .report(let r, let order, let valued, let time):
            let i = universe[order.intent.instrument]
            var s = "{\"seq\":\(sequence),\"t\":\(time.nanoseconds),\"event\":\"\(r.kind)\",\"order\":\"\(r.orderId)\",\"venue\":\"\(universe.venueName(order.venue))\","
                + "\"symbol\":\"\(i.symbol)\",\"side\":\"\(order.intent.side)\",\"venue_time\":\(r.venueTime.nanoseconds)"
            if r.kind == .fill {
                s += ",\"price\":\"\(r.fillPrice)\",\"quantity\":\"\(r.fillQuantity)\",\"notional\":\"\(r.fillNotional)\",\"fee\":\"\(r.fee)\","
                    + "\"fee_asset\":\"\(universe.assetCode(r.feeAsset))\",\"maker\":\(r.isMaker)"
                if let valued { s += ",\"value\":\"\(valued.notional)\",\"fee_value\":\"\(valued.fee)\"" }
            }
            s += ",\"leaves\":\"\(r.leavesQuantity)\",\"final\":\(r.isFinal)"
            if let rejection = r.rejection {
                s += ",\"code\":\(JSONText.quote(rejection.venueCode)),\"message\":\(JSONText.quote(rejection.message))"
            }
            return s + "}"
        case .preTradeRejection(let intent, let strategy, let rejection, let time):
            let i = universe[intent.instrument]
            return "{\"seq\":\(sequence),\"t\":\(time.nanoseconds),\"event\":\"pre_trade_rejected\",\"strategy\":\(strategy.index),"
                + "\"venue\":\"\(universe.venueName(i.venue))\",\"symbol\":\"\(i.symbol)\",\"side\":\"\(intent.side)\",\"price\":\"\(intent.price)\","
                + "\"quantity\":\"\(intent.quantity)\",\"code\":\(JSONText.quote(rejection.venueCode)),\"message\":\(JSONText.quote(rejection.message))}"
        }
    }
}

import Foundation
