import ArbCore
import ArbRateLimit
import ArbRedis
import Logging

/// The limiter shared by several `arbd` processes that use one IP or account: every
/// pool lives in Redis and one Lua script checks all the pools a request draws on and
/// commits to all of them atomically, so the processes together never exceed a pool.
/// Bans and 429 blocks are shared too: one process's 418 stops them all.
///
/// - Time is Redis's (`TIME` inside each script): clients whose clocks disagree share
///   one timeline. Answers are mapped onto the caller's timeline (event time in a
///   paper run) by the difference between the caller's `now` and Redis's at the call.
/// - Keys carry one hash tag per exchange budget and are all passed in `KEYS`: the
///   scripts run on Redis Cluster.
/// - Sliding-window members carry a random 64-bit tag per limiter, never a PID.
///
/// **When Redis is unreachable** the limiter falls back to a local limiter with
/// `fallbackShare` of each budget, starting from the assumption that the others
/// already used every current window up to the shared limit. Its windows run on an
/// estimate of Redis's clock, so each counts as a sliding window `clockMargin` longer
/// on each side. It tries Redis again at
/// once when a call fails and then every `reconnectInterval`.
///
/// **When Redis comes back** the limiter writes its own grants back (all of them
/// still counting if Redis lost its data, else those made on the fallback), and a
/// *recovery period* of `reconnectInterval` + connect timeout + 1 s starts, announced
/// in Redis: every process then needs both its local share and Redis to grant, so
/// those still on their fallback have reconnected and written back before Redis
/// alone decides again. Sound when the fallback shares add up to at most 1 and every
/// process uses the same reconnect interval (docs/RATE-LIMITS.md).
public final class RedisRateLimiter: RateLimitBackend {
    public let rules: any RateLimitRules
    public let policy: RateLimitPolicy
    /// `{<prefix>:rl:<exchange>}`: the hash tag every key of this budget starts with.
    public let keyTag: String
    /// Random per limiter: names this process's sliding-window members.
    public let memberTag: String
    public let reconnectInterval: Duration
    public let connectTimeout: Duration
    /// How far this process's estimate of Redis's clock may be off; the local share
    /// counts every window this much longer on each side (`ClockMarginRules`).
    public let clockMargin: Duration
    private let connect: () throws -> RedisConnection
    private let clock: any RateLimitClock
    private let logger: Logger

    private var connection: RedisConnection?
    private var scripts: [Script: RedisScript] = Dictionary(uniqueKeysWithValues: Script.allCases.map { ($0, RedisScript(name: "\($0)", source: $0.source)) })
    private var retryAt: Int64 = .min
    private let fallback: RateLimiter
    private var onFallback = false
    /// The local limiter was filled up (fallback or recovery) and not yet released.
    private var localAssumedFull = false
    /// The epoch of the Redis data set last seen, and its recovery period's end (µs).
    private var epoch: String?
    private var recoverUntil: Int64 = 0
    /// Caller time minus Redis time (ns) at the last answer.
    private var offset: Int64 = 0
    /// Highest Redis time estimate handed to the local limiter (it must not go back).
    private var lastLocalTime: Int64 = .min
    private var sequence: UInt64 = 0
    private var ledgers: [String: OwnGrantLedger] = [:]
    private var costCache: [Int64: [PoolCost]] = [:]

    public private(set) var fallbacks = 0
    public private(set) var reconnects = 0
    /// Own grants written back into Redis after a fallback or a restart.
    public private(set) var writtenBack = 0
    public private(set) var counters = RateLimiter.Counters()
    /// Redis time (or, on the fallback, this process's estimate of it) of the last
    /// grant: the time the shared counts hold it at, for audits.
    public private(set) var lastGrantServerTime: Timestamp?
    /// The last grant came from Redis (its time exact), not from the local share alone.
    public private(set) var lastGrantWasShared = false

