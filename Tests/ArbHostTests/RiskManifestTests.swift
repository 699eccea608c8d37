import ArbCore
import ArbRisk
import Foundation
import Testing
@testable import ArbHost

@Suite("[risk] in the manifest, the journal and the summary", .serialized)
struct RiskManifestTests {
    func withRisk(_ section: String, runtime: String = "20s", dataDir: String = "/tmp/arbor-test-runs") -> String {
        manifestText(dataDir: dataDir, runtime: runtime, extra: section)
    }

    @Test("bad or contradictory [risk] settings are manifest errors naming the key", arguments: [
        ("[risk.inventory.BTC.upbit]\nmin = \"2\"\nmax = \"1\"", "risk.inventory.BTC.upbit.min: 2 is above max 1"),
        ("[risk.exchange.upbit]\nbalance_floors = { BTC = \"3\" }\n[risk.inventory.BTC.upbit]\nmin = \"0.5\"\nmax = \"2\"",
         "risk.exchange.upbit.balance_floors.BTC: the floor 3 is above the inventory band's max 2"),
        ("[risk.route]\nmax_notional = \"1000\"\nmax_open_notional = \"500\"", "risk.route.max_open_notional: 500 is below max_notional 1000"),
        ("[risk.global]\nmax_gross_exposure = \"1000\"\nmax_net_exposure = \"2000\"", "risk.global.max_net_exposure: 2000 is above max_gross_exposure 1000"),
        ("[risk.global]\nmax_daily_loss = \"-5\"", "risk.global.max_daily_loss: must be above 0"),
        ("[risk.global]\nmax_orders_per_second = 0", "risk.global.max_orders_per_second: must be between 1 and 100000"),
        ("[risk.global]\npnl = \"gross\"", "risk.global.pnl: must be \"trading\""),
        ("[risk.exchange.kraken]\nmax_exposure = \"100\"", "risk.exchange.kraken: 'kraken' is not an enabled exchange"),
        ("[risk.exchange.binance]\nbalance_floors = { DOGE = \"1\" }", "risk.exchange.binance.balance_floors.DOGE: 'DOGE' is not an asset of this run"),
        ("[risk.exchange.binance]\nmax_reject_rate = \"1.5\"", "risk.exchange.binance.max_reject_rate: must be above 0 and at most 1"),
        ("[risk.exchange.binance]\nmax_feed_age_ms = 0", "risk.exchange.binance.max_feed_age_ms: must be between 1 and 86400000"),
        ("[risk.route]\nmin_attempts = 30", "risk.route.min_attempts: 30 is above broken_leg_window 20"),
        ("[risk.symbol.ETH]\nmax_imbalance = \"0\"", "risk.symbol.ETH.max_imbalance: must be above 0"),
        ("[risk.inventory.BTC.kraken]\nmin = \"0\"\nmax = \"1\"", "risk.inventory.BTC.kraken: 'kraken' is not an enabled exchange"),
        ("[risk]\nreview_ms = 0", "risk.review_ms: must be between 1 and 60000"),
        ("[risk]\ncash_assets = [\"EUR\"]", "risk.cash_assets: 'EUR' is not an asset of this run"),
        ("[risk.global]\nmax_gross = \"1\"", "unknown key"),
    ])
    func badRisk(_ section: String, _ message: String) {
        let text = withRisk(section)
        #expect(problem(text).contains(message), "\(problem(text))")
    }

    @Test("the journal is the audit trail: every refusal and transition, as the summary counts them")
    func auditTrail() throws {
        let folder = "/tmp/arbor-test-runs/risk-audit"
        try? FileManager.default.removeItem(atPath: folder)
        // Gross exposure far below one attempt's legs: most attempts are refused.
        let text = withRisk("""
        [risk.global]
        max_gross_exposure = "2500"
        [risk.exchange.upbit]
        max_feed_age_ms = 2000
        """, runtime: "40s").replacingOccurrences(of: "data_dir = \"/tmp/arbor-test-runs\"", with: "data_dir = \"/tmp/arbor-test-runs\"\nrun_name = \"risk-audit\"")
        let (summary, _) = try run(text)
        let risk = try #require(summary.risk)
        let refused = risk.decisions.filter { $0.key != "allowed" }.values.reduce(0, +)
        #expect(refused > 0 && (risk.decisions["allowed"] ?? 0) > 0, "\(risk.decisions)")
        #expect(risk.decisions["risk.global.gross_exposure"] ?? 0 > 0)
        let lines = try String(contentsOfFile: folder + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
        let rows = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let refusals = rows.filter { $0["event"] as? String == "risk_refused" }
        #expect(refusals.count == refused)
        for row in refusals where row["code"] as? String == "risk.global.gross_exposure" {
            #expect(row["limit"] as? String == "2500" && (row["measured"] as? String).flatMap { Amount($0) }.map { $0 > Amount("2500") } == true)
            #expect(row["scope"] as? String == "global" && row["route"] != nil && row["venue"] != nil)
        }
        #expect(rows.filter { $0["event"] as? String == "risk_transition" }.count == risk.transitions.count)
        // The summary's largest gross exposure never passed the limit by more than what
        // fills at prices other than the order's could add.
        #expect(Amount(risk.maxGrossExposureSeen)! <= Amount("2500") + Amount("100"))
        #expect(summary.text().contains("risk "))
    }

    @Test("an imbalance limit keeps the strategy from draining a coin to one venue (it drains without)")
    func imbalanceKeepsInventory() throws {
        func imbalances(_ risk: String) throws -> [String: Double] {
            let (summary, _) = try run(withRisk(risk, runtime: "60s"))
            var out: [String: Double] = [:]
            for asset in ["BTC", "ETH", "XRP"] {
                let a = Amount(summary.balances["upbit"]![asset]!.end)!, b = Amount(summary.balances["binance"]![asset]!.end)!
                let spread = a > b ? a - b : b - a
                out[asset] = Double(spread.raw) / Double((a + b).raw)
            }
            return out
        }
        let without = try imbalances("")
        #expect(without.values.contains { $0 > 0.7 }, "\(without)")
        let with = try imbalances("""
        [risk.symbol]
        BTC = { max_imbalance = "0.6" }
        ETH = { max_imbalance = "0.6" }
        XRP = { max_imbalance = "0.6" }
        """)
        // Entries stop at 0.6; a hedge completing an attempt may carry one leg beyond.
        #expect(with.values.allSatisfy { $0 <= 0.65 }, "\(with)")
    }
}
