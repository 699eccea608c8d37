import Foundation

/// `arbd new strategy NAME [--template single|cross]`: a strategy plugin package with
/// sources, parameters and passing tests, its registration line and its test target,
/// ready to build. Everything is checked before anything is written.
public struct StrategyScaffold: Sendable {
    public enum Template: String, CaseIterable, Sendable {
        /// One instrument on one venue.
        case single
        /// One base on two venues in one quote currency, both legs at once.
        case cross
    }

    /// The plugin id: `premium-reversion`.
    public let id: String
    /// The type-name stem and package name: `PremiumReversion`.
    public let stem: String
    public let template: Template

    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// - Throws: `Problem` for an id that is not lower-case words joined by hyphens, or
    ///   one that would clash with the host's own modules.
    public init(id: String, template: Template) throws {
        let words = id.split(separator: "-", omittingEmptySubsequences: false)
        let valid = !id.isEmpty && id.count <= 40 && words.allSatisfy { word in
            !word.isEmpty && word.first!.isLetter && word.allSatisfy { ($0.isLetter && $0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) }
        }
        guard valid else {
            throw Problem(description: "'\(id)' is not a strategy id: use lower-case words joined by hyphens, starting with a letter, at most 40 characters, e.g. premium-reversion")
        }
        let stem = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        let reserved: Set<String> = ["Arb", "ArbHost", "ArbCore", "ArbTesting", "ArbPaper", "ArbdPlugins", "Foundation", "Testing", "Strategy"]
        guard !reserved.contains(stem) && !stem.hasPrefix("Arb") else {
            throw Problem(description: "'\(id)' would name the package \(stem), which clashes with Arbor's own modules; choose another id")
        }
        self.id = id
        self.stem = stem
        self.template = template
    }

    /// Where the package goes, relative to the repository root.
    public var folder: String { "Plugins/Strategies/\(stem)" }

    /// The new files, relative to the repository root.
    public var files: [(path: String, contents: String)] {
        let (source, tests) = template == .single
            ? (StrategyTemplates.singleSource, StrategyTemplates.singleTests)
            : (StrategyTemplates.crossSource, StrategyTemplates.crossTests)
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "__TYPE__", with: stem).replacingOccurrences(of: "__ID__", with: id)
        }
        return [
            ("\(folder)/Package.swift", StrategyTemplates.package(stem)),
            ("\(folder)/Sources/\(stem)/\(stem).swift", fill(source)),
            ("\(folder)/Tests/\(stem)Tests/\(stem)Tests.swift", fill(tests)),
        ]
    }

    static let packagesMarker = "        // arbd new strategy: packages above this line"
    static let productsMarker = "            // arbd new strategy: products above this line"
    static let testTargetsMarker = "        // arbd new strategy: test targets above this line"
    static let importsMarker = "// arbd new strategy: imports above this line"
    static let strategiesMarker = "        // arbd new strategy: strategies above this line"

    /// Writes the package, then adds it to the root `Package.swift` (package, product in
    /// `ArbdPlugins`, test target) and to `Sources/ArbdPlugins/RegisteredPlugins.swift`.
    /// Returns the paths it wrote or changed.
    @discardableResult
    public func apply(root: String) throws -> [String] {
        let manager = FileManager.default
        let rootURL = URL(fileURLWithPath: root)
        let packagePath = rootURL.appendingPathComponent("Package.swift").path
        let registrationPath = rootURL.appendingPathComponent("Sources/ArbdPlugins/RegisteredPlugins.swift").path
        guard let package = try? String(contentsOfFile: packagePath, encoding: .utf8),
              let registration = try? String(contentsOfFile: registrationPath, encoding: .utf8) else {
            throw Problem(description: "\(root) is not an Arbor checkout (no Package.swift and Sources/ArbdPlugins/RegisteredPlugins.swift); run from the repository root or pass --root")
        }
        guard !manager.fileExists(atPath: rootURL.appendingPathComponent(folder).path) else {
            throw Problem(description: "\(folder) already exists; choose another id or remove it")
        }
        guard !package.contains("path: \"\(folder)\")") && !registration.contains("\(stem)Plugin.self") else {
            throw Problem(description: "\(stem) is already registered; choose another id")
        }
        for marker in [Self.packagesMarker, Self.productsMarker, Self.testTargetsMarker] where !package.contains(marker + "\n") {
            throw Problem(description: "Package.swift has lost the line '\(marker.trimmingCharacters(in: .whitespaces))'; put it back where docs/PLUGINS.md shows")
        }
        for marker in [Self.importsMarker, Self.strategiesMarker] where !registration.contains(marker + "\n") {
            throw Problem(description: "RegisteredPlugins.swift has lost the line '\(marker.trimmingCharacters(in: .whitespaces))'; put it back where docs/PLUGINS.md shows")
        }

        var newPackage = package
        newPackage = newPackage.replacingOccurrences(of: Self.packagesMarker + "\n",
            with: "        .package(path: \"\(folder)\"),\n" + Self.packagesMarker + "\n")
        newPackage = newPackage.replacingOccurrences(of: Self.productsMarker + "\n",
            with: "            .product(name: \"\(stem)\", package: \"\(stem)\"),\n" + Self.productsMarker + "\n")
        newPackage = newPackage.replacingOccurrences(of: Self.testTargetsMarker + "\n",
            with: "        .testTarget(name: \"\(stem)Tests\", dependencies: [.product(name: \"\(stem)\", package: \"\(stem)\"), core, testing],\n"
                + "                    path: \"\(folder)/Tests/\(stem)Tests\"),\n" + Self.testTargetsMarker + "\n")
        var newRegistration = registration
        newRegistration = newRegistration.replacingOccurrences(of: Self.importsMarker + "\n", with: "import \(stem)\n" + Self.importsMarker + "\n")
        newRegistration = newRegistration.replacingOccurrences(of: Self.strategiesMarker + "\n",
            with: "        \(stem)Plugin.self,\n" + Self.strategiesMarker + "\n")

        var written: [String] = []
        for file in files {
            let url = rootURL.appendingPathComponent(file.path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
            written.append(file.path)
        }
        try newPackage.write(toFile: packagePath, atomically: true, encoding: .utf8)
        try newRegistration.write(toFile: registrationPath, atomically: true, encoding: .utf8)
        return written + ["Package.swift", "Sources/ArbdPlugins/RegisteredPlugins.swift"]
    }
}
