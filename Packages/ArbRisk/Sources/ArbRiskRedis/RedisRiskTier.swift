import ArbCore
import ArbRedis
import ArbRisk
import Logging

/// The global and exchange tiers shared through Redis by several `arbd` processes on one
/// account (docs/RISK.md, "Shared across processes").
///
/// - Every key starts with one hash tag, `{<prefix>:risk:<account>}`, and is passed in
///   `KEYS`: the scripts run on Redis Cluster.
/// - Time is Redis's (`TIME` inside each script).
/// - Each process writes its own figures (gross exposure, exposure per venue, daily PnL)
///   as absolute values under a random 64-bit id, so a process that reconnects
///   overwrites its old figures: nothing is counted twice. A process not heard from for
///   `processTTL` is dropped from the sums.
/// - Values go to Redis in millionths of the reporting currency (Lua numbers are doubles:
///   exact to 9·10⁹ units); exposures are rounded up, limits down, PnL down.
/// - **While Redis is unreachable** the process keeps to `fallbackShare` of each shared
///   limit on its own figures and to the last halts it saw, and tries again every
///   `reconnectInterval` of wall time.
public final class RedisRiskTier: SharedRiskTier {
    public let keyTag: String
    public let processId: String
    public let fallbackShare: Ratio
    public let processTTL: Duration
    public let reconnectInterval: Duration
    private let connect: () throws -> RedisConnection
    private let wallNanoseconds: () -> UInt64
    private let logger: Logger
    private var connection: RedisConnection?
    private var scripts: [Script: RedisScript] = Dictionary(uniqueKeysWithValues: Script.allCases.map { ($0, RedisScript(name: "risk \($0)", source: $0.source)) })
    private var retryAt: UInt64 = 0
    private var lastHalts: [String: String] = [:]
    public private(set) var isShared = false
    public private(set) var fallbacks = 0
    public private(set) var reconnects = 0
    private var everConnected = false

    enum Script: CaseIterable {
        case reserve, publish, poll, setHalt
        var source: String {
            switch self {
            case .reserve: return RedisRiskScripts.reserve
            case .publish: return RedisRiskScripts.publish
            case .poll: return RedisRiskScripts.poll
            case .setHalt: return RedisRiskScripts.setHalt
            }
        }
    }

    public init(prefix: String, account: String, fallbackShare: Ratio, processTTL: Duration, reconnectInterval: Duration,
                logger: Logger, wallNanoseconds: @escaping () -> UInt64, connect: @escaping () throws -> RedisConnection) {
        keyTag = "{\(prefix):risk:\(account)}"
        var generator = SystemRandomNumberGenerator()
        processId = String(generator.next() as UInt64, radix: 16)
        self.fallbackShare = fallbackShare
        self.processTTL = processTTL
        self.reconnectInterval = reconnectInterval
        self.logger = logger
        self.wallNanoseconds = wallNanoseconds
        self.connect = connect
    }

    var keys: [String] { ["gross", "venue", "pnl", "seen", "halt"].map { "\(keyTag):\($0)" } }
    public var haltKey: String { "\(keyTag):halt" }

    /// Millionths, rounded up (`up`) or down.
    static func micros(_ a: Amount, up: Bool) -> String {
        let q = a.raw / 1_000, r = a.raw % 1_000
        let v = up && r > 0 ? q + 1 : (!up && r < 0 ? q - 1 : q)
        return String(v)
    }
    /// The scripts print sums as whole millionths (`%.0f`); anything else is unreadable.
    static func amount(micros text: String) -> Amount? {
        guard let v = Int64(text) else { return nil }
        return Amount(raw: Int128(v) * 1_000)
    }

    // MARK: connection

