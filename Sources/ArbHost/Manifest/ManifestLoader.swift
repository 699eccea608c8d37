import ArbCore
import Foundation
import TOMLKit

/// Reads a manifest: TOML syntax, strict decoding (unknown keys, wrong types and missing
/// values are errors with file, line and key path), then each plugin section with the
/// plugin's own strict decoder.
public struct LoadedManifest: @unchecked Sendable {
    public let file: String
    /// Settable in the module: `arbd bench --feed-loopback` points a manifest's feeds at local servers.
    public internal(set) var manifest: Manifest
    /// The parsed document, for the plugins' own settings.
    let table: TOMLTable
    let lines: ManifestLineIndex

    /// The plugin section at `path` (e.g. ["exchanges", "upbit", "settings"]), if present.
    func subtable(_ path: [String]) -> TOMLTable? {
        var current: TOMLTable? = table
        for key in path { current = current?[key]?.table }
        return current
    }

    /// Decodes a plugin's typed section strictly; errors name the full key path.
    /// `plugin`: the plugin's id and keys, so that an unknown key is answered with the
    /// keys it takes and the command that describes them.
    func decodePluginSection<T: Decodable>(_ type: T.Type, at path: [String], plugin: (id: String, keys: [PluginParameter]),
                                           default fallback: @autoclosure () throws -> T) throws -> T {
        guard let section = subtable(path) else { return try fallback() }
        do {
            return try TOMLDecoder(strictDecoding: true).decode(T.self, from: section)
        } catch let unexpected as UnexpectedKeysError {
            let found = unexpected.keys.values.map { $0.map(\.stringValue) }.sorted { $0.joined(separator: ".") < $1.joined(separator: ".") }
            let first = found.first ?? []
            let names = found.map { "'\($0.joined(separator: "."))'" }.joined(separator: ", ")
            let takes = plugin.keys.isEmpty ? "takes no keys" : "takes: \(plugin.keys.map(\.name).joined(separator: ", "))"
            throw error(path + first, "unknown key\(found.count > 1 ? "s" : "") \(names); \(plugin.id) \(takes) (arbd plugins --describe \(plugin.id))")
        } catch {
            throw ManifestLoader.describe(error, file: file, lines: lines, prefix: path)
        }
    }

    func error(_ path: [String], _ message: String) -> ManifestError {
        ManifestError(file: file, line: lines.line(for: path), keyPath: path.joined(separator: "."), message: message)
    }
}

public enum ManifestLoader {
    /// Keys that look like secrets: refused wherever they appear.
    static let secretKeys: Set<String> = ["password", "secret", "api_key", "apikey", "api_secret", "token", "private_key", "passphrase"]

    public static func load(path: String) throws -> LoadedManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestError(file: path, line: nil, keyPath: "", message: "cannot read the file; check the path (from \(FileManager.default.currentDirectoryPath))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(file: path, line: nil, keyPath: "", message: "the file is not UTF-8 text")
        }
        return try load(text: text, file: path)
    }

    public static func load(text: String, file: String) throws -> LoadedManifest {
        let lines = ManifestLineIndex(text: text)
        if let problem = TOMLGuard.check(text) {
            throw ManifestError(file: file, line: problem.line, keyPath: "", message: "TOML syntax: \(problem.message)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ManifestError(file: file, line: error.source.begin.line, keyPath: "", message: "TOML syntax: \(error.description)")
        }
        for path in lines.lines.keys.sorted() {
            let parts = path.split(separator: ".").map(String.init)
            if let last = parts.last, secretKeys.contains(last.lowercased()) {
                throw ManifestError(file: file, line: lines.line(for: parts), keyPath: path,
                                    message: "secrets are never written in a manifest; name an environment variable instead, e.g. \(last)_env = \"ARBOR_\(last.uppercased())\"")
            }
        }
        let manifest: Manifest
        do {
            manifest = try TOMLDecoder(strictDecoding: true).decode(Manifest.self, from: table)
        } catch {
            throw describe(error, file: file, lines: lines, prefix: [])
        }
        return LoadedManifest(file: file, manifest: manifest, table: table, lines: lines)
    }

    /// Turns a decoding error into a located, actionable message.
    static func describe(_ error: any Error, file: String, lines: ManifestLineIndex, prefix: [String]) -> ManifestError {
        func located(_ path: [String], _ message: String) -> ManifestError {
            let full = prefix + path
            return ManifestError(file: file, line: lines.line(for: full), keyPath: full.joined(separator: "."), message: message)
        }
        func names(_ keys: [any CodingKey]) -> [String] { keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue } }
        if let unexpected = error as? UnexpectedKeysError {
            let paths = unexpected.keys.values.map(names).sorted { $0.joined(separator: ".") < $1.joined(separator: ".") }
            let first = paths.first ?? []
            let all = paths.map { ($0).joined(separator: ".") }.joined(separator: ", ")
            return located(first, "unknown key\(paths.count > 1 ? "s" : "") (\(all)); check the spelling against docs/MANIFEST.md")
        }
        if let manifestError = error as? ManifestError { return manifestError }
        guard let decoding = error as? DecodingError else {
            return located([], String(describing: error))
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            var path = names(context.codingPath)
            if path.last != key.stringValue { path.append(key.stringValue) }
            // TOMLKit reports a value of the wrong type as a missing key: say what it is.
            if lines.contains(prefix + path) {
                return located(path, "has the wrong type; see docs/MANIFEST.md for the expected form")
            }
            // A required key that is missing next to an unknown one is almost always a typo.
            let parent = prefix + path.dropLast()
            if let typo = lines.siblings(of: parent).first(where: { Self.editDistance($0, key.stringValue) <= 2 }) {
                let typoPath = Array(path.dropLast()) + [typo]
                return located(typoPath, "unknown key '\(typo)'; did you mean '\(key.stringValue)'?")
            }
            return located(path, "is missing; add it (see docs/MANIFEST.md)")
        case .typeMismatch(let type, let context):
            return located(names(context.codingPath), "expected \(describeType(type)); \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return located(names(context.codingPath), "expected \(describeType(type)), found nothing")
        case .dataCorrupted(let context):
            return located(names(context.codingPath), context.debugDescription)
        @unknown default:
            return located([], String(describing: decoding))
        }
    }

    /// A plugin section's defaults: the type decoded from an empty table.
    static func decodeEmpty<T: Decodable>(_ type: T.Type) throws -> T {
        try TOMLDecoder(strictDecoding: true).decode(T.self, from: TOMLTable())
    }

    /// Levenshtein distance, for "did you mean".
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }

    static func describeType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type: return "an integer"
        case is Bool.Type: return "true or false"
        case is Price.Type, is Quantity.Type, is Amount.Type, is Ratio.Type: return "a decimal string"
        default: return "\(type)"
        }
    }
}
