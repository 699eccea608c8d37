/// The Lua scripts of the Redis-shared limiter. Every script:
/// - takes time from Redis (`TIME`), never from a client, so clients whose clocks
///   disagree still share one timeline;
/// - touches only keys passed in `KEYS`, all carrying one hash tag per exchange budget
///   (`{<prefix>:rl:<exchange>}`), so it runs on Redis Cluster;
/// - works in µs; levels of counters and buckets in milli-units.
///
/// Pool state per key: fixed window `HASH w=<window index> n=<used>`; sliding window
/// `ZSET` of `<tag>:<sequence>:<weight>` scored by grant time; decaying counter and
/// token bucket `HASH level=<milli-units> t=<µs>`. A pool's `:block` key holds the end
/// of a 429 block; `ban` the end of a ban; `epoch` identifies this Redis's data set
/// (`id`) and the end of the recovery period after it came back (`until`).
enum RedisRateLimitScripts {
    /// Shared helpers, prepended to each script. Scheme codes: 1 fixed, 2 sliding,
    /// 3 decaying counter, 4 token bucket. `param`: window in µs (1, 2) or milli-units
    /// per second (3, 4).
    static let prelude = """
        local function clock()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000000 + tonumber(t[2])
        end
        local function fixed_used(key, idx)
          local h = redis.call('HMGET', key, 'w', 'n')
          if h[1] and tonumber(h[1]) == idx then return tonumber(h[2]) end
          return 0
        end
        local function save_fixed(key, idx, used, window)
          redis.call('HSET', key, 'w', idx, 'n', used)
          redis.call('PEXPIRE', key, math.floor(2 * window / 1000) + 1)
        end
        local function sliding_entries(key, now, window)
          redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
          local e = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
          local sum = 0
          for j = 1, #e, 2 do sum = sum + tonumber(string.match(e[j], '(%d+)$')) end
          return sum, e
        end
        local function add_sliding(key, now, member, window)
          redis.call('ZADD', key, now, member)
          redis.call('PEXPIRE', key, math.floor(window / 1000) + 1)
        end
        -- A counter's or bucket's level brought to now; its time never goes backwards.
        local function level_now(key, scheme, rate, limit, now)
          local h = redis.call('HMGET', key, 'level', 't')
          local level = tonumber(h[1] or '0')
          if scheme == 4 and not h[1] then level = limit * 1000 end
          local last = tonumber(h[2] or tostring(now))
          if now > last then
            local moved = math.floor((now - last) * rate / 1000000)
            if scheme == 3 then level = math.max(0, level - moved)
            else level = math.min(limit * 1000, level + moved) end
            last = now
          end
          return level, last
        end
        -- Saved with an expiry at the time the counter drains (the bucket refills):
        -- a missing key then means exactly what the expired one did.
        local function save_level(key, scheme, rate, limit, level, stamp)
          redis.call('HSET', key, 'level', level, 't', stamp)
          local milli
          if scheme == 3 then milli = level else milli = limit * 1000 - level end
          local ms = 1000
          if rate > 0 then ms = math.ceil(math.max(0, milli) * 1000 / rate) + 1000 end
          redis.call('PEXPIRE', key, ms)
        end
        """

    /// KEYS: [1] ban, [2] epoch, then per pool its state key and its block key.
    /// ARGV: [1] member prefix (`<tag>:<sequence>`), [2] "1" if the caller already
    /// checked its local share (needed during recovery), then per pool: scheme,
    /// ceiling, param, cost, full limit.
    /// Returns {status, value, pool, now, recover_until}: status 1 granted; 0 wait
    /// until value (value −1: can never fit), pool its 1-based index; 2 banned until
    /// value; 3 no epoch (Redis lost its data: say hello first); 4 recovering, check
    /// the local share first.
    static let acquire = prelude + """

        local now = clock()
        local epoch = redis.call('HMGET', KEYS[2], 'id', 'until')
        if not epoch[1] then return {3, 0, 0, now, 0} end
        local recover = tonumber(epoch[2] or '0')
        if recover > now and ARGV[2] ~= '1' then return {4, 0, 0, now, recover} end
        local ban = redis.call('GET', KEYS[1])
        if ban and tonumber(ban) > now then return {2, tonumber(ban), 0, now, recover} end
        local pools = (#KEYS - 2) / 2
        local latest, latestPool = -1, 0
        local plans = {}
        for i = 1, pools do
          local a = 3 + (i - 1) * 5
          local scheme, ceiling, param = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
          local cost, limit = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
          local key, blockKey = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
          if cost > ceiling then return {0, -1, i, now, recover} end
          local earliest = nil
          local block = redis.call('GET', blockKey)
          if block and tonumber(block) > now then earliest = tonumber(block) end
          if earliest == nil then
            if scheme == 1 then
              local idx = math.floor(now / param)
              local used = fixed_used(key, idx)
              if used + cost > ceiling then earliest = (idx + 1) * param else plans[i] = {idx, used + cost} end
            elseif scheme == 2 then
              local sum, e = sliding_entries(key, now, param)
              if sum + cost > ceiling then
                local s = sum
                for j = 1, #e, 2 do
                  s = s - tonumber(string.match(e[j], '(%d+)$'))
                  if s + cost <= ceiling then earliest = tonumber(e[j + 1]) + param; break end
                end
              else plans[i] = {0, 0} end
            else
              local level, stamp = level_now(key, scheme, param, limit, now)
              if scheme == 3 then
                local excess = level + cost * 1000 - ceiling * 1000
                if excess > 0 then
                  if param <= 0 then return {0, -1, i, now, recover} end
                  earliest = now + math.ceil(excess * 1000000 / param)
                else plans[i] = {level + cost * 1000, stamp} end
              else
                local need = cost * 1000 + (limit - ceiling) * 1000
                if level < need then
                  if param <= 0 then return {0, -1, i, now, recover} end
                  earliest = now + math.ceil((need - level) * 1000000 / param)
                else plans[i] = {level - cost * 1000, stamp} end
              end
            end
          end
          if earliest ~= nil and earliest > latest then latest, latestPool = earliest, i end
        end
        if latest >= 0 then return {0, latest, latestPool, now, recover} end
        for i = 1, pools do
          local a = 3 + (i - 1) * 5
          local scheme, param, cost, limit = tonumber(ARGV[a]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
          local key, p = KEYS[1 + 2 * i], plans[i]
          if scheme == 1 then save_fixed(key, p[1], p[2], param)
          elseif scheme == 2 then add_sliding(key, now, ARGV[1] .. ':' .. cost, param)
          else save_level(key, scheme, param, limit, p[1], p[2]) end
        end
        return {1, 0, 0, now, recover}
        """