    private func ready() -> RedisConnection? {
        if let connection { return connection }
        let now = wallNanoseconds()
        guard now >= retryAt else { return nil }
        do {
            let c = try connect()
            for script in Script.allCases { try scripts[script]!.load(on: c) }
            connection = c
            if everConnected { reconnects += 1 }
            everConnected = true
            return c
        } catch {
            retryAt = now + UInt64(reconnectInterval.nanosecondsInt64)
            logger.debug("shared risk: cannot reach Redis", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Runs a script; a failed call reconnects once at once (the server may have
    /// restarted, or dropped an idle connection) before falling back.
    private func run(_ script: Script, _ arguments: [String]) -> [RedisReply]? {
        for attempt in 0..<2 {
            guard let c = ready() else { break }
            do {
                let reply = try scripts[script]!.run(on: c, keys: keys, arguments: arguments)
                guard case .array(let items) = reply else { throw RedisError(code: .server, message: "\(reply)", context: "\(c.endpoint) \(script)") }
                isShared = true
                return items
            } catch {
                connection = nil
                retryAt = attempt == 0 ? 0 : wallNanoseconds() + UInt64(reconnectInterval.nanosecondsInt64)
                if attempt == 1 { logger.warning("shared risk: lost Redis; keeping to the fallback share", metadata: ["error": "\(error)"]) }
            }
        }
        fallBack()
        return nil
    }

    private func fallBack() {
        if isShared { fallbacks += 1 }
        isShared = false
    }

    func share(_ limit: Amount) -> Amount { limit.scaled(by: fallbackShare, .down) }

    // MARK: SharedRiskTier

    public func reserve(gross: Amount, venue: String, venueExposure: Amount, limits: SharedLimits, at now: Timestamp) -> SharedDecision {
        let venueLimit = limits.venueExposure[venue]
        let args = [processId, Self.micros(gross, up: true), limits.grossExposure.map { Self.micros($0, up: false) } ?? "",
                    venue, Self.micros(venueExposure, up: true), venueLimit.map { Self.micros($0, up: false) } ?? "",
                    String(processTTL.nanosecondsInt64 / 1_000)]
        guard let items = run(.reserve, args), items.count >= 4, let verdict = items[0].string else {
            // The fallback: this process's share of each limit, and the last halts seen.
            if lastHalts["global"] != nil { return .refused(code: .globalHalted, scope: "global", limit: nil, measured: nil) }
            if lastHalts["exchange:\(venue)"] != nil { return .refused(code: .exchangeHalted, scope: "exchange:\(venue)", limit: nil, measured: nil) }
            if let limit = limits.grossExposure, gross > share(limit) {
                return .refused(code: .grossExposure, scope: "global", limit: share(limit), measured: gross)
            }
            if let limit = venueLimit, venueExposure > share(limit) {
                return .refused(code: .exchangeExposure, scope: "exchange:\(venue)", limit: share(limit), measured: venueExposure)
            }
            return .allowed(combinedGross: gross, serverTimeMicros: nil)
        }
        let time = items[3].string.flatMap { Int64($0) }
        switch verdict {
        case "ok":
            return .allowed(combinedGross: items[1].string.flatMap(Self.amount(micros:)) ?? gross, serverTimeMicros: time)
        case "halted":
            let scope = items[1].string ?? "global"
            if let reason = items[2].string { lastHalts[scope] = reason }
            return .refused(code: scope == "global" ? .globalHalted : .exchangeHalted, scope: scope, limit: nil, measured: nil)
        default:
            let scope = items[1].string ?? "global"
            let measured = items[2].string.flatMap(Self.amount(micros:))
            return scope == "global"
                ? .refused(code: .grossExposure, scope: scope, limit: limits.grossExposure, measured: measured)
                : .refused(code: .exchangeExposure, scope: scope, limit: venueLimit, measured: measured)
        }
    }

    public func publish(gross: Amount, venueExposures: [String: Amount], dailyPnL: Amount, limits: SharedLimits, at now: Timestamp) -> SharedState {
        let venues = venueExposures.keys.sorted().map { "\($0)=\(Self.micros(venueExposures[$0]!, up: true))" }.joined(separator: ",")
        let args = [processId, Self.micros(gross, up: true), venues, Self.micros(dailyPnL, up: false),
                    limits.dailyLoss.map { Self.micros($0, up: false) } ?? ""]
        return state(run(.publish, args))
    }

    public func poll() -> SharedState { state(run(.poll, [])) }

    func state(_ items: [RedisReply]?) -> SharedState {
        guard let items, let time = items.first?.string.flatMap({ Int64($0) }) else {
            return SharedState(halts: lastHalts, serverTimeMicros: nil, reachable: false)
        }
        var halts: [String: String] = [:]
        var i = 1
        while i + 1 < items.count {
            if let k = items[i].string { halts[k] = items[i + 1].string ?? "" }
            i += 2
        }
        lastHalts = halts
        return SharedState(halts: halts, serverTimeMicros: time, reachable: true)
    }

    public func setHalt(_ scope: String, reason: String?) throws {
        guard run(.setHalt, [scope, reason ?? "", reason == nil ? "resume" : "halt"]) != nil else {
            throw RedisError(code: .connectionFailed, message: "Redis is unreachable; the kill switch was not set account-wide", context: keyTag)
        }
    }
}

/// The Lua scripts. Every key is in `KEYS` (gross, venue, pnl, seen, halt: one hash tag).
enum RedisRiskScripts {
    static let now = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    """

    /// ARGV: process, gross, gross limit (or ''), venue, venue exposure, venue limit (or ''), ttl µs.
    static let reserve = now + """
    local h = redis.call('HGET', KEYS[5], 'global')
    if h then return {'halted', 'global', h, string.format('%.0f', now)} end
    h = redis.call('HGET', KEYS[5], 'exchange:' .. ARGV[4])
    if h then return {'halted', 'exchange:' .. ARGV[4], h, string.format('%.0f', now)} end
    local ttl = tonumber(ARGV[7])
    local seen = redis.call('HGETALL', KEYS[4])
    for i = 1, #seen, 2 do
      local p = seen[i]
      if p ~= ARGV[1] and now - tonumber(seen[i + 1]) > ttl then
        redis.call('HDEL', KEYS[1], p); redis.call('HDEL', KEYS[3], p); redis.call('HDEL', KEYS[4], p)
        for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do
          if string.sub(f, 1, #p + 1) == p .. '|' then redis.call('HDEL', KEYS[2], f) end
        end
      end
    end
    local total = tonumber(ARGV[2])
    local all = redis.call('HGETALL', KEYS[1])
    for i = 1, #all, 2 do if all[i] ~= ARGV[1] then total = total + tonumber(all[i + 1]) end end
    if ARGV[3] ~= '' and total > tonumber(ARGV[3]) then
      return {'refused', 'global', string.format('%.0f', total), string.format('%.0f', now)}
    end
    local suffix = '|' .. ARGV[4]
    local vtotal = tonumber(ARGV[5])
    local vs = redis.call('HGETALL', KEYS[2])
    for i = 1, #vs, 2 do
      local f = vs[i]
      if f ~= ARGV[1] .. suffix and string.sub(f, -#suffix) == suffix then vtotal = vtotal + tonumber(vs[i + 1]) end
    end
    if ARGV[6] ~= '' and vtotal > tonumber(ARGV[6]) then
      return {'refused', 'exchange:' .. ARGV[4], string.format('%.0f', vtotal), string.format('%.0f', now)}
    end
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    redis.call('HSET', KEYS[2], ARGV[1] .. suffix, ARGV[5])
    redis.call('HSET', KEYS[4], ARGV[1], string.format('%.0f', now))
    return {'ok', string.format('%.0f', total), '', string.format('%.0f', now)}
    """

    /// ARGV: process, gross, "venue=exposure,…", daily PnL, daily loss limit (or '').
    static let publish = now + """
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
    redis.call('HSET', KEYS[4], ARGV[1], string.format('%.0f', now))
    for pair in string.gmatch(ARGV[3], '[^,]+') do
      local eq = string.find(pair, '=', 1, true)
      if eq then redis.call('HSET', KEYS[2], ARGV[1] .. '|' .. string.sub(pair, 1, eq - 1), string.sub(pair, eq + 1)) end
    end
    if ARGV[5] ~= '' then
      local sum = 0
      local all = redis.call('HGETALL', KEYS[3])
      for i = 1, #all, 2 do sum = sum + tonumber(all[i + 1]) end
      if -sum >= tonumber(ARGV[5]) and redis.call('HEXISTS', KEYS[5], 'global') == 0 then
        redis.call('HSET', KEYS[5], 'global', 'daily loss ' .. string.format('%.0f', -sum) .. ' millionths, all processes|@' .. string.format('%.0f', now))
      end
    end
    local out = {string.format('%.0f', now)}
    for _, v in ipairs(redis.call('HGETALL', KEYS[5])) do table.insert(out, v) end
    return out
    """

    /// ARGV: scope, reason, 'halt' or 'resume'. A halt's value is `reason|@<Redis time µs>`.
    static let setHalt = now + """
    if ARGV[3] == 'halt' then
      redis.call('HSET', KEYS[5], ARGV[1], ARGV[2] .. '|@' .. string.format('%.0f', now))
    else
      redis.call('HDEL', KEYS[5], ARGV[1])
    end
    return {string.format('%.0f', now)}
    """

    static let poll = now + """
    local out = {string.format('%.0f', now)}
    for _, v in ipairs(redis.call('HGETALL', KEYS[5])) do table.insert(out, v) end
    return out
    """
}
