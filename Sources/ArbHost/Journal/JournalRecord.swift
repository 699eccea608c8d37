import ArbCore
import ArbRisk
import ArbUniverse

/// One journaled fact about an order, in event time.
enum JournalRecord: Sendable {
    case order(Order, Timestamp)
    case report(ExecutionReport, Order, FillValue?, Timestamp)
    case preTradeRejection(OrderIntent, StrategyId, Rejection, Timestamp)
    case opportunity(OpportunityRecord, Timestamp)
    case universe(UniverseChange, Timestamp)
    /// The risk guard refused an order (its audit trail), and a scope changed state.
    case riskRefusal(RiskRefusal, scope: String)
    case riskTransition(RiskTransition, scope: String)
    case riskShared(SharedReservation)
    /// A simulated transfer left its venue or arrived; the planner proposed one.
    case transfer(Transfer, Timestamp)
    case transferProposed(TransferProposal, executed: Bool, refusal: String?, Timestamp)
    case riskSharedHalt(scope: String, reason: String, setAtMicros: Int64?, seenAtMicros: Int64?, Timestamp)
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
        case .opportunity(let o, let time):
            return "{\"seq\":\(sequence),\"t\":\(time.nanoseconds),\"event\":\"opportunity\"," + opportunityFields(o) + "}"
        case .universe(let c, let time):
            return "{\"seq\":\(sequence),\"t\":\(time.nanoseconds),\"event\":\"universe\",\"symbol\":\(JSONText.quote(c.symbol)),"
                + "\"change\":\"\(c.entered ? "enter" : "leave")\",\"reason\":\"\(c.reason)\",\"rank\":\(c.rank.map(String.init) ?? "null"),"
                + "\"volume\":\"\(c.volume)\",\"depth\":\"\(c.depth)\"}"
        case .riskRefusal(let r, let scope):
            let i = universe[r.intent.instrument]
            return "{\"seq\":\(sequence),\"t\":\(r.at.nanoseconds),\"event\":\"risk_refused\",\"code\":\"\(r.code)\",\"scope\":\(JSONText.quote(scope)),"
                + "\"limit\":\(r.limit.map { "\"\($0)\"" } ?? "null"),\"measured\":\(r.measured.map { "\"\($0)\"" } ?? "null"),\"strategy\":\(r.strategy.index),"
                + "\"venue\":\"\(universe.venueName(i.venue))\",\"symbol\":\"\(i.symbol)\",\"side\":\"\(r.intent.side)\",\"price\":\"\(r.intent.price)\","
                + "\"quantity\":\"\(r.intent.quantity)\",\"quote_amount\":\"\(r.intent.quoteAmount)\",\"purpose\":\"\(r.intent.purpose)\","
                + "\"route\":\(JSONText.quote(routeName(r.intent.route)))}"
        case .riskTransition(let t, let scope):
            var recovery = "null"
            switch t.recovery {
            case .cooldown(let until)?: recovery = "{\"cooldown_until\":\(until.nanoseconds)}"
            case .explicitResume?: recovery = "\"explicit_resume\""
            case nil: break
            }
            return "{\"seq\":\(sequence),\"t\":\(t.at.nanoseconds),\"event\":\"risk_transition\",\"scope\":\(JSONText.quote(scope)),"
                + "\"from\":\"\(t.from.rawValue)\",\"to\":\"\(t.to.rawValue)\",\"code\":\"\(t.code)\",\"reason\":\(JSONText.quote(t.reason)),\"recovery\":\(recovery)}"
        case .riskShared(let r):
            return "{\"seq\":\(sequence),\"t\":\(r.at.nanoseconds),\"event\":\"risk_shared\",\"process\":\(JSONText.quote(r.process)),"
                + "\"server_time_us\":\(r.serverTimeMicros.map(String.init) ?? "null"),\"gross\":\"\(r.gross)\","
                + "\"combined_gross\":\(r.combinedGross.map { "\"\($0)\"" } ?? "null"),\"decision\":\(JSONText.quote(r.decision))}"
        case .transfer(let x, let time):
            return "{\"seq\":\(sequence),\"t\":\(time.nanoseconds),\"event\":\"\(x.arrived ? "transfer_arrived" : "transfer_sent")\",\"id\":\(x.id),"
                + "\"asset\":\(JSONText.quote(universe.assetCode(x.asset))),\"from\":\"\(universe.venueName(x.from))\",\"to\":\"\(universe.venueName(x.to))\","
                + "\"amount\":\"\(x.amount)\",\"fee\":\"\(x.fee)\",\"received\":\"\(x.received)\",\"network\":\(JSONText.quote(x.network)),"
                + "\"fee_value\":\(x.feeValue.map { "\"\($0)\"" } ?? "null"),\"arrives_at\":\(x.arrivesAt.nanoseconds)}"
        case .transferProposed(let p, let executed, let refusal, let time):
            return "{\"seq\":\(sequence),\"t\":\(time.nanoseconds),\"event\":\"transfer_proposed\",\"asset\":\(JSONText.quote(universe.assetCode(p.asset))),"
                + "\"from\":\"\(universe.venueName(p.from))\",\"to\":\"\(universe.venueName(p.to))\",\"amount\":\"\(p.amount)\",\"fee\":\"\(p.fee)\","
                + "\"minimum\":\"\(p.minimum)\",\"network\":\(JSONText.quote(p.network)),\"arrives_at\":\(p.arrivesAt.nanoseconds),"
                + "\"executed\":\(executed),\"refusal\":\(refusal.map { JSONText.quote($0) } ?? "null")}"
        case .riskSharedHalt(let scope, let reason, let setAt, let seenAt, let time):
            return "{\"seq\":\(sequence),\"t\":\(time.nanoseconds),\"event\":\"risk_shared_halt\",\"scope\":\(JSONText.quote(scope)),"
                + "\"reason\":\(JSONText.quote(reason)),\"set_at_us\":\(setAt.map(String.init) ?? "null"),\"seen_at_us\":\(seenAt.map(String.init) ?? "null")}"
        }
    }

    /// The ledger row's fields (shared with the PostgreSQL sink's `legs` column).
    func opportunityFields(_ o: OpportunityRecord) -> String {
        func optional<T>(_ value: T?, _ render: (T) -> String) -> String { value.map(render) ?? "null" }
        var s = "\"id\":\(o.id),\"strategy\":\(o.strategy.index),\"route\":\(JSONText.quote(routeName(o.route))),\"detected_at\":\(o.detectedAt.nanoseconds),"
            + "\"detected_edge_ppm\":\(o.detectedEdgePpm),\"detected_size\":\"\(o.detectedSize)\",\"size_asset\":\(JSONText.quote(universe.assetCode(o.sizeAsset))),"
            + "\"decision\":\(JSONText.quote(o.decision.code)),\"realised_edge_ppm\":\(optional(o.realisedEdgePpm) { String($0) }),"
        s += "\"legs\":" + legsJSON(o.legs)
        return s
    }

    func legsJSON(_ legs: [OpportunityLeg]) -> String {
        func optional<T>(_ value: T?, _ render: (T) -> String) -> String { value.map(render) ?? "null" }
        return "[" + legs.map { leg in
            let i = universe[leg.instrument]
            return "{\"venue\":\(JSONText.quote(universe.venueName(i.venue))),\"symbol\":\(JSONText.quote(i.symbol)),\"side\":\"\(leg.side)\","
                + "\"expected_price\":\"\(leg.expectedPrice)\",\"planned_quantity\":\"\(leg.plannedQuantity)\",\"filled_quantity\":\"\(leg.filledQuantity)\","
                + "\"filled_price\":\(optional(leg.filledPrice) { "\"\($0)\"" }),\"slippage_bps\":\(optional(leg.slippageBps) { String($0) }),"
                + "\"acknowledged_after_ns\":\(optional(leg.acknowledgedAfter) { String($0.nanosecondsInt64) }),"
                + "\"filled_after_ns\":\(optional(leg.filledAfter) { String($0.nanosecondsInt64) })}"
        }.joined(separator: ",") + "]"
    }
}

import Foundation
