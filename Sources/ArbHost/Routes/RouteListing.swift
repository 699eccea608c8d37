import ArbCore
import ArbRoute
import Foundation

/// What `arbd routes` prints: every route the manifest's universe allows.
public enum RouteListing {
    /// One route as JSON: `{ "id", "kind", "legs": [{ "venue", "symbol", "side" }], "conversion"? }`.
    public struct Row: Codable, Sendable, Hashable {
        public struct Leg: Codable, Sendable, Hashable {
            public var venue: String
            public var symbol: String
            public var side: String
        }
        public var id: String
        public var kind: String
        public var legs: [Leg]
        public var conversion: Leg?
    }

    /// The plan's routes, in the enumerator's order.
    public static func rows(_ plan: RunPlan) -> [Row] {
        let u = plan.universe
        func leg(_ l: RouteLeg) -> Row.Leg { Row.Leg(venue: u.venueName(l.venue), symbol: u[l.instrument].symbol, side: l.side.description) }
        return RouteEnumerator.routes(in: u, fxInstruments: plan.fxInstrument.map { [$0] } ?? []).map {
            Row(id: $0.id, kind: $0.kind.rawValue, legs: $0.legs.map(leg), conversion: $0.conversion.map(leg))
        }
    }

    public static func json(_ rows: [Row]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(rows)
    }

    public static func text(_ rows: [Row]) -> String {
        var out = ""
        for r in rows {
            let legs = r.legs.map { "\($0.side) \($0.symbol)@\($0.venue)" }.joined(separator: ", ")
            out += "\(r.id)  [\(r.kind)]  \(legs)\(r.conversion.map { "; convert: \($0.side) \($0.symbol)@\($0.venue)" } ?? "")\n"
        }
        let counts = Dictionary(grouping: rows, by: \.kind).mapValues(\.count)
        out += "\(rows.count) routes: " + ["cross", "cross_fx", "triangular"].map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ") + "\n"
        return out
    }
}
