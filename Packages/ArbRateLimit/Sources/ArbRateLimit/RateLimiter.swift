import ArbCore

/// The in-process limiter for one exchange (one IP and account): every pool of the
/// exchange's rules, hard limits (a request that would exceed any pool is never granted),
/// soft limits by priority, feedback from the exchange, bans. Owned by one thread; time
/// comes from the caller, so tests run in simulated time. `tryAcquire` costs well under
/// a microsecond (docs/BENCHMARKS.md).
public final class RateLimiter {
    public let rules: any RateLimitRules
    public let policy: RateLimitPolicy

    /// Mutable state in one heap block reached through a pointer: no runtime exclusivity
    /// check per access (a third of a call as stored properties). One thread only.
    struct State {
        var states: [PoolState]
        var instances: [InstanceKey: Int] = [:]
        var instanceNames: [String?]
        var poolOfState: [Int]
        var bannedUntil: Int64 = .min
        var costCache: [(code: Int64, costs: [PoolCost])] = []
        var counters = Counters()
        /// Since `assumeExhausted(at:)`: pool instances created later start full at this time.
        var exhaustedAt: Int64? = nil
    }
    private let state: UnsafeMutablePointer<State>
    /// Pool scopes and ids, read once: reading `rules.pools` through the existential
    /// copies the array on every call.
    private let scopes: [PoolScope]
    private let poolIds: [String]
    public var counters: Counters { state.pointee.counters }

    struct InstanceKey: Hashable { var pool: Int; var instrument: String }

    public struct Counters: Sendable, Hashable, Codable {
        public var granted: Int = 0
        public var waits: Int = 0
        public var sheds: Int = 0
        public var deniedWhileBanned: Int = 0
        public var tooManyRequests: Int = 0
        public var bans: Int = 0
        public var resyncs: Int = 0
        public init() {}
    }

    /// A small integer per endpoint, for the cost cache.
    public static func code(_ endpoint: Endpoint) -> Int64 {
        switch endpoint {
        case .newOrder: return 1
        case .cancelOrder: return 2
        case .amendOrder: return 3
        case .cancelAll: return 4
        case .queryOrder: return 5
        case .openOrders(let all): return all ? 6 : 7
        case .account: return 8
        case .depthSnapshot(let levels): return 100 + Int64(levels)
        case .trades: return 9
        case .exchangeInfo: return 10
        case .serverTime: return 11
        case .webSocketConnect: return 12
        case .webSocketMessage: return 13
        }
    }

