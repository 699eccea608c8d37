import ArbCore

/// How a pool counts.
public enum RateLimitScheme: Sendable, Hashable, CustomStringConvertible {
    /// At most `limit` weight per window, windows aligned on multiples of `window` since
    /// the epoch (Binance's per-minute REQUEST_WEIGHT, Upbit's per-second groups).
    case fixedWindow(limit: Int64, window: Duration)
    /// At most `limit` weight in *any* window of length `window` (Bybit's rolling second, OKX).
    case slidingWindow(limit: Int64, window: Duration)
    /// A counter that must stay ≤ `capacity` and drains continuously at
    /// `decayMilliPerSecond / 1000` per second (Kraken's call and trading counters).
    case decayingCounter(capacity: Int64, decayMilliPerSecond: Int64)
    /// `burst` tokens refilled at `milliPerSecond / 1000` tokens per second (Coinbase Exchange).
    case tokenBucket(burst: Int64, milliPerSecond: Int64)

    /// The pool's nominal budget: limit, capacity or burst.
    public var limit: Int64 {
        switch self {
        case .fixedWindow(let l, _), .slidingWindow(let l, _): return l
        case .decayingCounter(let c, _): return c
        case .tokenBucket(let b, _): return b
        }
    }

    /// The same scheme with its budget scaled (a process's share, an override).
    public func withLimit(_ limit: Int64) -> RateLimitScheme {
        switch self {
        case .fixedWindow(_, let w): return .fixedWindow(limit: limit, window: w)
        case .slidingWindow(_, let w): return .slidingWindow(limit: limit, window: w)
        case .decayingCounter(_, let d): return .decayingCounter(capacity: limit, decayMilliPerSecond: d)
        case .tokenBucket(_, let r): return .tokenBucket(burst: limit, milliPerSecond: r)
        }
    }

    public var description: String {
        switch self {
        case .fixedWindow(let l, let w): return "\(l) per \(w) (fixed window)"
        case .slidingWindow(let l, let w): return "\(l) per \(w) (rolling)"
        case .decayingCounter(let c, let d): return "counter ≤ \(c), −\(Double(d) / 1000)/s"
        case .tokenBucket(let b, let r): return "bucket \(b), +\(Double(r) / 1000)/s"
        }
    }
}

/// Whose budget a pool is: the machine's IP, the account, or the account per instrument.
public enum PoolScope: String, Sendable, Hashable {
    case ip
    case account
    /// One pool per instrument (OKX per instrument, Kraken per pair).
    case accountInstrument = "account_instrument"
}

/// One budget an exchange enforces.
public struct PoolDefinition: Sendable, Hashable {
    public var id: String
    public var scheme: RateLimitScheme
    public var scope: PoolScope
    /// confirmed / secondary / unconfirmed, as in shared/exchanges.json.
    public var status: String

    /// An unfilled-order count: an order's first fill takes it off again (Binance ORDERS).
    public var refundedOnFirstFill: Bool

    public init(id: String, scheme: RateLimitScheme, scope: PoolScope, status: String = "confirmed", refundedOnFirstFill: Bool = false) {
        self.id = id; self.scheme = scheme; self.scope = scope; self.status = status; self.refundedOnFirstFill = refundedOnFirstFill
    }
}

/// Traffic classes, highest priority first. Above the soft utilisation, lower classes
/// wait (or are shed) so that cancels and hedges always find room.
public enum RequestPriority: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case cancel = 0
    case hedge = 1
    case newOrder = 2
    case accountQuery = 3
    case marketData = 4

    public static func < (a: RequestPriority, b: RequestPriority) -> Bool { a.rawValue < b.rawValue }
    public var description: String { ["cancel", "hedge", "new_order", "account_query", "market_data"][rawValue] }
}

/// What is being asked of the exchange; the exchange's rules turn it into pool costs.
public enum Endpoint: Sendable, Hashable {
    case newOrder
    case cancelOrder
    case amendOrder
    case cancelAll
    case queryOrder
    case openOrders(allSymbols: Bool)
    case account
    /// A REST order-book snapshot with this many levels per side.
    case depthSnapshot(levels: Int)
    case trades
    case exchangeInfo
    case serverTime
    case webSocketConnect
    /// A message we send on a websocket (a subscription).
    case webSocketMessage
}