    enum Script: CaseIterable {
        case acquire, feedback, hello, writeBack
        var source: String {
            switch self {
            case .acquire: return RedisRateLimitScripts.acquire
            case .feedback: return RedisRateLimitScripts.feedback
            case .hello: return RedisRateLimitScripts.hello
            case .writeBack: return RedisRateLimitScripts.writeBack
            }
        }
    }

    public init(rules: any RateLimitRules, policy: RateLimitPolicy, prefix: String, fallbackShare: Ratio,
                reconnectInterval: Duration = .seconds(1), connectTimeout: Duration = .milliseconds(500),
                clockMargin: Duration = .milliseconds(100), clock: any RateLimitClock = SystemRateLimitClock(), logger: Logger = Logger(label: "arbor.ratelimit.redis"),
                connect: @escaping () throws -> RedisConnection) {
        self.rules = rules
        self.policy = policy
        self.keyTag = "{\(prefix):rl:\(rules.exchange)}"
        var generator = SystemRandomNumberGenerator()
        let tag = String(generator.next() as UInt64, radix: 16)
        self.memberTag = String(repeating: "0", count: 16 - tag.count) + tag
        self.reconnectInterval = reconnectInterval
        self.connectTimeout = connectTimeout
        self.clockMargin = clockMargin
        self.clock = clock
        self.logger = logger
        self.connect = connect
        var local = policy
        local.share = Ratio(raw: Int64(Int128(policy.share.raw) * Int128(fallbackShare.raw) / Int128(FixedDecimal.unit)))
        fallback = RateLimiter(rules: ClockMarginRules(rules, margin: clockMargin), policy: local)
    }

    public var exchange: String { rules.exchange }
    public var isUsingFallback: Bool { onFallback }
    /// Whether the last answer came during a recovery period.
    public var isRecovering: Bool { recoverUntil > 0 && recoverUntil > lastLocalTime / 1_000 }

    /// Every key of the budget: `{tag}:<pool>[:<instrument>]`.
    func key(_ pool: Int, _ instrument: String?) -> String {
        let definition = rules.pools[pool]
        return definition.scope == .accountInstrument ? "\(keyTag):\(definition.id):\(instrument ?? "")" : "\(keyTag):\(definition.id)"
    }
    var banKey: String { "\(keyTag):ban" }
    var epochKey: String { "\(keyTag):epoch" }

    // MARK: Connection

    /// A live connection, or nil (fallback) if Redis cannot be reached now.
    private func ready(_ now: Timestamp, force: Bool = false) -> RedisConnection? {
        if let connection { return connection }
        let real = clock.now().nanoseconds
        guard force || real >= retryAt else { return nil }
        do {
            let c = try connect()
            for script in Script.allCases { try scripts[script]!.load(on: c) }
            connection = c
            try hello(c, now)
            return connection
        } catch {
            connection = nil
            retryAt = real + reconnectInterval.nanosecondsInt64
            logger.debug("redis rate limiter: cannot reach Redis", metadata: ["exchange": "\(exchange)", "error": "\(error)"])
            return nil
        }
    }

    private func dropConnection(_ error: any Error) {
        connection = nil
        retryAt = clock.now().nanoseconds + reconnectInterval.nanosecondsInt64
        logger.warning("redis rate limiter: lost Redis", metadata: ["exchange": "\(exchange)", "error": "\(error)"])
    }

    private func run(_ c: RedisConnection, _ script: Script, keys: [String], arguments: [String]) throws -> RedisReply {
        try scripts[script]!.run(on: c, keys: keys, arguments: arguments)
    }

