import ArbCore
import Foundation
import Testing
@testable import ArbHost

@Suite("arbd routes")
struct RouteListingTests {
    @Test("the test manifest's universe gives cross_fx routes both ways per base, with the KRW-USDT conversion leg; the JSON names id, kind and legs")
    func routesOfAManifest() throws {
        let plan = try load(manifestText())
        let rows = RouteListing.rows(plan)
        #expect(rows.count == 6 && rows.allSatisfy { $0.kind == "cross_fx" })
        let first = try #require(rows.first)
        #expect(first.id == "cross_fx:BTC:binance(USDT)>upbit(KRW)")
        #expect(first.legs.map(\.symbol) == ["BTCUSDT", "KRW-BTC"] && first.legs.map(\.side) == ["buy", "sell"])
        #expect(first.conversion?.symbol == "KRW-USDT" && first.conversion?.side == "buy")
        let json = try JSONSerialization.jsonObject(with: RouteListing.json(rows)) as! [[String: Any]]
        #expect(json.count == 6 && json.allSatisfy { $0["id"] is String && $0["kind"] is String && ($0["legs"] as? [[String: String]])?.count == 2 })
        #expect(RouteListing.text(rows).hasSuffix("6 routes: 0 cross, 6 cross_fx, 0 triangular\n"))
    }
}
