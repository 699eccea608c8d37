/// A strategy broke a rule of the kernel's: the run stops, and the fault names the
/// strategy, what it did and how to fix it. Nothing already journaled is lost.
public struct StrategyFault: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule broken.
    public enum Kind: String, Sendable, Hashable {
        /// `schedule(after:)` with a zero or negative delay.
        case timerDelay = "timer_delay"
        /// More timer firings at one instant of event time than the kernel allows.
        case timerStorm = "timer_storm"
        /// An order for an instrument the strategy never subscribed to.
        case unsubscribedInstrument = "unsubscribed_instrument"
    }

    /// The strategy's label in the run (its manifest section, else its plugin id).
    public var strategy: String
    /// Its plugin id (`Strategy.name`).
    public var plugin: String
    /// Which rule.
    public var kind: Kind
    /// What the strategy did.
    public var problem: String
    /// What to change.
    public var fix: String
    /// Event time of the fault.
    public var time: Timestamp

    /// A fault; the kernel raises these, strategies do not.
    public init(strategy: String, plugin: String, kind: Kind, problem: String, fix: String, time: Timestamp) {
        self.strategy = strategy; self.plugin = plugin; self.kind = kind; self.problem = problem; self.fix = fix; self.time = time
    }

    public var description: String {
        "strategy '\(strategy)'\(plugin == strategy ? "" : " (\(plugin))"): \(problem)\n  fix: \(fix)"
    }
}
