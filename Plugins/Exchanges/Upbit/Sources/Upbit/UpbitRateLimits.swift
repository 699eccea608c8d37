import ArbCore
import ArbRateLimit
import Foundation

/// Upbit's limits (docs.upbit.com rate-limits, 2026-10-07): per-second groups per
/// pocket (account) or IP, reported back in `Remaining-Req: group=…; min=…; sec=N`
/// (`sec` = requests left in the current second).
public struct UpbitRateLimits: RateLimitRules {
    public let exchange = "upbit"
    public let pools: [PoolDefinition] = [
        PoolDefinition(id: "default", scheme: .fixedWindow(limit: 30, window: .seconds(1)), scope: .account),
        PoolDefinition(id: "order", scheme: .fixedWindow(limit: 12, window: .seconds(1)), scope: .account),
        PoolDefinition(id: "order-test", scheme: .fixedWindow(limit: 8, window: .seconds(1)), scope: .account, status: "secondary"),
        // "1 per 2 s": counted as a rolling window, stricter than any alignment Upbit may use.
        PoolDefinition(id: "order-cancel-all", scheme: .slidingWindow(limit: 1, window: .seconds(2)), scope: .account),
        PoolDefinition(id: "orderbook", scheme: .fixedWindow(limit: 10, window: .seconds(1)), scope: .ip),
        PoolDefinition(id: "trade", scheme: .fixedWindow(limit: 10, window: .seconds(1)), scope: .ip, status: "secondary"),
        PoolDefinition(id: "market", scheme: .fixedWindow(limit: 10, window: .seconds(1)), scope: .ip, status: "secondary"),
        PoolDefinition(id: "websocket-connect", scheme: .fixedWindow(limit: 5, window: .seconds(1)), scope: .ip, status: "secondary"),
        // Messages sent on a websocket: 5 a second and 100 a minute per connection
        // (secondary). Counted across all of a process's connections, which is stricter.
        PoolDefinition(id: "websocket-message", scheme: .fixedWindow(limit: 5, window: .seconds(1)), scope: .ip, status: "secondary"),
        PoolDefinition(id: "websocket-message-minute", scheme: .fixedWindow(limit: 100, window: .seconds(60)), scope: .ip, status: "secondary"),
    ]

    public init() {}

    public func costs(for request: RateLimitRequest) -> [PoolCost] {
        let group: String
        switch request.endpoint {
        case .newOrder, .amendOrder: group = "order"          // POST /v1/orders, cancel_and_new
        case .cancelAll: group = "order-cancel-all"           // DELETE /v1/orders/open
        case .cancelOrder, .queryOrder, .openOrders, .account: group = "default"
        case .depthSnapshot: group = "orderbook"
        case .trades: group = "trade"
        case .exchangeInfo, .serverTime: group = "market"
        case .webSocketConnect: group = "websocket-connect"
        case .webSocketMessage:
            return [PoolCost(pool: poolIndex("websocket-message")!, weight: 1), PoolCost(pool: poolIndex("websocket-message-minute")!, weight: 1)]
        }
        return [PoolCost(pool: poolIndex(group)!, weight: 1)]
    }

    public func interpret(_ feedback: RateLimitFeedback) -> [FeedbackAction] {
        var actions: [FeedbackAction] = []
        if let header = feedback.headers["remaining-req"], let (group, remaining) = Self.parseRemaining(header), let pool = poolIndex(group) {
            actions.append(.remaining(pool: pool, remaining: remaining))
        }
        switch feedback.status {
        case 429:
            // No Retry-After is documented: stay out of the group for the rest of its second.
            let pools = feedback.request.map { costs(for: $0).map(\.pool) } ?? []
            for pool in pools { actions.append(.blockPool(pool: pool, for: feedback.retryAfter ?? .seconds(1))) }
        case 418:
            actions.append(.ban(for: feedback.retryAfter ?? .seconds(60)))
        default: break
        }
        return actions
    }

    /// `group=default; min=1800; sec=29` → ("default", 29). `min` is deprecated and ignored.
    public static func parseRemaining(_ header: String) -> (String, Int64)? {
        var group: String?, sec: Int64?
        for part in header.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2 else { continue }
            if kv[0] == "group" { group = kv[1] } else if kv[0] == "sec" { sec = Int64(kv[1]) }
        }
        guard let group, let sec else { return nil }
        return (group, sec)
    }
}

/// Upbit's 429 and 418 answers. The body of either is not documented (unconfirmed): the
/// names follow Upbit's error-name style.
public struct UpbitRateLimitWording: RateLimitWording {
    public init() {}
    public func tooManyRequests(pool: String, retryAfter: Duration) -> Rejection {
        Rejection(reason: .rateLimited, venueCode: "too_many_requests", message: "요청 수 제한을 초과했습니다. (group=\(pool))", httpStatus: 429, retryAfter: retryAfter)
    }
    public func banned(retryAfter: Duration) -> Rejection {
        Rejection(reason: .banned, venueCode: "too_many_requests_blocked", message: "요청 제한을 반복해서 초과하여 \(retryAfter.components.seconds)초간 차단되었습니다.",
                  httpStatus: 418, retryAfter: retryAfter)
    }
}

extension UpbitPlugin: RateLimitedExchangePlugin {
    public var rateLimitRules: any RateLimitRules { UpbitRateLimits() }
    public var rateLimitWording: any RateLimitWording { UpbitRateLimitWording() }
    /// 418 "block duration grows for repeat offenders" (durations unconfirmed).
    public var banPolicy: BanPolicy { BanPolicy(first: .seconds(60), longest: .seconds(86_400)) }
}
