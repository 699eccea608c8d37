import ArbCore

/// Every scope's state, its transitions and their recovery rules, in a dense table
/// (global, then each venue, each asset, each route) so that reading a scope's state is
/// an index. A scope never escalated is `active`. Escalation is immediate; recovery
/// follows the rule set when the scope left `active` (a cool-down passes, or an explicit
/// resume). Deterministic: time comes from the caller (event time), and recoveries due at
/// the same time are taken in table order.
public struct ScopeStates: Sendable {
    struct Entry: Sendable {
        var state: RiskState = .active
        var code: RiskCode = .killSwitch
        var recovery: RiskRecovery? = nil
    }
    let venueCount: Int
    let assetCount: Int
    var entries: ContiguousArray<Entry>
    /// The earliest cool-down end among scopes not active: `advance` is one comparison
    /// until then.
    var nextDue: Timestamp = .distantFuture
    /// Scopes not active: while 0, a check reads no state at all.
    public private(set) var notActiveCount = 0
    /// Every transition, in order (the summary keeps the first `transitionCapacity`; the
    /// journal has them all).
    public private(set) var transitions: [RiskTransition] = []
    /// Transitions not kept in `transitions` because it was full.
    public private(set) var transitionsDropped = 0
    /// Transitions made so far (kept or not): readers deliver from their last count.
    public private(set) var transitionCount = 0
    public static let transitionCapacity = 10_000
    /// The transitions made since the last `takeNew()` (delivered to the journal).
    var pending: [RiskTransition] = []

    public init(venueCount: Int = 0, assetCount: Int = 0) {
        self.venueCount = venueCount
        self.assetCount = assetCount
        entries = ContiguousArray(repeating: Entry(), count: 1 + venueCount + assetCount)
    }

    @inline(__always) func index(_ scope: RiskScope) -> Int {
        switch scope {
        case .global: return 0
        case .exchange(let v): return 1 + v.index
        case .symbol(let a): return 1 + venueCount + a.index
        case .route(let r): return 1 + venueCount + assetCount + Int(r)
        }
    }

    func scope(at i: Int) -> RiskScope {
        if i == 0 { return .global }
        if i <= venueCount { return .exchange(VenueId(i - 1)) }
        if i <= venueCount + assetCount { return .symbol(AssetId(i - 1 - venueCount)) }
        return .route(Int32(i - 1 - venueCount - assetCount))
    }

    @inline(__always) public func state(of scope: RiskScope) -> RiskState {
        let i = index(scope)
        return i >= 0 && i < entries.count ? entries[i].state : .active
    }

    /// The code and recovery rule a scope left `active` with (nil while active).
    public func reason(of scope: RiskScope) -> (code: RiskCode, recovery: RiskRecovery?)? {
        let i = index(scope)
        guard i >= 0 && i < entries.count, entries[i].state != .active else { return nil }
        return (entries[i].code, entries[i].recovery)
    }

    /// Moves `scope` to `state` if that is more severe than where it is, and records the
    /// transition. The same state again extends a cool-down (a feed still stale keeps its
    /// venue halted) without a new transition; a less severe request is ignored (only
    /// recovery lowers a state).
    public mutating func escalate(_ scope: RiskScope, to state: RiskState, code: RiskCode, reason: String, at time: Timestamp,
                                  recovery: RiskRecovery?) {
        let i = index(scope)
        guard i >= 0 else { return }
        if i >= entries.count { entries.append(contentsOf: repeatElement(Entry(), count: i + 1 - entries.count)) }
        let current = entries[i].state
        if state == current, current != .active, case .cooldown(let until)? = recovery,
           case .cooldown(let old)? = entries[i].recovery, until > old {
            entries[i].recovery = recovery
            return
        }
        guard state > current else { return }
        if current == .active { notActiveCount += 1 }
        entries[i] = Entry(state: state, code: code, recovery: recovery)
        if case .cooldown(let until)? = recovery, until < nextDue { nextDue = until }
        record(RiskTransition(scope: scope, from: current, to: state, code: code, reason: reason, at: time, recovery: recovery))
    }

    mutating func record(_ transition: RiskTransition) {
        transitionCount += 1
        if transitions.count < Self.transitionCapacity { transitions.append(transition) } else { transitionsDropped += 1 }
        pending.append(transition)
    }

    /// Lifts every cool-down that has passed at `time`; returns how many scopes recovered.
    @inline(__always) @discardableResult
    public mutating func advance(to time: Timestamp) -> Int {
        time >= nextDue ? recoverDue(at: time) : 0
    }

    mutating func recoverDue(at time: Timestamp) -> Int {
        var recovered = 0
        var next = Timestamp.distantFuture
        for i in entries.indices where entries[i].state != .active {
            guard case .cooldown(let until)? = entries[i].recovery else { continue }
            if time >= until {
                let entry = entries[i]
                entries[i] = Entry()
                notActiveCount -= 1
                record(RiskTransition(scope: scope(at: i), from: entry.state, to: .active, code: entry.code,
                                      reason: "cool-down over", at: time, recovery: nil))
                recovered += 1
            } else if until < next {
                next = until
            }
        }
        nextDue = next
        return recovered
    }

    /// An explicit resume: back to `active` whatever the recovery rule.
    public mutating func resume(_ scope: RiskScope, reason: String, at time: Timestamp) {
        let i = index(scope)
        guard i >= 0 && i < entries.count, entries[i].state != .active else { return }
        let entry = entries[i]
        entries[i] = Entry()
        notActiveCount -= 1
        record(RiskTransition(scope: scope, from: entry.state, to: .active, code: entry.code, reason: reason, at: time, recovery: nil))
    }

    /// The transitions made since the last call, in order.
    mutating func takeNew() -> [RiskTransition] {
        guard !pending.isEmpty else { return [] }
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    /// Scopes not active now, in table order.
    public var notActive: [(scope: RiskScope, state: RiskState, code: RiskCode)] {
        entries.indices.filter { entries[$0].state != .active }.map { (scope(at: $0), entries[$0].state, entries[$0].code) }
    }
}
