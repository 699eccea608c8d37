import ArbCore
@testable import ArbRateLimit

/// Bybit V5 spot (docs 2026-07): 600 requests per 5 s per IP (403 and ≥ 10 min away when
/// exceeded), and per-UID rolling-second limits per endpoint.
struct BybitRules: RateLimitRules {
    let exchange = "bybit"
    let pools: [PoolDefinition] = [
        PoolDefinition(id: "ip", scheme: .slidingWindow(limit: 600, window: .seconds(5)), scope: .ip),
        PoolDefinition(id: "order/create", scheme: .slidingWindow(limit: 20, window: .seconds(1)), scope: .account),
        PoolDefinition(id: "order/cancel", scheme: .slidingWindow(limit: 20, window: .seconds(1)), scope: .account),
        PoolDefinition(id: "order/realtime", scheme: .slidingWindow(limit: 50, window: .seconds(1)), scope: .account),
    ]
    func costs(for r: RateLimitRequest) -> [PoolCost] {
        let ip = PoolCost(pool: 0, weight: 1)
        switch r.endpoint {
        case .newOrder: return [ip, PoolCost(pool: 1, weight: 1)]
        case .cancelOrder: return [ip, PoolCost(pool: 2, weight: 1)]
        case .queryOrder, .openOrders: return [ip, PoolCost(pool: 3, weight: 1)]
        default: return [ip]
        }
    }
    func interpret(_ f: RateLimitFeedback) -> [FeedbackAction] {
        var actions: [FeedbackAction] = []
        if let remaining = f.headers["x-bapi-limit-status"].flatMap({ Int64($0) }), let r = f.request, let pool = costs(for: r).last?.pool {
            actions.append(.remaining(pool: pool, remaining: remaining))
        }
        if f.status == 403 { actions.append(.ban(for: .seconds(600))) }
        return actions
    }
}

/// OKX: 60 orders per 2 s per user *and instrument*.
struct OKXRules: RateLimitRules {
    let exchange = "okx"
    let pools = [PoolDefinition(id: "trade/order", scheme: .slidingWindow(limit: 60, window: .seconds(2)), scope: .accountInstrument)]
    func costs(for r: RateLimitRequest) -> [PoolCost] { r.endpoint == .newOrder ? [PoolCost(pool: 0, weight: 1)] : [] }
    func interpret(_ f: RateLimitFeedback) -> [FeedbackAction] { [] }
}

/// Kraken Starter tier: the trading counter (threshold 60, decay 1/s, per pair) with the
/// cancel penalty by order age: +8 under 5 s, +6 under 10 s, +5 under 15 s, +4 under 45 s,
/// +2 under 90 s, +1 under 300 s, 0 after; and the REST call counter (15, −0.33/s).
struct KrakenRules: RateLimitRules {
    let exchange = "kraken"
    let pools = [
        PoolDefinition(id: "trading", scheme: .decayingCounter(capacity: 60, decayMilliPerSecond: 1_000), scope: .accountInstrument, status: "secondary"),
        PoolDefinition(id: "rest", scheme: .decayingCounter(capacity: 15, decayMilliPerSecond: 330), scope: .account),
    ]
    func costs(for r: RateLimitRequest) -> [PoolCost] {
        switch r.endpoint {
        case .newOrder: return [PoolCost(pool: 0, weight: 1)]
        case .cancelOrder:
            let age = r.orderAge ?? .seconds(1_000)
            let penalty: Int64 = age < .seconds(5) ? 8 : age < .seconds(10) ? 6 : age < .seconds(15) ? 5 : age < .seconds(45) ? 4
                : age < .seconds(90) ? 2 : age < .seconds(300) ? 1 : 0
            return [PoolCost(pool: 0, weight: penalty)]
        default: return [PoolCost(pool: 1, weight: 1)]
        }
    }
    func interpret(_ f: RateLimitFeedback) -> [FeedbackAction] { [] }
}

/// Coinbase Exchange private REST: lazy-fill token bucket, 15/s with a burst of 30.
struct CoinbaseRules: RateLimitRules {
    let exchange = "coinbase"
    let pools = [PoolDefinition(id: "private", scheme: .tokenBucket(burst: 30, milliPerSecond: 15_000), scope: .account)]
    func costs(for r: RateLimitRequest) -> [PoolCost] { [PoolCost(pool: 0, weight: 1)] }
    func interpret(_ f: RateLimitFeedback) -> [FeedbackAction] { f.status == 429 ? [.blockPool(pool: 0, for: f.retryAfter ?? .seconds(1))] : [] }
}

/// A Binance-like rule set (weights, orders) for tests that need no plugin.
struct WeightRules: RateLimitRules {
    let exchange = "weights"
    let pools = [
        PoolDefinition(id: "request_weight", scheme: .fixedWindow(limit: 6_000, window: .seconds(60)), scope: .ip),
        PoolDefinition(id: "orders_10s", scheme: .fixedWindow(limit: 100, window: .seconds(10)), scope: .account),
    ]
    func costs(for r: RateLimitRequest) -> [PoolCost] {
        switch r.endpoint {
        case .newOrder: return [PoolCost(pool: 0, weight: 1), PoolCost(pool: 1, weight: 1)]
        case .depthSnapshot(let levels): return [PoolCost(pool: 0, weight: levels <= 100 ? 5 : levels <= 500 ? 25 : levels <= 1_000 ? 50 : 250)]
        case .account: return [PoolCost(pool: 0, weight: 20)]
        default: return [PoolCost(pool: 0, weight: 1)]
        }
    }
    func interpret(_ f: RateLimitFeedback) -> [FeedbackAction] {
        var actions: [FeedbackAction] = []
        if let used = f.headers["x-mbx-used-weight-1m"].flatMap({ Int64($0) }) { actions.append(.used(pool: 0, used: used)) }
        if f.status == 429 { actions.append(.blockPool(pool: 0, for: f.retryAfter ?? .seconds(60))) }
        if f.status == 418 { actions.append(.ban(for: f.retryAfter ?? .seconds(120))) }
        return actions
    }
}

func ms(_ v: Int64) -> Timestamp { .milliseconds(v) }
/// A limiter with the soft limit out of the way (hard limits only) unless asked.
func hard(_ rules: any RateLimitRules) -> RateLimiter { RateLimiter(rules: rules, policy: RateLimitPolicy(softUtilisation: .one)) }

/// How many of `n` requests at time `t` are granted.
func grants(_ limiter: RateLimiter, _ request: RateLimitRequest, _ n: Int, at t: Timestamp) -> Int {
    (0..<n).filter { _ in limiter.tryAcquire(request, at: t) == .granted }.count
}
