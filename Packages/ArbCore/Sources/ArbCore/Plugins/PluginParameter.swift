/// One key a plugin reads from its manifest section (`[exchanges.<name>.settings]` or
/// `[strategies.<name>.parameters]`): what `arbd plugins --describe ID` prints, what
/// docs/MANIFEST.md lists (generated; a test fails when they drift), and what an
/// unknown-key error offers instead.
public struct PluginParameter: Sendable, Hashable {
    /// The manifest key: `min_edge`.
    public var name: String
    /// How to write it: `ratio`, `amount`, `integer`, `string`, `list of strings`, …
    public var type: String
    /// The default as written in a manifest (`"0.002"`, `2000`); nil: required.
    public var defaultValue: String?
    /// What is accepted beyond the type (`0 ≤ x < 1`), or empty.
    public var range: String
    /// What it does, in a sentence.
    public var meaning: String

    /// One key: `PluginParameter("min_edge", type: "ratio", default: "\"0.002\"", range: "0 ≤ x < 1", meaning: "…")`.
    public init(_ name: String, type: String, default defaultValue: String?, range: String = "", meaning: String) {
        self.name = name; self.type = type; self.defaultValue = defaultValue; self.range = range; self.meaning = meaning
    }
}