/// One request to rate-limit.
public struct RateLimitRequest: Sendable, Hashable {
    public var endpoint: Endpoint
    public var priority: RequestPriority
    /// Exchange symbol, for per-instrument pools.
    public var instrument: String?
    /// Age of the order a cancel or amend refers to (Kraken charges young orders more).
    public var orderAge: Duration?

    public init(_ endpoint: Endpoint, priority: RequestPriority, instrument: String? = nil, orderAge: Duration? = nil) {
        self.endpoint = endpoint; self.priority = priority; self.instrument = instrument; self.orderAge = orderAge
    }
}

/// A request's draw on one pool.
public struct PoolCost: Sendable, Hashable {
    /// Index into the rules' `pools`.
    public var pool: Int
    public var weight: Int64
    public init(pool: Int, weight: Int64) { self.pool = pool; self.weight = weight }
}

/// What the exchange said about its limits in a response.
public struct RateLimitFeedback: Sendable, Hashable {
    public var status: Int
    /// Response headers, names lower-cased.
    public var headers: [String: String]
    public var retryAfter: Duration?
    public var instrument: String?
    /// The exchange's error code, if any (Binance -1003 vs -1015 say which pool ran out).
    public var code: String?
    /// The request this answers, so a 429 can be pinned on the pools it drew on.
    public var request: RateLimitRequest?

    public init(status: Int, headers: [String: String] = [:], retryAfter: Duration? = nil, instrument: String? = nil,
                code: String? = nil, request: RateLimitRequest? = nil) {
        self.status = status
        self.code = code
        self.request = request
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.retryAfter = retryAfter
        self.instrument = instrument
    }
}

/// What the limiter does with feedback.
public enum FeedbackAction: Sendable, Hashable {
    /// The exchange counts `used` in the pool's current window: never believe less.
    case used(pool: Int, used: Int64)
    /// The exchange says `remaining` is left in the pool's current window.
    case remaining(pool: Int, remaining: Int64)
    /// Rate limited (429): nothing more on this pool until the time has passed.
    case blockPool(pool: Int, for: Duration)
    /// Banned (Binance 418, Bybit 403): nothing at all to this exchange until it ends.
    case ban(for: Duration)
}

/// One exchange's documented limits, as data, and how to read its responses.
public protocol RateLimitRules: Sendable {
    var exchange: String { get }
    var pools: [PoolDefinition] { get }
    /// The pools a request draws on and how much.
    func costs(for request: RateLimitRequest) -> [PoolCost]
    /// How to read a response's status and headers.
    func interpret(_ feedback: RateLimitFeedback) -> [FeedbackAction]
}

extension RateLimitRules {
    public func poolIndex(_ id: String) -> Int? { pools.firstIndex { $0.id == id } }
}

/// An exchange plugin that declares its documented limits, its wording and its ban policy.
public protocol RateLimitedExchange {
    var rateLimitRules: any RateLimitRules { get }
    var rateLimitWording: any RateLimitWording { get }
    var banPolicy: BanPolicy { get }
}

/// What the host registers: an exchange plugin with its rate limits. A plugin that
/// leaves the limits out does not compile as one, so it cannot run without limits.
public protocol RateLimitedExchangePlugin: ExchangePlugin, RateLimitedExchange {}

extension RateLimitedExchangePlugin {
    /// The paper venue's gate: the plugin's documented limits counted as the exchange
    /// counts them (429 with Retry-After, then bans); nil when the options turn it off.
    public func exchangeAdmission(options: PaperVenueOptions) -> (any ExchangeAdmission)? {
        guard options.enforceRateLimits else { return nil }
        return ExchangeSideLimits(rules: rateLimitRules, wording: rateLimitWording, banPolicy: banPolicy,
                                  limitOverrides: options.rateLimitOverrides)
    }
}
