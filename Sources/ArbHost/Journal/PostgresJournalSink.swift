import ArbCore
import ArbPostgres
import Foundation

/// The durable journal in PostgreSQL: orders and reports loaded with COPY in batches,
/// on the journal thread. Tables are created if missing; rows carry the run id.
final class PostgresJournalSink: JournalSink {
    let name = "postgres"
    private let connection: PostgresConnection
    private let runId: String
    private let batchSize: Int
    private var orders: [[String?]] = []
    private var reports: [[String?]] = []
    private var opportunities: [[String?]] = []

    static let schema = """
        CREATE TABLE IF NOT EXISTS arbor_orders (
            run_id text NOT NULL, seq bigint NOT NULL, event_time_ns bigint NOT NULL, order_id text NOT NULL,
            strategy int NOT NULL, venue text NOT NULL, symbol text NOT NULL, side text NOT NULL, order_type text NOT NULL,
            tif text NOT NULL, price numeric NOT NULL, quantity numeric NOT NULL, quote_amount numeric NOT NULL,
            purpose text NOT NULL, route text NOT NULL, PRIMARY KEY (run_id, seq));
        CREATE TABLE IF NOT EXISTS arbor_reports (
            run_id text NOT NULL, seq bigint NOT NULL, event_time_ns bigint NOT NULL, order_id text NOT NULL,
            kind text NOT NULL, venue text NOT NULL, symbol text NOT NULL, side text NOT NULL,
            fill_price numeric, fill_quantity numeric, fill_notional numeric, fee numeric, fee_asset text, maker boolean,
            leaves numeric NOT NULL, final boolean NOT NULL, code text, message text, PRIMARY KEY (run_id, seq));
        CREATE TABLE IF NOT EXISTS arbor_opportunities (
            run_id text NOT NULL, seq bigint NOT NULL, event_time_ns bigint NOT NULL, opportunity_id bigint NOT NULL,
            strategy int NOT NULL, route text NOT NULL, detected_at_ns bigint NOT NULL, detected_edge_ppm bigint NOT NULL,
            detected_size numeric NOT NULL, size_asset text NOT NULL, decision text NOT NULL, realised_edge_ppm bigint,
            legs jsonb NOT NULL, PRIMARY KEY (run_id, seq));
        """

    /// Connects and prepares the tables; fails at start, before the run, if it cannot.
    init(endpoint: PostgresEndpoint, runId: String, batchSize: Int) throws {
        connection = try PostgresConnection(endpoint)
        try connection.execute(Self.schema)
        // A rerun of the same run id replaces its rows.
        try connection.execute("DELETE FROM arbor_orders WHERE run_id = $1", parameters: [runId])
        try connection.execute("DELETE FROM arbor_reports WHERE run_id = $1", parameters: [runId])
        try connection.execute("DELETE FROM arbor_opportunities WHERE run_id = $1", parameters: [runId])
        self.runId = runId
        self.batchSize = max(1, batchSize)
    }

    func write(_ batch: ArraySlice<(Int, JournalRecord)>, formatter: JournalFormatter) throws {
        let u = formatter.universe
        for (seq, record) in batch {
            switch record {
            case .order(let o, let t):
                let i = u[o.intent.instrument]
                orders.append([runId, String(seq), String(t.nanoseconds), o.id.description, String(o.strategy.index), u.venueName(o.venue),
                               i.symbol, o.intent.side.description, o.intent.type.description, o.intent.timeInForce.description,
                               o.intent.price.description, o.intent.quantity.description, o.intent.quoteAmount.description,
                               o.intent.purpose.description, formatter.routeName(o.intent.route)])
            case .report(let r, let o, _, let t):
                let i = u[o.intent.instrument]
                let fill = r.kind == .fill
                reports.append([runId, String(seq), String(t.nanoseconds), r.orderId.description, r.kind.description, u.venueName(o.venue),
                                i.symbol, o.intent.side.description,
                                fill ? r.fillPrice.description : nil, fill ? r.fillQuantity.description : nil,
                                fill ? r.fillNotional.description : nil, fill ? r.fee.description : nil,
                                fill ? u.assetCode(r.feeAsset) : nil, fill ? (r.isMaker ? "t" : "f") : nil,
                                r.leavesQuantity.description, r.isFinal ? "t" : "f", r.rejection?.venueCode, r.rejection?.message])
            case .preTradeRejection:
                break  // Nothing was sent: it lives in the file journal and the summary.
            case .universe:
                break  // Selection changes live in the file journal and the summary.
            case .riskRefusal, .riskTransition, .riskShared, .riskSharedHalt, .transfer, .transferProposed:
                break  // The risk guard's audit trail lives in the file journal and the summary.
            case .opportunity(let o, let t):
                opportunities.append([runId, String(seq), String(t.nanoseconds), String(o.id), String(o.strategy.index), formatter.routeName(o.route),
                                      String(o.detectedAt.nanoseconds), String(o.detectedEdgePpm), o.detectedSize.description,
                                      u.assetCode(o.sizeAsset), o.decision.code, o.realisedEdgePpm.map { String($0) }, formatter.legsJSON(o.legs)])
            }
        }
        if orders.count + reports.count + opportunities.count >= batchSize { try flush() }
    }

    private func flush() throws {
        if !orders.isEmpty {
            try connection.copy(into: "arbor_orders", columns: ["run_id", "seq", "event_time_ns", "order_id", "strategy", "venue", "symbol", "side",
                                                              "order_type", "tif", "price", "quantity", "quote_amount", "purpose", "route"], rows: orders)
            orders.removeAll(keepingCapacity: true)
        }
        if !reports.isEmpty {
            try connection.copy(into: "arbor_reports", columns: ["run_id", "seq", "event_time_ns", "order_id", "kind", "venue", "symbol", "side",
                                                               "fill_price", "fill_quantity", "fill_notional", "fee", "fee_asset", "maker",
                                                               "leaves", "final", "code", "message"], rows: reports)
            reports.removeAll(keepingCapacity: true)
        }
        if !opportunities.isEmpty {
            try connection.copy(into: "arbor_opportunities", columns: ["run_id", "seq", "event_time_ns", "opportunity_id", "strategy", "route",
                                                                     "detected_at_ns", "detected_edge_ppm", "detected_size", "size_asset",
                                                                     "decision", "realised_edge_ppm", "legs"], rows: opportunities)
            opportunities.removeAll(keepingCapacity: true)
        }
    }

    func finish() throws { try flush() }
}
