import ArbCore
import ArbRedis
import Foundation

/// Live state in Redis for dashboards and other processes, written on the journal
/// thread with one pipeline per batch:
/// - `<prefix>:<run>:order:<id>`: hash of the order's venue, symbol, side, price, quantity, status, filled;
/// - `<prefix>:<run>:fills`: list of the latest fills (JSON), capped at 1,000;
/// - `<prefix>:<run>:state`: hash of running totals (orders, fills, rejections, last event time).
final class RedisStateSink: JournalSink {
    let name = "redis"
    private let connection: RedisConnection
    private let prefix: String
    private var orders = 0, fills = 0, rejections = 0
    private var filled: [ClientOrderId: Quantity] = [:]

    init(host: String, port: Int, database: Int, password: String?, prefix: String, runId: String) throws {
        connection = try RedisConnection(host: host, port: port, password: password, database: database)
        let ping = try connection.command(["PING"])
        if case .error(let message) = ping { throw RedisError(code: .server, message: message, context: "\(host):\(port) PING") }
        self.prefix = "\(prefix):\(runId)"
        // A rerun of the same run id starts from a clean slate.
        let keys = try connection.command(["KEYS", "\(self.prefix):*"])
        if case .array(let list) = keys, !list.isEmpty {
            try connection.command(["DEL"] + list.compactMap(\.string))
        }
    }

    func write(_ batch: ArraySlice<(Int, JournalRecord)>, formatter: JournalFormatter) throws {
        var commands: [[String]] = []
        var lastTime: Int64 = 0
        for (seq, record) in batch {
            switch record {
            case .order(let o, let t):
                orders += 1
                lastTime = t.nanoseconds
                let i = formatter.universe[o.intent.instrument]
                commands.append(["HSET", "\(prefix):order:\(o.id)", "venue", formatter.universe.venueName(o.venue), "symbol", i.symbol,
                                 "side", o.intent.side.description, "price", o.intent.price.description,
                                 "quantity", o.intent.quantity.description, "status", "sent", "filled", "0", "purpose", o.intent.purpose.description])
            case .report(let r, _, _, let t):
                lastTime = t.nanoseconds
                var fields = ["HSET", "\(prefix):order:\(r.orderId)", "status", r.isFinal ? (r.kind == .fill ? "filled" : r.kind.description) : r.kind.description]
                if r.kind == .fill {
                    fills += 1
                    let total = (filled[r.orderId] ?? .zero) + r.fillQuantity
                    filled[r.orderId] = r.isFinal ? nil : total
                    fields += ["filled", total.description]
                    commands.append(["LPUSH", "\(prefix):fills", formatter.line(record, sequence: seq)])
                } else if r.isFinal {
                    filled[r.orderId] = nil
                }
                if r.kind == .rejected { rejections += 1 }
                commands.append(fields)
            case .preTradeRejection(_, _, _, let t):
                lastTime = t.nanoseconds
                rejections += 1
            case .riskRefusal(let r, _):
                lastTime = r.at.nanoseconds
            case .riskTransition(let tr, _):
                lastTime = tr.at.nanoseconds
            case .riskShared(let r):
                lastTime = r.at.nanoseconds
            case .riskSharedHalt(_, _, _, _, let t), .transfer(_, let t), .transferProposed(_, _, _, let t):
                lastTime = t.nanoseconds
            case .opportunity(_, let t), .universe(_, let t):
                // The live state keeps positions and orders; the ledger lives in the file and PostgreSQL.
                lastTime = t.nanoseconds
            }
        }
        commands.append(["LTRIM", "\(prefix):fills", "0", "999"])
        commands.append(["HSET", "\(prefix):state", "orders", String(orders), "fills", String(fills),
                         "rejections", String(rejections), "event_time_ns", String(lastTime)])
        for reply in try connection.pipeline(commands) {
            if case .error(let message) = reply { throw RedisError(code: .server, message: message, context: "\(connection.endpoint) pipeline") }
        }
    }

    func finish() throws {
        try connection.command(["HSET", "\(prefix):state", "finished", "1"])
    }
}
