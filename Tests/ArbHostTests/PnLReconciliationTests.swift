import ArbCore
import Foundation
import Testing
@testable import ArbHost

@Suite("PnL a trader can reconcile")
struct PnLReconciliationTests {
    struct Fill {
        var venue: String, symbol: String, side: String, order: String
        var quantity: Amount, notional: Amount, fee: Amount, feeAsset: String
        var value: Amount?, feeValue: Amount?
    }

    func decimal(_ any: Any?) -> Amount { Amount(any as! String)! }

    @Test("journal fills → balances → every PnL line, to the last digit")
    func reconcile() throws {
        let plan = try load(manifestText(dataDir: tempDir("pnl"), runtime: "40s"))
        let paper = PaperRun(plan: plan, options: RunOptions(showStatus: false, handleSignals: false))
        let summary = try paper.execute()
        let kernel = try #require(paper.kernel)
        let u = plan.universe
        #expect(summary.orders.fills > 20, "the run must trade for this test to mean anything")

        // 1. The journal's fills, and the route of each order.
        let lines = try String(contentsOfFile: paper.folder + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
        var routeOf: [String: String] = [:]
        var fills: [Fill] = []
        for line in lines {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            switch o["event"] as! String {
            case "order": routeOf[o["order"] as! String] = o["route"] as? String
            case "fill":
                fills.append(Fill(venue: o["venue"] as! String, symbol: o["symbol"] as! String, side: o["side"] as! String,
                                  order: o["order"] as! String, quantity: decimal(o["quantity"]), notional: decimal(o["notional"]),
                                  fee: decimal(o["fee"]), feeAsset: o["fee_asset"] as! String,
                                  value: (o["value"] as? String).flatMap { Amount($0) }, feeValue: (o["fee_value"] as? String).flatMap { Amount($0) }))
            default: break
            }
        }
        #expect(fills.count == summary.orders.fills)

        // 2. Fills → balances: the manifest's deposits plus every fill, exactly the summary's.
        var balances: [String: [String: Amount]] = [:]
        for (v, a, amount) in plan.deposits { balances[u.venueName(v), default: [:]][u.assetCode(a), default: .zero] += amount }
        for f in fills {
            let i = u.instruments.first { $0.symbol == f.symbol && u.venueName($0.venue) == f.venue }!
            let sign: Amount = f.side == "buy" ? Amount(units: 1) : Amount(units: -1)
            balances[f.venue, default: [:]][i.baseCode, default: .zero] += f.side == "buy" ? f.quantity : -f.quantity
            balances[f.venue, default: [:]][i.quoteCode, default: .zero] += f.side == "buy" ? -f.notional : f.notional
            balances[f.venue, default: [:]][f.feeAsset, default: .zero] -= f.fee
            _ = sign
        }
        for (venue, row) in summary.balances {
            for (asset, b) in row { #expect(balances[venue]?[asset] == Amount(b.end)!, "\(venue) \(asset)") }
        }

        // Per-venue positions count the fees paid in the coin.
        var net: [String: Amount] = [:]
        for f in fills {
            let i = u.instruments.first { $0.symbol == f.symbol && u.venueName($0.venue) == f.venue }!
            net["\(f.venue) \(f.symbol)", default: .zero] += (f.side == "buy" ? f.quantity : -f.quantity) - (f.feeAsset == i.baseCode ? f.fee : .zero)
        }
        var coinFeesSeen = false
        for (venue, row) in summary.positions {
            for (symbol, p) in row {
                #expect(Amount(p.quantity)! == net["\(venue) \(symbol)"], "\(venue) \(symbol)")
                if !Amount(p.coinFees)!.isZero { coinFeesSeen = true }
            }
        }
        #expect(coinFeesSeen, "Binance charges a buy's fee in the coin received")

        // 3. Balances → equity at the start and end marks.
        let startMarks = try #require(kernel.startMarks), endMarks = kernel.currentMarks()
        var totalsStart: [String: Amount] = [:], totalsEnd: [String: Amount] = [:]
        for (v, a, amount) in plan.deposits { _ = v; totalsStart[u.assetCode(a), default: .zero] += amount }
        for row in balances.values { for (asset, amount) in row { totalsEnd[asset, default: .zero] += amount } }
        var equityStart = Amount.zero, equityEnd = Amount.zero
        for (code, amount) in totalsStart { equityStart += startMarks.value(amount, of: u.assetId(code)!)! }
        for (code, amount) in totalsEnd { equityEnd += endMarks.value(amount, of: u.assetId(code)!)! }
        #expect(summary.pnl.equityStart == equityStart.description)
        #expect(summary.pnl.equityEnd == equityEnd.description)

        // 4. Fills → ledgers: realised and the ledgers' unrealised, from the journal's values.
        var ledgers: [String: PositionLedger] = [:], bases: [String: String] = [:]
        for f in fills {
            let key = routeOf[f.order].flatMap { $0.isEmpty ? nil : $0 } ?? "\(f.venue):\(f.symbol)"
            let i = u.instruments.first { $0.symbol == f.symbol && u.venueName($0.venue) == f.venue }!
            if bases[key] == nil { bases[key] = i.baseCode }
            ledgers[key, default: PositionLedger()].apply(side: f.side == "buy" ? .buy : .sell, quantity: f.quantity.asQuantity!,
                                                         value: f.value!, fee: f.feeValue!)
        }
        let realised = ledgers.values.reduce(Amount.zero) { $0 + $1.realised }
        #expect(summary.pnl.realisedTotal == realised.description)
        var unrealised = Amount.zero
        for (key, ledger) in ledgers where ledger.quantity.raw != 0 {
            unrealised += endMarks.value(ledger.quantity, of: u.assetId(bases[key]!)!)! - ledger.cost
        }
        let quoteCurrencies = Set(u.instruments.map(\.quoteCode)).subtracting([plan.manifest.reportingCurrency])
        for (code, amount) in totalsStart where !quoteCurrencies.contains(code) {
            let asset = u.assetId(code)!
            unrealised += endMarks.value(amount, of: asset)! - startMarks.value(amount, of: asset)!
        }
        #expect(summary.pnl.unrealised == unrealised.description)

        // 5. The identities, exactly.
        let total = Amount(summary.pnl.total)!, fx = Amount(summary.pnl.fxTranslation)!
        #expect(total == equityEnd - equityStart)
        #expect(total == realised + unrealised + fx)

        // 6. FX translation is what it says: the quote currencies' move on what was held and
        // traded in them, and coin fees revalued, up to the rounding of each valuation.
        var analytic = Amount.zero
        for (code, amount) in totalsStart where quoteCurrencies.contains(code) {
            let asset = u.assetId(code)!
            analytic += endMarks.value(amount, of: asset)! - startMarks.value(amount, of: asset)!
        }
        for f in fills {
            let i = u.instruments.first { $0.symbol == f.symbol && u.venueName($0.venue) == f.venue }!
            let atEnd = endMarks.value(f.notional, of: i.quote)!
            analytic += f.side == "buy" ? f.value! - atEnd : atEnd - f.value!
            analytic += f.feeValue! - endMarks.value(f.fee, of: u.assetId(f.feeAsset)!)!
        }
        let rounding = (fx - analytic).raw.magnitude
        #expect(rounding <= UInt128(4 * (fills.count + totalsStart.count + 10)), "fx \(fx) vs analytic \(analytic)")
    }
}
