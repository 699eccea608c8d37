import ArbCore
import ArbRateLimit
import ArbRedis

/// The limiter shared by several `arbd` processes that use one IP or account: every
/// pool lives in Redis and one Lua script checks all the pools a request draws on and
/// commits to all of them atomically, so the processes together never exceed a pool.
/// Bans and 429 blocks are shared too: one process's 418 stops them all.
///
/// Time in Redis is `clock` (wall time by default) in microseconds, shared by every
/// process on the host; answers are mapped back onto the caller's timeline (event time
/// in a paper run). If Redis
/// cannot be reached the limiter falls back to a local limiter with `fallbackShare` of
/// each budget (conservative: the others may still be sending) and counts it; it tries
/// Redis again every `reconnectInterval`.
public final class RedisRateLimiter: RateLimitBackend {
    public let rules: any RateLimitRules
    public let policy: RateLimitPolicy
    public let prefix: String
    private let connect: () throws -> RedisConnection
    private var connection: RedisConnection?
    private var sha: String?
    private let fallback: RateLimiter
    private var fallbackActive = false
    private var retryAt: Int64 = .min
    public let reconnectInterval: Duration
    public private(set) var fallbacks = 0
    public private(set) var counters = RateLimiter.Counters()
    private var sequence: UInt64 = 0
    private let processTag: String
    private let clock: any RateLimitClock

    public init(rules: any RateLimitRules, policy: RateLimitPolicy, prefix: String, fallbackShare: Ratio,
                reconnectInterval: Duration = .seconds(5), processTag: String, clock: any RateLimitClock = SystemRateLimitClock(),
                connect: @escaping () throws -> RedisConnection) {
        self.clock = clock
        self.rules = rules
        self.policy = policy
        self.prefix = "\(prefix):rl:\(rules.exchange)"
        self.connect = connect
        self.reconnectInterval = reconnectInterval
        self.processTag = processTag
        var local = policy
        local.share = Ratio(raw: Int64(Int128(policy.share.raw) * Int128(fallbackShare.raw) / Int128(FixedDecimal.unit)))
        fallback = RateLimiter(rules: rules, policy: local)
    }

    public var exchange: String { rules.exchange }
    public var isUsingFallback: Bool { fallbackActive }

    private func key(_ pool: Int, _ instrument: String?) -> String {
        let definition = rules.pools[pool]
        return definition.scope == .accountInstrument ? "\(prefix):\(definition.id):\(instrument ?? "")" : "\(prefix):\(definition.id)"
    }

    /// A live connection with the script loaded, or nil (fallback) if Redis is down.
    private func ready(_ now: Int64) -> RedisConnection? {
        if let connection { return connection }
        guard now >= retryAt else { return nil }
        do {
            let c = try connect()
            let loaded = try c.command(["SCRIPT", "LOAD", Self.acquireScript])
            guard let sha = loaded.string else { throw RedisError(code: .protocolMismatch, message: "SCRIPT LOAD: \(loaded)", context: c.endpoint) }
            self.sha = sha
            connection = c
            fallbackActive = false
            return c
        } catch {
            retryAt = now + reconnectInterval.nanosecondsInt64
            return nil
        }
    }

    private func dropConnection(_ now: Int64) {
        connection = nil
        retryAt = now + reconnectInterval.nanosecondsInt64
    }

