import ArbCore
import Testing
@testable import CrossSpread

@Test("every parameter is declared for arbd plugins --describe and docs/MANIFEST.md, and nothing else")
func crossSpreadParametersDeclared() {
    #expect(CrossSpreadPlugin.parameterList.map(\.name) == CrossSpreadParameters.CodingKeys.allCases.map(\.rawValue))
}
