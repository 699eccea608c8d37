import ArbCore
import ArbTesting
import Testing
@testable import CrossSpread

/// SHIB on two USDT venues: the second caps orders at 9,000,000 (Binance LOT_SIZE.maxQty).
struct ShibMarket {
    let s = Scenario(reportingAsset: "USDT")
    let a: VenueId, b: VenueId
    let shibA: InstrumentId, shibB: InstrumentId, fx: InstrumentId

    init(balance: Amount = "20000000000", quoteBalance: Amount = "10000000") {
        a = s.venue("alpha", fees: FeeSchedule(maker: .zero, taker: Ratio("0.0005"), asset: .quote))
        b = s.venue("beta", fees: FeeSchedule(maker: .zero, taker: Ratio("0.001"), asset: .quote))
        shibA = s.instrument(on: a, symbol: "SHIB-A", base: "SHIB", quote: "USDC", tick: "0.00000001", lot: "1")
        fx = s.instrument(on: a, symbol: "USDC-USDT", base: "USDT", quote: "USDC", tick: "0.0001", lot: "0.01", isFX: true)
        shibB = s.instrument(on: b, symbol: "SHIBUSDT", base: "SHIB", quote: "USDT", tick: "0.00000001", lot: "1", maxQuantity: "9000000")
        s.deposit(quoteBalance, of: "USDC", on: a)
        s.deposit(balance, of: "SHIB", on: a)
        s.deposit("10000000", of: "USDT", on: b)
        s.deposit(balance, of: "SHIB", on: b)
        s.book(at: 0, on: fx, bids: [("0.9999", "10000000")], asks: [("1.0001", "10000000")])
    }

    func parameters(_ edit: (inout CrossSpreadParameters) -> Void = { _ in }) -> CrossSpreadParameters {
        var p = CrossSpreadParameters()
        p.venueA = "alpha"; p.quoteA = "USDC"; p.venueB = "beta"; p.quoteB = "USDT"; p.bases = ["SHIB"]
        p.fxSymbol = "USDC-USDT"
        p.orderNotional = Amount(units: 1_000)
        p.minEdge = Ratio("0.002")
        edit(&p)
        return p
    }

    /// SHIB at 0.000014 on alpha, bid 1 % higher on beta, deep on both.
    func dislocate(at ms: Int64) {
        s.book(at: ms, on: shibA, bids: [("0.00001390", "5000000000")], asks: [("0.00001400", "5000000000")])
        s.book(at: ms, on: shibB, bids: [("0.00001420", "5000000000")], asks: [("0.00001430", "5000000000")])
    }
}

@Suite("CrossSpread sizing")
struct CrossSpreadSizingTests {
    @Test("SHIB-sized balances (2·10^10 units) trade, within the venue's maximum quantity")
    func shibTrades() throws {
        let m = ShibMarket()
        m.dislocate(at: 1)
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters(), until: 1_000)
        #expect(result.orders.count == 2, "sent, not sized to zero by a balance beyond Int64")
        // 1,000 USDT / 0.000014 = 71.4 M SHIB; beta accepts 9 M at most.
        #expect(result.orders.allSatisfy { $0.intent.quantity == Quantity("9000000") })
        #expect(result.preTradeRejections.isEmpty, "no LOT_SIZE rejection")
        #expect(result.balance(m.a, "SHIB") == Amount("20009000000"))
    }

    @Test("an inventory floor stops selling below it, and the skip is counted by reason")
    func floor() throws {
        let m = ShibMarket()
        m.dislocate(at: 1)
        let strategy = try CrossSpreadStrategy(parameters: m.parameters {
            $0.inventory = ["SHIB": ["beta": InventoryBand(floor: Amount("19995000000"))]]
        }, universe: m.s.universe)
        let result = try m.s.run(strategy, until: 1_000)
        #expect(result.orders.first?.intent.quantity == Quantity("5000000"), "sized down to the floor")
        #expect(result.balance(m.b, "SHIB") == Amount("19995000000"))
        #expect(result.strategyReport.counters["sized_down_by_inventory"] == 1)
        // At the floor now: the next opportunity cannot sell on beta.
        m.dislocate(at: 600)
        let again = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters {
            $0.inventory = ["SHIB": ["beta": InventoryBand(floor: Amount("20000000000"))]]
        }, until: 1_000)
        #expect(again.orders.isEmpty)
        #expect(again.strategyReport.counters["size_zero_inventory_floor"]! >= 1)
        #expect(again.kernel.inventory[m.b.index][again.kernel.universe.assetId("SHIB")!.index].atFloorSince != nil)
    }

    @Test("an inventory ceiling caps buying", arguments: [("20000000000", 0), ("20004000000", 4_000_000)])
    func ceiling(ceiling: String, expected: Int64) throws {
        let m = ShibMarket()
        m.dislocate(at: 1)
        let result = try m.s.run(CrossSpreadPlugin.self, parameters: m.parameters {
            $0.inventory = ["SHIB": ["alpha": InventoryBand(ceiling: Amount(ceiling)!)]]
        }, until: 1_000)
        if expected == 0 {
            #expect(result.orders.isEmpty && result.strategyReport.counters["size_zero_inventory_ceiling"]! >= 1)
        } else {
            #expect(result.orders.first?.intent.quantity == Quantity(units: expected))
        }
    }

    @Test("every way an opportunity ends at size 0 has its own counter")
    func zeroSizeReasons() throws {
        // No quote to spend on alpha.
        let broke = ShibMarket(quoteBalance: "0")
        broke.dislocate(at: 1)
        let noFunds = try broke.s.run(CrossSpreadPlugin.self, parameters: broke.parameters(), until: 1_000)
        #expect(noFunds.strategyReport.counters["size_zero_buy_balance"]! >= 1)
        // Nothing to sell on beta.
        let empty = ShibMarket(balance: "0")
        empty.dislocate(at: 1)
        let noCoins = try empty.s.run(CrossSpreadPlugin.self, parameters: empty.parameters(), until: 1_000)
        #expect(noCoins.strategyReport.counters["size_zero_sell_balance"]! >= 1)
        // An order notional worth less than one lot.
        let tiny = ShibMarket()
        tiny.dislocate(at: 1)
        let small = try tiny.s.run(CrossSpreadPlugin.self, parameters: tiny.parameters { $0.orderNotional = Amount("0.00001") }, until: 1_000)
        #expect(small.strategyReport.counters["size_zero_order_notional"]! >= 1)
        // Every reason is reported, zero or not.
        for reason in CrossSpreadStrategy.SizeLimit.allCases { #expect(small.strategyReport.counters[reason.counter] != nil) }
    }

    @Test("a floor above its ceiling is refused, naming the setting")
    func badBand() {
        var p = ShibMarket().parameters { $0.inventory = ["SHIB": ["beta": InventoryBand(floor: Amount(units: 5), ceiling: Amount(units: 1))]] }
        #expect(throws: PluginConfigurationError.self) { try p.validated() }
        do { _ = try p.validated() } catch let e as PluginConfigurationError {
            #expect(e.setting == "inventory.SHIB.beta.floor" && e.message.contains("above the ceiling"))
        } catch {}
        p.inventory = ["SHIB": ["gamma": InventoryBand(floor: Amount(units: 1))]]
        #expect(throws: PluginConfigurationError.self) { try p.validated() }
    }
}
