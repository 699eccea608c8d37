import ArbCore
import Testing
@testable import ArbRateLimit

struct Lcg {
    var state: UInt64
    mutating func next(_ n: UInt64) -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return (state >> 33) % n }
}

@Suite("Rate-limit properties")
struct PropertyTests {
    static let ruleSets: [any RateLimitRules] = [WeightRules(), BybitRules(), OKXRules(), KrakenRules(), CoinbaseRules(), UpbitLike()]
    static let endpoints: [Endpoint] = [.newOrder, .cancelOrder, .queryOrder, .account, .depthSnapshot(levels: 100),
                                        .depthSnapshot(levels: 5_000), .trades, .serverTime, .openOrders(allSymbols: true)]

    @Test("random request mixes never exceed any pool in any window (checked by the independent auditor)",
          arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func neverExceeds(seed: UInt64) {
        var rng = Lcg(state: seed)
        for rules in Self.ruleSets {
            let policy = RateLimitPolicy(share: rng.next(2) == 0 ? .one : Ratio("0.5"), softUtilisation: Ratio("0.8"), maxMarketDataWait: .seconds(2))
            let limiter = RateLimiter(rules: rules, policy: policy)
            var log: [RateLimitAuditor.Entry] = []
            var t: Int64 = 1_000_000_000_000
            var granted = 0
            for _ in 0..<20_000 {
                t += Int64(rng.next(20_000_000))  // 0–20 ms apart: far more than any budget allows
                let endpoint = Self.endpoints[Int(rng.next(UInt64(Self.endpoints.count)))]
                let priority = RequestPriority(rawValue: Int(rng.next(5)))!
                let instrument = ["BTC", "ETH", "XRP"][Int(rng.next(3))]
                let request = RateLimitRequest(endpoint, priority: priority, instrument: instrument, orderAge: .seconds(Int64(rng.next(400))))
                if case .granted = limiter.tryAcquire(request, at: Timestamp(nanoseconds: t)) {
                    granted += 1
                    for cost in rules.costs(for: request) where cost.weight > 0 {
                        let p = rules.pools[cost.pool]
                        log.append(.init(time: t, pool: p.scope == .accountInstrument ? "\(p.id)/\(instrument)" : p.id, weight: cost.weight))
                    }
                }
            }
            var pools: [String: (scheme: RateLimitScheme, limit: Int64)] = [:]
            for p in rules.pools {
                let limit = policy.limit(of: p)
                for name in p.scope == .accountInstrument ? ["BTC", "ETH", "XRP"].map({ "\(p.id)/\($0)" }) : [p.id] {
                    pools[name] = (p.scheme.withLimit(limit), limit)
                }
            }
            let violations = RateLimitAuditor().violations(log, pools: pools)
            #expect(violations.isEmpty, "\(rules.exchange): \(violations.prefix(3))")
            #expect(granted > 100, "\(rules.exchange) granted \(granted)")
        }
    }

    @Test("the auditor does catch an over-sent log")
    func auditorCatches() {
        let pools: [String: (scheme: RateLimitScheme, limit: Int64)] = ["p": (.slidingWindow(limit: 2, window: .seconds(1)), 2)]
        let log = [0, 400_000_000, 900_000_000].map { RateLimitAuditor.Entry(time: $0, pool: "p", weight: 1) }
        #expect(RateLimitAuditor().violations(log, pools: pools).count == 1)
        let fine = [0, 400_000_000, 1_000_000_000].map { RateLimitAuditor.Entry(time: $0, pool: "p", weight: 1) }
        #expect(RateLimitAuditor().violations(fine, pools: pools).isEmpty)
    }

    @Test("a reconnect storm of snapshots is spread over time to fit the budget, cancels first")
    func reconnectStorm() {
        let limiter = RateLimiter(rules: WeightRules(), policy: RateLimitPolicy(maxMarketDataWait: .seconds(3_600)))
        var queue = RequestQueue<String>(capacity: 500)
        for i in 0..<200 { queue.enqueue(RateLimitRequest(.depthSnapshot(levels: 5_000), priority: .marketData), "book-\(i)") }
        queue.enqueue(RateLimitRequest(.cancelOrder, priority: .cancel), "cancel")
        #expect(!{ var q = RequestQueue<Int>(capacity: 1); q.enqueue(order, 1); return q.enqueue(order, 2) }(), "full queue refuses")
        var t = ms(0)
        var released: [String] = []
        var perMinute: [Int64: Int] = [:]
        while !queue.isEmpty {
            var out: [String] = []
            let next = queue.release(using: limiter, at: t, into: &out)
            perMinute[t.nanoseconds / 60_000_000_000, default: 0] += out.filter { $0.hasPrefix("book") }.count
            released += out
            guard let next else { break }
            t = next
        }
        #expect(released.first == "cancel")
        #expect(released.count == 201)
        // 250 weight each, 60 % of 6,000 for market data = 14 per minute.
        #expect(perMinute.values.allSatisfy { $0 <= 14 })
        #expect(perMinute.count == 15)
    }
}

@Suite("Exchange side (paper venues)")
struct ExchangeSideTests {
    struct Wording: RateLimitWording {
        func tooManyRequests(pool: String, retryAfter: Duration) -> Rejection {
            Rejection(reason: .rateLimited, venueCode: "429:\(pool)", message: "too many", httpStatus: 429, retryAfter: retryAfter)
        }
        func banned(retryAfter: Duration) -> Rejection { Rejection(reason: .banned, venueCode: "418", message: "banned", httpStatus: 418, retryAfter: retryAfter) }
    }

    @Test("over the limit: 429 with Retry-After; going on anyway: a ban that doubles each time")
    func escalation() {
        let side = ExchangeSideLimits(rules: UpbitLike(), wording: Wording(), banPolicy: BanPolicy(first: .seconds(60), longest: .seconds(240)))
        for _ in 0..<12 { #expect(side.admit(order, at: ms(100)) == nil) }
        let limited = side.admit(order, at: ms(100))
        #expect(limited?.httpStatus == 429 && limited?.retryAfter == .seconds(1))
        // Inside Retry-After: banned for 60 s.
        let ban = side.admit(order, at: ms(500))
        #expect(ban?.httpStatus == 418 && ban?.retryAfter == .seconds(60))
        #expect(side.admit(order, at: ms(30_000))?.httpStatus == 418)
        // After the ban it works again; a repeat offence bans for twice as long.
        #expect(side.admit(order, at: ms(61_000)) == nil)
        for _ in 0..<11 { _ = side.admit(order, at: ms(61_000)) }
        #expect(side.admit(order, at: ms(61_000))?.httpStatus == 429)
        #expect(side.admit(order, at: ms(61_100))?.retryAfter == .seconds(120))
        #expect(side.bansIssued == 2 && side.tooManyRequestsSent == 2)
    }
}
