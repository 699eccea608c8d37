import ArbCore

/// How an exchange words its rate-limit answers.
public protocol RateLimitWording: Sendable {
    /// A 429 for running out of `pool`.
    func tooManyRequests(pool: String, retryAfter: Duration) -> Rejection
    /// A ban (Binance 418, Bybit 403) lasting `retryAfter`.
    func banned(retryAfter: Duration) -> Rejection
}

/// How an exchange escalates when a client keeps going after a 429.
public struct BanPolicy: Sendable, Hashable {
    /// The first ban; each further one doubles, up to `longest`.
    public var first: Duration
    public var longest: Duration
    /// A request inside a 429's Retry-After is a strike; this many strikes earn a ban.
    public var strikes: Int

    public init(first: Duration, longest: Duration, strikes: Int = 1) { self.first = first; self.longest = longest; self.strikes = strikes }
}

/// The exchange's side of the limits, for paper venues: the same documented pools,
/// counted as the exchange counts what reaches it. Over a pool: 429 with Retry-After.
/// Sending again before Retry-After has passed: a ban that grows each time. So a client
/// that would be banned in production is banned in paper mode too.
public final class ExchangeSideLimits {
    private let limiter: RateLimiter
    public let wording: any RateLimitWording
    public let banPolicy: BanPolicy
    private var cooldownUntil: Int64 = .min
    private var strikes = 0
    private var bannedUntil: Int64 = .min
    private var nextBan: Duration
    public private(set) var tooManyRequestsSent = 0
    public private(set) var bansIssued = 0
    public private(set) var requestsSeen = 0

    public init(rules: any RateLimitRules, wording: any RateLimitWording, banPolicy: BanPolicy, limitOverrides: [String: Int64] = [:]) {
        // The exchange enforces hard limits only, whatever the priority.
        limiter = RateLimiter(rules: rules, policy: RateLimitPolicy(softUtilisation: .one, limitOverrides: limitOverrides, maxMarketDataWait: .seconds(1 << 30)))
        self.wording = wording
        self.banPolicy = banPolicy
        nextBan = banPolicy.first
    }

    /// `nil` to process the request; otherwise the 429 or ban it gets instead.
    public func admit(_ request: RateLimitRequest, at now: Timestamp) -> Rejection? {
        let t = now.nanoseconds
        requestsSeen += 1
        if bannedUntil > t {
            return wording.banned(retryAfter: .nanoseconds(bannedUntil - t))
        }
        if cooldownUntil > t {
            strikes += 1
            if strikes >= banPolicy.strikes {
                bannedUntil = t + nextBan.nanosecondsInt64
                bansIssued += 1
                let ban = nextBan
                nextBan = min(banPolicy.longest, nextBan * 2)
                strikes = 0
                return wording.banned(retryAfter: ban)
            }
        }
        var exchangeRequest = request
        exchangeRequest.priority = .cancel  // the exchange does not care about our priorities
        switch limiter.tryAcquire(exchangeRequest, at: now) {
        case .granted:
            return nil
        case .wait(let until, let pool):
            tooManyRequestsSent += 1
            // Retry-After in whole seconds, as the header carries it.
            let seconds = max(1, (until.nanoseconds - t + 999_999_999) / 1_000_000_000)
            cooldownUntil = max(cooldownUntil, t + seconds * 1_000_000_000)
            return wording.tooManyRequests(pool: pool, retryAfter: .seconds(seconds))
        case .impossible(let pool), .shed(let pool):
            tooManyRequestsSent += 1
            return wording.tooManyRequests(pool: pool, retryAfter: .seconds(60))
        case .banned(let until):
            return wording.banned(retryAfter: .nanoseconds(until.nanoseconds - t))
        }
    }

    public func metrics(at now: Timestamp) -> [PoolReport] { limiter.metrics(at: now) }
}

extension ExchangeSideLimits: ExchangeAdmission {
    public func admit(_ request: ExecutionRequest, instrument: Instrument, at now: Timestamp) -> Rejection? {
        switch request {
        case .submit:
            return admit(RateLimitRequest(.newOrder, priority: .newOrder, instrument: instrument.symbol), at: now)
        case .cancel(let order):
            return admit(RateLimitRequest(.cancelOrder, priority: .cancel, instrument: instrument.symbol,
                                          orderAge: now - order.submittedAt), at: now)
        }
    }

    public func orderTraded(_ order: Order, instrument: Instrument, at now: Timestamp) {
        limiter.orderTraded(instrument: instrument.symbol, at: now)
    }
}