    /// Right after connecting: learns whether Redis kept its data (same epoch), writes
    /// back what Redis does not hold of ours, and starts or extends a recovery period
    /// if this process was cut off or Redis lost its data.
    private func hello(_ c: RedisConnection, _ now: Timestamp) throws {
        var generator = SystemRandomNumberGenerator()
        let candidate = String(generator.next() as UInt64, radix: 16)
        let period = (reconnectInterval + connectTimeout + .seconds(1)).nanosecondsInt64 / 1_000
        let cutOff = onFallback || epoch != nil
        let reply = try run(c, .hello, keys: [epochKey], arguments: [candidate, String(period), cutOff ? "1" : "0"])
        guard case .array(let parts) = reply, parts.count == 3, let id = parts[0].string,
              let until = parts[1].integer, let serverNow = parts[2].integer else {
            throw RedisError(code: .protocolMismatch, message: "hello: unexpected reply \(reply)", context: c.endpoint)
        }
        let lostData = epoch != nil && epoch != id
        if epoch != nil { reconnects += 1 }
        if lostData {
            for k in ledgers.keys { ledgers[k]!.markNoneInRedis() }
            logger.warning("redis rate limiter: Redis lost its data (restarted); writing this process's grants back",
                           metadata: ["exchange": "\(exchange)"])
        }
        epoch = id
        recoverUntil = until
        let serverNanos = try Self.nanoseconds(micros: serverNow, c)
        offset = now.nanoseconds &- serverNanos
        lastLocalTime = max(lastLocalTime, serverNanos)
        try writeBack(c)
        if onFallback {
            logger.notice("redis rate limiter: Redis is back", metadata: ["exchange": "\(exchange)"])
        }
        onFallback = false
    }

    /// Writes every own grant Redis does not hold back into it, pool by pool.
    private func writeBack(_ c: RedisConnection) throws {
        for name in ledgers.keys.sorted() {
            let ledger = ledgers[name]!
            let missing = ledger.live.filter { !$0.inRedis }
            guard !missing.isEmpty else { continue }
            let (code, parameter) = Self.schemeArguments(ledger.scheme)
            var arguments = [String(code), String(parameter), String(ledger.scheme.limit)]
            for grant in missing { arguments += [String(grant.time), String(grant.weight), grant.member] }
            _ = try run(c, .writeBack, keys: [name], arguments: arguments)
            ledgers[name]!.markAllInRedis()
            writtenBack += missing.count
        }
    }

    /// A time from a reply (µs) in ns; a value that cannot be one is a protocol error.
    static func nanoseconds(micros: Int64, _ c: RedisConnection) throws -> Int64 {
        let (nanos, overflow) = micros.multipliedReportingOverflow(by: 1_000)
        guard !overflow, nanos >= 0 else {
            throw RedisError(code: .protocolMismatch, message: "a time of \(micros) µs in a reply", context: c.endpoint)
        }
        return nanos
    }

    static func schemeArguments(_ scheme: RateLimitScheme) -> (code: Int, parameter: Int64) {
        switch scheme {
        case .fixedWindow(_, let w): return (1, max(1, w.nanosecondsInt64 / 1_000))
        case .slidingWindow(_, let w): return (2, max(1, w.nanosecondsInt64 / 1_000))
        case .decayingCounter(_, let d): return (3, d)
        case .tokenBucket(_, let r): return (4, r)
        }
    }

    // MARK: Local share (fallback and recovery)

    /// The caller's time on Redis's timeline (as last measured), never going back.
    private func localTime(_ now: Timestamp) -> Timestamp {
        let (estimate, overflow) = now.nanoseconds.subtractingReportingOverflow(offset)
        lastLocalTime = max(lastLocalTime, overflow ? now.nanoseconds : estimate)
        return Timestamp(nanoseconds: lastLocalTime)
    }

    /// Fills the local limiter up once per cut-off: the others may have used every
    /// current window.
    private func assumeLocalFull(_ local: Timestamp) {
        guard !localAssumedFull else { return }
        fallback.assumeExhausted(at: local)
        localAssumedFull = true
    }

    /// Asks the local share, on Redis's timeline; answers on the caller's.
    private func acquireLocally(_ request: RateLimitRequest, at now: Timestamp) -> RateLimitDecision {
        let local = localTime(now)
        assumeLocalFull(local)
        let decision = fallback.tryAcquire(request, at: local)
        let shift = now.nanoseconds - local.nanoseconds
        switch decision {
        case .wait(let until, let pool): return .wait(until: Timestamp(nanoseconds: until.nanoseconds &+ shift), pool: pool)
        case .banned(let until): return .banned(until: Timestamp(nanoseconds: until.nanoseconds &+ shift))
        default: return decision
        }
    }