    /// What an exchange response said. KEYS: the keys the actions name. ARGV: actions,
    /// each `kind`, key index, then for `ban`/`block` a duration (µs), for `raise`
    /// scheme, param, limit, used and a member prefix. A ban or block never shortens
    /// one already set; `raise` never lowers a count (the exchange's usage header).
    static let feedback = prelude + """

        local now = clock()
        local a = 1
        while a <= #ARGV do
          local kind, key = ARGV[a], KEYS[tonumber(ARGV[a + 1])]
          if kind == 'ban' or kind == 'block' then
            local d = tonumber(ARGV[a + 2])
            local untilTime = now + d
            local current = tonumber(redis.call('GET', key) or '0')
            if untilTime > current then redis.call('SET', key, untilTime, 'PX', math.floor(d / 1000) + 1) end
            a = a + 3
          else
            local scheme, param, limit, used = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
            if scheme == 1 then
              local idx = math.floor(now / param)
              if used > fixed_used(key, idx) then save_fixed(key, idx, used, param) end
            elseif scheme == 2 then
              local sum = sliding_entries(key, now, param)
              if used > sum then add_sliding(key, now, ARGV[a + 6] .. ':' .. (used - sum), param) end
            else
              local level, stamp = level_now(key, scheme, param, limit, now)
              if scheme == 3 then level = math.max(level, used * 1000) else level = math.min(level, (limit - used) * 1000) end
              save_level(key, scheme, param, limit, level, stamp)
            end
            a = a + 7
          end
        end
        return now
        """

    /// After connecting: KEYS[1] the epoch. ARGV: [1] a new epoch id, used if Redis has
    /// none (it restarted empty, or this is its first use); [2] the recovery period
    /// (µs); [3] "1" to start or extend a recovery period (this process was cut off, so
    /// others may still be on their fallback share; a process connecting for the first
    /// time starts none). Returns {id, until, now}.
    static let hello = prelude + """

        local now = clock()
        local h = redis.call('HMGET', KEYS[1], 'id', 'until')
        local id, untilTime = h[1], tonumber(h[2] or '0')
        if not id then
          id = ARGV[1]
          if ARGV[3] == '1' then untilTime = now + tonumber(ARGV[2]) else untilTime = 0 end
          redis.call('HSET', KEYS[1], 'id', id, 'until', untilTime)
        elseif ARGV[3] == '1' and now + tonumber(ARGV[2]) > untilTime then
          untilTime = now + tonumber(ARGV[2])
          redis.call('HSET', KEYS[1], 'until', untilTime)
        end
        return {id, untilTime, now}
        """

    /// Writes this process's own grants back into one pool (KEYS[1]). ARGV: scheme,
    /// param, limit, then per grant its time (µs), weight and member prefix. Fixed
    /// windows add the grants in the current window; sliding windows re-add the members
    /// (idempotent); counters and buckets add the grants of the last full drain (refill)
    /// undrained, capped at the pool: an upper bound of what they still weigh.
    static let writeBack = prelude + """

        local now = clock()
        local key = KEYS[1]
        local scheme, param, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        if scheme == 1 then
          local idx = math.floor(now / param)
          local add = 0
          for a = 4, #ARGV, 3 do
            if math.floor(tonumber(ARGV[a]) / param) == idx then add = add + tonumber(ARGV[a + 1]) end
          end
          if add > 0 then save_fixed(key, idx, fixed_used(key, idx) + add, param) end
        elseif scheme == 2 then
          for a = 4, #ARGV, 3 do
            local t = tonumber(ARGV[a])
            if t > now - param then add_sliding(key, t, ARGV[a + 2] .. ':' .. ARGV[a + 1], param) end
          end
        else
          -- Every grant within a full drain (refill) counts undrained: the pool's true
          -- level is never above that sum, whoever else drew on it.
          local level, stamp = level_now(key, scheme, param, limit, now)
          local add = 0
          for a = 4, #ARGV, 3 do add = add + tonumber(ARGV[a + 1]) * 1000 end
          if scheme == 3 then level = math.min(limit * 1000, level + add) else level = math.max(0, level - add) end
          save_level(key, scheme, param, limit, level, stamp)
        end
        return now
        """
}
