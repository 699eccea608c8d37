import ArbCore
import ArbdPlugins
import ArbRecorder
import ArbTesting
import Foundation
import Testing
@testable import ArbHost

@Suite("Recordings replayed into a scenario")
struct ScenarioReplayTests {
    @Test("a recording of the synthetic market drives a scenario on the real venues: the strategy starts with the data and decides on it")
    func recordingIntoScenario() throws {
        let dir = tempDir("scenario-replay")
        _ = try RecordRun(plan: try load(manifestText(runtime: "20s")), output: dir).execute()
        let files = RunPlan.recordingFiles(at: dir)

        let s = Scenario(reportingAsset: "USDT")
        let upbitPlugin = try #require(try registeredPlugins.defaultExchange("upbit"))
        let binancePlugin = try #require(try registeredPlugins.defaultExchange("binance"))
        let upbit = s.venue("upbit", plugin: upbitPlugin)
        let binance = s.venue("binance", plugin: binancePlugin)
        try s.listing("KRW-BTC", on: upbit)
        try s.listing("KRW-USDT", on: upbit, isFX: true)
        try s.listing("BTCUSDT", on: binance)
        s.deposit("200000000", of: "KRW", on: upbit)
        s.deposit("1", of: "BTC", on: upbit)
        s.deposit("150000", of: "USDT", on: binance)
        s.deposit("1", of: "BTC", on: binance)
        let source = try RecordingSource(paths: files, universe: s.universe)
        s.start = try #require(source.startTime)
        s.add(events: source)

        let strategy = try CrossSpreadProbe.make(universe: s.universe)
        let result = try s.run(strategy, until: 20_000)
        #expect(result.counters.marketEvents > 1_000, "the recording's events for the scenario's instruments")
        #expect((result.strategyReport.counters["evaluations"]?.integer ?? 0) > 100)
        #expect(result.settlementProblems.isEmpty)
    }
}

/// The registered cross-spread strategy, as `arbd run` builds it.
enum CrossSpreadProbe {
    static func make(universe: Universe) throws -> any Strategy {
        let plugin = try #require(registeredPlugins.strategy("cross-spread"))
        func build<P: StrategyPlugin>(_ p: P.Type) throws -> any Strategy {
            try P.make(parameters: try ManifestLoader.decodeEmpty(P.Parameters.self), universe: universe)
        }
        return try build(plugin)
    }
}