    private func useFallback(_ request: RateLimitRequest, at now: Timestamp) -> RateLimitDecision {
        if !onFallback {
            onFallback = true
            fallbacks += 1
            logger.warning("redis rate limiter: Redis unreachable; using the local fallback share, assuming the current windows used up",
                           metadata: ["exchange": "\(exchange)"])
        }
        let decision = acquireLocally(request, at: now)
        if decision == .granted {
            recordGrant(request, at: lastLocalTime / 1_000, member: nextMember(), inRedis: false)
            lastGrantWasShared = false
        }
        count(decision)
        return decision
    }

    private func count(_ decision: RateLimitDecision) {
        switch decision {
        case .granted: counters.granted += 1
        case .wait: counters.waits += 1
        case .shed: counters.sheds += 1
        case .banned: counters.deniedWhileBanned += 1
        case .impossible: break
        }
    }

    private func nextMember() -> String {
        sequence += 1
        return "\(memberTag):\(sequence)"
    }

    private func costs(for request: RateLimitRequest) -> [PoolCost] {
        if request.orderAge == nil, let cached = costCache[RateLimiter.code(request.endpoint)] { return cached }
        let costs = rules.costs(for: request).filter { $0.weight > 0 }
        if request.orderAge == nil { costCache[RateLimiter.code(request.endpoint)] = costs }
        return costs
    }

    private func recordGrant(_ request: RateLimitRequest, at micros: Int64, member: String, inRedis: Bool) {
        lastGrantServerTime = Timestamp(nanoseconds: micros &* 1_000)
        for cost in costs(for: request) {
            let name = key(cost.pool, request.instrument)
            if ledgers[name] == nil { ledgers[name] = OwnGrantLedger(scheme: rules.pools[cost.pool].scheme) }
            ledgers[name]!.record(.init(time: micros, weight: cost.weight, member: member, inRedis: inRedis))
        }
    }

    // MARK: RateLimitBackend

    public func tryAcquire(_ request: RateLimitRequest, at now: Timestamp) -> RateLimitDecision {
        // A failed call reconnects at once (Redis may just have restarted) before falling back.
        for attempt in 0..<2 {
            guard let c = ready(now, force: attempt > 0) else { return useFallback(request, at: now) }
            do {
                return try acquireShared(c, request, at: now)
            } catch {
                dropConnection(error)
            }
        }
        return useFallback(request, at: now)
    }

