import ArbCore

/// Every scope's state, its transitions and their recovery rules. A scope not listed is
/// `active`. Escalation is immediate; recovery follows the rule set when the scope left
/// `active` (a cool-down passes, or an explicit resume). Deterministic: time comes from
/// the caller (event time).
public struct ScopeStates: Sendable {
    struct Entry: Sendable {
        var state: RiskState
        var code: RiskCode
        var recovery: RiskRecovery?
    }
    var entries: [RiskScope: Entry] = [:]
    /// Every transition, in order.
    public private(set) var transitions: [RiskTransition] = []

    public init() {}

    public func state(of scope: RiskScope) -> RiskState { entries[scope]?.state ?? .active }

    /// Moves `scope` to `state` if that is more severe than where it is; records the
    /// transition. A less severe request is ignored (only recovery lowers a state).
    public mutating func escalate(_ scope: RiskScope, to state: RiskState, code: RiskCode, reason: String, at time: Timestamp,
                                  recovery: RiskRecovery?) {
        let current = self.state(of: scope)
        guard state > current else { return }
        entries[scope] = Entry(state: state, code: code, recovery: recovery)
        transitions.append(RiskTransition(scope: scope, from: current, to: state, code: code, reason: reason, at: time, recovery: recovery))
    }

    /// Lifts every cool-down that has passed at `time`; returns how many scopes recovered.
    @discardableResult
    public mutating func advance(to time: Timestamp) -> Int {
        // The common case (nothing due) looks without allocating; only a due cool-down
        // pays for the sort that keeps the transitions in a deterministic order.
        var due = false
        for entry in entries.values {
            if case .cooldown(let until) = entry.recovery, time >= until { due = true; break }
        }
        guard due else { return 0 }
        var recovered = 0
        for (scope, entry) in entries.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            guard case .cooldown(let until) = entry.recovery, time >= until else { continue }
            entries[scope] = nil
            transitions.append(RiskTransition(scope: scope, from: entry.state, to: .active, code: entry.code,
                                              reason: "cool-down over", at: time, recovery: nil))
            recovered += 1
        }
        return recovered
    }

    /// An explicit resume: back to `active` whatever the recovery rule.
    public mutating func resume(_ scope: RiskScope, reason: String, at time: Timestamp) {
        guard let entry = entries[scope] else { return }
        entries[scope] = nil
        transitions.append(RiskTransition(scope: scope, from: entry.state, to: .active, code: entry.code, reason: reason, at: time, recovery: nil))
    }
}
