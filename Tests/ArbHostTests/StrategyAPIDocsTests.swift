import Foundation
import Testing

/// The declarations a strategy author uses: every public one carries a doc comment
/// (protocol witnesses and operators excepted, which their protocols document).
@Suite("Strategy API documentation")
struct StrategyAPIDocsTests {
    static let folders = [
        "Packages/ArbCore/Sources/ArbCore/Strategies", "Packages/ArbCore/Sources/ArbCore/Orders", "Packages/ArbCore/Sources/ArbCore/Plugins",
        "Packages/ArbCore/Sources/ArbCore/Values", "Packages/ArbCore/Sources/ArbCore/Instruments", "Packages/ArbTesting/Sources/ArbTesting",
    ]
    static let files = [
        "Packages/ArbCore/Sources/ArbCore/Kernel/StrategyContext.swift", "Packages/ArbCore/Sources/ArbCore/OrderBook/Touch.swift",
        "Packages/ArbCore/Sources/ArbCore/OrderBook/OrderBook.swift", "Packages/ArbCore/Sources/ArbCore/Events/ExecutionReport.swift",
        "Packages/ArbCore/Sources/ArbCore/Venues/FeeSchedule.swift",
    ]

    @Test("every public declaration a strategy author uses has a doc comment")
    func documented() throws {
        var paths = Self.files
        for folder in Self.folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent(folder).path)
            paths += names.filter { $0.hasSuffix(".swift") }.sorted().map { "\(folder)/\($0)" }
        }
        let declaration = try Regex(#"^(@\w+(\([^)]*\))? )*public (static |final |mutating |private\(set\) |internal\(set\) |indirect )*(func|var|let|init|struct|enum|class|protocol|case|typealias|subscript)\b"#)
        let exempt = try Regex(#"func [<>=+\-*/!&|]+ |var description: String|init\(from decoder|func encode\(to encoder|init\(stringLiteral|init\(integerLiteral|func hash\(into"#)
        var undocumented: [String] = []
        for path in paths {
            let lines = try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8).components(separatedBy: "\n")
            for (i, line) in lines.enumerated() {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard text.firstMatch(of: declaration) != nil, text.firstMatch(of: exempt) == nil else { continue }
                var j = i - 1
                while j >= 0 && lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("@") { j -= 1 }
                let above = j >= 0 ? lines[j].trimmingCharacters(in: .whitespaces) : ""
                if !above.hasPrefix("///") && !above.hasSuffix("*/") { undocumented.append("\(path):\(i + 1): \(text.prefix(80))") }
            }
        }
        #expect(undocumented.isEmpty, "\(undocumented.count) undocumented:\n\(undocumented.joined(separator: "\n"))")
    }
}
