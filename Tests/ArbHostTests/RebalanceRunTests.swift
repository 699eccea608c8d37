import ArbCore
import ArbRisk
import ArbTesting
import Foundation
import Testing
@testable import ArbHost

@Suite("Inventory: simulated transfers and the rebalancing planner in runs", .serialized)
struct RebalanceRunTests {
    @Test("a simulated transfer: debited now on both books, credited later, in flight still the account's, its fee a PnL line")
    func kernelTransfer() throws {
        let r = RiskScenario()
        r.book(r.a, at: 0, mid: "100"); r.book(r.b, at: 0, mid: "100")
        var sent: Result<Transfer, TransferRefusal>? = nil, refused: Result<Transfer, TransferRefusal>? = nil
        var midFlight: (Amount, Amount, Amount)? = nil
        final class Mover: Strategy {
            let name = "mover"
            let step: (Int, StrategyContext) -> Void
            init(_ step: @escaping (Int, StrategyContext) -> Void) { self.step = step }
            func start(_ context: StrategyContext) throws { context.schedule(after: .milliseconds(100), token: 0); context.schedule(after: .milliseconds(500), token: 1) }
            func onBook(_ instrument: InstrumentId, _ context: StrategyContext) {}
            func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext) {}
            func onTimer(_ token: UInt64, _ context: StrategyContext) { step(Int(token), context) }
            func stop(_ context: StrategyContext) -> StrategyReport { StrategyReport(name: name) }
        }
        var kernelRef: Kernel?
        r.s.prepareKernel = { kernelRef = $0 }
        let btc = r.s.universe.assetId("BTC")!
        let result = try r.s.run(Mover { token, _ in
            let k = kernelRef!
            if token == 0 {
                sent = k.sendTransfer(asset: btc, from: r.alpha, to: r.beta, amount: "0.4", fee: "0.001", network: "BTC", arrival: .seconds(1))
                refused = k.sendTransfer(asset: btc, from: r.alpha, to: r.beta, amount: "0.7", fee: "0.001", network: "BTC", arrival: .seconds(1))
            } else {
                midFlight = (k.balances[r.alpha.index].total(btc), k.balances[r.beta.index].total(btc), k.inFlight[btc.index])
            }
        }, until: 3_000)
        guard case .success(let transfer)? = sent else { Issue.record("the transfer was refused: \(String(describing: sent))"); return }
        #expect(transfer.arrivesAt == r.s.time(1_100) && transfer.received == Amount("0.399"))
        if case .failure(let why)? = refused { #expect(why.description.contains("more than is available on alpha")) } else { Issue.record("0.7 of 0.6 left went") }
        // In flight: off alpha, not yet on beta, counted in flight.
        #expect(midFlight.map { $0 == (Amount("0.6"), Amount("1"), Amount("0.399")) } == true)
        // Landed: the venue's own books agree with the kernel's.
        #expect(result.balance(r.alpha, "BTC") == Amount("0.6") && result.balance(r.beta, "BTC") == Amount("1.399"))
        #expect(result.venueBalance(r.beta, "BTC") == Amount("1.399") && result.settlementProblems.isEmpty)
        #expect(result.kernel.transfers.first?.arrived == true && result.kernel.inFlight[btc.index] == .zero)
        // PnL: the fee (0.001 BTC at 100) is its own line and the identities hold.
        let pnl = result.kernel.pnlStatement()
        #expect(pnl.transferCosts == Amount("0.1"))
        #expect(pnl.total == pnl.realisedTotal + pnl.unrealised + pnl.fxTranslation - pnl.transferCosts)
        #expect(pnl.total == pnl.equityEnd - pnl.equityStart && pnl.total == Amount("-0.1"))
    }

