import ArbCore

/// What happens to liquidity our orders (or modelled competitors) took at the simulated
/// exchange while the recorded or synthetic feed still shows it.
public enum ReplenishmentModel: Sendable, Hashable, CustomStringConvertible {
    /// Taken liquidity stays taken while the level lives: until the feed shows the level
    /// at or below what was left, or removes it. The conservative default.
    case none
    /// Taken liquidity comes back linearly over this long (someone re-quotes).
    case linear(Duration)

    public var problem: String? {
        if case .linear(let d) = self, d <= .zero || d > .seconds(86_400) {
            return "the refill time must be above 0 and at most one day"
        }
        return nil
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .linear(let d): return "linear over \(d.nanosecondsInt64 / 1_000_000) ms"
        }
    }
}
