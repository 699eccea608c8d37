/// Where a run's live status and progress lines go. The host writes none itself: the
/// program (`arbd`) passes its terminal's stderr, a test a collector; nil shows nothing.
public struct StatusOutput: Sendable {
    public var write: @Sendable (String) -> Void
    /// A terminal redraws one line in place; anything else (a CI log) gets a line every
    /// few seconds.
    public var isTerminal: Bool

    public init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal; self.write = write
    }
}
