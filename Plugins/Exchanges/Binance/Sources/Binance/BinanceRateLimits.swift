import ArbCore
import ArbRateLimit

/// Binance spot's limits (binance-spot-api-docs, 2026-07): REQUEST_WEIGHT 6,000 per
/// minute per IP, RAW_REQUESTS 300,000 per 5 minutes per IP, and the account's unfilled
/// order count over 10 s and a day (the numbers come from exchangeInfo on a live account;
/// 100 / 200,000 are the 2025 fixture values, secondary: override them per account).
public struct BinanceRateLimits: RateLimitRules {
    public let exchange = "binance"
    public let pools: [PoolDefinition] = [
        PoolDefinition(id: "request_weight", scheme: .fixedWindow(limit: 6_000, window: .seconds(60)), scope: .ip),
        PoolDefinition(id: "raw_requests", scheme: .fixedWindow(limit: 300_000, window: .seconds(300)), scope: .ip),
        PoolDefinition(id: "orders_10s", scheme: .fixedWindow(limit: 100, window: .seconds(10)), scope: .account, status: "secondary",
                       refundedOnFirstFill: true),
        PoolDefinition(id: "orders_1d", scheme: .fixedWindow(limit: 200_000, window: .seconds(86_400)), scope: .account, status: "secondary",
                       refundedOnFirstFill: true),
    ]
    static let weight = 0, raw = 1, orders10s = 2, orders1d = 3

    public init() {}

    /// Endpoint weights from the docs. A new order is charged 1 weight although a
    /// successful one costs 0 since 2026-04-02: the outcome is not known in advance.
    public func costs(for request: RateLimitRequest) -> [PoolCost] {
        func w(_ weight: Int64) -> [PoolCost] { [PoolCost(pool: Self.weight, weight: weight), PoolCost(pool: Self.raw, weight: 1)] }
        switch request.endpoint {
        case .newOrder, .amendOrder:
            return w(1) + [PoolCost(pool: Self.orders10s, weight: 1), PoolCost(pool: Self.orders1d, weight: 1)]
        case .cancelOrder, .cancelAll: return w(1)
        case .queryOrder: return w(4)
        case .openOrders(let all): return w(all ? 80 : 6)
        case .account: return w(20)
        case .depthSnapshot(let levels):
            return w(levels <= 100 ? 5 : levels <= 500 ? 25 : levels <= 1_000 ? 50 : 250)
        case .trades: return w(25)  // GET /api/v3/trades (unconfirmed here)
        case .exchangeInfo: return w(20)
        case .serverTime: return w(1)
        case .webSocketConnect: return w(2)
        // The feed subscribes by URL (combined streams) and sends no messages but pongs,
        // which are never held back; no message limit is in the documented facts.
        case .webSocketMessage: return []
        }
    }

    /// `X-MBX-USED-WEIGHT-1M` and `X-MBX-ORDER-COUNT-10S/1D` re-synchronise; 429 blocks the
    /// weight pool (or the order pools on -1015) for Retry-After; 418 (auto-ban) and 403
    /// (WAF) stop everything.
    public func interpret(_ feedback: RateLimitFeedback) -> [FeedbackAction] {
        var actions: [FeedbackAction] = []
        if let v = feedback.headers["x-mbx-used-weight-1m"].flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) {
            actions.append(.used(pool: Self.weight, used: v))
        }
        if let v = feedback.headers["x-mbx-order-count-10s"].flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) {
            actions.append(.used(pool: Self.orders10s, used: v))
        }
        if let v = feedback.headers["x-mbx-order-count-1d"].flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) {
            actions.append(.used(pool: Self.orders1d, used: v))
        }
        let retry = feedback.retryAfter ?? feedback.headers["retry-after"].flatMap { Int64($0) }.map { Duration.seconds($0) }
        switch feedback.status {
        case 429:
            if feedback.code == "-1015" {
                actions.append(.blockPool(pool: Self.orders10s, for: retry ?? .seconds(10)))
            } else {
                actions.append(.blockPool(pool: Self.weight, for: retry ?? .seconds(60)))
            }
        case 418: actions.append(.ban(for: retry ?? .seconds(120)))
        case 403: actions.append(.ban(for: retry ?? .seconds(300)))
        default: break
        }
        return actions
    }
}

/// Binance's rate-limit answers (errors.md): -1003 for weight, -1015 for orders, 418 bans.
public struct BinanceRateLimitWording: RateLimitWording {
    public init() {}
    public func tooManyRequests(pool: String, retryAfter: Duration) -> Rejection {
        if pool.hasPrefix("orders") {
            let per = pool == "orders_10s" ? "10 SECOND" : "1 DAY"
            let limit = pool == "orders_10s" ? 100 : 200_000
            return Rejection(reason: .rateLimited, venueCode: "-1015", message: "Too many new orders; current limit is \(limit) orders per \(per).",
                             httpStatus: 429, retryAfter: retryAfter)
        }
        return Rejection(reason: .rateLimited, venueCode: "-1003",
                         message: "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
                         httpStatus: 429, retryAfter: retryAfter)
    }
    public func banned(retryAfter: Duration) -> Rejection {
        Rejection(reason: .banned, venueCode: "-1003", message: "Way too much request weight used; IP banned for \(retryAfter.components.seconds) s.",
                  httpStatus: 418, retryAfter: retryAfter)
    }
}

extension BinancePlugin: RateLimitedExchangePlugin {
    public var rateLimitRules: any RateLimitRules { BinanceRateLimits() }
    public var rateLimitWording: any RateLimitWording { BinanceRateLimitWording() }
    /// 418 "auto IP ban, scaling from 2 minutes to 3 days".
    public var banPolicy: BanPolicy { BanPolicy(first: .seconds(120), longest: .seconds(3 * 86_400)) }
}

import Foundation