    public init(rules: any RateLimitRules, policy: RateLimitPolicy = RateLimitPolicy()) {
        self.rules = rules
        self.policy = policy
        state = .allocate(capacity: 1)
        state.initialize(to: State(states: rules.pools.map { PoolState(scheme: $0.scheme, limit: policy.limit(of: $0), policy: policy) },
                                   instanceNames: Array(repeating: nil, count: rules.pools.count), poolOfState: Array(rules.pools.indices)))
        scopes = rules.pools.map(\.scope)
        poolIds = rules.pools.map(\.id)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    // Same names as stored properties had, in place through the pointer.
    private var states: [PoolState] { _read { yield state.pointee.states } _modify { yield &state.pointee.states } }
    private var instances: [InstanceKey: Int] { _read { yield state.pointee.instances } _modify { yield &state.pointee.instances } }
    private var instanceNames: [String?] { _read { yield state.pointee.instanceNames } _modify { yield &state.pointee.instanceNames } }
    private var poolOfState: [Int] { _read { yield state.pointee.poolOfState } _modify { yield &state.pointee.poolOfState } }
    private var bannedUntil: Int64 { _read { yield state.pointee.bannedUntil } _modify { yield &state.pointee.bannedUntil } }
    private var mutableCounters: Counters { _read { yield state.pointee.counters } _modify { yield &state.pointee.counters } }

    public var exchange: String { rules.exchange }

    @inline(__always)
    private func stateIndex(pool: Int, instrument: String?) -> Int {
        guard scopes[pool] == .accountInstrument else { return pool }
        let key = InstanceKey(pool: pool, instrument: instrument ?? "")
        if let i = instances[key] { return i }
        let definition = rules.pools[pool]
        var fresh = PoolState(scheme: definition.scheme, limit: policy.limit(of: definition), policy: policy)
        if let exhaustedAt = state.pointee.exhaustedAt { fresh.assumeFull(at: exhaustedAt) }
        states.append(fresh)
        instanceNames.append(key.instrument)
        poolOfState.append(pool)
        instances[key] = states.count - 1
        return states.count - 1
    }

    /// Answers now: granted (and counted on every pool it draws on), or when it could go.
    public func tryAcquire(_ request: RateLimitRequest, at now: Timestamp) -> RateLimitDecision {
        let t = now.nanoseconds
        if bannedUntil > t { mutableCounters.deniedWhileBanned += 1; return .banned(until: Timestamp(nanoseconds: bannedUntil)) }
        // Costs per endpoint are computed once; age-dependent ones (Kraken cancels) every time.
        var costBuffer: [PoolCost] = []
        let code = Self.code(request.endpoint)
        var found = false
        if request.orderAge == nil {
            for entry in state.pointee.costCache where entry.code == code { costBuffer = entry.costs; found = true; break }
        }
        if !found {
            costBuffer = rules.costs(for: request)
            if request.orderAge == nil { state.pointee.costCache.append((code, costBuffer)) }
        }
        let priority = request.priority.rawValue
        var latest: Int64? = nil
        var latestPool = 0
        for cost in costBuffer where cost.weight > 0 {
            let s = stateIndex(pool: cost.pool, instrument: request.instrument)
            let ceiling = states[s].ceilings[priority]
            if let at = states[s].earliest(cost: cost.weight, ceiling: ceiling, at: t), at > (latest ?? .min) {
                latest = at; latestPool = s
            }
        }
        guard let latest else {
            for cost in costBuffer where cost.weight > 0 {
                states[stateIndex(pool: cost.pool, instrument: request.instrument)].commit(cost: cost.weight, at: t)
            }
            mutableCounters.granted += 1
            return .granted
        }
        let name = poolIds[poolOfState[latestPool]]
        if latest == .max { return .impossible(pool: name) }
        if request.priority == .marketData && latest - t > policy.maxMarketDataWait.nanosecondsInt64 {
            mutableCounters.sheds += 1
            states[latestPool].metrics.sheds += 1
            return .shed(pool: name)
        }
        mutableCounters.waits += 1
        states[latestPool].metrics.waits += 1
        return .wait(until: Timestamp(nanoseconds: latest), pool: name)
    }

    /// An order traded for the first time: pools that count unfilled orders give back
    /// what its submission cost them.
    public func orderTraded(instrument: String?, at now: Timestamp) {
        let costs = rules.costs(for: RateLimitRequest(.newOrder, priority: .newOrder, instrument: instrument))
        for cost in costs where cost.weight > 0 && rules.pools[cost.pool].refundedOnFirstFill {
            states[stateIndex(pool: cost.pool, instrument: instrument)].refund(cost: cost.weight, at: now.nanoseconds)
        }
    }

    /// Reads an exchange response: usage headers re-synchronise the local counts, a 429
    /// blocks the pool until Retry-After, a ban stops everything until it ends.
    public func observe(_ feedback: RateLimitFeedback, at now: Timestamp) {
        let t = now.nanoseconds
        if feedback.status == 429 { mutableCounters.tooManyRequests += 1 }
        for action in rules.interpret(feedback) {
            switch action {
            case .used(let pool, let used):
                states[stateIndex(pool: pool, instrument: feedback.instrument)].resync(used: used, at: t)
                mutableCounters.resyncs += 1
            case .remaining(let pool, let remaining):
                let s = stateIndex(pool: pool, instrument: feedback.instrument)
                states[s].resync(used: rules.pools[pool].scheme.limit - remaining, at: t)
                mutableCounters.resyncs += 1
            case .blockPool(let pool, let duration):
                let s = stateIndex(pool: pool, instrument: feedback.instrument)
                states[s].blockedUntil = max(states[s].blockedUntil, t + duration.nanosecondsInt64)
                states[s].metrics.blocks += 1
            case .ban(let duration):
                bannedUntil = max(bannedUntil, t + duration.nanosecondsInt64)
                mutableCounters.bans += 1
            }
        }
    }

    /// Takes every pool, and every per-instrument pool created later, as used up to its
    /// limit at `now`: the Redis-shared limiter's fallback cannot see what the other
    /// processes took in the current windows, so it assumes they took all of it.
    public func assumeExhausted(at now: Timestamp) {
        let t = now.nanoseconds
        for i in states.indices { states[i].assumeFull(at: t) }
        state.pointee.exhaustedAt = max(state.pointee.exhaustedAt ?? .min, t)
    }

    /// Until when the exchange has banned us, if it has.
    public func bannedUntil(at now: Timestamp) -> Timestamp? {
        bannedUntil > now.nanoseconds ? Timestamp(nanoseconds: bannedUntil) : nil
    }

    /// Utilisation and counts per pool instance, for the summary.
    public func metrics(at now: Timestamp) -> [PoolReport] {
        states.indices.map { i in
            let definition = rules.pools[poolOfState[i]]
            let used = states[i].used(at: now.nanoseconds)
            return PoolReport(exchange: rules.exchange, pool: definition.id, instrument: instanceNames[i], limit: states[i].limit,
                              scheme: definition.scheme.description, usedNow: used, metrics: states[i].metrics)
        }
    }
}

/// One pool instance in the summary.
public struct PoolReport: Sendable, Hashable, Codable {
    public var exchange: String
    public var pool: String
    public var instrument: String?
    public var limit: Int64
    public var scheme: String
    public var usedNow: Int64
    public var metrics: PoolMetrics
}