    public func tryAcquire(_ request: RateLimitRequest, at now: Timestamp) -> RateLimitDecision {
        let real = clock.now().nanoseconds
        // Redis sees real time; answers come back on the caller's timeline.
        let offset = now.nanoseconds - real
        let t = real
        guard let c = ready(t) else {
            if !fallbackActive { fallbackActive = true; fallbacks += 1 }
            return fallback.tryAcquire(request, at: now)
        }
        let costs = rules.costs(for: request).filter { $0.weight > 0 }
        var keys = ["\(prefix):ban"]
        sequence += 1
        var argv = [String(t / 1_000), "\(processTag):\(sequence)"]
        for cost in costs {
            let definition = rules.pools[cost.pool]
            let limit = policy.limit(of: definition)
            let ceiling = policy.ceiling(request.priority, of: limit)
            keys.append(key(cost.pool, request.instrument))
            let (code, parameter): (Int, Int64)
            switch definition.scheme {
            case .fixedWindow(_, let w): (code, parameter) = (1, w.nanosecondsInt64 / 1_000)
            case .slidingWindow(_, let w): (code, parameter) = (2, w.nanosecondsInt64 / 1_000)
            case .decayingCounter(_, let d): (code, parameter) = (3, d)
            case .tokenBucket(_, let r): (code, parameter) = (4, r)
            }
            argv += [String(code), String(ceiling), String(parameter), String(cost.weight), String(limit)]
        }
        do {
            var reply = try c.command(["EVALSHA", sha!, String(keys.count)] + keys + argv)
            if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
                sha = try c.command(["SCRIPT", "LOAD", Self.acquireScript]).string
                reply = try c.command(["EVALSHA", sha!, String(keys.count)] + keys + argv)
            }
            guard case .array(let parts) = reply, let status = parts.first?.integer else {
                throw RedisError(code: .protocolMismatch, message: "unexpected reply \(reply)", context: c.endpoint)
            }
            switch status {
            case 1:
                counters.granted += 1
                return .granted
            case 2:
                counters.deniedWhileBanned += 1
                return .banned(until: Timestamp(nanoseconds: (parts[1].integer ?? 0) * 1_000 + offset))
            default:
                let earliest = (parts[1].integer ?? 0) * 1_000
                let index = Int(parts[2].integer ?? 1) - 2
                let pool = index >= 0 && index < costs.count ? rules.pools[costs[index].pool].id : "?"
                // The script answers -1 for a cost above the pool's ceiling.
                if (parts[1].integer ?? 0) < 0 { return .impossible(pool: pool) }
                if request.priority == .marketData && earliest - t > policy.maxMarketDataWait.nanosecondsInt64 {
                    counters.sheds += 1
                    return .shed(pool: pool)
                }
                counters.waits += 1
                return .wait(until: Timestamp(nanoseconds: earliest + offset), pool: pool)
            }
        } catch {
            dropConnection(t)
            if !fallbackActive { fallbackActive = true; fallbacks += 1 }
            return fallback.tryAcquire(request, at: now)
        }
    }

    public func observe(_ feedback: RateLimitFeedback, at now: Timestamp) {
        let t = clock.now().nanoseconds
        fallback.observe(feedback, at: now)
        if feedback.status == 429 { counters.tooManyRequests += 1 }
        guard let c = ready(t) else { return }
        var commands: [[String]] = []
        for action in rules.interpret(feedback) {
            switch action {
            case .ban(let d):
                counters.bans += 1
                let until = (t + d.nanosecondsInt64) / 1_000
                commands.append(["SET", "\(prefix):ban", String(until), "PX", String(max(1, d.nanosecondsInt64 / 1_000_000))])
            case .blockPool(let pool, let d):
                let until = (t + d.nanosecondsInt64) / 1_000
                commands.append(["SET", key(pool, feedback.instrument) + ":block", String(until), "PX", String(max(1, d.nanosecondsInt64 / 1_000_000))])
            case .used(let pool, let used):
                counters.resyncs += 1
                if case .fixedWindow(_, let w) = rules.pools[pool].scheme {
                    let window = w.nanosecondsInt64 / 1_000
                    let k = key(pool, feedback.instrument) + ":" + String((t / 1_000) / window)
                    commands.append(["EVAL", Self.raiseScript, "1", k, String(used), String(2 * window / 1_000)])
                }
            case .remaining(let pool, let remaining):
                counters.resyncs += 1
                if case .fixedWindow(let limit, let w) = rules.pools[pool].scheme {
                    let window = w.nanosecondsInt64 / 1_000
                    let k = key(pool, feedback.instrument) + ":" + String((t / 1_000) / window)
                    commands.append(["EVAL", Self.raiseScript, "1", k, String(limit - remaining), String(2 * window / 1_000)])
                }
            }
        }
        guard !commands.isEmpty else { return }
        do { _ = try c.pipeline(commands) } catch { dropConnection(t) }
    }

    /// The shared counts are not given back when an order trades: the processes together
    /// still never exceed a pool, they only wait more than they must (the safe side).
    /// The local fallback's counts are.
    public func orderTraded(instrument: String?, at now: Timestamp) {
        fallback.orderTraded(instrument: instrument, at: now)
    }

    public func report(at now: Timestamp) -> RateLimitReport {
        RateLimitReport(exchange: exchange, backend: "redis", pools: fallback.metrics(at: now), counters: counters,
                        fallbacks: fallbacks, bannedUntilNs: fallback.bannedUntil(at: now)?.nanoseconds)
    }

    /// Raises a fixed-window counter to at least ARGV[1] (an exchange's usage header).
    static let raiseScript = """
        local v = tonumber(redis.call('GET', KEYS[1]) or '0')
        if tonumber(ARGV[1]) > v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
        return 1
        """

    /// KEYS[1] ban key, KEYS[2..] pool keys. ARGV[1] now (µs), ARGV[2] a unique member id,
    /// then per pool: scheme (1 fixed, 2 sliding, 3 decaying, 4 bucket), ceiling, parameter
    /// (window µs, or milli-units per second), cost, full limit.
    /// Returns {1} granted, {0, earliest µs, key index} wait, {2, until µs} banned.
    static let acquireScript = """
        local now = tonumber(ARGV[1])
        local ban = redis.call('GET', KEYS[1])
        if ban and tonumber(ban) > now then return {2, tonumber(ban)} end
        local latest, latestKey = -1, 0
        local plans = {}
        for i = 2, #KEYS do
          local a = 3 + (i - 2) * 5
          local scheme, ceiling, param, cost, limit = tonumber(ARGV[a]), tonumber(ARGV[a+1]), tonumber(ARGV[a+2]), tonumber(ARGV[a+3]), tonumber(ARGV[a+4])
          local key = KEYS[i]
          local earliest = nil
          local block = redis.call('GET', key .. ':block')
          if block and tonumber(block) > now then earliest = tonumber(block) end
          if cost > ceiling then earliest = -2 end
          if earliest == nil then
            if scheme == 1 then
              local idx = math.floor(now / param)
              local wkey = key .. ':' .. idx
              local used = tonumber(redis.call('GET', wkey) or '0')
              if used + cost > ceiling then earliest = (idx + 1) * param else plans[i] = {1, wkey, used + cost, param} end
            elseif scheme == 2 then
              redis.call('ZREMRANGEBYSCORE', key, '-inf', now - param)
              local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
              local sum = 0
              for j = 1, #entries, 2 do sum = sum + tonumber(string.match(entries[j], '([0-9]+)$')) end
              if sum + cost > ceiling then
                local s = sum
                for j = 1, #entries, 2 do
                  s = s - tonumber(string.match(entries[j], '([0-9]+)$'))
                  if s + cost <= ceiling then earliest = tonumber(entries[j + 1]) + param; break end
                end
              else plans[i] = {2, key, cost, param} end
            else
              local h = redis.call('HMGET', key, 'level', 't')
              local level, t = tonumber(h[1] or '0'), tonumber(h[2] or tostring(now))
              if scheme == 4 and h[1] == false then level = limit * 1000 end
              if now > t then
                if scheme == 3 then level = math.max(0, level - math.floor((now - t) * param / 1000000))
                else level = math.min(limit * 1000, level + math.floor((now - t) * param / 1000000)) end
              end
              if scheme == 3 then
                local excess = level + cost * 1000 - ceiling * 1000
                if excess > 0 then earliest = now + math.ceil(excess * 1000000 / param) else plans[i] = {3, key, level + cost * 1000} end
              else
                local need = cost * 1000 + (limit - ceiling) * 1000
                if level < need then earliest = now + math.ceil((need - level) * 1000000 / param) else plans[i] = {4, key, level - cost * 1000} end
              end
            end
          end
          if earliest ~= nil then
            if earliest == -2 then return {0, -1, i} end
            if earliest > latest then latest, latestKey = earliest, i end
          end
        end
        if latest >= 0 then return {0, latest, latestKey} end
        for i = 2, #KEYS do
          local p = plans[i]
          if p[1] == 1 then
            redis.call('SET', p[2], p[3], 'PX', math.floor(2 * p[4] / 1000) + 1)
          elseif p[1] == 2 then
            redis.call('ZADD', p[2], now, ARGV[2] .. ':' .. p[3]); redis.call('PEXPIRE', p[2], math.floor(2 * p[4] / 1000) + 1)
          else
            redis.call('HSET', p[2], 'level', p[3], 't', now)
          end
        end
        return {1}
        """
}
