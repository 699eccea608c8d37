/// What toml++ (inside TOMLKit) cannot be handed: a table header whose first character is
/// neither a key character nor a quote (`[.`, `[[ ,]]`, `[é]`) trips an assertion in its
/// parser and aborts the process (found by fuzzing: `Fuzz/Sources/FuzzManifest`). The
/// guard reads the text as TOML's lexer would — strings, comments, values spanning lines —
/// and reports such a header as a syntax error before the text reaches the parser.
enum TOMLGuard {
    struct Problem: Equatable {
        var line: Int
        var message: String
    }

    static func isKeyStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
            || c == 0x22 || c == 0x27
    }

    /// The first table header toml++ would abort on, if any.
    static func check(_ text: String) -> Problem? {
        let b = Array(text.utf8)
        var i = 0, line = 1
        var depth = 0            // brackets and braces open inside a value
        var containers: [UInt8] = []      // which: `[` or `{`, innermost last
        var expectArrayValue = false      // after `[` or `,` inside an array
        var inValue = false      // after `=` on a key/value line (a value may span lines)
        var atLineStart = true
        func at(_ k: Int) -> UInt8 { k < b.count ? b[k] : 0 }
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x0A:
                line += 1; i += 1
                if depth == 0 { inValue = false }
                atLineStart = true
                continue
            case 0x20, 0x09, 0x0D:
                i += 1; continue
            case 0x23:  // a comment runs to the end of the line
                while i < b.count && b[i] != 0x0A { i += 1 }
                continue
            case 0x22, 0x27:  // strings: basic, literal, and their multi-line forms
                let triple = at(i + 1) == c && at(i + 2) == c
                i += triple ? 3 : 1
                while i < b.count {
                    if b[i] == 0x0A { line += 1; if !triple { break } }
                    if c == 0x22 && b[i] == 0x5C { i += 2; continue }  // an escape in a basic string
                    if b[i] == c && (!triple || (at(i + 1) == c && at(i + 2) == c)) { i += triple ? 3 : 1; break }
                    i += 1
                }
                atLineStart = false
                expectArrayValue = false  // a string is a value
                continue
            default:
                break
            }
            if atLineStart && !inValue && depth == 0 && c == 0x5B {
                // A table header: `[` or `[[`, spaces, then its first key.
                var k = i + 1
                if at(k) == 0x5B { k += 1 }
                while at(k) == 0x20 || at(k) == 0x09 { k += 1 }
                let first = at(k)
                // Anything else, the end of the line or of the file included, trips toml++.
                if first != 0x5D && !isKeyStart(first) {
                    let shown = k >= b.count ? "the end of the file" : first == 0x0A || first == 0x0D ? "the end of the line"
                        : first < 0x80 ? String(UnicodeScalar(first)) : "a non-ASCII character"
                    return Problem(line: line, message: "a table header must start with a key (letters, digits, _ or -, or a quoted key); got '\(shown)'")
                }
                i = k
                atLineStart = false
                continue
            }
            atLineStart = false
            if c == 0x3D && depth == 0 { inValue = true }
            if inValue || depth > 0 {
                // toml++ asserts on a `}` where an array value is expected (`[}`, `[1, }`).
                if expectArrayValue && c == 0x7D {
                    return Problem(line: line, message: "'}' where an array value is expected; close the array with ']'")
                }
                expectArrayValue = false
                if c == 0x5B || c == 0x7B { depth += 1; containers.append(c); expectArrayValue = c == 0x5B }
                if (c == 0x5D || c == 0x7D) && depth > 0 { depth -= 1; containers.removeLast() }
                if c == 0x2C && containers.last == 0x5B { expectArrayValue = true }
            }
            i += 1
        }
        return nil
    }
}
