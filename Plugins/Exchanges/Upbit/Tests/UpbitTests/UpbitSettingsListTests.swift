import ArbCore
import Testing
@testable import Upbit

@Test("every settings key is declared for arbd plugins --describe and docs/MANIFEST.md, and nothing else")
func upbitSettingsDeclared() {
    #expect(UpbitPlugin.settingList.map(\.name) == UpbitSettings.CodingKeys.allCases.map(\.rawValue))
}