    @Test("the planner keeps ETH on both venues: transfers proposed, sent, journaled and arrived; their cost in PnL; time out of band in the summary")
    func rebalancingRun() throws {
        let folder = "/tmp/arbor-test-runs/rebalance"
        try? FileManager.default.removeItem(atPath: folder)
        let terms = { (fee: String) in "network = \"ETH\"\nwithdrawal_fee = \"\(fee)\"\nwithdrawal_min = \"0.01\"\narrival_s = 60" }
        let text = manifestText(runtime: "150s", extra: """
        [risk.inventory.ETH.upbit]
        min = "12"
        max = "28"
        \(terms("0.005"))

        [risk.inventory.ETH.binance]
        min = "12"
        max = "28"
        \(terms("0.002"))

        [risk.rebalance]
        execute = true
        every_s = 20
        """).replacingOccurrences(of: "data_dir = \"/tmp/arbor-test-runs\"", with: "data_dir = \"/tmp/arbor-test-runs\"\nrun_name = \"rebalance\"")
        let (summary, _) = try run(text)
        let inventory = try #require(summary.risk?.inventory)
        #expect(inventory.execute && inventory.proposals >= 1 && inventory.transfers.count == inventory.proposals, "\(inventory)")
        #expect(inventory.transfers.allSatisfy { $0.asset == "ETH" && $0.network == "ETH" })
        #expect(inventory.secondsOutOfBand["upbit"]?["ETH"] != nil && inventory.secondsOutOfBand["binance"]?["ETH"] != nil)
        // The guard kept both venues' ETH at or above the band's floor.
        #expect(Amount(summary.balances["upbit"]!["ETH"]!.lowest)! >= Amount("11.9"))
        #expect(Amount(summary.balances["binance"]!["ETH"]!.lowest)! >= Amount("11.9"))
        // PnL: the transfer fees are their own line and the statement still adds up exactly.
        let p = summary.pnl
        let costs = try #require(p.transferCosts.flatMap { Amount($0) })
        #expect(costs > .zero)
        #expect(Amount(p.total)! == Amount(p.realisedTotal)! + Amount(p.unrealised)! + Amount(p.fxTranslation)! - costs)
        // The journal: one proposal row per proposal, one sent row per transfer, one arrival per arrived transfer.
        let rows = try String(contentsOfFile: folder + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        func count(_ event: String) -> Int { rows.filter { $0["event"] as? String == event }.count }
        #expect(count("transfer_proposed") == inventory.proposals)
        #expect(count("transfer_sent") == inventory.transfers.count)
        #expect(count("transfer_arrived") == inventory.transfers.filter(\.arrived).count)
        #expect(summary.text().contains("transfer "))
    }

    @Test("bad inventory settings are manifest errors naming the key", arguments: [
        ("[risk.inventory.ETH.upbit]\nmin = \"1\"\nmax = \"2\"\ntarget = \"3\"", "risk.inventory.ETH.upbit.target: 3 is outside the band 1–2"),
        ("[risk.inventory.ETH.upbit]\nmin = \"1\"\nmax = \"2\"\nnetwork = \"ETH\"", "risk.inventory.ETH.upbit: withdrawal terms need all four keys"),
        ("[risk.rebalance]\nexecute = true", "risk.rebalance.execute: there is nothing to rebalance"),
        ("[risk.inventory.ETH.upbit]\nmin = \"1\"\nmax = \"2\"\n[risk.rebalance]\ntrigger = \"1.5\"", "risk.rebalance.trigger: must be above 0 and at most 1"),
        ("[risk.inventory.ETH.upbit]\nmin = \"1\"\nmax = \"2\"\nnetwork = \"ETH\"\nwithdrawal_fee = \"-1\"\nwithdrawal_min = \"0\"\narrival_s = 5", "risk.inventory.ETH.upbit.withdrawal_fee: must not be negative"),
    ])
    func badInventory(_ section: String, _ message: String) {
        let text = manifestText(extra: section)
        #expect(problem(text).contains(message), "\(problem(text))")
    }
}