    private func acquireShared(_ c: RedisConnection, _ request: RateLimitRequest, at now: Timestamp) throws -> RateLimitDecision {
        let costs = costs(for: request)
        var keys = [banKey, epochKey]
        let member = nextMember()
        var arguments = [member, "0"]
        for cost in costs {
            let definition = rules.pools[cost.pool]
            let limit = policy.limit(of: definition)
            var (code, parameter) = Self.schemeArguments(definition.scheme)
            if code >= 3 { parameter = policy.shareOfRate(parameter) }
            let k = key(cost.pool, request.instrument)
            keys += [k, k + ":block"]
            arguments += [String(code), String(policy.ceiling(request.priority, of: limit)), String(parameter), String(cost.weight), String(limit)]
        }
        // During a recovery period the local share must agree first.
        if isRecovering {
            let local = acquireLocally(request, at: now)
            guard local == .granted else { count(local); return local }
            arguments[1] = "1"
        }
        for _ in 0..<3 {
            let reply = try run(c, .acquire, keys: keys, arguments: arguments)
            guard case .array(let parts) = reply, parts.count == 5,
                  let status = parts[0].integer, let value = parts[1].integer, let pool = parts[2].integer,
                  let serverNow = parts[3].integer, let until = parts[4].integer else {
                throw RedisError(code: .protocolMismatch, message: "unexpected reply \(reply)", context: c.endpoint)
            }
            let serverNanos = try Self.nanoseconds(micros: serverNow, c)
            offset = now.nanoseconds &- serverNanos
            lastLocalTime = max(lastLocalTime, serverNanos)
            recoverUntil = until
            switch status {
            case 3:
                // Redis lost its data while this connection stayed up (FLUSHALL, eviction).
                epoch = epoch.map { $0 + "-lost" } ?? "lost"
                try hello(c, now)
                arguments[1] = "0"
                continue
            case 4:
                let local = acquireLocally(request, at: now)
                guard local == .granted else { count(local); return local }
                arguments[1] = "1"
                continue
            case 1:
                if !isRecovering { localAssumedFull = false }
                recordGrant(request, at: serverNow, member: member, inRedis: true)
                lastGrantWasShared = true
                counters.granted += 1
                return .granted
            case 2:
                counters.deniedWhileBanned += 1
                return .banned(until: Timestamp(nanoseconds: try Self.nanoseconds(micros: value, c) &+ offset))
            default:
                let index = Int(pool) - 1
                let name = index >= 0 && index < costs.count ? rules.pools[costs[index].pool].id : "?"
                if value < 0 { return .impossible(pool: name) }
                let wait = try Self.nanoseconds(micros: value, c) - serverNanos
                if request.priority == .marketData && wait > policy.maxMarketDataWait.nanosecondsInt64 {
                    counters.sheds += 1
                    return .shed(pool: name)
                }
                counters.waits += 1
                return .wait(until: Timestamp(nanoseconds: now.nanoseconds &+ wait), pool: name)
            }
        }
        throw RedisError(code: .protocolMismatch, message: "the acquire script kept asking for a retry", context: c.endpoint)
    }

    public func observe(_ feedback: RateLimitFeedback, at now: Timestamp) {
        fallback.observe(feedback, at: localTime(now))
        if feedback.status == 429 { counters.tooManyRequests += 1 }
        var keys: [String] = []
        var arguments: [String] = []
        func slot(_ k: String) -> String { keys.append(k); return String(keys.count) }
        for action in rules.interpret(feedback) {
            switch action {
            case .ban(let d):
                counters.bans += 1
                arguments += ["ban", slot(banKey), String(max(1, d.nanosecondsInt64 / 1_000))]
            case .blockPool(let pool, let d):
                arguments += ["block", slot(key(pool, feedback.instrument) + ":block"), String(max(1, d.nanosecondsInt64 / 1_000))]
            case .used(let pool, let used):
                counters.resyncs += 1
                arguments += raise(pool, used: used, slot: slot(key(pool, feedback.instrument)))
            case .remaining(let pool, let remaining):
                counters.resyncs += 1
                let limit = rules.pools[pool].scheme.limit
                arguments += raise(pool, used: max(0, limit - remaining), slot: slot(key(pool, feedback.instrument)))
            }
        }
        guard !arguments.isEmpty else { return }
        for attempt in 0..<2 {
            guard let c = ready(now, force: attempt > 0) else { return }
            do { _ = try run(c, .feedback, keys: keys, arguments: arguments); return } catch { dropConnection(error) }
        }
    }

    private func raise(_ pool: Int, used: Int64, slot: String) -> [String] {
        let scheme = rules.pools[pool].scheme
        let (code, parameter) = Self.schemeArguments(scheme)
        return ["raise", slot, String(code), String(parameter), String(scheme.limit), String(used), nextMember()]
    }

    /// The shared counts are not given back when an order trades: the processes together
    /// still never exceed a pool, they only wait more than they must (the safe side).
    /// The local fallback's counts are.
    public func orderTraded(instrument: String?, at now: Timestamp) {
        fallback.orderTraded(instrument: instrument, at: localTime(now))
    }

    public func report(at now: Timestamp) -> RateLimitReport {
        var report = RateLimitReport(exchange: exchange, backend: "redis", pools: fallback.metrics(at: localTime(now)), counters: counters,
                                     fallbacks: fallbacks, bannedUntilNs: fallback.bannedUntil(at: localTime(now))?.nanoseconds)
        report.reconnects = reconnects
        report.writtenBack = writtenBack
        return report
    }
}
