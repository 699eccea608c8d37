/// Maps dotted key paths of a TOML text to the line that defines them, so decoding
/// errors (which TOMLKit reports without positions) can point at a line.
struct ManifestLineIndex {
    private(set) var lines: [String: Int] = [:]

    init(text: String) {
        var table: [String] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Self.stripComment(Substring(raw)).trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            if line.hasPrefix("[") {
                let inner = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                table = Self.splitKey(inner)
                record(table, number + 1)
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = Self.splitKey(String(line[..<eq]).trimmingCharacters(in: .whitespaces))
            let path = table + key
            record(path, number + 1)
            // Keys of an inline table on the same line: `latency_ms = { outbound = 15 }`.
            let value = line[line.index(after: eq)...]
            if value.contains("{") {
                var depthPath = path
                var token = ""
                for ch in value {
                    if ch == "=" {
                        let k = token.trimmingCharacters(in: CharacterSet(charactersIn: " ,{\"'"))
                        if !k.isEmpty { record(depthPath + Self.splitKey(k), number + 1) }
                        token = ""
                    } else if ch == "{" {
                        let k = token.trimmingCharacters(in: CharacterSet(charactersIn: " ,{=\"'"))
                        if !k.isEmpty { depthPath += Self.splitKey(k) }
                        token = ""
                    } else if ch == "}" {
                        token = ""
                    } else if ch == "," {
                        token = ""
                    } else {
                        token.append(ch)
                    }
                }
            }
        }
    }

    private mutating func record(_ path: [String], _ line: Int) {
        let key = path.joined(separator: ".")
        if lines[key] == nil { lines[key] = line }
    }

    /// The line of `path`, or of its closest enclosing key or table.
    func line(for path: [String]) -> Int? {
        var p = path
        while !p.isEmpty {
            if let line = lines[p.joined(separator: ".")] { return line }
            p.removeLast()
        }
        return nil
    }

    /// Keys written directly under `parent`, sorted.
    func siblings(of parent: [String]) -> [String] {
        let prefix = parent.isEmpty ? "" : parent.joined(separator: ".") + "."
        return lines.keys.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains(".") }
            .map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    func contains(_ path: [String]) -> Bool { lines[path.joined(separator: ".")] != nil }

    static func splitKey(_ key: String) -> [String] {
        key.split(separator: ".").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"'")) }
    }

    static func stripComment(_ line: Substring) -> Substring {
        var inString: Character? = nil
        for i in line.indices {
            let ch = line[i]
            if let q = inString { if ch == q { inString = nil } }
            else if ch == "\"" || ch == "'" { inString = ch }
            else if ch == "#" { return line[..<i] }
        }
        return line
    }
}

import Foundation
