import Logging
import ArbCore
import ArbRateLimit
import Foundation

/// The kernel's gate to one venue: turns orders and cancels into rate-limit requests
/// (hedges and unwinds rank above new orders, cancels above all), and feeds the venue's
/// 429/418 answers back. A ban is announced on stderr once, loudly.
final class ClientThrottle: OrderThrottle {
    let backend: any RateLimitBackend
    private var announcedBanUntil: Int64 = .min

    let logger: Logger

    init(backend: any RateLimitBackend, logger: Logger = Logger(label: "arbor.ratelimit")) {
        self.backend = backend
        self.logger = logger
    }

    static func request(_ action: ThrottledAction) -> RateLimitRequest {
        switch action {
        case .newOrder(let intent, let instrument):
            return RateLimitRequest(.newOrder, priority: intent.purpose == .entry ? .newOrder : .hedge, instrument: instrument.symbol)
        case .cancel(_, let instrument, let age):
            return RateLimitRequest(.cancelOrder, priority: .cancel, instrument: instrument.symbol, orderAge: age)
        }
    }

    func orderTraded(_ order: Order, _ instrument: Instrument, at now: Timestamp) {
        backend.orderTraded(instrument: instrument.symbol, at: now)
    }

    func admit(_ action: ThrottledAction, at now: Timestamp) -> Rejection? {
        switch backend.tryAcquire(Self.request(action), at: now) {
        case .granted:
            return nil
        case .wait(let until, let pool):
            return Rejection(reason: .rateLimited, venueCode: "client:\(pool)",
                             message: "held back: \(backend.exchange) pool \(pool) is full until \(until.nanoseconds) ns", httpStatus: 0,
                             retryAfter: until - now)
        case .shed(let pool), .impossible(let pool):
            return Rejection(reason: .rateLimited, venueCode: "client:\(pool)", message: "refused by the rate limiter (\(pool))", httpStatus: 0)
        case .banned(let until):
            return Rejection(reason: .banned, venueCode: "client:banned",
                             message: "\(backend.exchange) has banned this IP/account until \(until.nanoseconds) ns: nothing is sent", httpStatus: 0,
                             retryAfter: until - now)
        }
    }

    func venueRefused(_ rejection: Rejection, action: ThrottledAction, at now: Timestamp) {
        let instrument: String
        switch action {
        case .newOrder(_, let i), .cancel(_, let i, _): instrument = i.symbol
        }
        backend.observe(RateLimitFeedback(status: rejection.httpStatus, retryAfter: rejection.retryAfter, instrument: instrument,
                                          code: rejection.venueCode, request: Self.request(action)), at: now)
        if rejection.httpStatus == 418 || rejection.httpStatus == 403 {
            let until = now.nanoseconds + (rejection.retryAfter ?? .zero).nanosecondsInt64
            if until > announcedBanUntil {
                announcedBanUntil = until
                // Once per ban, not per request: a ban is rare and must be seen.
                logger.critical("banned by the venue: every request to it is held until the ban ends",
                                metadata: ["venue.id": "\(backend.exchange)", "http.status": "\(rejection.httpStatus)",
                                           "venue.code": "\(rejection.venueCode)", "venue.message": "\(rejection.message)",
                                           "ban.until_ns": "\(until)"])
            }
        }
    }
}
