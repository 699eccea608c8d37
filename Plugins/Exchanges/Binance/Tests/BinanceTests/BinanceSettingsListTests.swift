import ArbCore
import Testing
@testable import Binance

@Test("every settings key is declared for arbd plugins --describe and docs/MANIFEST.md, and nothing else")
func binanceSettingsDeclared() {
    #expect(BinancePlugin.settingList.map(\.name) == BinanceSettings.CodingKeys.allCases.map(\.rawValue))
}
