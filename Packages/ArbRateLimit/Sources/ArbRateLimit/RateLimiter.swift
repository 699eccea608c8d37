import ArbCore

/// The in-process limiter for one exchange (one IP and account): every pool of the
/// exchange's rules, hard limits (a request that would exceed any pool is never granted),
/// soft limits by priority, feedback from the exchange, bans. Owned by one thread; time
/// comes from the caller, so tests run in simulated time. `tryAcquire` costs well under
/// a microsecond (docs/BENCHMARKS.md).
public final class RateLimiter {
    public let rules: any RateLimitRules
    public let policy: RateLimitPolicy
    private var states: [PoolState]
    /// Per-instrument pools: (pool, instrument) → index into `states`.
    private var instances: [InstanceKey: Int] = [:]
    private var instanceNames: [String?]
    private var poolOfState: [Int]
    private var bannedUntil: Int64 = .min
    private var costBuffer: [PoolCost] = []
    public private(set) var counters = Counters()

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

    public init(rules: any RateLimitRules, policy: RateLimitPolicy = RateLimitPolicy()) {
        self.rules = rules
        self.policy = policy
        states = rules.pools.map { PoolState(scheme: $0.scheme, limit: policy.limit(of: $0)) }
        instanceNames = Array(repeating: nil, count: rules.pools.count)
        poolOfState = Array(rules.pools.indices)
    }

    public var exchange: String { rules.exchange }

    private func stateIndex(pool: Int, instrument: String?) -> Int {
        guard rules.pools[pool].scope == .accountInstrument else { return pool }
        let key = InstanceKey(pool: pool, instrument: instrument ?? "")
        if let i = instances[key] { return i }
        let definition = rules.pools[pool]
        states.append(PoolState(scheme: definition.scheme, limit: policy.limit(of: definition)))
        instanceNames.append(key.instrument)
        poolOfState.append(pool)
        instances[key] = states.count - 1
        return states.count - 1
    }

    /// Answers now: granted (and counted on every pool it draws on), or when it could go.
    public func tryAcquire(_ request: RateLimitRequest, at now: Timestamp) -> RateLimitDecision {
        let t = now.nanoseconds
        if bannedUntil > t { counters.deniedWhileBanned += 1; return .banned(until: Timestamp(nanoseconds: bannedUntil)) }
        costBuffer.removeAll(keepingCapacity: true)
        costBuffer.append(contentsOf: rules.costs(for: request))
        let fraction = policy.ceiling(request.priority)
        var latest: Int64? = nil
        var latestPool = 0
        for cost in costBuffer where cost.weight > 0 {
            let s = stateIndex(pool: cost.pool, instrument: request.instrument)
            let ceiling = max(1, Int64(Int128(states[s].limit) * Int128(fraction.raw) / Int128(FixedDecimal.unit)))
            if let at = states[s].earliest(cost: cost.weight, ceiling: ceiling, at: t), at > (latest ?? .min) {
                latest = at; latestPool = s
            }
        }
        guard let latest else {
            for cost in costBuffer where cost.weight > 0 {
                states[stateIndex(pool: cost.pool, instrument: request.instrument)].commit(cost: cost.weight, at: t)
            }
            counters.granted += 1
            return .granted
        }
        let name = rules.pools[poolOfState[latestPool]].id
        if latest == .max { return .impossible(pool: name) }
        if request.priority == .marketData && latest - t > policy.maxMarketDataWait.nanosecondsInt64 {
            counters.sheds += 1
            states[latestPool].metrics.sheds += 1
            return .shed(pool: name)
        }
        counters.waits += 1
        states[latestPool].metrics.waits += 1
        return .wait(until: Timestamp(nanoseconds: latest), pool: name)
    }

    /// Reads an exchange response: usage headers re-synchronise the local counts, a 429
    /// blocks the pool until Retry-After, a ban stops everything until it ends.
    public func observe(_ feedback: RateLimitFeedback, at now: Timestamp) {
        let t = now.nanoseconds
        if feedback.status == 429 { counters.tooManyRequests += 1 }
        for action in rules.interpret(feedback) {
            switch action {
            case .used(let pool, let used):
                states[stateIndex(pool: pool, instrument: feedback.instrument)].resync(used: used, at: t)
                counters.resyncs += 1
            case .remaining(let pool, let remaining):
                let s = stateIndex(pool: pool, instrument: feedback.instrument)
                states[s].resync(used: rules.pools[pool].scheme.limit - remaining, at: t)
                counters.resyncs += 1
            case .blockPool(let pool, let duration):
                let s = stateIndex(pool: pool, instrument: feedback.instrument)
                states[s].blockedUntil = max(states[s].blockedUntil, t + duration.nanosecondsInt64)
                states[s].metrics.blocks += 1
            case .ban(let duration):
                bannedUntil = max(bannedUntil, t + duration.nanosecondsInt64)
                counters.bans += 1
            }
        }
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
